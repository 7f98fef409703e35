//! The telephony providers against local fakes: a fake of the provider's API (or the
//! operator's gateway) on 127.0.0.1 that records what it is sent, and a fake call sink
//! that records the key presses reported to it.
//!
//! - `twilio`: outbound requests as Twilio documents them; callbacks signed by the
//!   `twilio` PyPI package's own `RequestValidator` (installed by scripts/setup.sh);
//! - `webhook`: the signed-webhook provider, both directions;
//! - `through_the_server`: a reset whose office-phone call goes out through the fake
//!   Twilio API and is confirmed by a signed key-press callback to the server's own route.

mod through_the_server;
mod twilio;
mod webhook;

use axum::Router;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use sspr_server::phone::provider::BoxFuture;
use sspr_server::phone::{CallConfirmation, CallSink};
use std::collections::HashSet;
use std::sync::{Arc, Mutex};
use std::time::Duration;

/// A request the fake API received.
#[derive(Debug, Clone)]
pub struct Recorded {
    pub method: Method,
    pub path: String,
    pub headers: HeaderMap,
    pub body: Vec<u8>,
}

impl Recorded {
    pub fn header(&self, name: &str) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    }

    /// The form body's fields, in order.
    pub fn form(&self) -> Vec<(String, String)> {
        sspr_server::phone::http_client::form_decode(&self.body)
    }

    /// The first value of form field `name`.
    pub fn field(&self, name: &str) -> String {
        self.form()
            .into_iter()
            .find(|(key, _)| key == name)
            .map(|(_, value)| value)
            .unwrap_or_else(|| panic!("no field {name} in {:?}", self.form()))
    }
}

struct ApiState {
    status: StatusCode,
    body: String,
    delay: Duration,
    requests: Vec<Recorded>,
}

/// An HTTP server on 127.0.0.1 that answers every request with the set answer and
/// records it.
#[derive(Clone)]
pub struct FakeApi {
    /// `http://127.0.0.1:<port>`
    pub base: String,
    state: Arc<Mutex<ApiState>>,
}

impl FakeApi {
    pub async fn start() -> FakeApi {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let base = format!("http://{}", listener.local_addr().unwrap());
        let state = Arc::new(Mutex::new(ApiState {
            status: StatusCode::CREATED,
            body: r#"{"sid":"SM00000000000000000000000000000000"}"#.into(),
            delay: Duration::ZERO,
            requests: Vec::new(),
        }));
        let app = Router::new()
            .fallback(record)
            .with_state(Arc::clone(&state));
        tokio::spawn(async move { axum::serve(listener, app).await });
        FakeApi { base, state }
    }

    /// Answer `status` with the JSON `body` from now on.
    pub fn answer(&self, status: u16, body: &str) {
        let mut state = self.state.lock().unwrap();
        state.status = StatusCode::from_u16(status).unwrap();
        state.body = body.to_owned();
    }

    /// Wait this long before answering.
    pub fn delay(&self, delay: Duration) {
        self.state.lock().unwrap().delay = delay;
    }

    pub fn requests(&self) -> Vec<Recorded> {
        self.state.lock().unwrap().requests.clone()
    }
}

async fn record(
    State(state): State<Arc<Mutex<ApiState>>>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let (status, answer, delay) = {
        let mut state = state.lock().unwrap();
        state.requests.push(Recorded {
            method,
            path: uri.to_string(),
            headers,
            body: body.to_vec(),
        });
        (state.status, state.body.clone(), state.delay)
    };
    tokio::time::sleep(delay).await;
    (
        status,
        [(axum::http::header::CONTENT_TYPE, "application/json")],
        answer,
    )
        .into_response()
}

/// The reset flow's side of a key press: references are live until confirmed once.
pub struct FakeSink {
    live: Mutex<HashSet<String>>,
    used: Mutex<HashSet<String>>,
    /// Every reference reported, in order.
    pub reported: Mutex<Vec<String>>,
}

impl FakeSink {
    pub fn new(live: &[&str]) -> Arc<FakeSink> {
        Arc::new(FakeSink {
            live: Mutex::new(live.iter().map(|r| (*r).to_owned()).collect()),
            used: Mutex::new(HashSet::new()),
            reported: Mutex::new(Vec::new()),
        })
    }

    pub fn reported(&self) -> Vec<String> {
        self.reported.lock().unwrap().clone()
    }
}

impl CallSink for FakeSink {
    fn confirmed<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, CallConfirmation> {
        Box::pin(async move {
            self.reported.lock().unwrap().push(reference.to_owned());
            if self.used.lock().unwrap().contains(reference) {
                CallConfirmation::AlreadyUsed
            } else if self.live.lock().unwrap().remove(reference) {
                self.used.lock().unwrap().insert(reference.to_owned());
                CallConfirmation::Confirmed
            } else {
                CallConfirmation::Unknown
            }
        })
    }
}

/// SHA-256 of `text` in lower-case hex, computed here independently of the server.
pub fn sha256_hex(text: &[u8]) -> String {
    use sha2::{Digest, Sha256};
    Sha256::digest(text)
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}
