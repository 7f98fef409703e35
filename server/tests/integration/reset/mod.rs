//! The reset flow over HTTP, in process, with an injected clock, one module per concern: enumeration safety,
//! attempt limits, codes, TOTP, policy, passwords and the completing transaction
//! (docs/SECURITY.md).

use crate::fake_smtp::{FakeSmtp, Mode};
use axum::body::Body;
use axum::http::{HeaderMap, Request, StatusCode};
use http_body_util::BodyExt;
use serde_json::{Value, json};
use sspr_api::reset::FLOW_SECRET_HEADER;
use sspr_server::crypto::totp::{self};
use sspr_server::delivery::Pass;
use sspr_server::store::records::FaultPoint;
use sspr_server::store::{AdminStore, NewUser, UpkeepStore};
use std::sync::Arc;
use tower::ServiceExt;

pub(crate) use crate::harness::{Flow, Harness, START, header_set, shape};

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

/// A writer that keeps what the log subscriber writes.
#[derive(Clone, Default)]
pub(crate) struct CapturedLog(pub(crate) Arc<std::sync::Mutex<Vec<u8>>>);

impl CapturedLog {
    /// Keeps what this thread logs at `level` and above, until the guard is dropped.
    pub(crate) fn capture(
        level: tracing::Level,
    ) -> (CapturedLog, tracing::subscriber::DefaultGuard) {
        let log = CapturedLog::default();
        let writer = log.clone();
        let subscriber = tracing_subscriber::fmt()
            .with_max_level(level)
            .with_ansi(false)
            .with_writer(move || writer.clone())
            .finish();
        (log, tracing::subscriber::set_default(subscriber))
    }

    /// What was logged so far.
    pub(crate) fn text(&self) -> String {
        String::from_utf8(self.0.lock().unwrap().clone()).unwrap()
    }
}

impl std::io::Write for CapturedLog {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
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

mod app_codes;
mod app_notifications;
mod attempts;
mod audit;
mod change_notices;
mod codes;
mod completion;
mod dev_outbox;
mod directory;
mod enumeration;
mod languages;
mod password;
mod pauses;
mod phones;
mod policy;
mod questions;
mod redelivery;
mod registrations;
mod renamed;
mod same_origin;
mod security_review;
mod sessions;
