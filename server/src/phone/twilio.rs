//! A Twilio-compatible provider (`[phone.twilio]`): text and WhatsApp messages through
//! the Messages resource, voice calls through the Calls resource with inline TwiML, and
//! the office-phone call's key press through a TwiML `<Gather>` that Twilio posts back.
//!
//! Outbound requests are the documented REST calls (`POST
//! {api_base}/2010-04-01/Accounts/{AccountSid}/Messages.json` and `.../Calls.json`, form
//! encoded, HTTP Basic `AccountSid:AuthToken`) with an `I-Twilio-Idempotency-Token`
//! derived from the message's de-duplication key, so that a retry after a lost answer is
//! recognisable as the same message.
//!
//! Calls speak the language their text was written in ([`Outbound::language`]): every
//! `<Say>` names it ([`say_language`]), and the gather URL carries it (`?language=<tag>`,
//! signed by Twilio with the rest of the URL) so that the answer to the key press is in
//! it too (English when absent: calls placed before it was carried).
//!
//! Callbacks (nested at `/telephony/twilio`, outside the browser guards):
//! - `POST /calls/{reference}/gather?language=<tag>`: the person pressed a key (`Digits`);
//! - `POST /calls/{reference}/status`: call progress, only logged.
//!
//! Each must carry a valid `X-Twilio-Signature`, computed as Twilio's `RequestValidator`
//! does (see [`signature`]); anything unsigned or forged gets 403. That signature has no
//! timestamp, so a captured callback stays valid forever: the replay window is the call
//! reference's own lifetime, and the reference is single use (the sink answers
//! [`CallConfirmation::AlreadyUsed`]). On top of that an identical replay is refused
//! before the sink by a bounded in-memory set of the (CallSid, path) already processed
//! (per server instance; the sink's single use is what holds across instances).
//! Replays get `409 Conflict` with a TwiML goodbye.
//!
//! Neither the auth token nor a message's text (it holds codes) is ever logged.

