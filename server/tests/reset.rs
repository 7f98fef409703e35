//! The reset flow over HTTP, in process, with an injected clock: enumeration safety,
//! attempt limits, codes, TOTP, policy, passwords and the completing transaction
//! (docs/SECURITY.md).

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

mod fake_smtp;

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use fake_smtp::{FakeSmtp, Mode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution};
use sspr_api::reset::FLOW_SECRET_HEADER;
use sspr_server::clock::Clock;
use sspr_server::config::{Config, SmtpConfig, SmtpSecurity};
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::crypto::sealed;
use sspr_server::crypto::totp::{self, TotpSecret};
use sspr_server::delivery::{Mailer, OutboxWorker, Pass};
use sspr_server::directory::Directory;
use sspr_server::http::{Services, router};
use sspr_server::store::reset::FaultPoint;
use sspr_server::store::{NewUser, SqliteStore};
use std::sync::Arc;
use tower::ServiceExt;

const START: u64 = 1_800_000_000;

/// One policy for most tests: selected group, e-mail + app code + questions, one method.
const POLICY: &str = r#"
[captcha]
max_number = 1000

[policy]
scope = "selected"
group = "sspr-users"
methods_required = 2
methods = ["email", "app_code", "security_questions"]
"#;

struct Harness {
    dir: tempfile::TempDir,
    app: Router,
    services: Services,
    directory: Directory,
}

impl Harness {
    async fn new(config_toml: &str) -> Harness {
        Harness::with(config_toml, false).await
    }

    /// `demo`: the server runs in demo mode (dev outbox served).
    async fn with(config_toml: &str, demo: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse(config_toml).unwrap();
        let mut services = Services::new(
            SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap(),
            Arc::new(ServerKeys::ephemeral()),
            Clock::manual(START),
        )
        .unwrap();
        services.demo = demo;
        let directory = Directory {
            store: services.store.clone(),
            keys: Arc::clone(&services.keys),
            hasher: services.hasher.clone(),
            clock: services.clock.clone(),
        };
        Harness {
            app: router(&config, services.clone()),
            dir,
            services,
            directory,
        }
    }

    fn clock(&self) -> &Clock {
        &self.services.clock
    }

    async fn user(&self, user_id: &str, is_admin: bool, groups: &[&str]) {
        let user = NewUser {
            user_id,
            display_name: "Robin Quill",
            email: None,
            is_admin,
            groups,
        };
        assert!(
            self.services
                .store
                .create_user_if_missing(&user)
                .await
                .unwrap()
        );
    }

    /// A person in scope with an e-mail address, an authenticator app and three answers.
    async fn person(&self, user_id: &str) -> TotpSecret {
        self.user(user_id, false, &["sspr-users"]).await;
        self.directory
            .add_email(user_id, &format!("{}@home.example", &user_id[..3]))
            .await
            .unwrap();
        self.directory
            .set_answers(
                user_id,
                &[
                    ("birth_city".into(), "Lisbon".into()),
                    ("first_pet".into(), "Biscuit".into()),
                    ("first_school".into(), "Riverside Primary".into()),
                ],
                3,
            )
            .await
            .unwrap();
        self.directory
            .set_password(user_id, "lantern harbour seventeen")
            .await
            .unwrap();
        self.directory.add_totp(user_id, None).await.unwrap()
    }

