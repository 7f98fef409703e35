//! The signed-webhook provider (docs/PHONE_WEBHOOK.md): what the gateway is posted and
//! how it checks it (the signature recomputed here, as a gateway would), how its answers
//! are taken, and its key-press callbacks: accepted when signed and fresh, refused when
//! forged, stale, replayed or for another call.

use super::{FakeApi, FakeSink, sha256_hex};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use hmac::{Hmac, Mac};
use http_body_util::BodyExt;
use sha2::Sha256;
use sspr_server::clock::Clock;
use sspr_server::delivery::SendFailure;
use sspr_server::phone::config::WebhookConfig;
use sspr_server::phone::webhook::Webhook;
use sspr_server::phone::{CallSink, Outbound, OutboundChannel, Telephony};
use sspr_server::texts::Language;
use std::sync::Arc;
use std::time::Duration;

const SECRET: &str = "gateway-shared-secret-0123456789";
const PUBLIC: &str = "https://sspr.example.test";
const NOW: u64 = 1_767_225_600;

fn webhook(url: &str, clock: Clock) -> Webhook {
    let config = WebhookConfig {
        url: url.into(),
        secret_file: None,
    };
    Webhook::new(&config, SECRET.into(), PUBLIC, clock).unwrap()
}

/// `hex(HMAC-SHA256(secret, "<t>.<body>"))`, written here the way a gateway would.
fn hmac_hex(secret: &str, t: u64, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).unwrap();
    mac.update(format!("{t}.").as_bytes());
    mac.update(body);
    mac.finalize()
        .into_bytes()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn signed(secret: &str, t: u64, body: &str) -> String {
    format!("t={t},v1={}", hmac_hex(secret, t, body.as_bytes()))
}

#[tokio::test]
async fn messages_are_posted_as_signed_json() {
    let gateway = FakeApi::start().await;
    let hook = webhook(&format!("{}/sspr/send", gateway.base), Clock::manual(NOW));
    assert_eq!(hook.name(), "webhook");
    let sms = Outbound {
        channel: OutboundChannel::Sms,
        to: "+447700900123".into(),
        text: "Your code is 482913".into(),
        key: "outbox-17".into(),
        call: None,
        language: Language::ENGLISH,
    };
    let call = Outbound {
        channel: OutboundChannel::Call,
        to: "+442079460000".into(),
        text: "Press the hash key to confirm".into(),
        key: "outbox-18".into(),
        call: Some("ref-call-1".into()),
        language: Language::of(Some("de")),
    };
    hook.send(&sms).await.unwrap();
    hook.send(&call).await.unwrap();
    let requests = gateway.requests();
    assert_eq!(requests.len(), 2);
    for request in &requests {
        assert_eq!(request.method, "POST");
        assert_eq!(request.path, "/sspr/send");
        assert_eq!(request.header("content-type"), "application/json");
        // The gateway's check: recompute the signature over "<t>.<body>".
        let header = request.header("x-sspr-signature");
        let (t, v1) = header
            .split_once(',')
            .and_then(|(t, v1)| Some((t.strip_prefix("t=")?, v1.strip_prefix("v1=")?)))
            .unwrap_or_else(|| panic!("signature header {header:?}"));
        assert_eq!(t, NOW.to_string(), "t is the server clock's time");
        assert_eq!(v1, hmac_hex(SECRET, NOW, &request.body));
        assert_ne!(v1, hmac_hex("another secret", NOW, &request.body));
    }
    let sms_body: serde_json::Value = serde_json::from_slice(&requests[0].body).unwrap();
    assert_eq!(
        sms_body,
        serde_json::json!({
            "channel": "sms",
            "to": "+447700900123",
            "text": "Your code is 482913",
            "language": "en",
            "key": sha256_hex(b"outbox-17"),
        })
    );
    let call_body: serde_json::Value = serde_json::from_slice(&requests[1].body).unwrap();
    assert_eq!(
        call_body,
        serde_json::json!({
            "channel": "call",
            "to": "+442079460000",
            "text": "Press the hash key to confirm",
            "language": "de",
            "key": sha256_hex(b"outbox-18"),
            "reference": "ref-call-1",
            "callback_url": "https://sspr.example.test/telephony/webhook/calls/ref-call-1",
        })
    );
}