use super::config::TwilioConfig;
use super::http_client::{self, dedupe_token, form_decode, form_encode};
use super::provider::{
    BoxFuture, CallConfirmation, CallSink, Outbound, OutboundChannel, Telephony,
};
use crate::delivery::SendFailure;
use crate::texts::{Language, message};
use axum::Router;
use axum::body::Bytes;
use axum::extract::{DefaultBodyLimit, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use base64::Engine;
use base64::engine::general_purpose::STANDARD as BASE64;
use hmac::{Hmac, Mac};
use sha1::Sha1;
use std::collections::{HashSet, VecDeque};
use std::path::{Path as FilePath, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;
use subtle::ConstantTimeEq;

/// The provider's name, in logs and in its callback paths.
pub const NAME: &str = "twilio";
/// Where the callbacks are nested (the URLs Twilio is given, and signs, start with it).
pub const CALLBACK_PREFIX: &str = "/telephony/twilio";
/// The header Twilio signs its requests with.
pub const SIGNATURE_HEADER: &str = "X-Twilio-Signature";
/// How long one API request may take, connection included.
pub const REQUEST_TIMEOUT: Duration = Duration::from_secs(20);
/// Twilio refuses inline TwiML longer than this.
const MAX_TWIML: usize = 4000;
/// How many processed callbacks are remembered against identical replays.
const SEEN_CAPACITY: usize = 10_000;
/// Twilio's callbacks are small forms.
const CALLBACK_BODY_LIMIT: usize = 64 * 1024;

#[derive(Debug, thiserror::Error)]
pub enum TwilioError {
    #[error("phone.twilio.auth_token_file is not set")]
    NoTokenFile,
    #[error("cannot read phone.twilio.auth_token_file {path}: {source}")]
    TokenFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the Twilio auth token (phone.twilio.auth_token_file {0}) is empty")]
    EmptyToken(PathBuf),
    #[error("phone.twilio.account_sid must be set, letters and digits only")]
    AccountSid,
    #[error("phone.twilio.from {0:?} is not a number in E.164 (+ and digits)")]
    From(String),
    #[error("phone.twilio.whatsapp_from {0:?} is not a number in E.164 (+ and digits)")]
    WhatsappFrom(String),
    #[error("phone.twilio.api_base {0:?} is not an http(s) URL")]
    ApiBase(String),
    #[error("the server's public URL {0:?} is not an http(s) origin")]
    PublicBase(String),
}

/// The auth token in the file at `path`, without surrounding white space.
pub fn read_auth_token(path: &FilePath) -> Result<String, TwilioError> {
    let token = std::fs::read_to_string(path).map_err(|source| TwilioError::TokenFile {
        path: path.to_owned(),
        source,
    })?;
    let token = token.trim();
    if token.is_empty() {
        return Err(TwilioError::EmptyToken(path.to_owned()));
    }
    Ok(token.to_owned())
}

/// A Twilio account (or any API shaped like Twilio's).
pub struct Twilio {
    account_sid: String,
    /// `Basic base64(AccountSid:AuthToken)`.
    authorization: String,
    from: String,
    whatsapp_from: Option<String>,
    api_base: String,
    public_base: String,
    timeout: Duration,
    verifier: Arc<Verifier>,
}

impl Twilio {
    /// The provider of `config`, signing in with `auth_token`; `public_base` is the origin
    /// Twilio reaches this server at (`https://sspr.example`), for the callback URLs.
    pub fn new(
        config: &TwilioConfig,
        auth_token: String,
        public_base: &str,
    ) -> Result<Twilio, TwilioError> {
        let sid = &config.account_sid;
        if sid.is_empty() || !sid.bytes().all(|b| b.is_ascii_alphanumeric()) {
            return Err(TwilioError::AccountSid);
        }
        if !is_e164(&config.from) {
            return Err(TwilioError::From(config.from.clone()));
        }
        if let Some(whatsapp) = &config.whatsapp_from
            && !is_e164(whatsapp)
        {
            return Err(TwilioError::WhatsappFrom(whatsapp.clone()));
        }
        let api_base = config.api_base.trim_end_matches('/');
        if !http_client::is_http_url(api_base) || api_base.contains(['?', '#']) {
            return Err(TwilioError::ApiBase(config.api_base.clone()));
        }
        let public_base = http_client::http_origin(public_base)
            .ok_or_else(|| TwilioError::PublicBase(public_base.to_owned()))?;
        if auth_token.trim().is_empty() {
            return Err(TwilioError::EmptyToken(PathBuf::new()));
        }
        let authorization = format!("Basic {}", BASE64.encode(format!("{sid}:{auth_token}")));
        Ok(Twilio {
            account_sid: sid.clone(),
            authorization,
            from: config.from.clone(),
            whatsapp_from: config.whatsapp_from.clone(),
            api_base: api_base.to_owned(),
            verifier: Arc::new(Verifier {
                signed_bases: signed_bases(&public_base),
                auth_token,
                seen: Mutex::new(Seen::default()),
            }),
            public_base,
            timeout: REQUEST_TIMEOUT,
        })
    }

    /// [`Twilio::new`] with the token read from `auth_token_file`.
    pub fn from_config(config: &TwilioConfig, public_base: &str) -> Result<Twilio, TwilioError> {
        let path = config
            .auth_token_file
            .as_deref()
            .ok_or(TwilioError::NoTokenFile)?;
        Twilio::new(config, read_auth_token(path)?, public_base)
    }

    /// The same provider with another request timeout (tests).
    pub fn with_timeout(mut self, timeout: Duration) -> Twilio {
        self.timeout = timeout;
        self
    }

    /// The URL Twilio is told to post a call's `leaf` callback (`gather`, `status`) to.
    pub fn callback_url(&self, reference: &str, leaf: &str) -> String {
        format!(
            "{}{CALLBACK_PREFIX}/calls/{reference}/{leaf}",
            self.public_base
        )
    }

    /// The URL Twilio posts a call's key press to: the `gather` callback, with the
    /// language the answer is to be spoken in.
    pub fn gather_url(&self, reference: &str, language: Language) -> String {
        format!(
            "{}?language={}",
            self.callback_url(reference, "gather"),
            language.tag()
        )
    }

    /// The API resource and form for `message`.
    fn request(&self, message: &Outbound) -> Result<(&'static str, String), SendFailure> {
        if !is_e164(&message.to) {
            return Err(SendFailure::Permanent(
                "twilio: the recipient is not a number in E.164".into(),
            ));
        }
        match message.channel {
            OutboundChannel::Sms => Ok((
                "Messages.json",
                form_encode(&[
                    ("To", message.to.as_str()),
                    ("From", self.from.as_str()),
                    ("Body", message.text.as_str()),
                ]),
            )),
            OutboundChannel::Whatsapp => {
                let from = self.whatsapp_from.as_deref().ok_or_else(|| {
                    SendFailure::Permanent(
                        "twilio: WhatsApp needs phone.twilio.whatsapp_from".into(),
                    )
                })?;
                Ok((
                    "Messages.json",
                    form_encode(&[
                        ("To", format!("whatsapp:{}", message.to).as_str()),
                        ("From", format!("whatsapp:{from}").as_str()),
                        ("Body", message.text.as_str()),
                    ]),
                ))
            }
            OutboundChannel::Voice => {
                // No key press to report: the status callback, for the logs, is named
                // after the message instead of a call reference.
                let reference = match &message.call {
                    Some(reference) => checked_reference(reference)?,
                    None => dedupe_token(&message.key)[..32].to_owned(),
                };
                let twiml = voice_twiml(&message.text, message.language);
                self.call_form(message, &twiml, &reference)
            }
            OutboundChannel::Call => {
                let reference = message.call.as_deref().ok_or_else(|| {
                    SendFailure::Permanent("twilio: a call needs its reference".into())
                })?;
                let reference = checked_reference(reference)?;
                let action = self.gather_url(&reference, message.language);
                let twiml = gather_twiml(&message.text, &action, message.language);
                self.call_form(message, &twiml, &reference)
            }
        }
    }

    fn call_form(
        &self,
        message: &Outbound,
        twiml: &str,
        reference: &str,
    ) -> Result<(&'static str, String), SendFailure> {
        if twiml.len() > MAX_TWIML {
            return Err(SendFailure::Permanent(format!(
                "twilio: the call's TwiML is longer than {MAX_TWIML} characters"
            )));
        }
        let status = self.callback_url(reference, "status");
        Ok((
            "Calls.json",
            form_encode(&[
                ("To", message.to.as_str()),
                ("From", self.from.as_str()),
                ("Twiml", twiml),
                ("StatusCallback", status.as_str()),
                ("StatusCallbackMethod", "POST"),
                ("StatusCallbackEvent", "answered"),
                ("StatusCallbackEvent", "completed"),
            ]),
        ))
    }
}

impl Telephony for Twilio {
    fn name(&self) -> &'static str {
        NAME
    }

    fn send<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), SendFailure>> {
        Box::pin(async move {
            let (resource, form) = self.request(message)?;
            let url = format!(
                "{}/2010-04-01/Accounts/{}/{resource}",
                self.api_base, self.account_sid
            );
            let headers = [
                ("Authorization", self.authorization.clone()),
                (
                    "Content-Type",
                    "application/x-www-form-urlencoded".to_owned(),
                ),
                ("Accept", "application/json".to_owned()),
                ("I-Twilio-Idempotency-Token", dedupe_token(&message.key)),
            ];
            let result = http_client::post(&url, &headers, form.into_bytes(), self.timeout).await;
            http_client::delivery_outcome(NAME, result).map(|_| ())
        })
    }

    fn callbacks(&self, sink: Arc<dyn CallSink>) -> Option<Router> {
        let state = Arc::new(CallbackState {
            verifier: Arc::clone(&self.verifier),
            sink,
        });
        Some(
            Router::new()
                .route("/calls/{reference}/gather", post(gather))
                .route("/calls/{reference}/status", post(status))
                .layer(DefaultBodyLimit::max(CALLBACK_BODY_LIMIT))
                .with_state(state),
        )
    }
}