    async fn request(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
        let response: Response<Body> = self.app.clone().oneshot(request).await.unwrap();
        let status = response.status();
        let headers = response.headers().clone();
        let bytes = response.into_body().collect().await.unwrap().to_bytes();
        let json = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap()
        };
        (status, headers, json)
    }

    async fn post(&self, path: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
        self.request(
            Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// A POST about `flow`, with its secret, as the app sends it.
    async fn flow_post(
        &self,
        flow: &Flow,
        path: &str,
        body: Value,
    ) -> (StatusCode, HeaderMap, Value) {
        self.request(
            Request::post(path)
                .header("content-type", "application/json")
                .header(FLOW_SECRET_HEADER, flow.secret())
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// More time for the flow.
    async fn extend(&self, flow: &Flow) -> (StatusCode, HeaderMap, Value) {
        let path = format!("/api/v1/reset/flows/{}/extend", flow.id());
        self.flow_post(flow, &path, json!({})).await
    }

    /// `GET` the flow, with its secret.
    async fn get_flow(&self, flow: &Flow) -> (StatusCode, HeaderMap, Value) {
        self.request(
            Request::get(format!("/api/v1/reset/flows/{}", flow.id()))
                .header(FLOW_SECRET_HEADER, flow.secret())
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    async fn captcha(&self) -> CaptchaSolution {
        let (status, _, json) = self
            .request(Request::get("/api/v1/captcha").body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK);
        let challenge: CaptchaChallenge = serde_json::from_value(json).unwrap();
        let number = sspr_server::captcha::solve(&challenge).unwrap();
        CaptchaSolution::new(&challenge, number)
    }

    async fn start_raw(&self, user_id: &str) -> (StatusCode, HeaderMap, Value) {
        let captcha = self.captcha().await;
        self.post(
            "/api/v1/reset/flows",
            json!({"user_id": user_id, "captcha": captcha}),
        )
        .await
    }

    async fn start(&self, user_id: &str) -> Flow {
        let (status, _, json) = self.start_raw(user_id).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        Flow(json)
    }

    async fn challenge(&self, flow: &Flow, kind: &str) -> (StatusCode, HeaderMap, Value) {
        self.flow_post(
            flow,
            &format!(
                "/api/v1/reset/flows/{}/methods/{}/challenge",
                flow.id(),
                flow.method(kind)
            ),
            json!({}),
        )
        .await
    }

    async fn verify(
        &self,
        flow: &Flow,
        kind: &str,
        proof: Value,
    ) -> (StatusCode, HeaderMap, Value) {
        self.flow_post(
            flow,
            &format!(
                "/api/v1/reset/flows/{}/methods/{}/verify",
                flow.id(),
                flow.method(kind)
            ),
            proof,
        )
        .await
    }

    async fn code(&self, flow: &Flow, code: &str) -> (StatusCode, HeaderMap, Value) {
        self.verify(flow, "email", json!({"code": code})).await
    }

    async fn set_password(&self, flow: &Flow, password: &str) -> (StatusCode, HeaderMap, Value) {
        self.flow_post(
            flow,
            &format!("/api/v1/reset/flows/{}/password", flow.id()),
            json!({"password": password}),
        )
        .await
    }

    /// Every queued message as (to, subject, body), oldest first.
    async fn messages(&self) -> Vec<(String, String, String)> {
        let mut out: Vec<_> = self
            .services
            .store
            .recent_messages(1000)
            .await
            .unwrap()
            .into_iter()
            .map(|m| {
                let body = sealed::open(&self.services.keys.outbox, &m.dedupe_key, &m.sealed_body)
                    .unwrap();
                (m.recipient, m.subject, String::from_utf8(body).unwrap())
            })
            .collect();
        out.reverse();
        out
    }

    /// The code in the newest message to `to`.
    async fn last_code(&self, to: &str) -> String {
        let messages = self.messages().await;
        let (_, _, body) = messages
            .iter()
            .rev()
            .find(|(rcpt, _, _)| rcpt == to)
            .unwrap();
        body.split_whitespace()
            .find(|w| w.len() >= 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap()
            .to_owned()
    }

    /// Every byte of the database files (main file and write-ahead log).
    fn database_bytes(&self) -> Vec<u8> {
        let mut all = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            all.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        all
    }

    /// A flow with the e-mail method proven, ready for the second method.
    async fn email_proven(&self, user_id: &str) -> Flow {
        let flow = self.start(user_id).await;
        assert_eq!(self.challenge(&flow, "email").await.0, StatusCode::OK);
        let code = self
            .last_code(&format!("{}@home.example", &user_id[..3]))
            .await;
        let (status, _, json) = self.code(&flow, &code).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        flow
    }

    /// The outbox worker, delivering to a local SMTP listener on `port`.
    fn worker(&self, port: u16) -> OutboxWorker {
        let smtp = SmtpConfig {
            host: Some("127.0.0.1".into()),
            port,
            security: SmtpSecurity::None,
            from: "Contoso IT <no-reply@contoso.example>".into(),
            ..SmtpConfig::default()
        };
        OutboxWorker {
            store: self.services.store.clone(),
            keys: Arc::clone(&self.services.keys),
            clock: self.services.clock.clone(),
            mailer: Mailer::from_config(&smtp).unwrap().unwrap(),
            max_attempts: smtp.max_attempts,
        }
    }

    /// The authenticator code of `secret` at `unix_time`, sent for the flow's app method.
    async fn app_code_at(
        &self,
        flow: &Flow,
        secret: &TotpSecret,
        unix_time: u64,
    ) -> (StatusCode, HeaderMap, Value) {
        let code = totp::code_at(secret, unix_time);
        self.verify(flow, "app_code", json!({"code": code})).await
    }

    async fn totp_proven(&self, flow: &Flow, secret: &TotpSecret) {
        let (status, _, json) = self.app_code_at(flow, secret, self.clock().now()).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert!(!json["verified"].as_array().unwrap().is_empty());
    }
}

/// A reset flow as the API returned it.
struct Flow(Value);

impl Flow {
    fn id(&self) -> &str {
        self.0["flow_id"].as_str().unwrap()
    }

    fn secret(&self) -> &str {
        self.0["flow_secret"].as_str().unwrap()
    }

    fn method(&self, kind: &str) -> String {
        self.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == kind)
            .unwrap_or_else(|| panic!("no {kind} in {}", self.0))["id"]
            .as_str()
            .unwrap()
            .to_owned()
    }

    fn kinds(&self) -> Vec<String> {
        self.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// The JSON's structure with every value replaced by its type.
fn shape(value: &Value) -> Value {
    match value {
        Value::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), shape(v))).collect())
        }
        Value::Array(items) => Value::Array(items.iter().take(1).map(shape).collect()),
        Value::String(_) => json!("string"),
        Value::Number(_) => json!("number"),
        Value::Bool(_) => json!("bool"),
        Value::Null => Value::Null,
    }
}

/// Header names and values, minus those that vary with the body length.
fn header_set(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<_> = headers
        .iter()
        .filter(|(name, _)| *name != "content-length" && *name != "date")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    out.sort();
    out
}

// ---------------------------------------------------------------- enumeration (5.1)

#[tokio::test]
async fn every_kind_of_account_gets_the_same_answers_at_start_and_at_send() {
    let h = Harness::new(POLICY).await;
    h.person("real.person@contoso.example").await;
    h.person("disabled.person@contoso.example").await;
    h.services
        .store
        .set_enabled("disabled.person@contoso.example", false, START)
        .await
        .unwrap();
    h.user("outside.scope@contoso.example", false, &["other"])
        .await;
    h.directory
        .add_email("outside.scope@contoso.example", "out@home.example")
        .await
        .unwrap();
    h.directory
        .add_totp("outside.scope@contoso.example", None)
        .await
        .unwrap();
    h.user("no.methods@contoso.example", false, &["sspr-users"])
        .await;

    let mut seen = Vec::new();
    for user_id in [
        "real.person@contoso.example",
        "nobody.here@contoso.example",
        "disabled.person@contoso.example",
        "outside.scope@contoso.example",
        "no.methods@contoso.example",
    ] {
        let (status, headers, body) = h.start_raw(user_id).await;
        assert_eq!(status, StatusCode::CREATED, "{user_id}: {body}");
        assert_eq!(body["methods_required"], 2, "{user_id}");
        let flow = Flow(body.clone());
        let methods = body["methods"].as_array().unwrap();
        assert!(methods.len() >= 2, "{user_id}: {body}");
        for method in methods {
            assert!(shape(method).as_object().unwrap().contains_key("id"));
        }
        // Send to the first method offered, whatever it is.
        let kind = flow.kinds()[0].clone();
        let (send_status, send_headers, send_body) = h.challenge(&flow, &kind).await;
        assert_eq!(send_status, StatusCode::OK, "{user_id}: {send_body}");
        seen.push((
            user_id,
            shape(&json!({"flow_id": body["flow_id"], "expires_in_seconds": body["expires_in_seconds"],
                          "methods_required": body["methods_required"], "verified": body["verified"]})),
            header_set(&headers),
            header_set(&send_headers),
            kind,
            shape(&send_body),
        ));
    }
    let (_, flow_shape, start_headers, send_headers, _, _) = &seen[0];
    for (user_id, other_shape, other_start, other_send, kind, send_shape) in &seen[1..] {
        assert_eq!(other_shape, flow_shape, "{user_id}");
        assert_eq!(other_start, start_headers, "{user_id}");
        assert_eq!(other_send, send_headers, "{user_id}");
        // Same kind, same answer shape as the real account's.
        let real = seen
            .iter()
            .find(|s| &s.4 == kind && s.0 == "real.person@contoso.example");
        if let Some(real) = real {
            assert_eq!(send_shape, &real.5, "{user_id}");
        }
    }
    // Only the real account got a message.
    let messages = h.messages().await;
    assert!(
        messages.iter().all(|(to, _, _)| to == "rea@home.example"),
        "{messages:?}"
    );
}

/// One wrong proof on the first method the flow offers, whatever its kind.
async fn fail_once(h: &Harness, flow: &Flow) -> (StatusCode, HeaderMap, Value) {
    fail_once_with(h, flow, &flow.kinds()[0]).await
}

/// One wrong proof on the flow's method of `kind`.
async fn fail_once_with(h: &Harness, flow: &Flow, kind: &str) -> (StatusCode, HeaderMap, Value) {
    let (_, _, sent) = h.challenge(flow, kind).await;
    let proof = match kind {
        "security_questions" => json!({"answers": sent["questions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|q| json!({"question": q, "answer": "wrong"}))
            .collect::<Vec<_>>()}),
        "email" => json!({"code": "00000000"}),
        _ => json!({"code": "000000"}),
    };
    h.verify(flow, kind, proof).await
}

#[tokio::test]
async fn a_locked_account_and_a_locked_unknown_id_answer_alike() {
    let h = Harness::new(&format!("{POLICY}\n[policy.lockout]\nmax_failures = 3\n")).await;
    h.person("kim@contoso.example").await;
    let mut answers = Vec::new();
    for user_id in ["kim@contoso.example", "nobody@contoso.example"] {
        let flow = h.start(user_id).await;
        for _ in 0..3 {
            fail_once(&h, &flow).await;
        }
        // A new flow starts like any other, and the lock shows when a method is used.
        let (status, start_headers, body) = h.start_raw(user_id).await;
        assert_eq!(status, StatusCode::CREATED);
        let flow = Flow(body);
        let kind = flow.kinds()[0].clone();
        let (status, headers, json) = h.challenge(&flow, &kind).await;
        assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{user_id}: {json}");
        assert_eq!(json["code"], "account_locked");
        answers.push((header_set(&start_headers), header_set(&headers), json));
    }
    assert_eq!(answers[0], answers[1]);
}

#[tokio::test]
async fn an_unknown_user_gets_the_same_decoy_every_time_and_can_prove_nothing() {
    let h = Harness::new(POLICY).await;
    let first = h.start("ghost@contoso.example").await;
    let second = h.start("Ghost@Contoso.example").await;
    assert_ne!(first.id(), second.id());
    assert_eq!(first.0["methods"], second.0["methods"]);
    let kinds = first.kinds();
    if kinds.contains(&"email".to_owned()) {
        assert_eq!(h.challenge(&first, "email").await.0, StatusCode::OK);
        let (status, _, json) = h.code(&first, "00000000").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["code"], "code_incorrect");
    }
    let (status, _, json) = h.set_password(&first, "a perfectly fine passphrase").await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(json["code"], "not_verified");
}

// ---------------------------------------------------------------- codes (5.3)

#[tokio::test]
async fn codes_are_stored_hashed_single_use_bound_to_their_flow_and_expire() {
    let h = Harness::new(POLICY).await;
    h.person("adele@contoso.example").await;
    let flow = h.start("adele@contoso.example").await;
    let (status, _, sent) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sent["code_expires_in_seconds"], 600);
    assert_eq!(sent["code_length"], 8);
    let code = h.last_code("ade@home.example").await;
    assert_eq!(code.len(), 8);
    // The database holds neither the code nor the message carrying it in clear.
    let bytes = h.database_bytes();
    assert!(
        !bytes.windows(code.len()).any(|w| w == code.as_bytes()),
        "plaintext code in the database"
    );

    // Bound to the flow: useless in another flow of the same person.
    let other = h.start("adele@contoso.example").await;
    h.clock().advance(1);
    assert_eq!(h.challenge(&other, "email").await.0, StatusCode::OK);
    let (status, _, json) = h.code(&other, &code).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_incorrect"))
    );

    // Right in its own flow, once.
    let (status, _, json) = h.code(&flow, &code).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["verified"], json!([flow.method("email")]));
    // Spent: its hash is gone from the database, so it can never be checked again.
    let db = rusqlite::Connection::open(h.dir.path().join("db.sqlite3")).unwrap();
    let stored: Option<Vec<u8>> = db
        .query_row(
            "SELECT code_hash FROM reset_challenges WHERE flow_id = ?1",
            [flow.id()],
            |row| row.get(0),
        )
        .unwrap();
    assert_eq!(stored, None);

    // Expiry: ten minutes. `early` is sent 31 s before `late`.
    let early = h.start("adele@contoso.example").await;
    h.clock().advance(31);
    assert_eq!(h.challenge(&early, "email").await.0, StatusCode::OK);
    let early_code = h.last_code("ade@home.example").await;
    let late = h.start("adele@contoso.example").await;
    h.clock().advance(31);
    assert_eq!(h.challenge(&late, "email").await.0, StatusCode::OK);
    let late_code = h.last_code("ade@home.example").await;
    // `early` one second before its ten minutes are up: still good.
    h.clock().advance(568);
    let (status, _, json) = h.code(&early, &early_code).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // `late` at exactly ten minutes: dead.
    h.clock().advance(32);
    let (status, _, json) = h.code(&late, &late_code).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_expired"))
    );
}

