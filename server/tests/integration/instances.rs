//! Several server instances on one PostgreSQL behave as one: two `sspr-server` processes
//! over the same database and the same key file, reached over real HTTP. A flow begun on
//! one continues on the other, a lockout earned on one holds on the other, a CAPTCHA
//! solution is spent for both, and their two outbox workers deliver each message once.
//! (docs/ARCHITECTURE.md, "Several instances".)

use crate::fake_smtp::{FakeSmtp, Mode};
use serde_json::{Value, json};
use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution};
use sspr_api::reset::FLOW_SECRET_HEADER;
use sspr_server::clock::Clock;
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::crypto::passwords::PasswordHasher;
use sspr_server::crypto::sealed;
use sspr_server::crypto::totp::{self, TotpSecret};
use sspr_server::directory::Directory;
use sspr_server::store::{AdminStore, DatabaseLocation, NewUser, Store, UpkeepStore};
use std::io::{BufRead, BufReader};
use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};

const PASSWORD: &str = "lantern harbour seventeen";

/// One database, its key file, the people in it, and two servers over them.
struct Pair {
    _dir: tempfile::TempDir,
    store: Store,
    keys: Arc<ServerKeys>,
    /// The SMTP relay both instances deliver through.
    relay: FakeSmtp,
    a: Instance,
    b: Instance,
}

/// A running `sspr-server` process, stopped when dropped.
struct Instance {
    child: Child,
    port: u16,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

impl Pair {
    /// Two instances on a fresh database with people `user_ids` (e-mail + app code, two
    /// methods required), both delivering e-mail through one relay.
    async fn start(user_ids: &[&str]) -> (Pair, Vec<TotpSecret>) {
        let relay = FakeSmtp::start(Mode::Up).await;
        let dir = tempfile::tempdir().unwrap();
        let url = crate::postgres::cluster().fresh_database();
        let key_file = dir.path().join("sspr.key");
        let keys = Arc::new(ServerKeys::load_or_create(&key_file).unwrap());
        let store = Store::open(&DatabaseLocation::Postgres(url.clone()))
            .await
            .unwrap();
        let directory = Directory {
            store: store.clone(),
            keys: Arc::clone(&keys),
            hasher: PasswordHasher::new(1).unwrap(),
            clock: Clock::system(),
            custom_questions: 0,
            phone_region: phonenumber::country::Id::US,
        };
        let mut secrets = Vec::new();
        for user_id in user_ids {
            let user = NewUser {
                user_id,
                display_name: "Robin Quill",
                email: None,
                is_admin: false,
                groups: &["sspr-users"],
            };
            assert!(store.create_user_if_missing(&user).await.unwrap());
            let home = format!("{}@home.example", &user_id[..user_id.find('@').unwrap()]);
            directory.add_email(user_id, &home).await.unwrap();
            directory.set_password(user_id, PASSWORD).await.unwrap();
            secrets.push(directory.add_totp(user_id, None).await.unwrap());
        }
        let ports = [crate::postgres::free_port(), crate::postgres::free_port()];
        let hosts: Vec<String> = ports.iter().map(|p| format!("\"127.0.0.1:{p}\"")).collect();
        let smtp = format!(
            "[smtp]\nhost = \"127.0.0.1\"\nport = {}\nsecurity = \"none\"\nfrom = \"SSPR <sspr@contoso.example>\"\n",
            relay.port
        );
        let config = dir.path().join("sspr.toml");
        std::fs::write(
            &config,
            format!(
                "[server]\ndatabase = \"{url}\"\nkey_file = \"{}\"\nallowed_hosts = [{}]\n\n\
                 [captcha]\nmax_number = 1000\n\n\
                 [policy]\nscope = \"selected\"\ngroup = \"sspr-users\"\nmethods_required = 2\n\
                 methods = [\"email\", \"app_code\"]\n\n{smtp}",
                key_file.display(),
                hosts.join(", ")
            ),
        )
        .unwrap();
        let a = Instance::launch(&config, ports[0]);
        let b = Instance::launch(&config, ports[1]);
        let pair = Pair {
            _dir: dir,
            store,
            keys,
            relay,
            a,
            b,
        };
        (pair, secrets)
    }

