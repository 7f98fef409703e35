//! A generic provider for an operator's own gateway (`[phone.webhook]`): each message is
//! posted as signed JSON, and an office-phone call's key press comes back as a signed
//! JSON callback. The protocol is in docs/PHONE_WEBHOOK.md.
//!
//! Both directions carry `X-SSPR-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret,
//! "<t>.<body>")>`. A callback is refused when its signature is wrong, when `t` is more
//! than [`REPLAY_WINDOW_SECONDS`] from now, or when the same (t, signature) was already
//! taken; and its body names the call's reference, which must be the one in its path (the
//! signature covers the body only, so this is what ties it to one call).

use super::config::WebhookConfig;
use super::http_client::{self, dedupe_token, hex};
use super::provider::{
    BoxFuture, CallConfirmation, CallSink, Outbound, OutboundChannel, Telephony,
};
use crate::clock::Clock;
use crate::delivery::SendFailure;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use hmac::{Hmac, Mac};
use serde::{Deserialize, Serialize};
use sha2::Sha256;
use std::collections::{HashSet, VecDeque};
use std::path::{Path as FilePath, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The provider's name, in logs and in its callback paths.
pub const NAME: &str = "webhook";
/// Where the callbacks are nested.
pub const CALLBACK_PREFIX: &str = "/telephony/webhook";
/// The header both directions are signed in.
pub const SIGNATURE_HEADER: &str = "X-SSPR-Signature";
/// How far a callback's `t` may be from now, either way.
pub const REPLAY_WINDOW_SECONDS: u64 = 300;
/// How long one post to the gateway may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// How many taken callback signatures are remembered (within the window).
const SEEN_CAPACITY: usize = 10_000;
const CALLBACK_BODY_LIMIT: usize = 16 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum WebhookError {
    #[error("phone.webhook.secret_file is not set")]
    NoSecretFile,
    #[error("cannot read phone.webhook.secret_file {path}: {source}")]
    SecretFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the webhook secret (phone.webhook.secret_file {0}) is empty")]
    EmptySecret(PathBuf),
    #[error("phone.webhook.url {0:?} is not an http(s) URL")]
    Url(String),
    #[error("the server's public URL {0:?} is not an http(s) origin")]
    PublicBase(String),
}

/// The shared secret in the file at `path`, without surrounding white space.
pub fn read_secret(path: &FilePath) -> Result<String, WebhookError> {
    let secret = std::fs::read_to_string(path).map_err(|source| WebhookError::SecretFile {
        path: path.to_owned(),
        source,
    })?;
    let secret = secret.trim();
    if secret.is_empty() {
        return Err(WebhookError::EmptySecret(path.to_owned()));
    }
    Ok(secret.to_owned())
}

/// `X-SSPR-Signature` for `body` sent at `t`: `t=<t>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>`.
pub fn signature_header(secret: &str, t: u64, body: &[u8]) -> String {
    format!("t={t},v1={}", sign(secret, t, body))
}

fn sign(secret: &str, t: u64, body: &[u8]) -> String {
    let mut mac = match Hmac::<Sha256>::new_from_slice(secret.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(t.to_string().as_bytes());
    mac.update(b".");
    mac.update(body);
    hex(&mac.finalize().into_bytes())
}

/// The operator's gateway.
pub struct Webhook {
    url: String,
    public_base: String,
    timeout: Duration,
    keys: Arc<Keys>,
}

/// What both directions need: the secret, the time, the callbacks already taken.
struct Keys {
    secret: String,
    clock: Clock,
    seen: Mutex<Seen>,
}

/// One message as posted to the gateway.
#[derive(Serialize)]
struct Request<'a> {
    channel: &'a str,
    to: &'a str,
    text: &'a str,
    /// The BCP 47 tag of the language `text` is in (`en`, `de`, `pt-BR`, `zh-Hans`), for
    /// the voice a call speaks it in.
    language: &'static str,
    key: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    reference: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    callback_url: Option<String>,
}

/// A callback's body.
#[derive(Deserialize)]
struct Callback {
    event: String,
    #[serde(default)]
    digits: Option<String>,
    reference: String,
}

impl Webhook {
    /// The gateway of `config`, signed with `secret`; `public_base` is the origin the
    /// gateway reaches this server at, and `clock` gives the signatures' time.
    pub fn new(
        config: &WebhookConfig,
        secret: String,
        public_base: &str,
        clock: Clock,
    ) -> Result<Webhook, WebhookError> {
        if !http_client::is_http_url(&config.url) {
            return Err(WebhookError::Url(config.url.clone()));
        }
        let public_base = http_client::http_origin(public_base)
            .ok_or_else(|| WebhookError::PublicBase(public_base.to_owned()))?;
        if secret.trim().is_empty() {
            return Err(WebhookError::EmptySecret(PathBuf::new()));
        }
        Ok(Webhook {
            url: config.url.clone(),
            public_base,
            timeout: REQUEST_TIMEOUT,
            keys: Arc::new(Keys {
                secret,
                clock,
                seen: Mutex::new(Seen::default()),
            }),
        })
    }

    /// [`Webhook::new`] with the secret read from `secret_file`.
    pub fn from_config(
        config: &WebhookConfig,
        public_base: &str,
        clock: Clock,
    ) -> Result<Webhook, WebhookError> {
        let path = config
            .secret_file
            .as_deref()
            .ok_or(WebhookError::NoSecretFile)?;
        Webhook::new(config, read_secret(path)?, public_base, clock)
    }

    /// The same provider with another request timeout (tests).
    pub fn with_timeout(mut self, timeout: Duration) -> Webhook {
        self.timeout = timeout;
        self
    }

    /// Where the gateway posts the key press of the call with `reference`.
    pub fn callback_url(&self, reference: &str) -> String {
        format!("{}{CALLBACK_PREFIX}/calls/{reference}", self.public_base)
    }

    fn body(&self, message: &Outbound) -> Result<Vec<u8>, SendFailure> {
        let reference = match (message.channel, message.call.as_deref()) {
            (OutboundChannel::Call, None) => {
                return Err(SendFailure::Permanent(
                    "webhook: a call needs its reference".into(),
                ));
            }
            (OutboundChannel::Call, Some(reference)) if !url_safe(reference) => {
                return Err(SendFailure::Permanent(
                    "webhook: the call reference is not URL-safe".into(),
                ));
            }
            (OutboundChannel::Call, Some(reference)) => Some(reference),
            _ => None,
        };
        let request = Request {
            channel: message.channel.as_str(),
            to: &message.to,
            text: &message.text,
            language: message.language.tag(),
            key: dedupe_token(&message.key),
            reference,
            callback_url: reference.map(|reference| self.callback_url(reference)),
        };
        serde_json::to_vec(&request)
            .map_err(|err| SendFailure::Permanent(format!("webhook: {err}")))
    }
}

fn url_safe(reference: &str) -> bool {
    !reference.is_empty()
        && reference.len() <= 128
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

impl Telephony for Webhook {
    fn name(&self) -> &'static str {
        NAME
    }

    fn send<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), SendFailure>> {
        Box::pin(async move {
            let body = self.body(message)?;
            let signature = signature_header(&self.keys.secret, self.keys.clock.now(), &body);
            let headers = [
                ("Content-Type", "application/json".to_owned()),
                ("Accept", "application/json".to_owned()),
                (SIGNATURE_HEADER, signature),
            ];
            let result = http_client::post(&self.url, &headers, body, self.timeout).await;
            http_client::delivery_outcome(NAME, result).map(|_| ())
        })
    }

    fn callbacks(&self, sink: Arc<dyn CallSink>) -> Option<Router> {
        let state = Arc::new(CallbackState {
            keys: Arc::clone(&self.keys),
            sink,
        });
        Some(
            Router::new()
                .route("/calls/{reference}", post(key_pressed))
                .layer(DefaultBodyLimit::max(CALLBACK_BODY_LIMIT))
                .with_state(state),
        )
    }
}