// ---------------------------------------------------------------- attempts (5.2)

#[tokio::test]
async fn five_wrong_codes_lock_the_method_and_a_resend_does_not_reset_the_count() {
    let h = Harness::new(POLICY).await;
    h.person("alex@contoso.example").await;
    let flow = h.start("alex@contoso.example").await;
    h.challenge(&flow, "email").await;
    for left in [4, 3, 2] {
        let (status, _, json) = h.code(&flow, "11111111").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        assert_eq!(json["attempts_left"], left, "{json}");
    }
    // A resend (after the 30 s wait) brings a new code but not new tries.
    let (status, headers, json) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert_eq!(json["code"], "rate_limited");
    assert!(
        headers["retry-after"]
            .to_str()
            .unwrap()
            .parse::<u64>()
            .unwrap()
            <= 30
    );
    h.clock().advance(30);
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let (_, _, json) = h.code(&flow, "11111111").await;
    assert_eq!(json["attempts_left"], 1, "{json}");
    let (status, headers, json) = h.code(&flow, "11111111").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json["code"], "method_locked");
    assert_eq!(json["retry_after_seconds"], 900);
    assert_eq!(headers["retry-after"], "900");
    // Locked: even the right code is refused, and no new code is sent.
    let code = h.last_code("ale@home.example").await;
    let (_, _, json) = h.code(&flow, &code).await;
    assert_eq!(json["code"], "method_locked");
    h.clock().advance(600);
    let (_, _, json) = h.challenge(&flow, "email").await;
    assert_eq!(json["code"], "method_locked");
    assert_eq!(json["retry_after_seconds"], 300, "time left is stated");
    // Other methods still work.
    let secret_flow = h.start("alex@contoso.example").await;
    h.clock().advance(300);
    // After the lock, a new code can be sent and used.
    assert_eq!(h.challenge(&secret_flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("ale@home.example").await;
    assert_eq!(h.code(&secret_flow, &code).await.0, StatusCode::OK);
}

#[tokio::test]
async fn a_code_dies_after_five_wrong_tries_even_within_its_lifetime() {
    let h = Harness::new(&POLICY.replace(
        "[policy]",
        "[policy]\nlockout = { max_failures = 50, lockout_minutes = 1 }",
    ))
    .await;
    h.person("dora@contoso.example").await;
    let flow = h.start("dora@contoso.example").await;
    h.challenge(&flow, "email").await;
    let code = h.last_code("dor@home.example").await;
    for _ in 0..5 {
        h.code(&flow, "00000001").await;
    }
    // The method lock (1 minute) passes; the code itself stays dead.
    h.clock().advance(61);
    let (status, _, json) = h.code(&flow, &code).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("code_expired"))
    );
}

#[tokio::test]
async fn the_account_locks_across_methods_and_flows_with_time_left() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("lee@contoso.example").await;
    // 5 wrong e-mail codes (method lock) + 5 wrong app codes = 10 = account lock.
    let flow = h.start("lee@contoso.example").await;
    h.challenge(&flow, "email").await;
    for _ in 0..5 {
        h.code(&flow, "12121212").await;
    }
    let other = h.start("lee@contoso.example").await;
    for _ in 0..4 {
        let (_, _, json) = h
            .verify(&other, "app_code", json!({"code": "000000"}))
            .await;
        assert_eq!(json["code"], "code_incorrect");
    }
    let (status, headers, json) = h
        .verify(&other, "app_code", json!({"code": "000000"}))
        .await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(json["code"], "account_locked", "{json}");
    assert_eq!(headers["retry-after"], "900");
    // Everything is locked now, in a new flow too, with the time left stated.
    h.clock().advance(100);
    let fresh = h.start("lee@contoso.example").await;
    let right = totp::code_at(&secret, h.clock().now());
    let (_, _, json) = h.verify(&fresh, "app_code", json!({"code": right})).await;
    assert_eq!(json["code"], "account_locked");
    assert_eq!(json["retry_after_seconds"], 800);
    let (_, _, json) = h.challenge(&fresh, "email").await;
    assert_eq!(json["code"], "account_locked");
    // An unknown account locks the same way (its counters are kept too).
    let ghost = h.start("ghost.account@contoso.example").await;
    let kind = ghost.kinds()[0].clone();
    if kind != "security_questions" {
        if kind == "email" {
            h.challenge(&ghost, "email").await;
        }
        let mut last = Value::Null;
        for _ in 0..5 {
            last = h.verify(&ghost, &kind, json!({"code": "000000"})).await.2;
        }
        assert_eq!(last["code"], "method_locked", "{last}");
    }
    // After the lock the right code works.
    h.clock().advance(800);
    let right = totp::code_at(&secret, h.clock().now());
    let (status, _, json) = h.verify(&fresh, "app_code", json!({"code": right})).await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

#[tokio::test]
async fn sends_per_hour_are_limited_with_retry_after() {
    let h = Harness::new(POLICY).await;
    h.person("send@contoso.example").await;
    for _ in 0..5 {
        let flow = h.start("send@contoso.example").await;
        assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
        h.clock().advance(60);
    }
    let flow = h.start("send@contoso.example").await;
    let (status, headers, json) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS);
    // Its own code, not the resend wait's: the app says "too many codes", not "use the
    // code we sent" (a decoy answers alike: every_kind_of_account_... and below).
    assert_eq!(json["code"], "too_many_codes");
    // The first send was 300 s ago: the window opens 3300 s from now.
    assert_eq!(headers["retry-after"], "3300");
    assert_eq!(json["retry_after_seconds"], 3300);
    assert_eq!(h.messages().await.len(), 5);
    h.clock().advance(3300);
    let flow = h.start("send@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
}

#[tokio::test]
async fn an_unknown_id_runs_out_of_codes_like_a_real_account() {
    // E-mail and app code, both required: every flow, real or decoy, offers e-mail.
    let h = Harness::new(
        "[policy]\nscope = \"all\"\nmethods_required = 2\nmethods = [\"email\", \"app_code\"]\n\
         [policy.lockout]\nsends_per_hour = 2\n",
    )
    .await;
    h.person("kim@contoso.example").await;
    let mut answers = Vec::new();
    for user_id in ["kim@contoso.example", "nobody@contoso.example"] {
        let mut last = None;
        for _ in 0..3 {
            let flow = h.start(user_id).await;
            last = Some(h.challenge(&flow, "email").await);
        }
        let (status, headers, json) = last.unwrap();
        answers.push((status, header_set(&headers), json));
    }
    assert_eq!(answers[0].2["code"], "too_many_codes");
    assert_eq!(answers[0], answers[1]);
}

// ---------------------------------------------------------------- pauses and time (issue 10)

#[tokio::test]
async fn the_flow_says_which_methods_are_paused_and_for_how_long_for_decoys_too() {
    let h = Harness::new(&format!("{POLICY}\n[policy.lockout]\nmax_failures = 8\n")).await;
    h.person("rui@contoso.example").await;
    let mut views = Vec::new();
    for user_id in ["rui@contoso.example", "nobody@contoso.example"] {
        let flow = h.start(user_id).await;
        let kind = flow.kinds()[0].clone();
        // Five wrong tries pause the method (codes.max_attempts), not yet the account.
        for _ in 0..5 {
            fail_once(&h, &flow).await;
        }
        h.clock().advance(100);
        let (status, _, json) = h.get_flow(&flow).await;
        assert_eq!(status, StatusCode::OK);
        let paused: Vec<&Value> = json["methods"]
            .as_array()
            .unwrap()
            .iter()
            .filter(|m| m.get("locked_for_seconds").is_some())
            .collect();
        assert_eq!(paused.len(), 1, "{user_id}: {json}");
        assert_eq!(paused[0]["kind"], kind.as_str());
        assert_eq!(
            paused[0]["locked_for_seconds"], 800,
            "{user_id}: 900 s less 100"
        );
        assert!(json.get("locked_for_seconds").is_none(), "{json}");
        // A new flow sees the same pause from the start.
        let again = h.start(user_id).await;
        let method = again.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == kind.as_str())
            .unwrap()
            .clone();
        assert_eq!(method["locked_for_seconds"], 800);
        // Three more failures elsewhere pause the whole account (8 in a row).
        let other = again
            .kinds()
            .into_iter()
            .find(|k| *k != kind)
            .unwrap_or(kind.clone());
        for _ in 0..3 {
            fail_once_with(&h, &again, &other).await;
        }
        let (_, _, mut json) = h.get_flow(&again).await;
        assert_eq!(json["locked_for_seconds"], 900, "{user_id}: {json}");
        // The methods differ between accounts as they do between real ones; the rest of
        // the answer has one shape.
        json.as_object_mut().unwrap().remove("methods");
        views.push(shape(&json));
        h.clock().advance(3600);
    }
    assert_eq!(views[0], views[1]);
}