/// `+` then 1 to 15 digits (numbers are validated before they reach a provider; this
/// only keeps anything else out of the API's fields).
fn is_e164(number: &str) -> bool {
    number.strip_prefix('+').is_some_and(|digits| {
        (1..=15).contains(&digits.len()) && digits.bytes().all(|b| b.is_ascii_digit())
    })
}

/// A call reference, checked to be safe in a URL path as it is.
fn checked_reference(reference: &str) -> Result<String, SendFailure> {
    let safe = !reference.is_empty()
        && reference.len() <= 128
        && reference
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    if safe {
        Ok(reference.to_owned())
    } else {
        Err(SendFailure::Permanent(
            "twilio: the call reference is not URL-safe".into(),
        ))
    }
}

/// `text` safe in XML text and quoted attributes; characters XML 1.0 cannot hold are
/// dropped.
fn xml_escape(text: &str) -> String {
    // XML has no place for control characters but tab and line ends: they are dropped,
    // the rest escaped as the server's own pages escape text.
    let allowed: String = text
        .chars()
        .filter(|c| {
            matches!(c, '\t' | '\n' | '\r')
                || !(c.is_control() || matches!(c, '\u{fffe}' | '\u{ffff}'))
        })
        .collect();
    crate::http::html::escape(&allowed)
}