/// Why a callback was refused (for the log line).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Refusal {
    Unsigned,
    Forged,
    Stale,
    Replayed,
}

impl Keys {
    /// Checks `header` against `body` and takes it (once).
    fn verify(&self, header: Option<&str>, body: &[u8]) -> Result<(), Refusal> {
        let (t, given) = parse_header(header.ok_or(Refusal::Unsigned)?).ok_or(Refusal::Unsigned)?;
        let now = self.clock.now();
        if now.abs_diff(t) > REPLAY_WINDOW_SECONDS {
            return Err(Refusal::Stale);
        }
        let expected = sign(&self.secret, t, body);
        let mut valid = subtle::Choice::from(0);
        for candidate in &given {
            valid |= expected.as_bytes().ct_eq(candidate.as_bytes());
        }
        if !bool::from(valid) {
            return Err(Refusal::Forged);
        }
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if seen.insert(t, expected, now) {
            Ok(())
        } else {
            Err(Refusal::Replayed)
        }
    }
}

/// `t=<t>,v1=<hex>[,v1=<hex>...]` (several `v1` while a secret is being changed; other
/// keys are ignored), or `None` without exactly one `t` and at least one `v1`.
fn parse_header(header: &str) -> Option<(u64, Vec<&str>)> {
    let mut t = None;
    let mut signatures = Vec::new();
    for part in header.split(',') {
        match part.trim().split_once('=') {
            Some(("t", value)) if t.is_none() => t = Some(value.parse::<u64>().ok()?),
            Some(("t", _)) => return None,
            Some(("v1", value)) => signatures.push(value),
            _ => {}
        }
    }
    if signatures.is_empty() {
        return None;
    }
    Some((t?, signatures))
}

