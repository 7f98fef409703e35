//! What the in-process tests share: the server's services over a fresh SQLite database
//! with a manual clock and ephemeral keys, the router over them, and requests as the app
//! sends them.

use axum::Router;
use axum::body::Body;
use axum::http::{HeaderMap, Request, Response, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution};
use sspr_api::reset::FLOW_SECRET_HEADER;
use sspr_server::clock::Clock;
use sspr_server::config::{Config, SmtpConfig, SmtpSecurity};
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::crypto::sealed;
use sspr_server::crypto::totp::{self, TotpSecret};
use sspr_server::delivery::{Mailer, OutboxWorker};
use sspr_server::directory::Directory;
use sspr_server::http::{Services, router};
use sspr_server::store::{AdminStore, DatabaseLocation, NewUser, SqliteStore, Store, UpkeepStore};
use std::sync::Arc;
use tower::ServiceExt;

/// The manual clock's start (unix seconds).
pub(crate) const START: u64 = 1_800_000_000;

/// The server's services over a SQLite database in `dir`, at [`START`] on a manual clock
/// (for tests of the HTTP layer, whatever the store).
pub(crate) fn services(dir: &tempfile::TempDir) -> Services {
    Services::new(
        SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap(),
        Arc::new(ServerKeys::ephemeral()),
        Clock::manual(START),
    )
    .unwrap()
}

/// Which store the in-process tests run on: `SSPR_TEST_STORE=postgres` runs them on
/// PostgreSQL (`./sspr.sh test` runs the suite on each), else SQLite.
pub(crate) fn suite_on_postgres() -> bool {
    std::env::var("SSPR_TEST_STORE").is_ok_and(|store| store.eq_ignore_ascii_case("postgres"))
}

/// The store the suite runs on (`SSPR_TEST_STORE`, see [`crate::postgres`]): a SQLite
/// file in `dir`, or a fresh database on the process's PostgreSQL, with its URL.
pub(crate) async fn suite_store(dir: &tempfile::TempDir) -> (Store, Option<String>) {
    if suite_on_postgres() {
        let url = crate::postgres::cluster().fresh_database();
        let store = Store::open(&DatabaseLocation::Postgres(url.clone()))
            .await
            .unwrap();
        (store, Some(url))
    } else {
        let path = dir.path().join("db.sqlite3");
        (SqliteStore::open(&path).unwrap().into(), None)
    }
}

pub(crate) struct Harness {
    pub(crate) dir: tempfile::TempDir,
    /// The PostgreSQL database's URL when the suite runs there.
    pub(crate) database_url: Option<String>,
    pub(crate) app: Router,
    pub(crate) services: Services,
    pub(crate) directory: Directory,
}

impl Harness {
    pub(crate) async fn new(config_toml: &str) -> Harness {
        Harness::with(config_toml, false).await
    }

    /// `demo`: the server runs in demo mode (dev outbox served).
    pub(crate) async fn with(config_toml: &str, demo: bool) -> Harness {
        let dir = tempfile::tempdir().unwrap();
        let config = Config::parse(config_toml).unwrap();
        let (store, database_url) = suite_store(&dir).await;
        let mut services = Services::new(
            store,
            Arc::new(ServerKeys::ephemeral()),
            Clock::manual(START),
        )
        .unwrap();
        services.demo = demo;
        // `[phone] provider = "demo"`: texts and calls land on the simulator, which the
        // tests read and press # on (demo mode or not).
        let phone =
            sspr_server::phone::setup::provider(&config, true, services.clock.clone()).unwrap();
        services.phone = phone.telephony;
        services.demo_phone = phone.demo;
        services.people = sspr_server::people::People::new(&config.directory).unwrap();
        let directory = services.directory();
        Harness {
            app: router(&config, services.clone()),
            dir,
            database_url,
            services,
            directory,
        }
    }

    pub(crate) fn clock(&self) -> &Clock {
        &self.services.clock
    }