/// The `language` of a `<Say>` in `language`: the locale Twilio's text-to-speech names
/// it by (BCP 47 with a region). Arabic is Modern Standard Arabic (`ar-XA`), as our texts
/// are written; Chinese in simplified script is Mandarin (`zh-CN`); Portuguese without a
/// region is Portugal's.
pub fn say_language(language: Language) -> &'static str {
    match language.tag() {
        "ar" => "ar-XA",
        "de" => "de-DE",
        "es" => "es-ES",
        "fr" => "fr-FR",
        "he" => "he-IL",
        "it" => "it-IT",
        "ja" => "ja-JP",
        "nl" => "nl-NL",
        "pl" => "pl-PL",
        "pt" => "pt-PT",
        "pt-BR" => "pt-BR",
        "zh-Hans" => "zh-CN",
        _ => "en-US",
    }
}

/// `<Say>` of `text` (escaped) in `language`. The bidi isolates around values in an
/// Arabic or Hebrew text (`texts::text`) are for screens: a voice has nothing to do with
/// them, so they are left out.
fn say(text: &str, language: Language) -> String {
    let spoken: String = text
        .chars()
        .filter(|c| !matches!(c, '\u{2066}'..='\u{2069}'))
        .collect();
    format!(
        "<Say language=\"{}\">{}</Say>",
        say_language(language),
        xml_escape(&spoken)
    )
}

/// A call that reads `text` (in `language`), pauses, and reads it again.
pub fn voice_twiml(text: &str, language: Language) -> String {
    let say = say(text, language);
    format!("<Response>{say}<Pause length=\"2\"/>{say}</Response>")
}

/// A call that reads `text` (in `language`) while waiting for one key (`#` arrives as
/// `Digits=#`: no finish key), posted to `action`; without a key press it says goodbye.
pub fn gather_twiml(text: &str, action: &str, language: Language) -> String {
    format!(
        "<Response><Gather numDigits=\"1\" finishOnKey=\"\" timeout=\"10\" action=\"{}\" \
         method=\"POST\">{}</Gather>{}</Response>",
        xml_escape(action),
        say(text, language),
        say(&message!(language, phone.call_goodbye_no_key), language),
    )
}

/// A TwiML answer that says `line` (in `language`) and hangs up.
fn say_and_hang_up(status: StatusCode, language: Language, line: &str) -> Response {
    let body = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n\
         <Response>{}<Hangup/></Response>",
        say(line, language)
    );
    (
        status,
        [(header::CONTENT_TYPE, "text/xml; charset=utf-8")],
        body,
    )
        .into_response()
}

/// `X-Twilio-Signature` for a request to `url` with form `params`, as Twilio's
/// `RequestValidator.compute_signature` computes it: base64 of HMAC-SHA1, keyed with the
/// auth token, over the URL followed by each parameter's name and value, sorted by name
/// then value, identical pairs once.
pub fn signature(auth_token: &str, url: &str, params: &[(String, String)]) -> String {
    let mut sorted: Vec<&(String, String)> = params.iter().collect();
    sorted.sort();
    sorted.dedup();
    let mut mac = match Hmac::<Sha1>::new_from_slice(auth_token.as_bytes()) {
        Ok(mac) => mac,
        // HMAC takes keys of any length.
        Err(_) => return String::new(),
    };
    mac.update(url.as_bytes());
    for (name, value) in sorted {
        mac.update(name.as_bytes());
        mac.update(value.as_bytes());
    }
    BASE64.encode(mac.finalize().into_bytes())
}

/// The public origin as Twilio may have signed it: without a port and with one (the
/// given one, or the scheme's default), as the validator tries both.
fn signed_bases(public_base: &str) -> [String; 2] {
    let (scheme, authority) = public_base
        .split_once("://")
        .unwrap_or(("https", public_base));
    // The port follows the last `:` after an IPv6 literal's `]`.
    let host_end = authority.rfind(']').map_or(0, |i| i + 1);
    let (host, port) = match authority[host_end..].rfind(':') {
        Some(at) => authority.split_at(host_end + at),
        None => (authority, ""),
    };
    let with_port = if port.is_empty() {
        let default = if scheme == "http" { 80 } else { 443 };
        format!("{scheme}://{host}:{default}")
    } else {
        format!("{scheme}://{host}{port}")
    };
    [format!("{scheme}://{host}"), with_port]
}