/// The (t, signature) pairs taken, forgotten once outside the window (or when full).
#[derive(Default)]
struct Seen {
    order: VecDeque<(u64, String)>,
    keys: HashSet<(u64, String)>,
}

impl Seen {
    fn insert(&mut self, t: u64, signature: String, now: u64) -> bool {
        while let Some((oldest, _)) = self.order.front() {
            let expired = oldest.saturating_add(2 * REPLAY_WINDOW_SECONDS) < now;
            if !expired && self.order.len() < SEEN_CAPACITY {
                break;
            }
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        let key = (t, signature);
        if self.keys.contains(&key) {
            return false;
        }
        self.keys.insert(key.clone());
        self.order.push_back(key);
        true
    }
}

struct CallbackState {
    keys: Arc<Keys>,
    sink: Arc<dyn CallSink>,
}

#[derive(Serialize)]
struct Answer {
    confirmed: bool,
}

/// `POST /calls/{reference}`: the gateway reports a key press. 403 when unsigned,
/// forged, stale or for another reference; 409 when replayed; 400 when not a callback;
/// else 200 `{"confirmed": true|false}` (true only for `#` on a live call).
async fn key_pressed(
    State(state): State<Arc<CallbackState>>,
    Path(reference): Path<String>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let header = headers
        .get(SIGNATURE_HEADER)
        .and_then(|value| value.to_str().ok());
    if let Err(refusal) = state.keys.verify(header, &body) {
        tracing::warn!(provider = NAME, ?refusal, "callback refused");
        let status = if refusal == Refusal::Replayed {
            StatusCode::CONFLICT
        } else {
            StatusCode::FORBIDDEN
        };
        return status.into_response();
    }
    let Ok(callback) = serde_json::from_slice::<Callback>(&body) else {
        tracing::warn!(provider = NAME, "callback refused: not a callback body");
        return StatusCode::BAD_REQUEST.into_response();
    };
    if callback
        .reference
        .as_bytes()
        .ct_eq(reference.as_bytes())
        .unwrap_u8()
        != 1
    {
        tracing::warn!(provider = NAME, "callback refused: signed for another call");
        return StatusCode::FORBIDDEN.into_response();
    }
    let confirmed = if callback.event == "key_pressed" && callback.digits.as_deref() == Some("#") {
        let outcome = state.sink.confirmed(&reference).await;
        tracing::info!(provider = NAME, ?outcome, "# pressed");
        outcome == CallConfirmation::Confirmed
    } else {
        tracing::info!(provider = NAME, "callback other than #: nothing confirmed");
        false
    };
    Json(Answer { confirmed }).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn webhook(clock: Clock) -> Webhook {
        let config = WebhookConfig {
            url: "https://gateway.example/send".into(),
            secret_file: None,
        };
        Webhook::new(&config, "s3cret".into(), "https://sspr.example", clock).expect("ok")
    }

    #[test]
    fn signature_headers_are_parsed_strictly() {
        assert_eq!(parse_header("t=5,v1=ab"), Some((5, vec!["ab"])));
        assert_eq!(
            parse_header("t=5, v1=ab, v0=x, v1=cd"),
            Some((5, vec!["ab", "cd"]))
        );
        for bad in ["v1=ab", "t=5", "t=x,v1=ab", "t=5,t=6,v1=ab", ""] {
            assert_eq!(parse_header(bad), None, "{bad}");
        }
    }

    #[test]
    fn signatures_are_hmac_sha256_over_time_dot_body() {
        // Python's hmac.new(b"s3cret", b"1700000000.{}", sha256).hexdigest().
        assert_eq!(
            signature_header("s3cret", 1_700_000_000, b"{}"),
            "t=1700000000,v1=97926816e98fbb41ccb1673225ff29a2f35369099990e1b1561651e7bd097ebf"
        );
        assert_ne!(sign("s3cret", 1, b"{}"), sign("s3cret", 2, b"{}"));
    }

    #[test]
    fn callbacks_are_taken_once_within_the_window() {
        let clock = Clock::manual(1_000_000);
        let hook = webhook(clock.clone());
        let body = br##"{"event":"key_pressed","digits":"#","reference":"r"}"##;
        let header = signature_header("s3cret", clock.now(), body);
        assert_eq!(hook.keys.verify(Some(&header), body), Ok(()));
        assert_eq!(
            hook.keys.verify(Some(&header), body),
            Err(Refusal::Replayed)
        );
        assert_eq!(hook.keys.verify(None, body), Err(Refusal::Unsigned));
        let forged = signature_header("other", clock.now(), body);
        assert_eq!(hook.keys.verify(Some(&forged), body), Err(Refusal::Forged));
        let early = signature_header("s3cret", clock.now() + REPLAY_WINDOW_SECONDS + 1, body);
        assert_eq!(hook.keys.verify(Some(&early), body), Err(Refusal::Stale));
        clock.advance(REPLAY_WINDOW_SECONDS + 1);
        assert_eq!(hook.keys.verify(Some(&header), body), Err(Refusal::Stale));
    }

    #[test]
    fn the_seen_set_forgets_what_is_outside_the_window() {
        let mut seen = Seen::default();
        assert!(seen.insert(100, "a".into(), 100));
        assert!(!seen.insert(100, "a".into(), 200));
        assert!(seen.insert(200, "b".into(), 100 + 2 * REPLAY_WINDOW_SECONDS + 1));
        assert_eq!(seen.order.len(), 1);
    }

    #[test]
    fn requests_carry_the_hashed_key_and_the_callback_for_calls() {
        let hook = webhook(Clock::manual(0));
        let mut message = Outbound {
            channel: OutboundChannel::Sms,
            to: "+447700900123".into(),
            text: "code".into(),
            key: "abc".into(),
            call: None,
            language: crate::texts::Language::ENGLISH,
        };
        let body: serde_json::Value =
            serde_json::from_slice(&hook.body(&message).expect("body")).expect("json");
        assert_eq!(
            body,
            serde_json::json!({
                "channel": "sms",
                "to": "+447700900123",
                "text": "code",
                "language": "en",
                "key": "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad",
            })
        );
        message.channel = OutboundChannel::Call;
        assert!(matches!(
            hook.body(&message),
            Err(SendFailure::Permanent(_))
        ));
        message.call = Some("ref_1".into());
        message.language = crate::texts::Language::of(Some("pt-BR"));
        let body: serde_json::Value =
            serde_json::from_slice(&hook.body(&message).expect("body")).expect("json");
        assert_eq!(
            body["callback_url"],
            "https://sspr.example/telephony/webhook/calls/ref_1"
        );
        assert_eq!(body["reference"], "ref_1");
        assert_eq!(body["language"], "pt-BR");
    }
}