#[tokio::test]
async fn gateway_answers_map_to_retry_or_give_up() {
    let gateway = FakeApi::start().await;
    let hook = webhook(&gateway.base, Clock::manual(NOW)).with_timeout(Duration::from_millis(500));
    let sms = Outbound {
        channel: OutboundChannel::Sms,
        to: "+447700900123".into(),
        text: "Your code is 482913".into(),
        key: "k".into(),
        call: None,
        language: Language::ENGLISH,
    };
    for status in [500, 502, 429] {
        gateway.answer(status, "{}");
        assert!(
            matches!(hook.send(&sms).await, Err(SendFailure::Transient(_))),
            "{status}"
        );
    }
    gateway.answer(400, r#"{"message":"number not reachable"}"#);
    match hook.send(&sms).await {
        Err(SendFailure::Permanent(text)) => {
            assert!(text.contains("number not reachable"), "{text}");
            assert!(!text.contains("482913"), "{text}");
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    gateway.answer(202, "");
    assert_eq!(hook.send(&sms).await, Ok(()));
    gateway.delay(Duration::from_secs(3));
    assert!(matches!(
        hook.send(&sms).await,
        Err(SendFailure::Transient(_))
    ));
}

fn callbacks(sink: Arc<FakeSink>, clock: Clock) -> Router {
    let hook = webhook("https://gateway.example/send", clock);
    let sink: Arc<dyn CallSink> = sink;
    Router::new().nest("/telephony/webhook", hook.callbacks(sink).unwrap())
}

async fn post(
    app: &Router,
    reference: &str,
    body: &str,
    signature: Option<&str>,
) -> (StatusCode, String) {
    use tower::ServiceExt;
    let mut request = Request::post(format!("/telephony/webhook/calls/{reference}"))
        .header("content-type", "application/json");
    if let Some(signature) = signature {
        request = request.header("x-sspr-signature", signature);
    }
    let response = app
        .clone()
        .oneshot(request.body(Body::from(body.to_owned())).unwrap())
        .await
        .unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

fn pressed(reference: &str, digits: &str) -> String {
    serde_json::json!({"event": "key_pressed", "digits": digits, "reference": reference})
        .to_string()
}

#[tokio::test]
async fn signed_fresh_key_presses_confirm_and_nothing_else_does() {
    let clock = Clock::manual(NOW);
    let sink = FakeSink::new(&["live-1", "live-2", "live-3"]);
    let app = callbacks(Arc::clone(&sink), clock.clone());

    let body = pressed("live-1", "#");
    let signature = signed(SECRET, NOW, &body);
    let (status, answer) = post(&app, "live-1", &body, Some(&signature)).await;
    assert_eq!(
        (status, answer.as_str()),
        (StatusCode::OK, r#"{"confirmed":true}"#)
    );
    assert_eq!(sink.reported(), ["live-1"]);

    // The exact same callback again: refused before the sink.
    let (status, _) = post(&app, "live-1", &body, Some(&signature)).await;
    assert_eq!(status, StatusCode::CONFLICT);
    // Signed anew (another t): the sink says it was used already.
    let again = signed(SECRET, NOW + 1, &body);
    let (status, answer) = post(&app, "live-1", &body, Some(&again)).await;
    assert_eq!(
        (status, answer.as_str()),
        (StatusCode::OK, r#"{"confirmed":false}"#)
    );
    assert_eq!(sink.reported(), ["live-1", "live-1"]);

    // Another key: nothing confirmed, the sink is not asked.
    let other = pressed("live-2", "5");
    let (status, answer) = post(&app, "live-2", &other, Some(&signed(SECRET, NOW, &other))).await;
    assert_eq!(
        (status, answer.as_str()),
        (StatusCode::OK, r#"{"confirmed":false}"#)
    );

    // A little clock skew either way is fine.
    let body = pressed("live-3", "#");
    let skewed = signed(SECRET, NOW - 299, &body);
    let (status, answer) = post(&app, "live-3", &body, Some(&skewed)).await;
    assert_eq!(
        (status, answer.as_str()),
        (StatusCode::OK, r#"{"confirmed":true}"#)
    );
    assert_eq!(sink.reported(), ["live-1", "live-1", "live-3"]);
}

#[tokio::test]
async fn forged_stale_replayed_and_misdirected_callbacks_are_refused() {
    let clock = Clock::manual(NOW);
    let sink = FakeSink::new(&["live-1", "live-2"]);
    let app = callbacks(Arc::clone(&sink), clock.clone());
    let body = pressed("live-1", "#");

    let refusals = [
        ("unsigned", None),
        ("another secret", Some(signed("not the secret", NOW, &body))),
        (
            "signed for another body",
            Some(signed(SECRET, NOW, &pressed("live-1", "1"))),
        ),
        ("too old", Some(signed(SECRET, NOW - 301, &body))),
        ("from the future", Some(signed(SECRET, NOW + 301, &body))),
        ("no v1", Some(format!("t={NOW}"))),
        (
            "no t",
            Some(format!("v1={}", hmac_hex(SECRET, NOW, body.as_bytes()))),
        ),
    ];
    for (what, signature) in &refusals {
        let (status, _) = post(&app, "live-1", &body, signature.as_deref()).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
    }

    // A genuine callback for live-1 replayed to live-2's URL: the body names live-1.
    let signature = signed(SECRET, NOW, &body);
    let (status, _) = post(&app, "live-2", &body, Some(&signature)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "another call's callback");
    assert!(
        sink.reported().is_empty(),
        "nothing refused reached the sink"
    );

    // Signed now, replayed once the window has passed.
    let body = pressed("live-2", "#");
    let signature = signed(SECRET, NOW, &body);
    clock.advance(301);
    let (status, _) = post(&app, "live-2", &body, Some(&signature)).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "stale by the server's clock");
    assert!(sink.reported().is_empty());

    // Signed but not a callback.
    let junk = "not json";
    let (status, _) = post(&app, "live-2", junk, Some(&signed(SECRET, NOW + 301, junk))).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}
