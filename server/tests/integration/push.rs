//! Web Push requests checked by an independent implementation: `push_decrypt.cjs` decrypts
//! the body with the npm package `http_ece` (the phone's browser's half of RFC 8291) and
//! verifies the VAPID token (RFC 8292) with node's own crypto. The test plays the phone: it
//! holds the subscription's private key and auth secret.
//!
//! Needs `node` on PATH and `http_ece` in the tools cache: `scripts/setup.sh --for-tests`.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use serde_json::{Value, json};
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::crypto::random_bytes;
use sspr_server::push::request::SubscriptionKeys;
use sspr_server::push::{
    PushMessage, PushRequest, Subscription, VapidKey, VapidSubject, push_request, vapid_key,
};
use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::time::{SystemTime, UNIX_EPOCH};

const SUBJECT: &str = "mailto:admin@example.com";

/// The phone's side of a subscription: its P-256 key pair and auth secret.
pub(crate) struct Phone {
    secret: SecretKey,
    auth: [u8; 16],
}

impl Phone {
    pub(crate) fn new() -> Phone {
        Phone {
            secret: SecretKey::from_slice(&random_bytes::<32>()).expect("a valid scalar"),
            auth: random_bytes::<16>(),
        }
    }

    /// What the browser would hand over for `endpoint`.
    pub(crate) fn subscription(&self, endpoint: &str) -> Subscription {
        let public = self.secret.public_key().to_encoded_point(false);
        Subscription {
            endpoint: endpoint.to_owned(),
            keys: SubscriptionKeys {
                p256dh: URL_SAFE_NO_PAD.encode(public.as_bytes()),
                auth: URL_SAFE_NO_PAD.encode(self.auth),
            },
        }
    }
}

fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .expect("after 1970")
        .as_secs()
}

fn build(phone: &Phone, endpoint: &str, payload: &[u8], vapid: &VapidKey, now: u64) -> PushRequest {
    let message = PushMessage {
        payload,
        ttl_seconds: 300,
        topic: Some("approval"),
    };
    let subject = VapidSubject::parse(SUBJECT).expect("a mailto: subject");
    push_request(
        &phone
            .subscription(endpoint)
            .validate()
            .expect("a valid subscription"),
        &message,
        vapid,
        &subject,
        now,
    )
    .expect("a valid subscription and payload")
}

/// `node_modules` of the tools cache, where scripts/setup.sh installs npm packages
/// (`$SSPR_CACHE`, else `${XDG_CACHE_HOME:-$HOME/.cache}/sspr`, as scripts/common.sh).
fn npm_modules() -> PathBuf {
    let set = |name: &str| std::env::var_os(name).filter(|value| !value.is_empty());
    let cache = set("SSPR_CACHE").map(PathBuf::from).unwrap_or_else(|| {
        set("XDG_CACHE_HOME")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(set("HOME").expect("HOME is set")).join(".cache"))
            .join("sspr")
    });
    cache.join("npm/node_modules")
}

/// Runs `push_decrypt.cjs` on `body` and `authorization` as received by `phone`, checking
/// the token against `audience` at `now`.
pub(crate) fn check_in_node(
    phone: &Phone,
    body: &[u8],
    authorization: &str,
    audience: &str,
    now: u64,
) -> Value {
    let modules = npm_modules();
    assert!(
        modules.join("http_ece/package.json").is_file(),
        "the npm package http_ece is missing from {}: run scripts/setup.sh --for-tests",
        modules.display()
    );
    let script = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/integration/push_decrypt.cjs"
    );
    let mut node = Command::new("node")
        .arg(script)
        .env("NODE_PATH", &modules)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|err| panic!("cannot run node ({err}): run scripts/setup.sh --for-tests"));
    let input = json!({
        "body": URL_SAFE_NO_PAD.encode(body),
        "uaPrivateKey": URL_SAFE_NO_PAD.encode(phone.secret.to_bytes()),
        "authSecret": URL_SAFE_NO_PAD.encode(phone.auth),
        "authorization": authorization,
        "audience": audience,
        "now": now,
    });
    node.stdin
        .take()
        .expect("piped stdin")
        .write_all(input.to_string().as_bytes())
        .expect("node reads its input");
    let output = node.wait_with_output().expect("node runs");
    assert!(
        output.status.success(),
        "push_decrypt.cjs failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("push_decrypt.cjs prints JSON")
}