#[tokio::test]
async fn extending_a_flow_keeps_what_was_proven_and_stops_at_an_hour() {
    let h = Harness::new(&POLICY.replace("[policy]\n", "[policy]\nflow_lifetime_seconds = 600\n"))
        .await;
    let secret = h.person("ines@contoso.example").await;
    let flow = h.start("ines@contoso.example").await;
    assert_eq!(flow.0["expires_in_seconds"], 600);
    assert_eq!(flow.0["can_extend"], true);
    h.totp_proven(&flow, &secret).await;
    h.clock().advance(500);
    let extended = |(status, _, json): (StatusCode, HeaderMap, Value)| {
        assert_eq!(status, StatusCode::OK, "{json}");
        json
    };
    // A full lifetime from now, the proven method kept.
    let json = extended(h.extend(&flow).await);
    assert_eq!(json["expires_in_seconds"], 600);
    assert_eq!(json["verified"].as_array().unwrap().len(), 1);
    // Again and again, never past an hour after the start.
    for _ in 0..6 {
        h.clock().advance(500);
        extended(h.extend(&flow).await);
    }
    let json = extended(h.extend(&flow).await);
    // 3500 s after the start: 100 s are left of the hour, and no more time can be had.
    assert_eq!(json["expires_in_seconds"], 100, "{json}");
    assert_eq!(json["can_extend"], false);
    h.clock().advance(100);
    let (status, _, json) = h.extend(&flow).await;
    assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
    assert_eq!(json["code"], "flow_not_found");
    // Without the flow's secret there is nothing to extend.
    let other = h.start("ines@contoso.example").await;
    let (status, _, _) = h
        .request(
            Request::post(format!("/api/v1/reset/flows/{}/extend", other.id()))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
        )
        .await;
    assert_eq!(status, StatusCode::NOT_FOUND);
}

// ---------------------------------------------------------------- TOTP (5.4)

#[tokio::test]
async fn totp_accepts_one_step_of_drift_and_never_a_used_step() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("tom@contoso.example").await;
    let now = h.clock().now();
    let flow = h.start("tom@contoso.example").await;
    // Two steps behind: refused.
    let (_, _, json) = h.app_code_at(&flow, &secret, now - 60).await;
    assert_eq!(json["code"], "code_incorrect");
    // One step behind: accepted.
    let (status, _, json) = h.app_code_at(&flow, &secret, now - 30).await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // The same step again, in a new flow: refused.
    let again = h.start("tom@contoso.example").await;
    let (_, _, json) = h.app_code_at(&again, &secret, now - 30).await;
    assert_eq!(json["code"], "code_incorrect");
    // The current step is newer: accepted; then it is used up too.
    let (status, _, _) = h.app_code_at(&again, &secret, now).await;
    assert_eq!(status, StatusCode::OK);
    let third = h.start("tom@contoso.example").await;
    let (_, _, json) = h.app_code_at(&third, &secret, now).await;
    assert_eq!(json["code"], "code_incorrect");
    // Sealed at rest: the raw secret is not in the database.
    assert!(
        !h.database_bytes()
            .windows(20)
            .any(|w| w == secret.as_bytes())
    );
}

// ---------------------------------------------------------------- questions (5.5)

#[tokio::test]
async fn security_answers_are_normalised_and_checked_all_together() {
    let h = Harness::new(POLICY).await;
    h.person("quinn@contoso.example").await;
    let flow = h.start("quinn@contoso.example").await;
    let (status, _, asked) = h.challenge(&flow, "security_questions").await;
    assert_eq!(status, StatusCode::OK);
    let asked: Vec<String> = serde_json::from_value(asked["questions"].clone()).unwrap();
    assert_eq!(asked.len(), 3);
    let answer = |q: &str, wrong: bool| {
        let a = match q {
            "birth_city" => "  LISBON ",
            "first_pet" => "biscuit!",
            _ => "riverside   primary",
        };
        json!({"question": q, "answer": if wrong && q == "first_pet" { "Rex" } else { a }})
    };
    let wrong: Vec<Value> = asked.iter().map(|q| answer(q, true)).collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": wrong}))
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(json["code"], "answers_incorrect");
    assert_eq!(json["attempts_left"], 4);
    let right: Vec<Value> = asked.iter().map(|q| answer(q, false)).collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": right}))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // Stored hashed: the answers are not in the database.
    assert!(
        !h.database_bytes()
            .windows(7)
            .any(|w| w == b"biscuit" || w == b"Biscuit")
    );
}

// ---------------------------------------------------------------- policy (3)

#[tokio::test]
async fn administrators_need_two_methods_and_never_get_questions() {
    let h = Harness::new(POLICY).await;
    h.user("boss@contoso.example", true, &["sspr-users"]).await;
    h.directory
        .add_email("boss@contoso.example", "bos@home.example")
        .await
        .unwrap();
    h.directory
        .set_answers(
            "boss@contoso.example",
            &[
                ("birth_city".into(), "a".into()),
                ("first_pet".into(), "b".into()),
                ("first_school".into(), "c".into()),
            ],
            3,
        )
        .await
        .unwrap();
    // E-mail and questions only: not enough for an administrator, so a decoy (no message).
    let flow = h.start("boss@contoso.example").await;
    assert_eq!(flow.0["methods_required"], 2);
    if flow.kinds().contains(&"email".to_owned()) {
        h.challenge(&flow, "email").await;
    }
    assert!(h.messages().await.is_empty());
    // With an authenticator app too, the real methods appear, without questions.
    h.directory
        .add_totp("boss@contoso.example", None)
        .await
        .unwrap();
    let flow = h.start("boss@contoso.example").await;
    // Listed in the order of kinds, as decoys are.
    assert_eq!(flow.kinds(), ["app_code", "email"]);
}

#[tokio::test]
async fn one_method_policies_let_people_in_with_a_single_proof() {
    let h = Harness::new(
        "[captcha]\nmax_number = 1000\n[policy]\nscope = \"all\"\nmethods_required = 1\nmethods = [\"email\", \"app_code\"]",
    )
    .await;
    h.person("una@contoso.example").await;
    let flow = h.email_proven("una@contoso.example").await;
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

// ---------------------------------------------------------------- password (5.6)

#[tokio::test]
async fn the_new_password_is_checked_then_set_and_the_old_one_stops_working() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("megan@contoso.example").await;
    let flow = h.email_proven("megan@contoso.example").await;
    // One method of two: not yet.
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("not_verified"))
    );
    h.totp_proven(&flow, &secret).await;
    for (password, problem) in [
        ("short", "too_short"),
        ("password1", "common"),
        ("megan@contoso.example!", "contains_personal_info"),
        ("lantern harbour seventeen", "same_as_current"),
    ] {
        let (status, _, json) = h.set_password(&flow, password).await;
        assert_eq!(status, StatusCode::UNPROCESSABLE_ENTITY, "{password}");
        assert_eq!(json["code"], "password_rejected");
        assert!(
            json["password_problems"]
                .as_array()
                .unwrap()
                .contains(&json!(problem)),
            "{password}: {json}"
        );
    }
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(
        json,
        json!({"notification_sent": true, "sessions_signed_out": true})
    );
    assert!(
        h.directory
            .check_password("megan@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
    assert!(
        !h.directory
            .check_password("megan@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
    // The flow is spent: the same password again is answered the same, another is refused.
    assert_eq!(
        h.set_password(&flow, "a brand new passphrase").await.0,
        StatusCode::OK
    );
    let (status, _, json) = h.set_password(&flow, "yet another passphrase").await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::CONFLICT, Some("flow_completed"))
    );
    let (_, _, json) = h.get_flow(&flow).await;
    assert_eq!(json["code"], "flow_completed");
    // The person was told.
    let messages = h.messages().await;
    let done: Vec<_> = messages
        .iter()
        .filter(|(_, s, _)| s.contains("password was reset"))
        .collect();
    assert_eq!(done.len(), 1, "{messages:?}");
    assert_eq!(done[0].0, "meg@home.example");
    // A recent password cannot come back either.
    let flow = h.email_proven("megan@contoso.example").await;
    h.clock().advance(30);
    h.totp_proven(&flow, &secret).await;
    let (_, _, json) = h.set_password(&flow, "lantern harbour seventeen").await;
    assert_eq!(json["password_problems"], json!(["same_as_current"]));
}

// ---------------------------------------------------------------- completion (5.10)

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_duplicate_submissions_change_the_password_once_and_notify_once() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("carla@contoso.example").await;
    let flow = h.email_proven("carla@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (a, b, c) = tokio::join!(
        h.set_password(&flow, "the same new passphrase"),
        h.set_password(&flow, "the same new passphrase"),
        h.set_password(&flow, "the same new passphrase"),
    );
    for (status, _, json) in [&a, &b, &c] {
        assert_eq!(*status, StatusCode::OK, "{json}");
    }
    let notices = h
        .messages()
        .await
        .into_iter()
        .filter(|(_, s, _)| s.contains("password was reset"))
        .count();
    assert_eq!(notices, 1);
    let events = h.services.store.recent_audit_events(100).await.unwrap();
    assert_eq!(events.iter().filter(|e| *e == "password_reset").count(), 1);
}