/// Checks callbacks' signatures and remembers what was processed.
struct Verifier {
    auth_token: String,
    signed_bases: [String; 2],
    seen: Mutex<Seen>,
}

/// Why a callback was refused (for the log line).
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Unsigned,
    Forged,
}

impl Verifier {
    /// The form of a callback to `uri` (the path inside the nest), if it is signed.
    fn verify(
        &self,
        uri: &Uri,
        headers: &HeaderMap,
        body: &[u8],
    ) -> Result<Vec<(String, String)>, Refusal> {
        let given = headers
            .get(SIGNATURE_HEADER)
            .and_then(|value| value.to_str().ok())
            .map(str::trim)
            .filter(|value| !value.is_empty())
            .ok_or(Refusal::Unsigned)?;
        let params = form_decode(body);
        let path = uri.path();
        let prefix = if path.starts_with(CALLBACK_PREFIX) {
            ""
        } else {
            CALLBACK_PREFIX
        };
        let rest = match uri.query() {
            Some(query) => format!("{prefix}{path}?{query}"),
            None => format!("{prefix}{path}"),
        };
        let mut valid = subtle::Choice::from(0);
        for base in &self.signed_bases {
            let expected = signature(&self.auth_token, &format!("{base}{rest}"), &params);
            valid |= expected.as_bytes().ct_eq(given.as_bytes());
        }
        if bool::from(valid) {
            Ok(params)
        } else {
            Err(Refusal::Forged)
        }
    }

    /// Whether `key` is seen for the first time (and remember it).
    fn first_time(&self, key: String) -> bool {
        let mut seen = self
            .seen
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        seen.insert(key)
    }
}

/// A bounded set, oldest first out.
#[derive(Default)]
struct Seen {
    order: VecDeque<String>,
    keys: HashSet<String>,
}

impl Seen {
    fn insert(&mut self, key: String) -> bool {
        if self.keys.contains(&key) {
            return false;
        }
        while self.order.len() >= SEEN_CAPACITY {
            if let Some(old) = self.order.pop_front() {
                self.keys.remove(&old);
            }
        }
        self.keys.insert(key.clone());
        self.order.push_back(key);
        true
    }
}

struct CallbackState {
    verifier: Arc<Verifier>,
    sink: Arc<dyn CallSink>,
}

fn param<'a>(params: &'a [(String, String)], name: &str) -> Option<&'a str> {
    params
        .iter()
        .find(|(key, _)| key == name)
        .map(|(_, value)| value.as_str())
}

/// The language a gather callback is to be answered in: its URL's `language` (signed
/// with the URL), English without one.
fn call_language(uri: &Uri) -> Language {
    let query = form_decode(uri.query().unwrap_or_default().as_bytes());
    Language::of(param(&query, "language"))
}

/// A signed value made safe for a log line.
fn loggable(value: &str) -> String {
    value
        .chars()
        .filter(|c| c.is_ascii_alphanumeric() || *c == '-' || *c == '_')
        .take(64)
        .collect()
}

/// The signed form of a callback and its CallSid, or the status refusing it.
fn signed_form(
    state: &CallbackState,
    kind: &str,
    uri: &Uri,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Vec<(String, String)>, String), StatusCode> {
    let params = state
        .verifier
        .verify(uri, headers, body)
        .map_err(|refusal| {
            tracing::warn!(
                provider = NAME,
                callback = kind,
                ?refusal,
                "callback refused: not signed by Twilio"
            );
            StatusCode::FORBIDDEN
        })?;
    let call_sid = param(&params, "CallSid")
        .filter(|sid| !sid.is_empty())
        .map(str::to_owned)
        .ok_or_else(|| {
            tracing::warn!(
                provider = NAME,
                callback = kind,
                "callback refused: no CallSid"
            );
            StatusCode::BAD_REQUEST
        })?;
    Ok((params, call_sid))
}

