//! App notifications (docs/SECURITY.md, "App notifications"): the authenticator page
//! enrols from the security-info page with a one-time link; a reset sends it a request
//! whose number the person chooses among three; the portal waits; decoys offer and wait
//! alike and never approve; failures, limits and a report work as for codes. The test
//! plays the phone with its own P-256 key, and a fake push service receives the wake-ups.

use super::sessions::{proven_session, session_get, session_post};
use super::*;
use axum::http::HeaderValue;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};
use sha2::{Digest, Sha256};
use sspr_server::crypto::totp::TotpSecret;
use sspr_server::delivery::OutboxWorker;
use sspr_server::methods::app_notification;
use sspr_server::push::config::PushSender;
use sspr_server::push::{VapidSubject, vapid_key};
use std::time::Duration;

const APPROVAL_NOT_FOUND: &str = "approval_not_found";
const DEVICE_NOT_RECOGNISED: &str = "device_not_recognised";

/// App notifications beside e-mail and app codes; one method.
const APP_POLICY: &str = r#"
[captcha]
max_number = 1000

[policy]
scope = "selected"
group = "sspr-users"
methods_required = 1
methods = ["email", "app_code", "app_notification"]
"#;

const REGISTRATIONS: &str = "/api/v1/session/registrations";
const ENROL: &str = "/api/v1/authenticator/enrol";
const REQUESTS: &str = "/api/v1/authenticator/requests";
const VAPID_SUBJECT: &str = "mailto:it@contoso.example";

/// The authenticator page: its key and, once enrolled, its id.
struct Device {
    key: SigningKey,
    id: String,
}

impl Device {
    fn new() -> Device {
        let key = loop {
            if let Ok(key) = SigningKey::from_slice(&sspr_server::crypto::random_bytes::<32>()) {
                break key;
            }
        };
        Device {
            key,
            id: String::new(),
        }
    }

    /// base64url of the uncompressed public point, as WebCrypto's `exportKey("raw")`.
    fn public_key(&self) -> String {
        let point = self.key.verifying_key().to_encoded_point(false);
        URL_SAFE_NO_PAD.encode(point.as_bytes())
    }

    fn sign(&self, method: &str, path: &str, time: u64, body: &[u8]) -> String {
        let hash: String = Sha256::digest(body)
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect();
        let text = sspr_api::authenticator::signed_string(method, path, time, &hash);
        let signature: Signature = self.key.sign(text.as_bytes());
        URL_SAFE_NO_PAD.encode(signature.to_bytes())
    }

    /// A request signed at `time` as `id` (its own, or another's).
    async fn call_as(
        &self,
        h: &Harness,
        id: &str,
        method: &str,
        path: &str,
        body: Option<Value>,
        time: u64,
    ) -> (StatusCode, Value) {
        let bytes = body.map(|b| b.to_string()).unwrap_or_default();
        let mut request = Request::builder()
            .method(method)
            .uri(path)
            .header("x-device-id", id)
            .header("x-device-time", time.to_string())
            .header(
                "x-device-signature",
                self.sign(method, path, time, bytes.as_bytes()),
            );
        if method == "POST" {
            request = request.header("content-type", "application/json");
        }
        let (status, _, json) = h.request(request.body(Body::from(bytes)).unwrap()).await;
        (status, json)
    }

    async fn requests(&self, h: &Harness) -> Value {
        let (status, json) = self
            .call_as(h, &self.id, "GET", REQUESTS, None, h.clock().now())
            .await;
        assert_eq!(status, StatusCode::OK, "{json}");
        json
    }

    /// The one open request (there must be exactly one).
    async fn request(&self, h: &Harness) -> Value {
        let list = self.requests(h).await;
        let requests = list["requests"].as_array().unwrap();
        assert_eq!(requests.len(), 1, "{list}");
        requests[0].clone()
    }

    async fn decide(&self, h: &Harness, request: &str, body: Value) -> (StatusCode, Value) {
        let path = format!("{REQUESTS}/{request}");
        self.call_as(h, &self.id, "POST", &path, Some(body), h.clock().now())
            .await
    }
}