#[tokio::test]
async fn a_fault_inside_the_completing_transaction_leaves_the_old_password_and_sends_nothing() {
    for point in [
        FaultPoint::AfterPasswordWritten,
        FaultPoint::AfterSessionsRevoked,
        FaultPoint::AfterMessagesQueued,
    ] {
        let h = Harness::new(POLICY).await;
        let secret = h.person("fay@contoso.example").await;
        let flow = h.email_proven("fay@contoso.example").await;
        h.totp_proven(&flow, &secret).await;
        let before = h.messages().await.len();
        h.services.store.arm_fault(Some(point));
        let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
        assert_eq!(status, StatusCode::SERVICE_UNAVAILABLE, "{point:?}");
        assert_eq!(json["code"], "service_unavailable");
        assert!(
            h.directory
                .check_password("fay@contoso.example", "lantern harbour seventeen")
                .await
                .unwrap(),
            "{point:?}"
        );
        assert_eq!(
            h.messages().await.len(),
            before,
            "{point:?}: a notification escaped"
        );
        // Retrying once the fault is gone completes the reset.
        h.services.store.arm_fault(None);
        assert_eq!(
            h.set_password(&flow, "a brand new passphrase").await.0,
            StatusCode::OK
        );
        assert!(
            h.directory
                .check_password("fay@contoso.example", "a brand new passphrase")
                .await
                .unwrap()
        );
    }
}