    pub(crate) async fn user(&self, user_id: &str, is_admin: bool, groups: &[&str]) {
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

    /// A person of the LDAP directory (`[directory]`) with an e-mail address and an
    /// authenticator app registered here: their row comes from the directory, as at their
    /// first reset or sign-in.
    pub(crate) async fn directory_person(&self, user_id: &str) -> TotpSecret {
        let person = self
            .services
            .people
            .refresh(&self.services.store, user_id, self.clock().now())
            .await
            .unwrap();
        assert!(person.is_some(), "{user_id} is not in the directory");
        self.directory
            .add_email(user_id, &format!("{}@home.example", &user_id[..3]))
            .await
            .unwrap();
        self.directory.add_totp(user_id, None).await.unwrap()
    }

    /// A person in scope with an e-mail address, an authenticator app and three answers.
    pub(crate) async fn person(&self, user_id: &str) -> TotpSecret {
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

    pub(crate) async fn request(&self, request: Request<Body>) -> (StatusCode, HeaderMap, Value) {
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

    pub(crate) async fn post(&self, path: &str, body: Value) -> (StatusCode, HeaderMap, Value) {
        self.request(
            Request::post(path)
                .header("content-type", "application/json")
                .body(Body::from(body.to_string()))
                .unwrap(),
        )
        .await
    }

    /// A POST about `flow`, with its secret, as the app sends it.
    pub(crate) async fn flow_post(
        &self,
        flow: &Flow,
        path: &str,
        body: Value,
    ) -> (StatusCode, HeaderMap, Value) {
        self.flow_post_request(flow, path, body, None).await
    }

    /// As [`Harness::flow_post`], saying the person's language (`Accept-Language`), as
    /// the app does.
    pub(crate) async fn flow_post_in(
        &self,
        flow: &Flow,
        path: &str,
        body: Value,
        language: &str,
    ) -> (StatusCode, HeaderMap, Value) {
        self.flow_post_request(flow, path, body, Some(language))
            .await
    }

    async fn flow_post_request(
        &self,
        flow: &Flow,
        path: &str,
        body: Value,
        language: Option<&str>,
    ) -> (StatusCode, HeaderMap, Value) {
        let mut request = Request::post(path)
            .header("content-type", "application/json")
            .header(FLOW_SECRET_HEADER, flow.secret());
        if let Some(language) = language {
            request = request.header("accept-language", language);
        }
        self.request(request.body(Body::from(body.to_string())).unwrap())
            .await
    }

    /// More time for the flow.
    pub(crate) async fn extend(&self, flow: &Flow) -> (StatusCode, HeaderMap, Value) {
        let path = format!("/api/v1/reset/flows/{}/extend", flow.id());
        self.flow_post(flow, &path, json!({})).await
    }

    /// `GET` the flow, with its secret.
    pub(crate) async fn get_flow(&self, flow: &Flow) -> (StatusCode, HeaderMap, Value) {
        self.request(
            Request::get(format!("/api/v1/reset/flows/{}", flow.id()))
                .header(FLOW_SECRET_HEADER, flow.secret())
                .body(Body::empty())
                .unwrap(),
        )
        .await
    }

    pub(crate) async fn captcha(&self) -> CaptchaSolution {
        let (status, _, json) = self
            .request(Request::get("/api/v1/captcha").body(Body::empty()).unwrap())
            .await;
        assert_eq!(status, StatusCode::OK);
        let challenge: CaptchaChallenge = serde_json::from_value(json).unwrap();
        let number = sspr_server::captcha::solve(&challenge).unwrap();
        CaptchaSolution::new(&challenge, number)
    }

    pub(crate) async fn start_raw(&self, user_id: &str) -> (StatusCode, HeaderMap, Value) {
        let captcha = self.captcha().await;
        self.post(
            "/api/v1/reset/flows",
            json!({"user_id": user_id, "captcha": captcha}),
        )
        .await
    }

    pub(crate) async fn start(&self, user_id: &str) -> Flow {
        let (status, _, json) = self.start_raw(user_id).await;
        assert_eq!(status, StatusCode::CREATED, "{json}");
        Flow(json)
    }

    pub(crate) async fn challenge(
        &self,
        flow: &Flow,
        kind: &str,
    ) -> (StatusCode, HeaderMap, Value) {
        self.challenge_with(flow, kind, json!({})).await
    }

    /// A challenge with a body (a mobile phone's `{"channel": ...}`).
    pub(crate) async fn challenge_with(
        &self,
        flow: &Flow,
        kind: &str,
        body: Value,
    ) -> (StatusCode, HeaderMap, Value) {
        self.flow_post(flow, &flow.challenge_path(kind), body).await
    }

    pub(crate) async fn verify(
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

    pub(crate) async fn code(&self, flow: &Flow, code: &str) -> (StatusCode, HeaderMap, Value) {
        self.verify(flow, "email", json!({"code": code})).await
    }

    pub(crate) async fn set_password(
        &self,
        flow: &Flow,
        password: &str,
    ) -> (StatusCode, HeaderMap, Value) {
        self.flow_post(
            flow,
            &format!("/api/v1/reset/flows/{}/password", flow.id()),
            json!({"password": password}),
        )
        .await
    }

    /// Every queued message as (to, subject, body), oldest first.
    pub(crate) async fn messages(&self) -> Vec<(String, String, String)> {
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
    pub(crate) async fn last_code(&self, to: &str) -> String {
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

    /// Runs `sql` (no parameters) straight on the suite's database, as someone with a SQL
    /// shell would; each row's values as text (NULL as "", blobs as lowercase hex).
    pub(crate) fn sql(&self, sql: &str) -> Vec<Vec<String>> {
        if let Some(url) = &self.database_url {
            return crate::postgres::cluster().psql(url, sql);
        }
        let db = rusqlite::Connection::open(self.dir.path().join("db.sqlite3")).unwrap();
        let mut stmt = db.prepare(sql).unwrap();
        let columns = stmt.column_count();
        let mut rows = stmt.query([]).unwrap();
        let mut out = Vec::new();
        while let Some(row) = rows.next().unwrap() {
            let values = (0..columns)
                .map(|i| match row.get_ref(i).unwrap() {
                    rusqlite::types::ValueRef::Null => String::new(),
                    rusqlite::types::ValueRef::Integer(n) => n.to_string(),
                    rusqlite::types::ValueRef::Real(x) => x.to_string(),
                    rusqlite::types::ValueRef::Text(t) => String::from_utf8_lossy(t).into_owned(),
                    rusqlite::types::ValueRef::Blob(b) => hex(b),
                })
                .collect();
            out.push(values);
        }
        out
    }

    /// `bytes` as a blob literal in the suite's SQL dialect.
    pub(crate) fn blob_literal(&self, bytes: &[u8]) -> String {
        if self.database_url.is_some() {
            format!("'\\x{}'::bytea", hex(bytes))
        } else {
            format!("X'{}'", hex(bytes))
        }
    }

    /// Whether the suite runs on PostgreSQL (for the rare SQL that differs).
    pub(crate) fn on_postgres(&self) -> bool {
        self.database_url.is_some()
    }

    /// Every byte of the database files (main file and write-ahead log).
    pub(crate) fn database_bytes(&self) -> Vec<u8> {
        if let Some(url) = &self.database_url {
            return crate::postgres::cluster().dump(url);
        }
        let mut all = Vec::new();
        for entry in std::fs::read_dir(self.dir.path()).unwrap() {
            all.extend(std::fs::read(entry.unwrap().path()).unwrap());
        }
        all
    }

    /// A flow with the e-mail method proven, ready for the second method.
    pub(crate) async fn email_proven(&self, user_id: &str) -> Flow {
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
    pub(crate) fn worker(&self, port: u16) -> OutboxWorker {
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
            mailer: Some(Mailer::from_config(&smtp).unwrap().unwrap()),
            phone: None,
            push: None,
            max_attempts: smtp.max_attempts,
        }
    }

    /// Delivers the outbox's phone messages to the simulator; what it then holds, newest
    /// first.
    pub(crate) async fn phone(&self) -> Vec<sspr_api::dev::DevPhoneItem> {
        self.deliver_phone().await;
        self.services.demo_phone.as_ref().unwrap().items()
    }

    /// Hands the outbox's due phone messages to the configured provider once.
    pub(crate) async fn deliver_phone(&self) -> sspr_server::delivery::Pass {
        let worker = OutboxWorker {
            store: self.services.store.clone(),
            keys: Arc::clone(&self.services.keys),
            clock: self.services.clock.clone(),
            mailer: None,
            phone: self.services.phone.clone(),
            push: None,
            max_attempts: 3,
        };
        worker.deliver_due().await.unwrap()
    }

    /// The last code the simulated phone received on `channel` (digits only).
    pub(crate) async fn last_phone_code(&self, channel: &str) -> String {
        let items = self.phone().await;
        let item = items
            .iter()
            .find(|item| item.channel == channel)
            .unwrap_or_else(|| panic!("nothing on {channel}: {items:?}"));
        let digits: String = item
            .text
            .split(['.', ' '])
            .map(|word| word.trim_end_matches(','))
            .filter(|word| word.len() == 1 || word.len() >= 6)
            .filter(|word| word.bytes().all(|b| b.is_ascii_digit()))
            .collect::<Vec<_>>()
            .concat();
        // A voice call says the code twice.
        if channel == "voice" {
            digits[..digits.len() / 2].to_owned()
        } else {
            digits
        }
    }

    /// The authenticator code of `secret` at `unix_time`, sent for the flow's app method.
    pub(crate) async fn app_code_at(
        &self,
        flow: &Flow,
        secret: &TotpSecret,
        unix_time: u64,
    ) -> (StatusCode, HeaderMap, Value) {
        let code = totp::code_at(secret, unix_time);
        self.verify(flow, "app_code", json!({"code": code})).await
    }

    pub(crate) async fn totp_proven(&self, flow: &Flow, secret: &TotpSecret) {
        let (status, _, json) = self.app_code_at(flow, secret, self.clock().now()).await;
        assert_eq!(status, StatusCode::OK, "{json}");
        assert!(!json["verified"].as_array().unwrap().is_empty());
    }
}

/// A reset flow as the API returned it.
pub(crate) struct Flow(pub(crate) Value);

impl Flow {
    pub(crate) fn id(&self) -> &str {
        self.0["flow_id"].as_str().unwrap()
    }

    /// The path that asks for a challenge of the method of `kind`.
    pub(crate) fn challenge_path(&self, kind: &str) -> String {
        format!(
            "/api/v1/reset/flows/{}/methods/{}/challenge",
            self.id(),
            self.method(kind)
        )
    }

    pub(crate) fn secret(&self) -> &str {
        self.0["flow_secret"].as_str().unwrap()
    }

    pub(crate) fn method(&self, kind: &str) -> String {
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

    pub(crate) fn kinds(&self) -> Vec<String> {
        self.0["methods"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m["kind"].as_str().unwrap().to_owned())
            .collect()
    }
}

/// The JSON's structure with every value replaced by its type.
pub(crate) fn shape(value: &Value) -> Value {
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
pub(crate) fn header_set(headers: &HeaderMap) -> Vec<(String, String)> {
    let mut out: Vec<_> = headers
        .iter()
        .filter(|(name, _)| *name != "content-length" && *name != "date")
        .map(|(n, v)| (n.to_string(), v.to_str().unwrap().to_owned()))
        .collect();
    out.sort();
    out
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}