/// `POST /calls/{reference}/gather`: the key the person pressed. `#` is reported to the
/// sink; anything else confirms nothing. A replay gets 409. The answer is spoken in the
/// call's language (the URL's `language`).
async fn gather(
    State(state): State<Arc<CallbackState>>,
    Path(reference): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (params, call_sid) = match signed_form(&state, "gather", &uri, &headers, &body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let language = call_language(&uri);
    let already_used = || {
        let line = message!(language, phone.call_already_used);
        say_and_hang_up(StatusCode::CONFLICT, language, &line)
    };
    let not_confirmed = || {
        let line = message!(language, phone.call_not_confirmed);
        say_and_hang_up(StatusCode::OK, language, &line)
    };
    if !state
        .verifier
        .first_time(format!("{call_sid}\n{}", uri.path()))
    {
        tracing::warn!(provider = NAME, call_sid = %loggable(&call_sid), "gather refused: replayed");
        return already_used();
    }
    if param(&params, "Digits") != Some("#") {
        tracing::info!(provider = NAME, call_sid = %loggable(&call_sid), "key press other than #: nothing confirmed");
        return not_confirmed();
    }
    let outcome = state.sink.confirmed(&reference).await;
    tracing::info!(provider = NAME, call_sid = %loggable(&call_sid), ?outcome, "# pressed");
    match outcome {
        CallConfirmation::Confirmed => {
            let line = message!(language, phone.call_confirmed);
            say_and_hang_up(StatusCode::OK, language, &line)
        }
        CallConfirmation::AlreadyUsed => already_used(),
        CallConfirmation::Unknown => not_confirmed(),
    }
}

/// `POST /calls/{reference}/status`: call progress, logged and otherwise ignored (204).
/// Each (CallSid, status) is taken once.
async fn status(
    State(state): State<Arc<CallbackState>>,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (params, call_sid) = match signed_form(&state, "status", &uri, &headers, &body) {
        Ok(form) => form,
        Err(refused) => return refused.into_response(),
    };
    let call_status = loggable(param(&params, "CallStatus").unwrap_or(""));
    if !state
        .verifier
        .first_time(format!("{call_sid}\n{}\n{call_status}", uri.path()))
    {
        tracing::warn!(provider = NAME, call_sid = %loggable(&call_sid), "status callback refused: replayed");
        return StatusCode::CONFLICT.into_response();
    }
    tracing::info!(provider = NAME, call_sid = %loggable(&call_sid), %call_status, "call status");
    StatusCode::NO_CONTENT.into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config() -> TwilioConfig {
        TwilioConfig {
            account_sid: "AC123".into(),
            auth_token_file: None,
            from: "+15005550006".into(),
            whatsapp_from: None,
            api_base: "https://api.twilio.com/".into(),
        }
    }

    #[test]
    fn an_arabic_voice_reads_no_bidi_marks() {
        let twiml = voice_twiml("هذه \u{2068}Contoso\u{2069}.", Language::of(Some("ar")));
        assert!(twiml.contains("language=\"ar-XA\""), "{twiml}");
        assert!(twiml.contains("هذه Contoso."), "{twiml}");
        assert!(!twiml.contains('\u{2068}') && !twiml.contains('\u{2069}'));
    }

    #[test]
    fn signatures_match_the_twilio_library() {
        // Computed with twilio 9.13's RequestValidator("12345").compute_signature.
        let params: Vec<(String, String)> = [
            ("CallSid", "CA1234567890ABCDE"),
            ("Caller", "+12349013030"),
            ("Digits", "1234"),
            ("From", "+12349013030"),
            ("To", "+18005551212"),
        ]
        .iter()
        .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
        .collect();
        let mut reversed = params.clone();
        reversed.reverse();
        let url = "https://mycompany.com/myapp.php?foo=1&bar=2";
        assert_eq!(
            signature("12345", url, &params),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
        assert_eq!(
            signature("12345", url, &reversed),
            "0/KCTR6DLpKmkAf8muzZqo1nDgQ="
        );
    }

    #[test]
    fn both_port_forms_of_the_origin_are_signed_forms() {
        assert_eq!(
            signed_bases("https://sspr.example"),
            [
                "https://sspr.example".to_owned(),
                "https://sspr.example:443".to_owned()
            ]
        );
        assert_eq!(
            signed_bases("http://127.0.0.1:8080"),
            [
                "http://127.0.0.1".to_owned(),
                "http://127.0.0.1:8080".to_owned()
            ]
        );
        assert_eq!(
            signed_bases("http://[::1]"),
            ["http://[::1]".to_owned(), "http://[::1]:80".to_owned()]
        );
    }

    #[test]
    fn twiml_is_escaped_and_gathers_one_key_without_finish_key() {
        assert_eq!(
            voice_twiml("Code <1 & 2>", Language::ENGLISH),
            "<Response><Say language=\"en-US\">Code &lt;1 &amp; 2&gt;</Say><Pause length=\"2\"/>\
             <Say language=\"en-US\">Code &lt;1 &amp; 2&gt;</Say></Response>"
        );
        let twiml = gather_twiml("Press # \u{7}now", "https://x/a?b=1&c=2", Language::ENGLISH);
        assert!(twiml.contains(
            "<Gather numDigits=\"1\" finishOnKey=\"\" timeout=\"10\" \
             action=\"https://x/a?b=1&amp;c=2\" method=\"POST\">\
             <Say language=\"en-US\">Press # now</Say></Gather>\
             <Say language=\"en-US\">No key was pressed, so nothing was confirmed. Goodbye.</Say>"
        ));
    }

    #[test]
    fn configuration_is_validated() {
        let ok = |c: &TwilioConfig, base: &str| Twilio::new(c, "token".into(), base).is_ok();
        assert!(ok(&config(), "https://sspr.example"));
        let mut bad = config();
        bad.account_sid = String::new();
        assert!(!ok(&bad, "https://sspr.example"));
        bad = config();
        bad.account_sid = "AC/../x".into();
        assert!(!ok(&bad, "https://sspr.example"));
        bad = config();
        bad.from = "15005550006".into();
        assert!(!ok(&bad, "https://sspr.example"));
        bad = config();
        bad.whatsapp_from = Some("whatsapp:+1500".into());
        assert!(!ok(&bad, "https://sspr.example"));
        bad = config();
        bad.api_base = "api.twilio.com".into();
        assert!(!ok(&bad, "https://sspr.example"));
        assert!(!ok(&config(), "https://sspr.example/reset"));
        assert!(Twilio::new(&config(), " ".into(), "https://sspr.example").is_err());
    }

    #[test]
    fn the_token_file_is_trimmed_and_must_not_be_empty() {
        let dir = std::env::temp_dir().join(format!("sspr-twilio-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join("token");
        std::fs::write(&file, "  secret\n").expect("write");
        assert_eq!(read_auth_token(&file).expect("read"), "secret");
        std::fs::write(&file, "\n").expect("write");
        assert!(matches!(
            read_auth_token(&file),
            Err(TwilioError::EmptyToken(_))
        ));
        assert!(matches!(
            read_auth_token(&dir.join("missing")),
            Err(TwilioError::TokenFile { .. })
        ));
        let _ = std::fs::remove_dir_all(&dir);
    }

    #[test]
    fn requests_are_shaped_per_channel() {
        let twilio = Twilio::new(&config(), "token".into(), "https://sspr.example/").expect("ok");
        let message = |channel, call: Option<&str>| Outbound {
            channel,
            to: "+447700900123".into(),
            text: "Your code is 123456".into(),
            key: "k1".into(),
            call: call.map(str::to_owned),
            language: Language::ENGLISH,
        };
        let (resource, form) = twilio
            .request(&message(OutboundChannel::Sms, None))
            .expect("sms");
        assert_eq!(resource, "Messages.json");
        assert_eq!(
            form,
            "To=%2B447700900123&From=%2B15005550006&Body=Your+code+is+123456"
        );
        assert!(matches!(
            twilio.request(&message(OutboundChannel::Whatsapp, None)),
            Err(SendFailure::Permanent(_))
        ));
        assert!(matches!(
            twilio.request(&message(OutboundChannel::Call, None)),
            Err(SendFailure::Permanent(_))
        ));
        assert!(matches!(
            twilio.request(&message(OutboundChannel::Call, Some("../x"))),
            Err(SendFailure::Permanent(_))
        ));
        let (resource, form) = twilio
            .request(&message(OutboundChannel::Call, Some("ref-1")))
            .expect("call");
        assert_eq!(resource, "Calls.json");
        let fields = form_decode(form.as_bytes());
        assert!(fields.contains(&(
            "StatusCallback".into(),
            "https://sspr.example/telephony/twilio/calls/ref-1/status".into()
        )));
        let mut long = message(OutboundChannel::Voice, None);
        long.text = "x".repeat(MAX_TWIML);
        assert!(matches!(
            twilio.request(&long),
            Err(SendFailure::Permanent(_))
        ));
    }

    #[test]
    fn the_seen_set_is_bounded() {
        let mut seen = Seen::default();
        assert!(seen.insert("a".into()));
        assert!(!seen.insert("a".into()));
        for i in 0..SEEN_CAPACITY {
            seen.insert(i.to_string());
        }
        assert_eq!(seen.order.len(), SEEN_CAPACITY);
        assert!(seen.insert("a".into()), "the oldest entry was forgotten");
    }
    #[test]
    fn every_language_is_spoken_in_a_locale_twilio_names() {
        let spoken: Vec<&str> = Language::all().map(say_language).collect();
        assert_eq!(
            spoken,
            [
                "en-US", "ar-XA", "de-DE", "es-ES", "fr-FR", "he-IL", "it-IT", "ja-JP", "nl-NL",
                "pl-PL", "pt-PT", "pt-BR", "zh-CN"
            ]
        );
    }

    /// A sink that confirms every reference it is told of.
    struct Confirming;

    impl CallSink for Confirming {
        fn confirmed<'a>(&'a self, _reference: &'a str) -> BoxFuture<'a, CallConfirmation> {
            Box::pin(async { CallConfirmation::Confirmed })
        }
    }

    #[tokio::test]
    async fn a_german_call_is_spoken_and_answered_in_german() {
        use http_body_util::BodyExt;
        use tower::ServiceExt;

        let twilio = Twilio::new(&config(), "token".into(), "https://sspr.example").expect("ok");
        let german = Language::of(Some("de"));
        let message = Outbound {
            channel: OutboundChannel::Call,
            to: "+492214567890".into(),
            text: message!(german, phone.confirm_call, organisation = "Contoso"),
            key: "call-de".into(),
            call: Some("ref-de".into()),
            language: german,
        };
        let (_, form) = twilio.request(&message).expect("call");
        let fields = form_decode(form.as_bytes());
        let twiml = param(&fields, "Twiml").expect("TwiML");
        let action = "https://sspr.example/telephony/twilio/calls/ref-de/gather?language=de";
        assert_eq!(
            twiml,
            format!(
                "<Response><Gather numDigits=\"1\" finishOnKey=\"\" timeout=\"10\" \
                 action=\"{action}\" method=\"POST\"><Say language=\"de-DE\">Hier ist \
                 Contoso. Jemand setzt gerade Ihr Kennwort zurück. Wenn Sie das sind, drücken \
                 Sie die Rautetaste. Wenn nicht, legen Sie auf.</Say></Gather>\
                 <Say language=\"de-DE\">Es wurde keine Taste gedrückt, daher wurde nichts \
                 bestätigt. Auf Wiederhören.</Say></Response>"
            )
        );

        // The key press, signed as Twilio signs it, is answered in German.
        let sink: Arc<dyn CallSink> = Arc::new(Confirming);
        let app = Router::new().nest(CALLBACK_PREFIX, twilio.callbacks(sink).expect("routes"));
        let params: Vec<(String, String)> = [("CallSid", "CA42"), ("Digits", "#")]
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .to_vec();
        let body = form_encode(&[("CallSid", "CA42"), ("Digits", "#")]);
        let press = || {
            axum::http::Request::post(action.trim_start_matches("https://sspr.example"))
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .header(SIGNATURE_HEADER, signature("token", action, &params))
                .body(axum::body::Body::from(body.clone()))
                .expect("request")
        };
        let answer = |response: Response| async move {
            let status = response.status();
            let bytes = response
                .into_body()
                .collect()
                .await
                .expect("body")
                .to_bytes();
            (status, String::from_utf8_lossy(&bytes).into_owned())
        };
        let (status, spoken) = answer(app.clone().oneshot(press()).await.expect("answer")).await;
        assert_eq!(status, StatusCode::OK, "{spoken}");
        assert!(
            spoken.contains(
                "<Say language=\"de-DE\">Vielen Dank. Ihre Anfrage ist bestätigt. \
                 Auf Wiederhören.</Say><Hangup/>"
            ),
            "{spoken}"
        );
        // Replayed: refused, in German too.
        let (status, spoken) = answer(app.oneshot(press()).await.expect("answer")).await;
        assert_eq!(status, StatusCode::CONFLICT, "{spoken}");
        assert!(
            spoken.contains("<Say language=\"de-DE\">Dieser Anruf wurde bereits"),
            "{spoken}"
        );
    }
}