#[tokio::test]
async fn a_relay_that_is_down_never_fails_a_reset_and_gets_each_message_once_later() {
    let h = Harness::new(POLICY).await;
    let relay = FakeSmtp::start(Mode::Down).await;
    let worker = h.worker(relay.port);
    let secret = h.person("nina@contoso.example").await;
    let flow = h.email_proven("nina@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert!(
        h.directory
            .check_password("nina@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
    let queued = h.messages().await.len();
    assert_eq!(queued, 2, "the code and the notification");

    // Down: every message is tried, none is lost, none is given up.
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(
        pass,
        Pass {
            sent: 0,
            retrying: queued,
            given_up: 0
        }
    );
    assert!(relay.connections() >= queued);
    assert!(relay.received().is_empty());
    // Not due again before the wait is over, even once the relay is back.
    relay.set_mode(Mode::Up);
    assert_eq!(worker.deliver_due().await.unwrap(), Pass::default());
    h.clock().advance(15);
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(pass.sent, queued);
    // Later passes send nothing again.
    h.clock().advance(3600);
    assert_eq!(worker.deliver_due().await.unwrap(), Pass::default());

    let received = relay.received();
    assert_eq!(received.len(), queued);
    let notices: Vec<_> = received
        .iter()
        .filter(|m| m.data.contains("password was reset"))
        .collect();
    assert_eq!(notices.len(), 1, "{received:?}");
    assert_eq!(notices[0].to, ["<nin@home.example>"]);
    assert!(
        notices[0].data.contains("Message-ID: <"),
        "{}",
        notices[0].data
    );
    assert!(
        notices[0].data.contains("Contoso IT")
            && notices[0].data.contains("<no-reply@contoso.example>"),
        "{}",
        notices[0].data
    );
}

#[tokio::test]
async fn a_message_the_relay_refuses_for_good_is_given_up_at_once() {
    let h = Harness::new(POLICY).await;
    let relay = FakeSmtp::start(Mode::RefuseRecipients).await;
    let worker = h.worker(relay.port);
    h.person("omar@contoso.example").await;
    let flow = h.start("omar@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let pass = worker.deliver_due().await.unwrap();
    assert_eq!(
        pass,
        Pass {
            sent: 0,
            retrying: 0,
            given_up: 1
        }
    );
    h.clock().advance(3600);
    assert_eq!(worker.deliver_due().await.unwrap(), Pass::default());
    assert_eq!(relay.connections(), 1);
}

#[tokio::test]
async fn an_administrator_reset_tells_the_other_administrators() {
    let h = Harness::new(POLICY).await;
    for (user_id, email) in [
        ("adm1@contoso.example", "one@admins.example"),
        ("adm2@contoso.example", "two@admins.example"),
    ] {
        h.services
            .store
            .create_user_if_missing(&NewUser {
                user_id,
                display_name: "Admin",
                email: Some(email),
                is_admin: true,
                groups: &["sspr-users"],
            })
            .await
            .unwrap();
        h.directory
            .add_email(user_id, &format!("{}@home.example", &user_id[..3]))
            .await
            .unwrap();
    }
    let secret = h
        .directory
        .add_totp("adm1@contoso.example", None)
        .await
        .unwrap();
    h.directory
        .add_totp("adm2@contoso.example", None)
        .await
        .unwrap();
    // An administrator known only by an e-mail method is told too.
    h.services
        .store
        .create_user_if_missing(&NewUser {
            user_id: "adm3@contoso.example",
            display_name: "Admin Three",
            email: None,
            is_admin: true,
            groups: &[],
        })
        .await
        .unwrap();
    h.directory
        .add_email("adm3@contoso.example", "three@admins.example")
        .await
        .unwrap();
    let flow = h.email_proven("adm1@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    assert_eq!(
        h.set_password(&flow, "a brand new passphrase").await.0,
        StatusCode::OK
    );
    let recipients: Vec<String> = h
        .messages()
        .await
        .into_iter()
        .skip(1)
        .map(|(to, _, _)| to)
        .collect();
    assert!(recipients.contains(&"one@admins.example".to_owned()));
    assert!(recipients.contains(&"adm@home.example".to_owned()));
    assert!(
        recipients.contains(&"two@admins.example".to_owned()),
        "{recipients:?}"
    );
    assert!(
        recipients.contains(&"three@admins.example".to_owned()),
        "{recipients:?}"
    );
}

#[tokio::test]
async fn completion_signs_every_session_out_bumps_the_credential_version_and_signs_nobody_in() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("lou@contoso.example").await;
    h.person("max@contoso.example").await;
    let db = rusqlite::Connection::open(h.dir.path().join("db.sqlite3")).unwrap();
    for (user, id) in [
        ("lou@contoso.example", 1u8),
        ("lou@contoso.example", 2),
        ("max@contoso.example", 3),
    ] {
        db.execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
             SELECT ?1, id, 0, 9999999999 FROM users WHERE user_id = ?2",
            rusqlite::params![vec![id; 32], user],
        )
        .unwrap();
    }
    let version = |user: &str| -> i64 {
        db.query_row(
            "SELECT credential_version FROM users WHERE user_id = ?1",
            [user],
            |row| row.get(0),
        )
        .unwrap()
    };
    let sessions = |user: &str| -> i64 {
        db.query_row(
            "SELECT count(*) FROM sessions s JOIN users u ON u.id = s.user_id WHERE u.user_id = ?1",
            [user],
            |row| row.get(0),
        )
        .unwrap()
    };
    let before = version("lou@contoso.example");
    let flow = h.email_proven("lou@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let (status, headers, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    assert_eq!(json["sessions_signed_out"], true);
    assert_eq!(json["notification_sent"], true);
    // The only cookie is the one that recognises this browser for later resets; it
    // signs nobody in (no session row, below).
    let cookies: Vec<_> = headers.get_all("set-cookie").iter().collect();
    assert_eq!(cookies.len(), 1, "{cookies:?}");
    assert!(
        cookies[0]
            .to_str()
            .unwrap()
            .starts_with("__Host-sspr-device="),
        "signed in by a reset: {cookies:?}"
    );
    assert_eq!(version("lou@contoso.example"), before + 1);
    assert_eq!(sessions("lou@contoso.example"), 0);
    assert_eq!(
        sessions("max@contoso.example"),
        1,
        "someone else signed out"
    );
}

#[tokio::test]
async fn a_completed_flow_answers_a_repeat_only_while_it_lasts_and_counts_wrong_guesses() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("gus@contoso.example").await;
    let flow = h.email_proven("gus@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    assert_eq!(
        h.set_password(&flow, "the chosen passphrase").await.0,
        StatusCode::OK
    );
    // The same password again: the same answer (a retry after a lost response).
    let (status, _, json) = h.set_password(&flow, "the chosen passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    // Guesses at the new password count like any failure, until the account locks.
    for _ in 0..9 {
        let (status, _, json) = h.set_password(&flow, "some other guess 1").await;
        assert_eq!(json["code"], "flow_completed", "{status}");
    }
    h.set_password(&flow, "some other guess 2").await;
    let (status, _, json) = h.set_password(&flow, "the chosen passphrase").await;
    assert_eq!(status, StatusCode::TOO_MANY_REQUESTS, "{json}");
    assert_eq!(json["code"], "account_locked");
    assert_eq!(json["retry_after_seconds"], 15 * 60);
    // Once the flow is over, it tells nothing at all.
    h.clock().advance(20 * 60);
    let (_, _, json) = h.set_password(&flow, "the chosen passphrase").await;
    assert_eq!(json["code"], "flow_not_found");
}

#[tokio::test]
async fn an_account_disabled_during_its_flow_cannot_complete_it() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("hal@contoso.example").await;
    let flow = h.email_proven("hal@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    h.services
        .store
        .set_enabled("hal@contoso.example", false, START)
        .await
        .unwrap();
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(json["code"], "flow_not_found", "{status}");
    assert!(
        h.directory
            .check_password("hal@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
    assert!(
        h.messages()
            .await
            .iter()
            .all(|(_, subject, _)| !subject.contains("password was reset"))
    );
}

#[tokio::test]
async fn a_flow_expires_twenty_minutes_after_it_started() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("ivy@contoso.example").await;
    let flow = h.email_proven("ivy@contoso.example").await;
    h.clock().advance(20 * 60 - 1);
    h.totp_proven(&flow, &secret).await;
    h.clock().advance(1);
    for (status, _, json) in [
        h.set_password(&flow, "a brand new passphrase").await,
        h.get_flow(&flow).await,
    ] {
        assert_eq!(status, StatusCode::NOT_FOUND, "{json}");
        assert_eq!(json["code"], "flow_not_found");
    }
}

#[tokio::test]
async fn two_addresses_of_one_kind_never_count_as_two_methods() {
    let h = Harness::new(POLICY).await;
    h.user("jo@contoso.example", false, &["sspr-users"]).await;
    for address in ["jo@home.example", "jo@work.example"] {
        h.directory
            .add_email("jo@contoso.example", address)
            .await
            .unwrap();
    }
    // Two methods required, one kind registered: a decoy, which sends nothing anywhere.
    let flow = h.start("jo@contoso.example").await;
    if flow.kinds().contains(&"email".to_owned()) {
        assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    }
    assert!(h.messages().await.is_empty());
    // With an app too, e-mail is offered once (the first address).
    h.directory
        .add_totp("jo@contoso.example", None)
        .await
        .unwrap();
    let flow = h.start("jo@contoso.example").await;
    assert_eq!(flow.kinds(), ["app_code", "email"]);
}

// ---------------------------------------------------------------- audit (5.11)

#[tokio::test]
async fn security_events_are_audited_without_secrets() {
    let h = Harness::new(&format!("{POLICY}\n[policy.lockout]\nsends_per_hour = 1\n")).await;
    let secret = h.person("pat@contoso.example").await;
    let flow = h.start("pat@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("pat@home.example").await;
    h.code(&flow, "00000000").await;
    assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
    h.totp_proven(&flow, &secret).await;
    h.set_password(&flow, "a secret new passphrase").await;
    // A second flow hits the hourly send limit.
    let again = h.start("pat@contoso.example").await;
    assert_eq!(
        h.challenge(&again, "email").await.0,
        StatusCode::TOO_MANY_REQUESTS
    );
    h.start("nobody@contoso.example").await;

    let db = rusqlite::Connection::open(h.dir.path().join("db.sqlite3")).unwrap();
    let mut stmt = db
        .prepare(
            "SELECT event, coalesce(subject, ''), coalesce(detail, '') FROM audit_log ORDER BY id",
        )
        .unwrap();
    let rows: Vec<(String, String, String)> = stmt
        .query_map([], |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    let events: Vec<&str> = rows.iter().map(|(event, _, _)| event.as_str()).collect();
    for expected in [
        "reset_flow_started",
        "reset_proof_failed",
        "reset_method_verified",
        "password_reset",
        "reset_send_limit_reached",
    ] {
        assert!(
            events.contains(&expected),
            "{expected} missing from {events:?}"
        );
    }
    assert!(rows.contains(&(
        "reset_flow_started".to_owned(),
        sspr_server::reset::decoy::subject(&h.services.keys.decoy, "nobody@contoso.example"),
        "decoy".to_owned()
    )));
    let all = format!("{rows:?}");
    for secret_text in [
        code.as_str(),
        "00000000",
        "a secret new passphrase",
        "Biscuit",
        "lantern",
    ] {
        assert!(!all.contains(secret_text), "{secret_text} in the audit log");
    }
}

// ---------------------------------------------------------------- dev outbox (demo)

/// A GET from a loopback peer (the dev outbox answers no one else).
fn from_loopback(path: &str) -> Request<Body> {
    let mut request = Request::get(path).body(Body::empty()).unwrap();
    let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 40000));
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    request
}

async fn get_text(h: &Harness, path: &str) -> (StatusCode, String) {
    let response = h.app.clone().oneshot(from_loopback(path)).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8(bytes.to_vec()).unwrap())
}

#[tokio::test]
async fn in_demo_mode_the_dev_outbox_shows_every_message_with_its_code_escaped() {
    let config = format!("{POLICY}\n[organisation]\nname = \"Contoso <b>IT</b>\"\n");
    let h = Harness::with(&config, true).await;
    h.person("nat@contoso.example").await;
    let flow = h.start("nat@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("nat@home.example").await;

    let (status, _, json) = h.request(from_loopback("/api/v1/dev/outbox")).await;
    assert_eq!(status, StatusCode::OK);
    let messages = json.as_array().unwrap();
    assert_eq!(messages.len(), 1, "{json}");
    assert_eq!(messages[0]["to"], "nat@home.example");
    assert_eq!(messages[0]["status"], "pending");
    assert!(messages[0]["body"].as_str().unwrap().contains(&code));

    let (status, page) = get_text(&h, "/dev/outbox").await;
    assert_eq!(status, StatusCode::OK);
    assert!(page.contains(&code), "{page}");
    assert!(page.contains("Contoso &lt;b&gt;IT&lt;/b&gt;"), "{page}");
    assert!(!page.contains("<b>IT</b>"), "unescaped markup: {page}");
}

#[tokio::test]
async fn outside_demo_mode_there_is_no_dev_outbox() {
    let h = Harness::new(POLICY).await;
    let (status, _, json) = h.request(from_loopback("/api/v1/dev/outbox")).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(json["code"], "not_found");
    let (_, page) = get_text(&h, "/dev/outbox").await;
    assert!(!page.contains("Dev outbox"));
}

// ---------------------------------------------------------------- CSRF (5.8)

#[tokio::test]
async fn state_changing_reset_requests_need_json_from_the_same_origin() {
    let h = Harness::new(POLICY).await;
    let captcha = h.captcha().await;
    let body = json!({"user_id": "x@contoso.example", "captcha": captcha}).to_string();
    let (status, _, json) = h
        .request(
            Request::post("/api/v1/reset/flows")
                .header("content-type", "application/json")
                .header("origin", "https://evil.example")
                .header("host", "sspr.contoso.example")
                .body(Body::from(body.clone()))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::FORBIDDEN, Some("forbidden_origin"))
    );
    let (status, _, json) = h
        .request(
            Request::post("/api/v1/reset/flows")
                .header("content-type", "text/plain")
                .body(Body::from(body))
                .unwrap(),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            Some("unsupported_media_type")
        )
    );
    // Malformed JSON is a problem document too, and the CAPTCHA is required.
    let (status, _, json) = h.post("/api/v1/reset/flows", json!({"user_id": "x"})).await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("invalid_request"))
    );
    let mut captcha = h.captcha().await;
    captcha.number += 1;
    let (status, _, json) = h
        .post(
            "/api/v1/reset/flows",
            json!({"user_id": "x@contoso.example", "captcha": captcha}),
        )
        .await;
    assert_eq!(
        (status, json["code"].as_str()),
        (StatusCode::BAD_REQUEST, Some("captcha_invalid"))
    );
}

// ------------------------------------------- security review (docs/SECURITY.md, findings)

/// Finding 2: setting the password runs the same checks in the same order for real and
/// decoy flows. Before the fix, an expired real flow answered 404 and a decoy 403.
#[tokio::test]
async fn setting_the_password_answers_alike_for_real_and_decoy_flows_alive_or_expired() {
    let h = Harness::new(POLICY).await;
    h.person("uma@contoso.example").await;
    let real = h.start("uma@contoso.example").await;
    let decoy = h.start("nobody.at.all@contoso.example").await;
    let mut answers = Vec::new();
    for flow in [&real, &decoy] {
        let (status, headers, json) = h.set_password(flow, "a perfectly fine passphrase").await;
        answers.push((status, header_set(&headers), json));
    }
    assert_eq!(answers[0].0, StatusCode::FORBIDDEN, "{:?}", answers[0]);
    assert_eq!(answers[0], answers[1]);
    h.clock().advance(20 * 60);
    let mut expired = Vec::new();
    for flow in [&real, &decoy] {
        let (status, headers, json) = h.set_password(flow, "a perfectly fine passphrase").await;
        expired.push((status, header_set(&headers), json));
    }
    assert_eq!(expired[0].0, StatusCode::NOT_FOUND, "{:?}", expired[0]);
    assert_eq!(expired[0], expired[1]);
}