/// Starts an app-notification registration in the signed-in session: the pending
/// registration and the token of its enrol link.
async fn enrol_link(h: &Harness, cookie: &str) -> (Value, String) {
    let (status, pending) = session_post(
        h,
        cookie,
        REGISTRATIONS,
        json!({"kind": "app_notification"}),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{pending}");
    let url = pending["enrol_url"].as_str().unwrap().to_owned();
    let (page, token) = url.split_once("#enrol=").unwrap();
    assert!(page.ends_with("/authenticator"), "{url}");
    assert!(token.len() >= 32, "at least 128 bits: {url}");
    (pending, token.to_owned())
}

async fn enrol_with(h: &Harness, body: Value) -> (StatusCode, Value) {
    let (status, _, json) = h.post(ENROL, body).await;
    (status, json)
}

/// A person in scope (e-mail, app code, answers) whose phone enrolled, with `subscription`.
async fn person_with_phone(
    h: &Harness,
    user_id: &str,
    subscription: Option<Value>,
) -> (Device, TotpSecret) {
    let secret = h.person(user_id).await;
    let cookie = proven_session(h, user_id, &secret).await;
    let (_, token) = enrol_link(h, &cookie).await;
    let mut device = Device::new();
    let mut body = json!({
        "token": token,
        "public_key": device.public_key(),
        "device_name": "Robin's Pixel",
    });
    if let Some(subscription) = subscription {
        body["push_subscription"] = subscription;
    }
    let (status, enrolled) = enrol_with(h, body).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    device.id = enrolled["device_id"].as_str().unwrap().to_owned();
    (device, secret)
}

/// Sends the flow's app notification from a browser at 203.0.113.7.
async fn prompt(h: &Harness, flow: &Flow) -> (StatusCode, HeaderMap, Value) {
    let path = format!(
        "/api/v1/reset/flows/{}/methods/{}/challenge",
        flow.id(),
        flow.method("app_notification")
    );
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header(FLOW_SECRET_HEADER, flow.secret())
        .header(
            "user-agent",
            "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
        )
        .body(Body::from("{}"))
        .unwrap();
    let peer = std::net::SocketAddr::from(([203, 0, 113, 7], 40000));
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    h.request(request).await
}

/// The portal's wait, held at most `wait` seconds.
async fn approval(h: &Harness, flow: &Flow, wait: u64) -> (StatusCode, Value) {
    let request = Request::get(format!(
        "/api/v1/reset/flows/{}/methods/{}/approval?wait={wait}",
        flow.id(),
        flow.method("app_notification")
    ))
    .header(FLOW_SECRET_HEADER, flow.secret())
    .body(Body::empty())
    .unwrap();
    let (status, _, json) = h.request(request).await;
    (status, json)
}

/// The failures counted on the flows' subjects: (scope, failures), by scope.
fn failures(h: &Harness) -> Vec<(String, String)> {
    h.sql("SELECT scope, failures FROM failure_counters ORDER BY scope")
        .into_iter()
        .map(|row| (row[0].clone(), row[1].clone()))
        .collect()
}

fn counted(h: &Harness, scope: &str) -> u32 {
    failures(h)
        .iter()
        .find(|(s, _)| s == scope)
        .map_or(0, |(_, n)| n.parse().unwrap())
}

#[tokio::test]
async fn a_phone_enrols_once_with_its_link_and_then_counts_on_the_security_info_page() {
    let h = Harness::new(APP_POLICY).await;
    let secret = h.person("robin.quill").await;
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (pending, token) = enrol_link(&h, &cookie).await;
    assert_eq!(pending["kind"], "app_notification");
    assert_eq!(pending["expires_in_seconds"], 15 * 60);
    // Stored hashed: the token itself is nowhere in the database.
    let bytes = h.database_bytes();
    assert!(
        !bytes
            .windows(token.len())
            .any(|window| window == token.as_bytes()),
        "the enrol token is stored in the clear"
    );
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(phone_of(&list), None, "pending: not a method yet");

    let device = Device::new();
    for (bad, why) in [
        (
            json!({"token": token, "public_key": "BAAA", "device_name": "Pixel"}),
            "public_key",
        ),
        (
            json!({"token": token, "public_key": device.public_key(), "device_name": "  "}),
            "device_name",
        ),
        (
            json!({"token": token, "public_key": device.public_key(), "device_name": "Pixel",
                   "push_subscription": {"endpoint": "http://push.example.net/x",
                                         "keys": {"p256dh": "x", "auth": "y"}}}),
            "https",
        ),
    ] {
        let (status, problem) = enrol_with(&h, bad).await;
        assert_eq!(status, StatusCode::BAD_REQUEST, "{problem}");
        assert!(
            problem["detail"].as_str().unwrap().contains(why),
            "{problem}"
        );
    }
    let body = json!({"token": token, "public_key": device.public_key(),
                      "device_name": " Robin's Pixel "});
    let (status, enrolled) = enrol_with(&h, body.clone()).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
    assert_eq!(enrolled["organisation_name"], "Contoso");
    assert_eq!(enrolled["account_hint"], "Robin Quill");
    assert_eq!(enrolled["device_id"].as_str().unwrap().len(), 32);
    // A used token is refused, even to the same phone.
    let (status, problem) = enrol_with(&h, body).await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::NOT_FOUND, &json!("registration_not_found"))
    );

    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let phone = phone_of(&list).unwrap_or_else(|| panic!("{list}"));
    assert_eq!(phone["detail"], "Robin's Pixel");
    assert_eq!(phone["registered_at"], h.clock().now());
    assert!(phone.get("stale").is_none(), "{phone}");
    // Told at the person's address, as any new method is.
    let notices = h.messages().await;
    assert!(
        notices.iter().any(|(to, _, body)| to == "rob@home.example"
            && body.contains("authenticator app notifications")),
        "{notices:?}"
    );
    let audit = h.services.store.recent_audit_events(20).await.unwrap();
    assert!(audit.contains(&"method_added".to_owned()), "{audit:?}");

    // An expired link is refused; a new phone replaces the old one (same method).
    let (_, token) = enrol_link(&h, &cookie).await;
    h.clock().advance(15 * 60);
    let other = Device::new();
    let body = json!({"token": token, "public_key": other.public_key(),
                      "device_name": "New phone"});
    let (status, problem) = enrol_with(&h, body).await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::NOT_FOUND, &json!("registration_not_found"))
    );
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (pending, token) = enrol_link(&h, &cookie).await;
    assert_eq!(pending["replaces"], phone["id"], "{pending}");
    let body = json!({"token": token, "public_key": other.public_key(),
                      "device_name": "New phone"});
    assert_eq!(enrol_with(&h, body).await.0, StatusCode::CREATED);
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    let phones: Vec<&Value> = list["methods"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["kind"] == "app_notification")
        .collect();
    assert_eq!(phones.len(), 1, "{list}");
    assert_eq!(phones[0]["id"], phone["id"]);
    assert_eq!(phones[0]["detail"], "New phone");
    // The replaced phone's key no longer signs anything.
    let mut old = device;
    old.id = enrolled["device_id"].as_str().unwrap().to_owned();
    let (status, _) = old
        .call_as(&h, &old.id, "GET", REQUESTS, None, h.clock().now())
        .await;
    assert_eq!(status, StatusCode::UNAUTHORIZED);

    // Not seen for 30 days, it shows as stale.
    h.clock().advance(30 * 86_400);
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(phone_of(&list).unwrap()["stale"], true, "{list}");
}

