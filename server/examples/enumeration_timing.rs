//! How long start, send and verify take for real accounts and for unknown user IDs
//! (docs/SECURITY.md R1, "Timing"): an attacker who can tell them apart by the clock
//! enumerates accounts. Reported by `scripts/bench.sh`, not asserted.
//!
//! The router runs in process over a fresh SQLite database (or the empty PostgreSQL
//! database `SSPR_BENCH_DATABASE` names), so the figures are the server's own work and its
//! store's, without the HTTP client's noise. Every sample uses its own user ID (real or
//! unknown, interleaved), so no limit or pause is ever reached and both kinds of account
//! take the same path through the counters.
//!
//! Usage: `cargo run --release -p sspr-server --example enumeration_timing [accounts]`

#![allow(clippy::unwrap_used, clippy::expect_used)] // a measuring tool: fail loudly

use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution};
use sspr_api::reset::FLOW_SECRET_HEADER;
use sspr_server::clock::Clock;
use sspr_server::config::Config;
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::directory::Directory;
use sspr_server::http::{Services, router};
use sspr_server::store::{AdminStore, DatabaseLocation, NewUser, SqliteStore, Store};
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tower::ServiceExt;

/// Every kind offered, all of them required: a flow offers each kind it can.
const CONFIG: &str = r#"
[server]
requests_per_ip_per_minute = 100000

[captcha]
max_number = 1000

[policy]
scope = "all"
methods_required = 2
methods = ["email", "app_code", "security_questions"]
"#;

const KINDS: [&str; 3] = ["email", "app_code", "security_questions"];

#[tokio::main]
async fn main() {
    let accounts: usize = std::env::args()
        .nth(1)
        .map(|n| n.parse().expect("accounts: a number"))
        .unwrap_or(60);
    let dir = tempfile::tempdir().unwrap();
    let config = Config::parse(CONFIG).unwrap();
    let store: Store = match std::env::var("SSPR_BENCH_DATABASE") {
        Ok(url) if !url.is_empty() => {
            eprintln!("store: {}", DatabaseLocation::parse(&url));
            Store::open(&DatabaseLocation::parse(&url)).await.unwrap()
        }
        _ => SqliteStore::open(&dir.path().join("timing.sqlite3"))
            .unwrap()
            .into(),
    };
    let services =
        Services::new(store, Arc::new(ServerKeys::ephemeral()), Clock::system()).unwrap();
    let directory = services.directory();
    eprintln!("registering {accounts} accounts (e-mail, authenticator app, three answers)");
    for index in 0..accounts {
        register(&directory, &real_id(index)).await;
    }
    let app = router(&config, services);
    let mut samples: BTreeMap<(&str, &str), Vec<Duration>> = BTreeMap::new();
    for index in 0..accounts {
        for (account, user_id) in [("real", real_id(index)), ("unknown", unknown_id(index))] {
            for (step, took) in one_reset(&app, &user_id).await {
                samples.entry((step, account)).or_default().push(took);
            }
        }
    }
    println!("step                         account   median     p95   samples");
    for ((step, account), mut times) in samples {
        times.sort();
        println!(
            "{step:<28} {account:<8} {:>7} {:>7}   {:>3}",
            millis(percentile(&times, 50)),
            millis(percentile(&times, 95)),
            times.len()
        );
    }
}

fn real_id(index: usize) -> String {
    format!("person{index}@contoso.example")
}

fn unknown_id(index: usize) -> String {
    format!("nobody{index}@contoso.example")
}

async fn register(directory: &Directory, user_id: &str) {
    let user = NewUser {
        user_id,
        display_name: "Robin Quill",
        email: None,
        is_admin: false,
        groups: &[],
    };
    assert!(directory.store.create_user_if_missing(&user).await.unwrap());
    directory
        .add_email(user_id, &format!("{}@home.example", &user_id[..8]))
        .await
        .unwrap();
    directory.add_totp(user_id, None).await.unwrap();
    let answers = [
        ("birth_city", "Lisbon"),
        ("first_pet", "Biscuit"),
        ("first_school", "Riverside Primary"),
    ]
    .map(|(q, a)| (q.to_owned(), a.to_owned()));
    directory.set_answers(user_id, &answers, 3).await.unwrap();
}