    /// The code in the newest message to `to`, read from the shared outbox.
    async fn last_code(&self, to: &str) -> String {
        let messages = self.store.recent_messages(1000).await.unwrap();
        let message = messages.iter().find(|m| m.recipient == to).unwrap();
        let body =
            sealed::open(&self.keys.outbox, &message.dedupe_key, &message.sealed_body).unwrap();
        String::from_utf8(body)
            .unwrap()
            .split_whitespace()
            .find(|w| w.len() >= 6 && w.bytes().all(|b| b.is_ascii_digit()))
            .unwrap()
            .to_owned()
    }
}

impl Instance {
    fn launch(config: &std::path::Path, port: u16) -> Instance {
        let mut child = Command::new(env!("CARGO_BIN_EXE_sspr-server"))
            .arg("--config")
            .arg(config)
            .args(["--listen", &format!("127.0.0.1:{port}")])
            .env("SSPR_LOG", "error")
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let started = BufReader::new(stdout)
            .lines()
            .any(|line| line.is_ok_and(|line| line.starts_with("SSPR listening on ")));
        assert!(started, "an instance did not start (its errors are above)");
        Instance { child, port }
    }

    async fn get(&self, path: &str, headers: &[(&str, &str)]) -> (u16, Value) {
        http(self.port, "GET", path, headers, None).await
    }

    async fn post(&self, path: &str, headers: &[(&str, &str)], body: Value) -> (u16, Value) {
        http(self.port, "POST", path, headers, Some(body)).await
    }

    async fn captcha(&self) -> CaptchaSolution {
        let (status, json) = self.get("/api/v1/captcha", &[]).await;
        assert_eq!(status, 200, "{json}");
        let challenge: CaptchaChallenge = serde_json::from_value(json).unwrap();
        let number = sspr_server::captcha::solve(&challenge).unwrap();
        CaptchaSolution::new(&challenge, number)
    }

    async fn start_with(&self, user_id: &str, captcha: &CaptchaSolution) -> (u16, Value) {
        self.post(
            "/api/v1/reset/flows",
            &[],
            json!({"user_id": user_id, "captcha": captcha}),
        )
        .await
    }

    async fn begin(&self, user_id: &str) -> Value {
        let captcha = self.captcha().await;
        let (status, flow) = self.start_with(user_id, &captcha).await;
        assert_eq!(status, 201, "{flow}");
        flow
    }

    async fn on_method(&self, flow: &Value, kind: &str, action: &str, body: Value) -> (u16, Value) {
        let path = format!(
            "/api/v1/reset/flows/{}/methods/{}/{action}",
            flow["flow_id"].as_str().unwrap(),
            method_id(flow, kind)
        );
        let secret = flow["flow_secret"].as_str().unwrap();
        self.post(&path, &[(FLOW_SECRET_HEADER, secret)], body)
            .await
    }