/// Finding 2: a huge body is refused before any flow lookup or normalisation.
#[tokio::test]
async fn a_huge_request_body_is_refused_before_the_flow_is_looked_up() {
    let h = Harness::new(POLICY).await;
    let decoy = h.start("nobody.at.all@contoso.example").await;
    let huge = "x".repeat(sspr_server::http::MAX_BODY_BYTES + 1);
    let (status, _, json) = h.set_password(&decoy, &huge).await;
    assert_eq!(status, StatusCode::BAD_REQUEST, "{json}");
    assert_eq!(json["code"], "invalid_request");
    // Not the flow's answer (403 not_verified): the flow was never reached.
    let (status, _, _) = h
        .post(
            "/api/v1/reset/flows",
            json!({"user_id": huge, "captcha": h.captcha().await}),
        )
        .await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
}

/// Finding 7: a method is read only through its owner. Method ids can be reused once
/// methods are deleted; a live flow must never reach another person's method. Before the
/// fix the code went to the other person's address.
#[tokio::test]
async fn a_flow_never_uses_a_method_row_that_now_belongs_to_someone_else() {
    let h = Harness::new(POLICY).await;
    h.person("vic@contoso.example").await;
    h.person("wes@contoso.example").await;
    let flow = h.start("vic@contoso.example").await;
    // Vic's e-mail method is deleted and its id reused for an address of Wes's.
    let db = rusqlite::Connection::open(h.dir.path().join("db.sqlite3")).unwrap();
    let (id, wes): (i64, i64) = db
        .query_row(
            "SELECT m.id, (SELECT id FROM users WHERE user_id = 'wes@contoso.example')
             FROM methods m JOIN users u ON u.id = m.user_id
             WHERE u.user_id = 'vic@contoso.example' AND m.kind = 'email'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    db.execute("DELETE FROM methods WHERE id = ?1", [id])
        .unwrap();
    db.execute(
        "INSERT INTO methods (id, user_id, kind, contact, created_at)
         VALUES (?1, ?2, 'email', 'wes.private@home.example', 0)",
        rusqlite::params![id, wes],
    )
    .unwrap();
    let (status, _, json) = h.challenge(&flow, "email").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let messages = h.messages().await;
    assert!(
        messages
            .iter()
            .all(|(to, _, _)| to != "wes.private@home.example"),
        "{messages:?}"
    );
    assert!(messages.is_empty(), "{messages:?}");
}

/// Finding 4: a flow id alone (from a log, a proxy, another client) cannot act on the
/// flow: without the secret the start answer gave, the flow does not exist. Before the
/// fix the id was the only credential.
#[tokio::test]
async fn a_flow_id_without_its_secret_cannot_read_verify_or_set_the_password() {
    let h = Harness::new(POLICY).await;
    let secret = h.person("xan@contoso.example").await;
    let flow = h.email_proven("xan@contoso.example").await;
    h.totp_proven(&flow, &secret).await;
    let wrong = "0".repeat(32);
    for header in [None, Some(wrong.as_str())] {
        let with = |request: axum::http::request::Builder| match header {
            Some(value) => request.header(FLOW_SECRET_HEADER, value),
            None => request,
        };
        let path = format!("/api/v1/reset/flows/{}", flow.id());
        for request in [
            with(Request::get(&path)).body(Body::empty()).unwrap(),
            with(Request::post(format!("{path}/password")))
                .header("content-type", "application/json")
                .body(Body::from(
                    json!({"password": "stolen flow passphrase"}).to_string(),
                ))
                .unwrap(),
            with(Request::post(format!("{path}/methods/m1/challenge")))
                .header("content-type", "application/json")
                .body(Body::from("{}"))
                .unwrap(),
            with(Request::post(format!("{path}/methods/m1/verify")))
                .header("content-type", "application/json")
                .body(Body::from(json!({"code": "123456"}).to_string()))
                .unwrap(),
        ] {
            let (status, _, json) = h.request(request).await;
            assert_eq!(status, StatusCode::NOT_FOUND, "{header:?}: {json}");
            assert_eq!(json["code"], "flow_not_found");
        }
    }
    assert!(
        h.directory
            .check_password("xan@contoso.example", "lantern harbour seventeen")
            .await
            .unwrap()
    );
    // The browser that started it still can.
    let (status, _, json) = h.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
}

/// A writer that keeps what the log subscriber writes.
#[derive(Clone, Default)]
struct CapturedLog(Arc<std::sync::Mutex<Vec<u8>>>);

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Finding 4: the logs of a whole reset, at the most detailed level, hold no flow id,
/// flow secret, code or password. Before the fix every request line carried the flow id.
#[tokio::test]
async fn the_logs_of_a_whole_reset_hold_no_flow_id_secret_code_or_password() {
    let log = CapturedLog::default();
    let writer = log.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_ansi(false)
        .with_writer(move || writer.clone())
        .finish();
    let _guard = tracing::subscriber::set_default(subscriber);

    let h = Harness::new(POLICY).await;
    let secret = h.person("yan@contoso.example").await;
    let flow = h.start("yan@contoso.example").await;
    assert_eq!(h.challenge(&flow, "email").await.0, StatusCode::OK);
    let code = h.last_code("yan@home.example").await;
    assert_eq!(h.code(&flow, &code).await.0, StatusCode::OK);
    let app_code = totp::code_at(&secret, h.clock().now());
    h.totp_proven(&flow, &secret).await;
    // A request from another origin is logged as a warning.
    h.request(
        Request::post(format!("/api/v1/reset/flows/{}/password", flow.id()))
            .header("content-type", "application/json")
            .header("origin", "https://evil.example")
            .header("host", "sspr.contoso.example")
            .body(Body::from("{}"))
            .unwrap(),
    )
    .await;
    let password = "a brand new passphrase";
    assert_eq!(h.set_password(&flow, password).await.0, StatusCode::OK);

    let text = String::from_utf8(log.0.lock().unwrap().clone()).unwrap();
    assert!(
        text.contains("/api/v1/reset/flows/{id}/password") && text.contains("cross-origin"),
        "the requests were not logged at all:\n{text}"
    );
    for secret in [flow.id(), flow.secret(), &code, &app_code, password] {
        assert!(!text.contains(secret), "{secret:?} in the log:\n{text}");
    }
}

/// Starts a flow from `peer`, sending `cookie` when given.
async fn start_from(
    h: &Harness,
    user_id: &str,
    peer: std::net::SocketAddr,
    cookie: Option<&str>,
) -> Flow {
    let captcha = h.captcha().await;
    let mut request =
        Request::post("/api/v1/reset/flows").header("content-type", "application/json");
    if let Some(cookie) = cookie {
        request = request.header("cookie", format!("theme=dark; {cookie}"));
    }
    let mut request = request
        .body(Body::from(
            json!({"user_id": user_id, "captcha": captcha}).to_string(),
        ))
        .unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    let (status, _, json) = h.request(request).await;
    assert_eq!(status, StatusCode::CREATED, "{json}");
    Flow(json)
}

/// Finding 3: limits cannot be turned into a weapon. Attackers spread over 50 client
/// addresses, guessing app codes all day, get at most 100 guesses against the account;
/// meanwhile the owner's browser, recognised from an earlier reset, resets at once; and
/// the owner is told once. Before the fix the account locked for good at 100 failures
/// (only an administrator could lift it), the owner was locked out with it, and was never
/// told.
#[tokio::test]
async fn attackers_cannot_keep_the_owner_from_resetting_and_get_at_most_100_guesses_a_day() {
    let h = Harness::new(&format!(
        "{POLICY}\n[server]\nrequests_per_ip_per_minute = 100000\n"
    ))
    .await;
    let user = "zoe@contoso.example";
    let secret = h.person(user).await;
    // The owner reset once before, on her own browser, which now holds the cookie.
    let flow = h.email_proven(user).await;
    h.totp_proven(&flow, &secret).await;
    let (status, headers, json) = h.set_password(&flow, "a first new passphrase").await;
    assert_eq!(status, StatusCode::OK, "{json}");
    let set_cookie = headers["set-cookie"].to_str().unwrap();
    for part in [
        "__Host-sspr-device=",
        "Secure",
        "HttpOnly",
        "SameSite=Strict",
    ] {
        assert!(set_cookie.contains(part), "{set_cookie}");
    }
    let cookie = set_cookie.split(';').next().unwrap().to_owned();
    h.clock().advance(60);

    let began = h.clock().now();
    let mut guesses = 0;
    let mut flow: Option<Flow> = None;
    let mut owner_reset = false;
    for n in 0..20_000u32 {
        if h.clock().now() >= began + 86_400 {
            break;
        }
        let peer = std::net::SocketAddr::from(([198, 51, 100, (n % 50) as u8 + 1], 40_000));
        if flow.is_none() {
            flow = Some(start_from(&h, user, peer, None).await);
        }
        let now = h.clock().now();
        let right: Vec<String> = [now - 30, now, now + 30]
            .iter()
            .map(|t| totp::code_at(&secret, *t))
            .collect();
        let wrong = ["000000", "111111", "222222"]
            .into_iter()
            .find(|code| !right.iter().any(|r| r == code))
            .unwrap();
        let attempt = flow.as_ref().unwrap();
        let mut request = Request::post(format!(
            "/api/v1/reset/flows/{}/methods/{}/verify",
            attempt.id(),
            attempt.method("app_code")
        ))
        .header("content-type", "application/json")
        .header(FLOW_SECRET_HEADER, attempt.secret())
        .body(Body::from(json!({"code": wrong}).to_string()))
        .unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
        let (_, _, json) = h.request(request).await;
        match json["code"].as_str().unwrap() {
            "code_incorrect" => guesses += 1,
            "account_locked" | "method_locked" => {
                let wait = json["retry_after_seconds"]
                    .as_u64()
                    .expect("every pause says when it ends");
                assert!(wait <= 86_400, "{json}");
                h.clock().advance(wait);
            }
            "flow_not_found" => flow = None,
            other => panic!("unexpected answer {other}: {json}"),
        }
        // Six hours in, with the attack under way, the owner resets on her own browser.
        if !owner_reset && h.clock().now() >= began + 6 * 3600 {
            let mine = start_from(&h, user, "192.0.2.9:5000".parse().unwrap(), Some(&cookie)).await;
            let (status, _, json) = h.challenge(&mine, "email").await;
            assert_eq!(status, StatusCode::OK, "the owner's code: {json}");
            let code = h.last_code("zoe@home.example").await;
            let (status, _, json) = h.code(&mine, &code).await;
            assert_eq!(status, StatusCode::OK, "{json}");
            h.totp_proven(&mine, &secret).await;
            let (status, _, json) = h.set_password(&mine, "the owner's own passphrase").await;
            assert_eq!(status, StatusCode::OK, "{json}");
            owner_reset = true;
        }
    }
    assert!(h.clock().now() >= began + 86_400, "the day did not pass");
    assert!(owner_reset);
    assert!(guesses <= 100, "{guesses} guesses in a day");
    assert!(guesses >= 20, "the test hardly attacked: {guesses}");
    assert!(
        h.directory
            .check_password(user, "the owner's own passphrase")
            .await
            .unwrap()
    );
    let notices: Vec<_> = h
        .messages()
        .await
        .into_iter()
        .filter(|(_, subject, _)| subject.contains("trying to reset"))
        .collect();
    assert_eq!(notices.len(), 1, "{notices:?}");
    assert_eq!(notices[0].0, "zoe@home.example");
}

/// Finding 1: a real e-mail hint is one that decoys show too. Before the fix a real hint
/// kept the address's first letter and its domain's case (`C•••@Family.Example`), which
/// no decoy could show, and decoys drew only from six webmail domains.
#[tokio::test]
async fn a_real_email_hint_is_one_decoys_show_too() {
    let h = Harness::new(&format!(
        "{POLICY}\n[server]\nrequests_per_ip_per_minute = 100000\n"
    ))
    .await;
    for (user, address) in [
        ("ann@contoso.example", "ann@home.example"),
        ("ben@contoso.example", "ben@home.example"),
        ("cara@contoso.example", "Cara.X@Family.Example"),
    ] {
        h.user(user, false, &["sspr-users"]).await;
        h.directory.add_email(user, address).await.unwrap();
        h.directory.add_totp(user, None).await.unwrap();
    }
    let real = h.start("cara@contoso.example").await;
    let hint = |flow: &Flow| {
        flow.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .find(|m| m["kind"] == "email")
            .map(|m| m["hint"].as_str().unwrap().to_owned())
    };
    let real_hint = hint(&real).unwrap();
    assert_eq!(real_hint, "•••@family.example");
    let mut decoy_hints = std::collections::BTreeMap::new();
    for i in 0..60 {
        if let Some(hint) = hint(&h.start(&format!("person{i}@contoso.example")).await) {
            *decoy_hints.entry(hint).or_insert(0) += 1;
        }
    }
    assert!(decoy_hints.contains_key(&real_hint), "{decoy_hints:?}");
    // Drawn from the registered domains only.
    assert!(
        decoy_hints
            .keys()
            .all(|h| h == "•••@family.example" || h == "•••@home.example"),
        "{decoy_hints:?}"
    );
}

/// Finding 1: the questions asked never tell a real account from a decoy. A decoy asks
/// from as many questions as the policy has people register; before the fix a person with
/// more answers registered (under an earlier policy) was asked from all of them. And
/// registering takes exactly the policy's number.
#[tokio::test]
async fn a_real_account_is_asked_from_as_many_questions_as_a_decoy() {
    let h = Harness::new(&format!(
        "{POLICY}\n[server]\nrequests_per_ip_per_minute = 100000\n"
    ))
    .await;
    h.person("dana@contoso.example").await;
    let five: Vec<(String, String)> = [
        "birth_city",
        "first_pet",
        "first_school",
        "first_car",
        "childhood_street",
    ]
    .iter()
    .map(|q| ((*q).to_owned(), "an answer".to_owned()))
    .collect();
    // The policy asks for three: four or two are refused, five registered under a policy
    // that asked for five (as before a change of policy) are kept.
    for wrong in [&five[..4], &five[..2]] {
        let err = h
            .directory
            .set_answers("dana@contoso.example", wrong, 3)
            .await
            .unwrap_err();
        assert!(
            err.to_string().contains("security_questions.register"),
            "{err}"
        );
    }
    h.directory
        .set_answers("dana@contoso.example", &five, 5)
        .await
        .unwrap();
    let mut asked = std::collections::BTreeSet::new();
    for _ in 0..25 {
        let flow = h.start("dana@contoso.example").await;
        let (status, _, json) = h.challenge(&flow, "security_questions").await;
        assert_eq!(status, StatusCode::OK, "{json}");
        for q in json["questions"].as_array().unwrap() {
            asked.insert(q.as_str().unwrap().to_owned());
        }
    }
    assert_eq!(asked.len(), 3, "{asked:?}");
}

/// Finding 8: security answers are stored as a slow keyed hash (argon2id with a pepper
/// from the server's key), not a bare HMAC that a leaked database and key would give up
/// to a dictionary at once. Finding 10: answers are compared in Unicode NFC. Before the
/// fix the stored value was an HMAC, and "Cafe" + combining accent did not match "Café".
#[tokio::test]
async fn security_answers_are_slow_keyed_hashes_compared_in_nfc() {
    let h = Harness::new(POLICY).await;
    h.person("eli@contoso.example").await;
    let answers: Vec<(String, String)> = [
        ("birth_city", "Café"),
        ("first_pet", "Biscuit"),
        ("first_school", "Riverside"),
    ]
    .iter()
    .map(|(q, a)| ((*q).to_owned(), (*a).to_owned()))
    .collect();
    h.directory
        .set_answers("eli@contoso.example", &answers, 3)
        .await
        .unwrap();
    let db = rusqlite::Connection::open(h.dir.path().join("db.sqlite3")).unwrap();
    let (user, stored): (i64, Vec<u8>) = db
        .query_row(
            "SELECT u.id, a.answer_hash FROM security_answers a JOIN users u ON u.id = a.user_id
             WHERE u.user_id = 'eli@contoso.example' AND a.question = 'first_pet'",
            [],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .unwrap();
    let expected = sspr_server::crypto::passwords::answer_hash(
        &h.services.keys.answers,
        user,
        "first_pet",
        "biscuit",
    )
    .unwrap();
    assert_eq!(stored, expected.to_vec());
    let bare = h.services.keys.answers.mac(b"biscuit");
    assert_ne!(stored, bare.to_vec());

    let flow = h.start("eli@contoso.example").await;
    let (_, _, asked) = h.challenge(&flow, "security_questions").await;
    let given: Vec<Value> = asked["questions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|q| {
            let answer = match q.as_str().unwrap() {
                "birth_city" => "CAFE\u{301}",
                "first_pet" => "biscuit",
                _ => "riverside",
            };
            json!({"question": q, "answer": answer})
        })
        .collect();
    let (status, _, json) = h
        .verify(&flow, "security_questions", json!({"answers": given}))
        .await;
    assert_eq!(status, StatusCode::OK, "{json}");
}