/// Start, then for each kind the flow offers: send (challenge) and one wrong proof.
/// Returns how long each of those requests took.
async fn one_reset(app: &Router, user_id: &str) -> Vec<(&'static str, Duration)> {
    let captcha = captcha(app).await;
    let (took, status, flow) = timed(
        app,
        post(
            "/api/v1/reset/flows",
            None,
            json!({"user_id": user_id, "captcha": captcha}),
        ),
    )
    .await;
    assert_eq!(status, StatusCode::CREATED, "{user_id}: {flow}");
    let mut out = vec![("start", took)];
    let id = flow["flow_id"].as_str().unwrap();
    let secret = flow["flow_secret"].as_str().unwrap();
    for method in flow["methods"].as_array().unwrap() {
        let kind = method["kind"].as_str().unwrap();
        let Some(kind) = KINDS.iter().find(|k| **k == kind) else {
            continue;
        };
        let base = format!(
            "/api/v1/reset/flows/{id}/methods/{}",
            method["id"].as_str().unwrap()
        );
        let (took, status, sent) = timed(
            app,
            post(&format!("{base}/challenge"), Some(secret), json!({})),
        )
        .await;
        assert_eq!(status, StatusCode::OK, "{user_id} {kind}: {sent}");
        out.push((send_step(kind), took));
        let proof = match *kind {
            "security_questions" => json!({"answers": sent["questions"]
                .as_array()
                .unwrap()
                .iter()
                .map(|q| json!({"question": q, "answer": "wrong"}))
                .collect::<Vec<_>>()}),
            "email" => json!({"code": "00000000"}),
            _ => json!({"code": "000000"}),
        };
        let (took, status, answer) =
            timed(app, post(&format!("{base}/verify"), Some(secret), proof)).await;
        assert_eq!(
            status,
            StatusCode::BAD_REQUEST,
            "{user_id} {kind}: {answer}"
        );
        out.push((verify_step(kind), took));
    }
    out
}

fn send_step(kind: &str) -> &'static str {
    match kind {
        "email" => "send e-mail code",
        "app_code" => "send app code (no message)",
        _ => "send questions",
    }
}

fn verify_step(kind: &str) -> &'static str {
    match kind {
        "email" => "verify e-mail code (wrong)",
        "app_code" => "verify app code (wrong)",
        _ => "verify answers (wrong)",
    }
}

async fn captcha(app: &Router) -> CaptchaSolution {
    let request = Request::get("/api/v1/captcha").body(Body::empty()).unwrap();
    let (_, status, json) = timed(app, request).await;
    assert_eq!(status, StatusCode::OK);
    let challenge: CaptchaChallenge = serde_json::from_value(json).unwrap();
    let number = sspr_server::captcha::solve(&challenge).unwrap();
    CaptchaSolution::new(&challenge, number)
}

fn post(path: &str, secret: Option<&str>, body: Value) -> Request<Body> {
    let mut request = Request::post(path)
        .header("content-type", "application/json")
        .header("sec-fetch-site", "same-origin");
    if let Some(secret) = secret {
        request = request.header(FLOW_SECRET_HEADER, secret);
    }
    request.body(Body::from(body.to_string())).unwrap()
}

/// Sends `request` and reads the whole answer; the time covers both.
async fn timed(app: &Router, request: Request<Body>) -> (Duration, StatusCode, Value) {
    let started = Instant::now();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let took = started.elapsed();
    let json = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (took, status, json)
}

fn percentile(sorted: &[Duration], p: usize) -> Duration {
    let rank = (p * sorted.len()).div_ceil(100).clamp(1, sorted.len());
    sorted[rank - 1]
}

fn millis(d: Duration) -> String {
    format!("{:.2}ms", d.as_secs_f64() * 1000.0)
}