    async fn set_password(&self, flow: &Value, password: &str) -> (u16, Value) {
        let path = format!(
            "/api/v1/reset/flows/{}/password",
            flow["flow_id"].as_str().unwrap()
        );
        let secret = flow["flow_secret"].as_str().unwrap();
        self.post(
            &path,
            &[(FLOW_SECRET_HEADER, secret)],
            json!({"password": password}),
        )
        .await
    }
}

fn method_id(flow: &Value, kind: &str) -> String {
    flow["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == kind)
        .unwrap_or_else(|| panic!("no {kind} in {flow}"))["id"]
        .as_str()
        .unwrap()
        .to_owned()
}

fn app_code(secret: &TotpSecret) -> String {
    totp::code_at(secret, Clock::system().now())
}

/// One HTTP/1.1 request over a fresh connection (closed after the answer); the status
/// and the JSON body (null when empty).
async fn http(
    port: u16,
    method: &str,
    path: &str,
    headers: &[(&str, &str)],
    body: Option<Value>,
) -> (u16, Value) {
    let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
        .await
        .unwrap();
    let body = body.map(|b| b.to_string()).unwrap_or_default();
    let mut request = format!(
        "{method} {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nConnection: close\r\n\
         Content-Type: application/json\r\nContent-Length: {}\r\n",
        body.len()
    );
    for (name, value) in headers {
        request.push_str(&format!("{name}: {value}\r\n"));
    }
    request.push_str("\r\n");
    request.push_str(&body);
    stream.write_all(request.as_bytes()).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let text = String::from_utf8(response).unwrap();
    let (head, body) = text.split_once("\r\n\r\n").unwrap();
    let status: u16 = head.split_whitespace().nth(1).unwrap().parse().unwrap();
    let chunked = head
        .lines()
        .any(|line| line.eq_ignore_ascii_case("transfer-encoding: chunked"));
    let body = if chunked {
        dechunk(body)
    } else {
        body.to_owned()
    };
    let json = if body.is_empty() {
        Value::Null
    } else {
        serde_json::from_str(&body).unwrap_or(Value::String(body))
    };
    (status, json)
}

fn dechunk(mut body: &str) -> String {
    let mut out = String::new();
    while let Some((size, rest)) = body.split_once("\r\n") {
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            break;
        }
        out.push_str(&rest[..size]);
        body = &rest[size + 2..];
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_reset_begun_on_one_instance_is_finished_on_the_other() {
    let (pair, secrets) = Pair::start(&["ines@contoso.example"]).await;
    let flow = pair.a.begin("ines@contoso.example").await;
    // The code is sent by B, proven on A; the app code proven on B; the password set on A.
    let (status, json) = pair
        .b
        .on_method(&flow, "email", "challenge", json!({}))
        .await;
    assert_eq!(status, 200, "{json}");
    let code = pair.last_code("ines@home.example").await;
    let (status, json) = pair
        .a
        .on_method(&flow, "email", "verify", json!({"code": code}))
        .await;
    assert_eq!(status, 200, "{json}");
    let (status, json) = pair
        .b
        .on_method(
            &flow,
            "app_code",
            "verify",
            json!({"code": app_code(&secrets[0])}),
        )
        .await;
    assert_eq!(status, 200, "{json}");
    let (status, json) = pair.a.set_password(&flow, "a brand new passphrase").await;
    assert_eq!(status, 200, "{json}");
    // Finished for both.
    let (status, json) = pair.b.set_password(&flow, "yet another passphrase").await;
    assert_eq!(status, 409, "{json}");
    assert_eq!(json["code"], "flow_completed", "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_lockout_earned_on_one_instance_holds_on_the_other() {
    let (pair, secrets) = Pair::start(&["omar@contoso.example"]).await;
    let flow = pair.a.begin("omar@contoso.example").await;
    let mut last = (0, Value::Null);
    for _ in 0..5 {
        last = pair
            .a
            .on_method(&flow, "app_code", "verify", json!({"code": "000000"}))
            .await;
    }
    assert_eq!(last.1["code"], "method_locked", "{}", last.1);
    // The right code, on the other instance, within the same flow and in a new one.
    let right = json!({"code": app_code(&secrets[0])});
    let (status, json) = pair
        .b
        .on_method(&flow, "app_code", "verify", right.clone())
        .await;
    assert_eq!(
        (status, json["code"].clone()),
        (429, json!("method_locked")),
        "{json}"
    );
    let flow = pair.b.begin("omar@contoso.example").await;
    let (_, json) = pair.b.on_method(&flow, "app_code", "verify", right).await;
    assert_eq!(json["code"], "method_locked", "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captcha_solution_spent_on_one_instance_is_refused_on_the_other() {
    let (pair, _) = Pair::start(&["lena@contoso.example"]).await;
    let captcha = pair.a.captcha().await;
    let (status, json) = pair.a.start_with("lena@contoso.example", &captcha).await;
    assert_eq!(status, 201, "{json}");
    let (status, json) = pair.b.start_with("lena@contoso.example", &captcha).await;
    assert_eq!(status, 400, "{json}");
    assert_eq!(json["code"], "captcha_invalid", "{json}");
    // A solution from one instance is good on the other (the key is shared).
    let captcha = pair.a.captcha().await;
    let (status, json) = pair.b.start_with("lena@contoso.example", &captcha).await;
    assert_eq!(status, 201, "{json}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_outbox_workers_deliver_each_message_once() {
    let people: Vec<String> = (0..6).map(|i| format!("p{i}x@contoso.example")).collect();
    let ids: Vec<&str> = people.iter().map(String::as_str).collect();
    let (pair, _) = Pair::start(&ids).await;
    let relay = &pair.relay;
    // Twelve codes asked for, half through each instance (each rings its own worker).
    for (i, user_id) in ids.iter().enumerate() {
        for instance in [&pair.a, &pair.b] {
            let flow = instance.begin(user_id).await;
            let (status, json) = if i % 2 == 0 {
                pair.a
                    .on_method(&flow, "email", "challenge", json!({}))
                    .await
            } else {
                pair.b
                    .on_method(&flow, "email", "challenge", json!({}))
                    .await
            };
            assert_eq!(status, 200, "{json}");
        }
    }
    let queued = pair.store.recent_messages(1000).await.unwrap();
    assert_eq!(queued.len(), 12);
    let deadline = Instant::now() + Duration::from_secs(30);
    while relay.received().len() < queued.len() && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Give a duplicate the time to show.
    tokio::time::sleep(Duration::from_secs(2)).await;
    let received = relay.received();
    let mut ids: Vec<String> = received
        .iter()
        .map(|m| {
            m.data
                .lines()
                .find_map(|l| l.strip_prefix("Message-ID: "))
                .unwrap_or_else(|| panic!("no Message-ID in {}", m.data))
                .to_owned()
        })
        .collect();
    assert_eq!(ids.len(), queued.len(), "each message once: {ids:?}");
    ids.sort();
    ids.dedup();
    assert_eq!(ids.len(), queued.len(), "no message twice");
}