pub(crate) fn plaintext(result: &Value) -> Option<Vec<u8>> {
    let text = result["plaintext"].as_str()?;
    Some(URL_SAFE_NO_PAD.decode(text).expect("base64url plaintext"))
}

pub(crate) fn problems(result: &Value) -> Vec<String> {
    result["vapidProblems"]
        .as_array()
        .expect("a list of problems")
        .iter()
        .map(|problem| problem.as_str().expect("a text").to_owned())
        .collect()
}

#[test]
fn http_ece_decrypts_what_the_server_encrypted_and_node_verifies_the_vapid_token() {
    let phone = Phone::new();
    let vapid = vapid_key(&ServerKeys::ephemeral());
    let now = now();
    let longest: Vec<u8> = (0..3993u32).map(|i| (i % 251) as u8).collect();
    for (endpoint, audience, payload) in [
        (
            "https://push.example.net/wpush/v2/gAAAAABk",
            "https://push.example.net",
            &br#"{"kind":"approve-reset","id":"r-42"}"#[..],
        ),
        (
            "http://127.0.0.1:4000/push/1",
            "http://127.0.0.1:4000",
            &longest[..],
        ),
    ] {
        let request = build(&phone, endpoint, payload, &vapid, now);
        assert_eq!(request.endpoint, endpoint);
        assert_eq!(request.header("Content-Encoding"), Some("aes128gcm"));
        let authorization = request.header("Authorization").expect("VAPID");
        assert!(
            authorization.ends_with(&format!(", k={}", vapid.public_key_base64url())),
            "{authorization}"
        );

        let result = check_in_node(&phone, &request.body, authorization, audience, now);
        assert_eq!(
            plaintext(&result).as_deref(),
            Some(payload),
            "{endpoint}: {result}"
        );
        assert_eq!(problems(&result), Vec::<String>::new(), "{endpoint}");
        assert_eq!(result["claims"]["aud"], audience);
        assert_eq!(result["claims"]["sub"], SUBJECT);
    }
}

#[test]
fn a_tampered_body_or_the_wrong_auth_secret_fails_to_decrypt() {
    let phone = Phone::new();
    let vapid = vapid_key(&ServerKeys::ephemeral());
    let now = now();
    let request = build(
        &phone,
        "https://push.example.net/x",
        b"approve?",
        &vapid,
        now,
    );
    let authorization = request.header("Authorization").expect("VAPID");
    let audience = "https://push.example.net";

    for index in [0, 90, request.body.len() - 1] {
        let mut tampered = request.body.clone();
        tampered[index] ^= 0x01;
        let result = check_in_node(&phone, &tampered, authorization, audience, now);
        assert_eq!(plaintext(&result), None, "byte {index}: {result}");
        assert!(result["decryptError"].is_string(), "byte {index}: {result}");
    }

    let other_secret = Phone {
        secret: phone.secret.clone(),
        auth: random_bytes::<16>(),
    };
    let result = check_in_node(&other_secret, &request.body, authorization, audience, now);
    assert!(result["decryptError"].is_string(), "{result}");
}

#[test]
fn a_token_for_another_audience_key_or_time_is_detected() {
    let phone = Phone::new();
    let vapid = vapid_key(&ServerKeys::ephemeral());
    let now = now();
    let request = build(
        &phone,
        "https://push.example.net/x",
        b"approve?",
        &vapid,
        now,
    );
    let authorization = request.header("Authorization").expect("VAPID");

    let result = check_in_node(
        &phone,
        &request.body,
        authorization,
        "https://push.other.example.org",
        now,
    );
    assert_eq!(plaintext(&result).as_deref(), Some(&b"approve?"[..]));
    let found = problems(&result);
    assert!(
        found.len() == 1 && found[0].starts_with("aud is \"https://push.example.net\""),
        "{found:?}"
    );

    let another_key = vapid_key(&ServerKeys::ephemeral()).public_key_base64url();
    let (token, _) = authorization.split_once(", k=").expect("t= then k=");
    let result = check_in_node(
        &phone,
        &request.body,
        &format!("{token}, k={another_key}"),
        "https://push.example.net",
        now,
    );
    assert_eq!(problems(&result), ["signature does not verify with k"]);

    let two_days_later = now + 2 * 24 * 3600;
    let result = check_in_node(
        &phone,
        &request.body,
        authorization,
        "https://push.example.net",
        two_days_later,
    );
    let found = problems(&result);
    assert!(
        found.len() == 1 && found[0].starts_with("exp "),
        "{found:?}"
    );
}