/// The person's phone in a method list, if any.
fn phone_of(list: &Value) -> Option<Value> {
    list["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "app_notification")
        .cloned()
}

/// An enrol link lives no longer than the signed-in session that made it: signed out, or
/// the session idle past its time, the phone cannot enrol with it.
#[tokio::test]
async fn an_enrol_link_ends_with_the_session_that_made_it() {
    let h = Harness::new(&format!(
        "{APP_POLICY}\n[policy.sessions]\nidle_minutes = 5\n"
    ))
    .await;
    let secret = h.person("robin.quill").await;
    let enrol = |token: String| {
        let device = Device::new();
        json!({"token": token, "public_key": device.public_key(), "device_name": "Pixel"})
    };
    // Idle: the session ends after 5 minutes, the link would have lasted 15.
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (_, token) = enrol_link(&h, &cookie).await;
    h.clock().advance(6 * 60);
    let (status, problem) = enrol_with(&h, enrol(token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    assert_eq!(problem["code"], "registration_not_found");
    // Signed out (each sign-in proves with a new app code: a step is used once).
    h.clock().advance(30);
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (_, token) = enrol_link(&h, &cookie).await;
    let sign_out = Request::delete("/api/v1/session")
        .header("cookie", &cookie)
        .body(Body::empty())
        .unwrap();
    assert_eq!(h.request(sign_out).await.0, StatusCode::NO_CONTENT);
    let (status, problem) = enrol_with(&h, enrol(token)).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{problem}");
    // While the session lives, the same steps enrol.
    h.clock().advance(30);
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (_, token) = enrol_link(&h, &cookie).await;
    h.clock().advance(4 * 60);
    let (status, enrolled) = enrol_with(&h, enrol(token)).await;
    assert_eq!(status, StatusCode::CREATED, "{enrolled}");
}

#[tokio::test]
async fn a_reset_with_app_notification_alone_or_with_another_method() {
    for required in [1, 2] {
        let h = Harness::new(&APP_POLICY.replace(
            "methods_required = 1",
            &format!("methods_required = {required}"),
        ))
        .await;
        let (device, _) = person_with_phone(&h, "robin.quill", None).await;
        let flow = h.start("robin.quill").await;
        assert_eq!(flow.kinds(), ["app_notification", "app_code", "email"]);
        assert_eq!(flow.0["methods_required"], required);
        let offered = &flow.0["methods"][0];
        assert!(offered.get("hint").is_none(), "{offered}");

        let (status, _, sent) = prompt(&h, &flow).await;
        assert_eq!(status, StatusCode::OK, "{sent}");
        assert_eq!(sent["wait_seconds"], 60);
        assert_eq!(sent["resend_in_seconds"], 60);
        assert!(sent.get("code_length").is_none(), "nothing to type: {sent}");
        let number = sent["number_to_choose"].as_u64().unwrap();
        assert!((10..=99).contains(&number), "{sent}");
        let (status, waiting) = approval(&h, &flow, 0).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(waiting, json!({"state": "waiting", "seconds_left": 60}));

        let request = device.request(&h).await;
        assert_eq!(request["user_id"], "robin.quill");
        assert_eq!(request["client_ip"], "203.0.113.7");
        assert_eq!(request["browser"], "Firefox on Windows");
        assert_eq!(request["requested_at"], h.clock().now());
        assert_eq!(request["seconds_left"], 60);
        let numbers: Vec<u64> = request["numbers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| n.as_u64().unwrap())
            .collect();
        assert_eq!(numbers.len(), 3);
        assert!(numbers.contains(&number), "{request}");

        // The portal's wait answers as soon as the phone approves: woken by the answer,
        // not at its next read of the store (every second), which would end it at 2 s.
        let id = request["request_id"].as_str().unwrap().to_owned();
        let waited = {
            let started = std::time::Instant::now();
            let wait = approval(&h, &flow, 10);
            let approve = async {
                tokio::time::sleep(Duration::from_millis(1300)).await;
                device
                    .decide(&h, &id, json!({"decision": "approve", "number": number}))
                    .await
            };
            let ((status, answer), (decided, done)) = tokio::join!(wait, approve);
            assert_eq!(decided, StatusCode::OK, "{done}");
            assert_eq!(done, json!({"state": "approved"}));
            assert_eq!(status, StatusCode::OK);
            assert_eq!(answer, json!({"state": "approved", "seconds_left": 0}));
            started.elapsed()
        };
        assert!(waited < Duration::from_millis(1900), "{waited:?}");
        let (_, _, now) = h.get_flow(&flow).await;
        assert_eq!(now["verified"], json!([flow.method("app_notification")]));
        assert!(
            device.requests(&h).await["requests"]
                .as_array()
                .unwrap()
                .is_empty()
        );

        if required == 2 {
            let (status, _, problem) = h.set_password(&flow, "copper kettle whistles").await;
            assert_eq!(status, StatusCode::FORBIDDEN, "{problem}");
            assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
            let code = h.last_code("rob@home.example").await;
            assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
        }
        let (status, _, done) = h.set_password(&flow, "copper kettle whistles").await;
        assert_eq!(status, StatusCode::OK, "{required}: {done}");
        let audit = h.services.store.recent_audit_events(50).await.unwrap();
        assert!(audit.contains(&"reset_method_verified".to_owned()));
    }
}

#[tokio::test]
async fn number_matching_refuses_what_is_not_the_owners_answer_in_time_and_counts_failures() {
    let h = Harness::new(APP_POLICY).await;
    let (device, _) = person_with_phone(&h, "robin.quill", None).await;
    let (someone_else, _) = person_with_phone(&h, "sam.other", None).await;
    let flow = h.start("robin.quill").await;

    // A wrong number: not approved, and one failure, as a wrong code is.
    let (_, _, sent) = prompt(&h, &flow).await;
    let number = sent["number_to_choose"].as_u64().unwrap();
    let request = device.request(&h).await;
    let id = request["request_id"].as_str().unwrap().to_owned();
    let wrong = request["numbers"]
        .as_array()
        .unwrap()
        .iter()
        .map(|n| n.as_u64().unwrap())
        .find(|n| *n != number)
        .unwrap();
    let (status, done) = device
        .decide(&h, &id, json!({"decision": "approve", "number": wrong}))
        .await;
    assert_eq!(
        (status, done),
        (StatusCode::OK, json!({"state": "not_approved"}))
    );
    assert_eq!(approval(&h, &flow, 0).await.1["state"], "not_approved");
    assert_eq!(counted(&h, "account"), 1);
    assert_eq!(counted(&h, "app_notification"), 1);
    // A replay, even with the right number, is refused and counts nothing.
    let (status, problem) = device
        .decide(&h, &id, json!({"decision": "approve", "number": number}))
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::NOT_FOUND, &json!(APPROVAL_NOT_FOUND))
    );
    assert_eq!(counted(&h, "account"), 1);
    // One request at a time.
    let (status, headers, problem) = prompt(&h, &flow).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "rate_limited");
    assert!(headers.contains_key("retry-after"));

    // Another person's phone cannot answer, nor sign as this one.
    h.clock().advance(60);
    let (_, _, sent) = prompt(&h, &flow).await;
    let number = sent["number_to_choose"].as_u64().unwrap();
    let id = device.request(&h).await["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert!(
        someone_else.requests(&h).await["requests"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    let (status, problem) = someone_else
        .decide(&h, &id, json!({"decision": "approve", "number": number}))
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::NOT_FOUND, &json!(APPROVAL_NOT_FOUND))
    );
    let path = format!("{REQUESTS}/{id}");
    let body = json!({"decision": "approve", "number": number});
    let now = h.clock().now();
    for (signer, time) in [
        (&someone_else, now),
        (&device, now - 121),
        (&device, now + 121),
    ] {
        let (status, problem) = signer
            .call_as(&h, &device.id, "POST", &path, Some(body.clone()), time)
            .await;
        assert_eq!(
            (status, &problem["code"]),
            (StatusCode::UNAUTHORIZED, &json!(DEVICE_NOT_RECOGNISED))
        );
    }
    // A body other than the one signed is refused too.
    let request = Request::post(&path)
        .header("content-type", "application/json")
        .header("x-device-id", &device.id)
        .header("x-device-time", HeaderValue::from(now))
        .header(
            "x-device-signature",
            device.sign("POST", &path, now, body.to_string().as_bytes()),
        )
        .body(Body::from(json!({"decision": "deny"}).to_string()))
        .unwrap();
    assert_eq!(h.request(request).await.0, StatusCode::UNAUTHORIZED);
    assert_eq!(counted(&h, "account"), 1, "refusals count nothing");

    // Too late: refused, and the timeout counts (once).
    h.clock().advance(60);
    let (status, problem) = device
        .decide(&h, &id, json!({"decision": "approve", "number": number}))
        .await;
    assert_eq!(
        (status, &problem["code"]),
        (StatusCode::NOT_FOUND, &json!(APPROVAL_NOT_FOUND))
    );
    assert_eq!(approval(&h, &flow, 0).await.1["state"], "not_approved");
    assert_eq!(counted(&h, "account"), 2);

    // A denial counts; so does a timeout the portal waits out.
    let (_, _, _) = prompt(&h, &flow).await;
    let id = device.request(&h).await["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, done) = device.decide(&h, &id, json!({"decision": "deny"})).await;
    assert_eq!(
        (status, done),
        (StatusCode::OK, json!({"state": "not_approved"}))
    );
    assert_eq!(counted(&h, "account"), 3);
    h.clock().advance(60);
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
    h.clock().advance(59);
    assert_eq!(approval(&h, &flow, 0).await.1["state"], "waiting");
    h.clock().advance(1);
    assert_eq!(
        approval(&h, &flow, 0).await.1,
        json!({"state": "not_approved", "seconds_left": 0})
    );
    assert_eq!(counted(&h, "account"), 4);
    assert_eq!(counted(&h, "app_notification"), 4);
    // A timeout nobody waited for counts when the next request goes; the fifth failure
    // pauses the method as five wrong codes do.
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
    h.clock().advance(60);
    let (status, headers, problem) = prompt(&h, &flow).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "method_locked");
    assert_eq!(headers["retry-after"], "900");
    assert_eq!(counted(&h, "account"), 5);
    let (_, _, now) = h.get_flow(&flow).await;
    assert_eq!(now["methods"][0]["locked_for_seconds"], 900, "{now}");
    assert_eq!(now["verified"], json!([]));
}

#[tokio::test]
async fn prompts_stop_at_the_limit_with_429_and_retry_after() {
    let h = Harness::new(APP_POLICY).await;
    let (device, _) = person_with_phone(&h, "robin.quill", None).await;
    // Five prompts in 15 minutes, whatever the flow.
    for _ in 0..5 {
        let flow = h.start("robin.quill").await;
        assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
        h.clock().advance(61);
    }
    assert_eq!(device.requests(&h).await["requests"], json!([]));
    let flow = h.start("robin.quill").await;
    let (status, headers, problem) = prompt(&h, &flow).await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
    assert_eq!(problem["code"], "too_many_codes");
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert_eq!(retry, 15 * 60 - 5 * 61);
    assert_eq!(problem["retry_after_seconds"], retry);
    assert!(
        device.requests(&h).await["requests"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // Another kind of method is not held up by it.
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    h.clock().advance(retry);
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
}

/// A push request as the fake push service received it: headers and body.
type Received = (HeaderMap, Vec<u8>);

/// A push service on 127.0.0.1: records what it receives, answers `status`.
#[derive(Clone)]
struct FakePush {
    received: Arc<std::sync::Mutex<Vec<Received>>>,
    status: Arc<std::sync::Mutex<u16>>,
    base: String,
}

impl FakePush {
    async fn start() -> FakePush {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let fake = FakePush {
            received: Arc::default(),
            status: Arc::new(std::sync::Mutex::new(201)),
            base: format!("http://127.0.0.1:{}", listener.local_addr().unwrap().port()),
        };
        let state = fake.clone();
        let app = axum::Router::new().route(
            "/push/{id}",
            axum::routing::post(move |headers: HeaderMap, body: axum::body::Bytes| {
                let state = state.clone();
                async move {
                    state
                        .received
                        .lock()
                        .unwrap()
                        .push((headers, body.to_vec()));
                    StatusCode::from_u16(*state.status.lock().unwrap()).unwrap()
                }
            }),
        );
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        fake
    }

    fn received(&self) -> Vec<Received> {
        self.received.lock().unwrap().clone()
    }
}

fn push_worker(h: &Harness) -> OutboxWorker {
    OutboxWorker {
        store: h.services.store.clone(),
        keys: Arc::clone(&h.services.keys),
        clock: h.services.clock.clone(),
        mailer: None,
        phone: None,
        push: Some(PushSender {
            vapid: vapid_key(&h.services.keys),
            subject: VapidSubject::parse(VAPID_SUBJECT).unwrap(),
            timeout: Duration::from_secs(5),
            // The fake push service of these tests.
            service_hosts: vec!["127.0.0.1".into()],
        }),
        max_attempts: 3,
    }
}

#[tokio::test]
async fn the_wake_up_reaches_the_push_service_signed_and_encrypted_and_a_gone_one_goes_stale() {
    let h = Harness::new(APP_POLICY).await;
    let push = FakePush::start().await;
    let browser = crate::push::Phone::new();
    let endpoint = format!("{}/push/1", push.base);
    let subscription = serde_json::to_value(browser.subscription(&endpoint)).unwrap();
    let (device, secret) = person_with_phone(&h, "robin.quill", Some(subscription.clone())).await;
    // Kept sealed (R15): neither the endpoint nor the browser's auth secret is readable.
    let stored = h.sql("SELECT push_subscription FROM methods WHERE kind = 'app_notification'");
    let auth = subscription["keys"]["auth"].as_str().unwrap();
    assert!(
        !stored[0][0].contains("/push/1") && !stored[0][0].contains(auth),
        "{stored:?}"
    );
    let (status, _, config) = h
        .request(
            Request::get("/api/v1/authenticator/config")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::OK);
    let vapid = vapid_key(&h.services.keys).public_key_base64url();
    assert_eq!(
        config,
        json!({"organisation_name": "Contoso", "vapid_public_key": vapid})
    );

    let flow = h.start("robin.quill").await;
    let (_, _, sent) = prompt(&h, &flow).await;
    let pass = push_worker(&h).deliver_due().await.unwrap();
    assert_eq!(pass.sent, 1, "{pass:?}");
    let received = push.received();
    assert_eq!(received.len(), 1);
    let (headers, body) = &received[0];
    assert_eq!(headers["content-encoding"], "aes128gcm");
    assert_eq!(headers["ttl"], "60");
    assert_eq!(headers["urgency"], "high");
    let authorization = headers["authorization"].to_str().unwrap();
    assert!(
        authorization.ends_with(&format!(", k={vapid}")),
        "{authorization}"
    );
    // The phone's browser decrypts it (node's http_ece) and the token verifies.
    let result =
        crate::push::check_in_node(&browser, body, authorization, &push.base, h.clock().now());
    assert_eq!(
        crate::push::problems(&result),
        Vec::<String>::new(),
        "{result}"
    );
    assert_eq!(result["claims"]["sub"], VAPID_SUBJECT);
    let payload: Value = serde_json::from_slice(&crate::push::plaintext(&result).unwrap()).unwrap();
    let request = device.request(&h).await;
    // It names the request, never the number.
    assert_eq!(
        payload,
        json!({"type": "approval_request", "request": request["request_id"]})
    );
    assert!(sent["number_to_choose"].is_u64());

    // Busy: tried again later. Gone: given up, and the phone shows as stale.
    *push.status.lock().unwrap() = 429;
    h.clock().advance(60);
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
    let pass = push_worker(&h).deliver_due().await.unwrap();
    assert_eq!(pass.retrying, 1, "{pass:?}");
    *push.status.lock().unwrap() = 410;
    h.clock().advance(30);
    let pass = push_worker(&h).deliver_due().await.unwrap();
    assert_eq!(pass.given_up, 1, "{pass:?}");
    let cookie = proven_session(&h, "robin.quill", &secret).await;
    let (_, list) = session_get(&h, &cookie, "/api/v1/session/methods").await;
    assert_eq!(phone_of(&list).unwrap()["stale"], true, "{list}");
    assert_eq!(push.received().len(), 3);
}

#[tokio::test]
async fn a_push_goes_to_no_host_outside_the_configured_push_services() {
    let h = Harness::new(APP_POLICY).await;
    let push = FakePush::start().await;
    let browser = crate::push::Phone::new();
    // A phone that subscribed with an endpoint inside the network (here the loopback
    // fake), while only the public push services are allowed.
    let endpoint = format!("{}/push/1", push.base);
    let subscription = serde_json::to_value(browser.subscription(&endpoint)).unwrap();
    person_with_phone(&h, "robin.quill", Some(subscription)).await;
    let flow = h.start("robin.quill").await;
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
    let mut worker = push_worker(&h);
    if let Some(sender) = worker.push.as_mut() {
        sender.service_hosts = sspr_server::push::config::DEFAULT_SERVICE_HOSTS
            .map(str::to_owned)
            .to_vec();
    }
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(pass.given_up, 1, "{pass:?}");
    assert!(push.received().is_empty(), "no request left the server");
}

#[tokio::test]
async fn decoys_offer_app_notifications_alike_and_never_approve() {
    let h = Harness::new(APP_POLICY).await;
    let (device, _) = person_with_phone(&h, "robin.quill", None).await;
    let real = h.start("robin.quill").await;
    let (real_status, real_headers, real_sent) = prompt(&h, &real).await;
    assert_eq!(real_status, StatusCode::OK);
    // An unknown user ID whose decoy offers app notifications (the kinds are drawn from
    // the policy's).
    let (decoy_user, decoy) = {
        let mut found = None;
        for n in 0..40 {
            let user_id = format!("nobody.{n}@contoso.example");
            let flow = h.start(&user_id).await;
            if flow.kinds().iter().any(|k| k == "app_notification") {
                found = Some((user_id, flow));
                break;
            }
        }
        found.expect("some decoy offers app notifications")
    };
    let (status, headers, sent) = prompt(&h, &decoy).await;
    assert_eq!(status, real_status);
    assert_eq!(shape(&sent), shape(&real_sent));
    assert_eq!(header_set(&headers), header_set(&real_headers));
    assert!((10..=99).contains(&sent["number_to_choose"].as_u64().unwrap()));
    assert_eq!(
        approval(&h, &decoy, 0).await.1,
        json!({"state": "waiting", "seconds_left": 60})
    );
    // Nothing reaches any phone, and nothing is queued for one.
    assert_eq!(
        device.requests(&h).await["requests"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let pushes = h.sql("SELECT count(*) FROM outbox WHERE channel = 'push'");
    assert_eq!(pushes[0][0], "1", "only the real prompt's wake-up");

    // A real denial ends the wait "not approved", and counts a failure.
    let id = device.request(&h).await["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, _) = device.decide(&h, &id, json!({"decision": "deny"})).await;
    assert_eq!(status, StatusCode::OK);
    let denied = approval(&h, &real, 0).await.1;
    assert_eq!(denied, json!({"state": "not_approved", "seconds_left": 0}));

    // The decoy's ends the same way at a stable, believable moment, and counts alike.
    let subject = sspr_server::reset::decoy::subject(&h.services.keys.decoy, &decoy_user);
    let end = app_notification::decoy_end(&h.services.keys.decoy, &subject, decoy.id());
    assert!((8..=45).contains(&end) || end == 60, "{end}");
    h.clock().advance(end - 1);
    assert_eq!(approval(&h, &decoy, 0).await.1["state"], "waiting");
    h.clock().advance(1);
    assert_eq!(approval(&h, &decoy, 0).await.1, denied);
    let rows = h.sql(
        "SELECT count(*) FROM failure_counters WHERE scope = 'app_notification' AND failures = 1",
    );
    assert_eq!(rows[0][0], "2", "one each: {:?}", failures(&h));
    // And never approved, however long one waits.
    h.clock().advance(60);
    assert_eq!(approval(&h, &decoy, 0).await.1, denied);
    let (_, _, now) = h.get_flow(&decoy).await;
    assert_eq!(now["verified"], json!([]));
}

#[tokio::test]
async fn a_decoys_no_counts_when_anything_reads_the_flow_not_only_the_wait() {
    // Without polling the wait: a real denial counts at once; the decoy's "no" must count
    // by the time the attacker reads the flow's counters another way (the flow, or a try
    // of another method), or the tries left would tell the two apart.
    let h = Harness::new(APP_POLICY).await;
    let (device, _) = person_with_phone(&h, "robin.quill", None).await;
    let real = h.start("robin.quill").await;
    assert_eq!(prompt(&h, &real).await.0, StatusCode::OK);
    let id = device.request(&h).await["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(
        device.decide(&h, &id, json!({"decision": "deny"})).await.0,
        StatusCode::OK
    );
    let decoy = {
        let mut found = None;
        for n in 0..40 {
            let flow = h.start(&format!("nobody.{n}@contoso.example")).await;
            if flow.kinds().iter().any(|k| k == "app_notification") {
                found = Some(flow);
                break;
            }
        }
        found.expect("some decoy offers app notifications")
    };
    assert_eq!(prompt(&h, &decoy).await.0, StatusCode::OK);
    // Past any decoy's moment, nobody having polled: reading the flow settles it.
    h.clock().advance(61);
    assert_eq!(h.get_flow(&decoy).await.0, StatusCode::OK);
    let rows = h.sql(
        "SELECT count(*) FROM failure_counters WHERE scope = 'app_notification' AND failures = 1",
    );
    assert_eq!(rows[0][0], "2", "one each: {:?}", failures(&h));
}

#[tokio::test]
async fn a_report_tells_the_owner_and_stops_the_prompts_until_a_reset() {
    let h = Harness::new(APP_POLICY).await;
    let (device, _) = person_with_phone(&h, "robin.quill", None).await;
    let flow = h.start("robin.quill").await;
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
    let id = device.request(&h).await["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let (status, done) = device.decide(&h, &id, json!({"decision": "report"})).await;
    assert_eq!(
        (status, done),
        (StatusCode::OK, json!({"state": "not_approved"}))
    );
    assert_eq!(approval(&h, &flow, 0).await.1["state"], "not_approved");
    let told = h.messages().await;
    assert!(
        told.iter()
            .any(|(to, subject, body)| to == "rob@home.example"
                && subject.contains("Someone tried to reset")
                && body.contains("you did not ask for")),
        "{told:?}"
    );
    let audit = h.services.store.recent_audit_events(20).await.unwrap();
    assert!(
        audit.contains(&"app_notification_reported".to_owned()),
        "{audit:?}"
    );
    // No more prompts, in this flow or another, however long one waits; each refusal
    // says a wait like any pause (to the next midnight, UTC), so it cannot be told from
    // the daily failure limit that decoys reach too.
    for wait in [60, 7 * 86_400, 86_400 / 2] {
        h.clock().advance(wait);
        let flow = h.start("robin.quill").await;
        let (status, headers, problem) = prompt(&h, &flow).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{problem}");
        assert_eq!(problem["code"], "method_locked");
        let retry_after: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
        let now = h.clock().now();
        assert_eq!(retry_after, 86_400 - now % 86_400, "{headers:?}");
    }
    assert!(
        device.requests(&h).await["requests"]
            .as_array()
            .unwrap()
            .is_empty()
    );
    // A report after a denial is taken too; a second one of the same request is not an
    // approval either.
    let (status, _) = device
        .decide(&h, &id, json!({"decision": "approve", "number": 10}))
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);

    // A reset with another method lifts it.
    let flow = h.start("robin.quill").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("rob@home.example").await;
    assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
    assert_eq!(
        h.set_password(&flow, "copper kettle whistles").await.0,
        StatusCode::OK
    );
    let flow = h.start("robin.quill").await;
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::OK);
    let id = device.request(&h).await["request_id"]
        .as_str()
        .unwrap()
        .to_owned();
    // Denied first, then reported: the report still tells and stops.
    assert_eq!(
        device.decide(&h, &id, json!({"decision": "deny"})).await.1,
        json!({"state": "not_approved"})
    );
    let (status, done) = device.decide(&h, &id, json!({"decision": "report"})).await;
    assert_eq!(
        (status, done),
        (StatusCode::OK, json!({"state": "not_approved"}))
    );
    h.clock().advance(60);
    assert_eq!(prompt(&h, &flow).await.0, StatusCode::TOO_MANY_REQUESTS);
}
