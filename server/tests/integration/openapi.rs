//! The OpenAPI document at `/api/v1/openapi.json` (README, The reset API): it documents
//! exactly the routes the router serves, with their methods, and its schemas describe
//! what the contract types really serialise (names, optional members, enums, `Proof`'s
//! one-key objects), so neither can drift without a test failing.

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use axum::Router;
use axum::body::Body;
use axum::http::{Method, Request, Response, StatusCode, header};
use http_body_util::BodyExt;
use serde::Serialize;
use serde_json::{Value, json};
use sspr_api::authenticator::{
    ApprovalRequest, ApprovalRequests, ApprovalState, ApprovalStatus, AuthenticatorConfig,
    DecideRequest, Decided, Decision, Enrol, Enrolled, PushKeys, PushSubscription,
};
use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution};
use sspr_api::dev::{DevMessage, DevMessageStatus};
use sspr_api::health::HealthStatus;
use sspr_api::password::PasswordProblem;
use sspr_api::reset::{
    Answer, Challenge, NewPassword, OfferedMethod, Proof, ResetDone, ResetFlow, StartReset,
};
use sspr_api::session::{PendingMethod, RegisteredMethod};
use sspr_api::{ErrorCode, Health, MethodKind, Problem, PublicConfig};
use sspr_server::config::Config;
use sspr_server::http::router;
use std::collections::BTreeSet;
use tower::ServiceExt;

/// Every route the router serves under `/api/v1`, with its method. Keep in step with
/// `sspr_server::http::router`: a route added there and not here (and in the document)
/// is a review failure; one added here and not in the document fails the tests.
const ROUTES: [(&str, &str); 36] = [
    ("get", "/api/v1/health"),
    ("get", "/api/v1/config"),
    ("get", "/api/v1/captcha"),
    ("get", "/api/v1/openapi.json"),
    ("post", "/api/v1/reset/flows"),
    ("get", "/api/v1/reset/flows/{flow}"),
    (
        "post",
        "/api/v1/reset/flows/{flow}/methods/{method}/challenge",
    ),
    ("post", "/api/v1/reset/flows/{flow}/methods/{method}/verify"),
    (
        "get",
        "/api/v1/reset/flows/{flow}/methods/{method}/approval",
    ),
    ("post", "/api/v1/reset/flows/{flow}/password"),
    ("post", "/api/v1/reset/flows/{flow}/unlock"),
    ("post", "/api/v1/reset/flows/{flow}/extend"),
    ("post", "/api/v1/session"),
    ("get", "/api/v1/session"),
    ("delete", "/api/v1/session"),
    ("post", "/api/v1/session/proof"),
    ("post", "/api/v1/session/proof/new"),
    ("post", "/api/v1/session/password"),
    ("get", "/api/v1/session/methods"),
    ("delete", "/api/v1/session/methods/{method}"),
    ("post", "/api/v1/session/methods/{method}/default"),
    ("post", "/api/v1/session/registrations"),
    (
        "post",
        "/api/v1/session/registrations/{registration}/confirm",
    ),
    ("get", "/api/v1/session/security-questions"),
    ("post", "/api/v1/session/security-questions"),
    ("post", "/api/v1/session/reconfirm"),
    ("post", "/api/v1/session/proof/pass"),
    ("post", "/api/v1/session/proof/contact"),
    ("post", "/api/v1/session/proof/contact/{registration}"),
    ("get", "/api/v1/reports/{token}"),
    ("post", "/api/v1/reports/{token}"),
    ("get", "/api/v1/authenticator/config"),
    ("post", "/api/v1/authenticator/enrol"),
    ("get", "/api/v1/authenticator/requests"),
    ("post", "/api/v1/authenticator/requests/{request}"),
    // Demo mode only.
    ("get", "/api/v1/dev/outbox"),
];

const DEMO_ONLY: &str = "/api/v1/dev/outbox";

/// The operations a path item can hold (OpenAPI 3.1 section 4.8.9).
const OPERATIONS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

struct TestServer {
    _dir: tempfile::TempDir,
    app: Router,
}

fn server(demo: bool) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::parse("[captcha]\nmax_number = 1000\n").unwrap();
    config.server.app_dir = dir.path().join("dist");
    let mut services = crate::harness::services(&dir);
    services.demo = demo;
    TestServer {
        app: router(&config, services),
        _dir: dir,
    }
}

async fn send(server: &TestServer, request: Request<Body>) -> Response<Body> {
    server.app.clone().oneshot(request).await.unwrap()
}

/// A request as the app sends it: POSTs carry a JSON body. The dev outbox is asked from
/// a loopback peer (it answers no one else).
fn request(method: &str, path: &str, body: Option<Value>) -> Request<Body> {
    flow_request(method, path, body, "")
}

/// A request about a flow, with its secret (or none when empty).
fn flow_request(method: &str, path: &str, body: Option<Value>, secret: &str) -> Request<Body> {
    let method = Method::from_bytes(method.to_ascii_uppercase().as_bytes()).unwrap();
    let mut builder = Request::builder().method(method).uri(path);
    if !secret.is_empty() {
        builder = builder.header(sspr_api::reset::FLOW_SECRET_HEADER, secret);
    }
    let mut request = match body {
        Some(body) => builder
            .header(header::CONTENT_TYPE, "application/json")
            .body(Body::from(body.to_string()))
            .unwrap(),
        None => builder.body(Body::empty()).unwrap(),
    };
    if path.contains("/dev/outbox") {
        let peer = std::net::SocketAddr::from(([127, 0, 0, 1], 40000));
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
    }
    request
}

/// Status, media type and JSON body of a response.
async fn parts(response: Response<Body>) -> (StatusCode, String, Value) {
    let status = response.status();
    let content_type = response
        .headers()
        .get(header::CONTENT_TYPE)
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    (status, content_type, body)
}

async fn document(server: &TestServer) -> Value {
    let (status, content_type, doc) =
        parts(send(server, request("get", "/api/v1/openapi.json", None)).await).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(content_type, "application/json");
    doc
}

/// `{flow}`, `{method}` and the other ids filled with ids of the right shape that name
/// nothing.
fn concrete(path: &str) -> String {
    path.replace("{flow}", "0123456789abcdef0123456789abcdef")
        .replace("{method}", "m1")
        .replace("{registration}", "0123456789abcdef0123456789abcdef")
        .replace("{token}", "0123456789abcdef0123456789abcdef")
}

/// The (method, path) pairs the document lists.
fn documented(doc: &Value) -> BTreeSet<(String, String)> {
    let mut pairs = BTreeSet::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (key, _) in item.as_object().unwrap() {
            if OPERATIONS.contains(&key.as_str()) {
                pairs.insert((key.clone(), path.clone()));
            }
        }
    }
    pairs
}

/// Whether the response is the router's own "no such route" or "no such method" answer,
/// as opposed to an answer of a handler (which may well be a 404 of its own kind).
fn is_unrouted(status: StatusCode, body: &Value) -> bool {
    status == StatusCode::METHOD_NOT_ALLOWED
        || (status == StatusCode::NOT_FOUND && body["code"] == "not_found")
}

fn schema_named<'a>(doc: &'a Value, name: &str) -> &'a Value {
    let schema = &doc["components"]["schemas"][name];
    assert!(schema.is_object(), "no schema {name} in the document");
    schema
}

fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema.get("$ref").and_then(Value::as_str) {
        Some(reference) => {
            let name = reference
                .strip_prefix("#/components/schemas/")
                .unwrap_or_else(|| panic!("unexpected $ref {reference}"));
            schema_named(doc, name)
        }
        None => schema,
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Checks `value` against `schema` for what the document uses: `$ref`, `oneOf`, `type`,
/// `enum`, `items`, `properties` and `required`. Objects are closed: a member the schema
/// does not list is an error, so a renamed field cannot pass.
fn conforms(doc: &Value, schema: &Value, value: &Value, at: &str) -> Result<(), String> {
    let schema = resolve(doc, schema);
    if let Some(branches) = schema.get("oneOf").and_then(Value::as_array) {
        let matching = branches
            .iter()
            .filter(|branch| conforms(doc, branch, value, at).is_ok())
            .count();
        if matching != 1 {
            return Err(format!(
                "{at}: {value} matches {matching} branches of oneOf"
            ));
        }
    }
    if let Some(allowed) = schema.get("enum").and_then(Value::as_array)
        && !allowed.contains(value)
    {
        return Err(format!("{at}: {value} is not one of {allowed:?}"));
    }
    if let Some(declared) = schema.get("type") {
        let types: Vec<&str> = match declared {
            Value::String(one) => vec![one.as_str()],
            Value::Array(many) => many.iter().filter_map(Value::as_str).collect(),
            other => return Err(format!("{at}: odd type {other}")),
        };
        let actual = json_type(value);
        let fits = types.contains(&actual) || (actual == "integer" && types.contains(&"number"));
        if !fits {
            return Err(format!("{at}: {value} is {actual}, documented {types:?}"));
        }
    }
    match value {
        Value::Object(members) => {
            if let Some(properties) = schema.get("properties").and_then(Value::as_object) {
                for (name, member) in members {
                    let Some(property) = properties.get(name) else {
                        return Err(format!("{at}: member {name} is not documented"));
                    };
                    conforms(doc, property, member, &format!("{at}.{name}"))?;
                }
            }
            for name in required(schema) {
                if !members.contains_key(&name) {
                    return Err(format!("{at}: required member {name} is missing"));
                }
            }
        }
        Value::Array(items) => {
            if let Some(item_schema) = schema.get("items") {
                for (i, item) in items.iter().enumerate() {
                    conforms(doc, item_schema, item, &format!("{at}[{i}]"))?;
                }
            }
        }
        _ => {}
    }
    Ok(())
}

fn properties(schema: &Value) -> BTreeSet<String> {
    schema["properties"]
        .as_object()
        .map(|p| p.keys().cloned().collect())
        .unwrap_or_default()
}

fn required(schema: &Value) -> BTreeSet<String> {
    schema["required"]
        .as_array()
        .map(|r| r.iter().map(|n| n.as_str().unwrap().to_owned()).collect())
        .unwrap_or_default()
}

fn members(value: &impl Serialize) -> BTreeSet<String> {
    serde_json::to_value(value)
        .unwrap()
        .as_object()
        .expect("a JSON object")
        .keys()
        .cloned()
        .collect()
}

/// The schema of the response `status` of an operation, and its media type.
fn documented_response<'a>(
    doc: &'a Value,
    method: &str,
    path: &str,
    status: StatusCode,
) -> Option<(&'a String, &'a Value)> {
    let response = doc["paths"][path][method]["responses"].get(status.as_str())?;
    let (media_type, content) = response["content"].as_object()?.iter().next()?;
    Some((media_type, &content["schema"]))
}

/// The response must be one the document lists for the operation, with the documented
/// media type, and its body must fit the documented schema.
async fn assert_documented(
    doc: &Value,
    method: &str,
    path: &str,
    response: Response<Body>,
) -> (StatusCode, Value) {
    let (status, content_type, body) = parts(response).await;
    let Some((media_type, schema)) = documented_response(doc, method, path, status) else {
        panic!("{method} {path} answered {status}, which the document does not list: {body}");
    };
    assert_eq!(&content_type, media_type, "{method} {path} {status}");
    if let Err(why) = conforms(doc, schema, &body, &format!("{method} {path} {status}")) {
        panic!("{why}");
    }
    (status, body)
}

#[tokio::test]
async fn the_document_is_openapi_3_1_titled_and_versioned() {
    let doc = document(&server(false)).await;
    assert!(
        doc["openapi"].as_str().unwrap().starts_with("3.1."),
        "{}",
        doc["openapi"]
    );
    assert_eq!(doc["info"]["title"], "SSPR API");
    assert_eq!(doc["info"]["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn every_route_is_documented_with_its_method_and_nothing_else() {
    let doc = document(&server(false)).await;
    let expected: BTreeSet<(String, String)> = ROUTES
        .iter()
        .map(|(method, path)| ((*method).to_owned(), (*path).to_owned()))
        .collect();
    let listed = documented(&doc);
    let missing: Vec<_> = expected.difference(&listed).collect();
    let extra: Vec<_> = listed.difference(&expected).collect();
    assert!(
        missing.is_empty(),
        "routes missing from the document: {missing:?}"
    );
    assert!(extra.is_empty(), "documented but not in ROUTES: {extra:?}");
}

/// docs/SECURITY.md R8: every state-changing route, listed or added later, refuses a
/// request from another origin before anything else (signed in or not, JSON or not).
#[tokio::test]
async fn every_state_changing_route_refuses_a_foreign_origin() {
    let server = server(false);
    let mut checked = 0;
    for (method, path) in ROUTES {
        if method == "get" {
            continue;
        }
        for origin in [
            ("origin", "https://evil.example"),
            ("sec-fetch-site", "cross-site"),
        ] {
            let mut request = request(method, &concrete(path), Some(json!({})));
            request
                .headers_mut()
                .insert(origin.0, axum::http::HeaderValue::from_static(origin.1));
            request.headers_mut().insert(
                header::COOKIE,
                axum::http::HeaderValue::from_static(
                    "__Host-sspr-session=0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef",
                ),
            );
            let (status, _, body) = parts(send(&server, request).await).await;
            assert_eq!(
                (status, &body["code"]),
                (StatusCode::FORBIDDEN, &json!("forbidden_origin")),
                "{method} {path} with {origin:?}"
            );
            checked += 1;
        }
    }
    assert!(checked >= 40, "{checked}");
}

/// The other direction: each documented operation reaches a handler (not the router's
/// `not_found` fallback nor 405), and on a documented path every undocumented method is
/// 405, so the document has no path or method the server does not answer.
#[tokio::test]
async fn the_router_answers_exactly_the_documented_operations() {
    let server = server(true);
    let doc = document(&server).await;
    let listed = documented(&doc);
    assert!(!listed.is_empty());
    let paths: BTreeSet<&String> = listed.iter().map(|(_, path)| path).collect();
    for path in paths {
        for method in ["get", "post", "put", "patch", "delete"] {
            let body = (method != "get").then(|| json!({}));
            let response = send(&server, request(method, &concrete(path), body)).await;
            let (status, _, body) = parts(response).await;
            let is_documented = listed.contains(&(method.to_owned(), path.clone()));
            assert_eq!(
                !is_unrouted(status, &body),
                is_documented,
                "{method} {path}: {status} {body}"
            );
        }
    }
    // The check above can tell: an unknown path is the fallback.
    let response = send(&server, request("get", "/api/v1/reset/flows/x/nope", None)).await;
    let (status, _, body) = parts(response).await;
    assert!(is_unrouted(status, &body), "{status} {body}");
}

/// The demo-only route is documented as such: without demo mode it is the fallback 404.
#[tokio::test]
async fn the_dev_outbox_is_documented_as_demo_only() {
    let server = server(false);
    let doc = document(&server).await;
    let operation = &doc["paths"][DEMO_ONLY]["get"];
    assert_eq!(operation["tags"], json!(["demo"]));
    let response = send(&server, request("get", DEMO_ONLY, None)).await;
    let (status, body) = assert_documented(&doc, "get", DEMO_ONLY, response).await;
    assert_eq!(status, StatusCode::NOT_FOUND);
    assert_eq!(body["code"], "not_found");
}

#[tokio::test]
async fn errors_are_documented_as_problem_json() {
    let doc = document(&server(false)).await;
    for (method, path) in ROUTES {
        let responses = doc["paths"][path][method]["responses"].as_object().unwrap();
        assert!(
            responses.keys().any(|s| s.starts_with('2')),
            "{method} {path}: no success response"
        );
        for (status, response) in responses {
            if status == "204" {
                assert!(
                    response.get("content").is_none(),
                    "{method} {path}: 204 has no body"
                );
                continue;
            }
            let content = response["content"].as_object().unwrap();
            if status.starts_with('2') {
                assert!(content.contains_key("application/json"), "{method} {path}");
            } else {
                assert_eq!(content.len(), 1, "{method} {path} {status}");
                assert_eq!(
                    content["application/problem+json"]["schema"]["$ref"],
                    "#/components/schemas/Problem",
                    "{method} {path} {status}"
                );
            }
        }
        if method == "delete" {
            assert!(
                responses.contains_key("403"),
                "{method} {path}: the same-origin guard's 403 is not documented"
            );
        }
        if method == "post" {
            for status in ["403", "415"] {
                assert!(
                    responses.contains_key(status),
                    "{method} {path}: the same-origin guard's {status} is not documented"
                );
            }
            assert!(
                doc["paths"][path][method]["requestBody"]["content"]["application/json"]
                    .is_object(),
                "{method} {path}: no JSON request body"
            );
        }
    }
}

#[tokio::test]
async fn the_contract_schemas_are_there() {
    let doc = document(&server(false)).await;
    for name in [
        "ResetFlow",
        "StartReset",
        "Proof",
        "Challenge",
        "Problem",
        "ErrorCode",
        "OfferedMethod",
        "MethodKind",
        "Answer",
        "NewPassword",
        "ResetDone",
        "CaptchaChallenge",
        "CaptchaSolution",
        "PublicConfig",
        "Health",
        "DevMessage",
    ] {
        schema_named(&doc, name);
    }
    let request_schema = |path: &str| {
        doc["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]["$ref"]
            .clone()
    };
    assert_eq!(
        request_schema("/api/v1/reset/flows"),
        "#/components/schemas/StartReset"
    );
    assert_eq!(
        request_schema("/api/v1/reset/flows/{flow}/methods/{method}/verify"),
        "#/components/schemas/Proof"
    );
    assert_eq!(
        request_schema("/api/v1/reset/flows/{flow}/password"),
        "#/components/schemas/NewPassword"
    );
}

/// A sample of a contract type: one with every optional member present, one with none.
struct Sample {
    name: &'static str,
    full: Value,
    minimal: Value,
}

fn sample<T: Serialize>(name: &'static str, full: T, minimal: T) -> Sample {
    Sample {
        name,
        full: serde_json::to_value(&full).unwrap(),
        minimal: serde_json::to_value(&minimal).unwrap(),
    }
}

fn samples() -> Vec<Sample> {
    let offered = |hint: Option<&str>| OfferedMethod {
        id: "m1".into(),
        kind: MethodKind::Email,
        hint: hint.map(str::to_owned),
        locked_for_seconds: hint.map(|_| 300),
    };
    let flow = |methods: Vec<OfferedMethod>, verified: Vec<String>| ResetFlow {
        flow_id: "0123456789abcdef0123456789abcdef".into(),
        // Only the answer that starts a flow carries its secret.
        flow_secret: (!methods.is_empty()).then(|| "fedcba9876543210fedcba9876543210".into()),
        expires_in_seconds: 900,
        methods_required: 2,
        can_extend: !methods.is_empty(),
        locked_for_seconds: (!methods.is_empty()).then_some(600),
        unlock_offered: !methods.is_empty(),
        methods,
        verified,
    };
    let challenge = CaptchaChallenge {
        algorithm: "SHA-256".into(),
        challenge: "ab".into(),
        salt: "cd?expires=1".into(),
        max_number: 1000,
        signature: "ef".into(),
    };
    let solution = CaptchaSolution::new(&challenge, 7);
    let mut full_problem = Problem::new(ErrorCode::PasswordRejected).with_detail("why");
    full_problem.retry_after_seconds = Some(60);
    full_problem.attempts_left = Some(2);
    full_problem.password_problems = vec![PasswordProblem::Common];
    let config = |helpdesk_url: Option<&str>| PublicConfig {
        organisation_name: "Contoso".into(),
        locales: vec!["en".into(), "fr".into()],
        helpdesk_url: helpdesk_url.map(str::to_owned),
        sign_in_url: helpdesk_url.map(|_| "https://login.contoso.example/".to_owned()),
        methods_required: 2,
        custom_questions: helpdesk_url
            .map(|_| sspr_api::questions::CustomQuestion {
                id: "custom_1".into(),
                text: "Name of your first team?".into(),
                translations: [("de".to_owned(), "Name Ihrer ersten Mannschaft?".to_owned())]
                    .into(),
            })
            .into_iter()
            .collect(),
        phone_channels: helpdesk_url
            .map(|_| sspr_api::method::PhoneChannel::Whatsapp)
            .into_iter()
            .collect(),
        embedding_origins: helpdesk_url
            .map(|_| "https://login.contoso.example".to_owned())
            .into_iter()
            .collect(),
    };
    let health = Health {
        status: HealthStatus::Degraded,
        version: "1.2.3".into(),
        directory: Some(sspr_api::health::DirectoryHealth::Unreachable),
    };
    let message = DevMessage {
        id: 1,
        to: "a@example.com".into(),
        subject: "Code".into(),
        body: "123456".into(),
        created_at: 1_800_000_000,
        status: DevMessageStatus::Pending,
    };
    let answer = Answer {
        question: "first_pet".into(),
        answer: "Rex".into(),
    };
    let authenticator_config = AuthenticatorConfig {
        organisation_name: "Contoso".into(),
        vapid_public_key: "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcx".into(),
    };
    let subscription = PushSubscription {
        endpoint: "https://push.example.net/wpush/v2/abc".into(),
        keys: PushKeys {
            p256dh: "BCVxsr7N".into(),
            auth: "BTBZMqHH6r4Tts7J_aSIgg".into(),
        },
    };
    let enrol = |full: bool| Enrol {
        token: "0123456789abcdef0123456789abcdef0123456789abcdef".into(),
        public_key: "BCVxsr7N".into(),
        device_name: "Robin's Pixel".into(),
        push_subscription: full.then(|| subscription.clone()),
    };
    let enrolled = Enrolled {
        device_id: "00112233445566778899aabbccddeeff".into(),
        organisation_name: "Contoso".into(),
        account_hint: "Robin Quill".into(),
    };
    let request = |full: bool| ApprovalRequest {
        request_id: "ffeeddccbbaa99887766554433221100".into(),
        user_id: "robin.quill".into(),
        client_ip: full.then(|| "203.0.113.9".into()),
        browser: full.then(|| "Firefox on Windows".into()),
        requested_at: 1_800_000_000,
        numbers: vec![12, 47, 83],
        seconds_left: 55,
    };
    let pending = |full: bool| PendingMethod {
        registration_id: "0123456789abcdef0123456789abcdef".into(),
        kind: MethodKind::AppNotification,
        sent_to: full.then(|| "+447700900123".into()),
        secret: full.then(|| "JBSWY3DPEHPK3PXP".into()),
        otpauth_uri: full.then(|| "otpauth://totp/Contoso:robin?secret=JBSWY3DPEHPK3PXP".into()),
        expires_in_seconds: 900,
        replaces: full.then(|| "3".into()),
        enrol_url: full.then(|| "https://sspr.contoso.example/authenticator#enrol=ab".into()),
    };
    let registered = |full: bool| RegisteredMethod {
        id: "3".into(),
        kind: MethodKind::AppNotification,
        detail: full.then(|| "Robin's Pixel".into()),
        is_default: true,
        registered_at: 1_800_000_000,
        last_used_at: full.then_some(1_800_000_100),
        stale: full,
    };
    vec![
        sample(
            "Health",
            health,
            Health {
                status: HealthStatus::Ok,
                version: "1.2.3".into(),
                directory: None,
            },
        ),
        sample(
            "PublicConfig",
            config(Some("mailto:help@contoso.example")),
            config(None),
        ),
        sample("CaptchaChallenge", challenge.clone(), challenge),
        sample("CaptchaSolution", solution.clone(), solution.clone()),
        sample(
            "StartReset",
            StartReset {
                user_id: "adele".into(),
                captcha: solution.clone(),
            },
            StartReset {
                user_id: "adele".into(),
                captcha: solution,
            },
        ),
        sample(
            "ResetFlow",
            flow(
                vec![offered(Some("a•••@example.com")), offered(None)],
                vec!["m1".into()],
            ),
            flow(vec![], vec![]),
        ),
        sample("OfferedMethod", offered(Some("•••• 12")), offered(None)),
        sample(
            "Challenge",
            Challenge {
                code_expires_in_seconds: Some(600),
                resend_in_seconds: Some(60),
                code_length: Some(6),
                questions: vec!["first_pet".into()],
                channel: Some(sspr_api::method::PhoneChannel::Voice),
                call_seconds: Some(60),
                number_to_choose: Some(47),
                wait_seconds: Some(60),
            },
            Challenge {
                code_expires_in_seconds: None,
                resend_in_seconds: None,
                code_length: None,
                questions: vec![],
                channel: None,
                call_seconds: None,
                number_to_choose: None,
                wait_seconds: None,
            },
        ),
        sample("Answer", answer.clone(), answer),
        sample(
            "NewPassword",
            NewPassword {
                password: "correct horse".into(),
            },
            NewPassword {
                password: "correct horse".into(),
            },
        ),
        sample(
            "ResetDone",
            ResetDone {
                notification_sent: true,
                sessions_signed_out: true,
                unlocked: true,
            },
            ResetDone {
                notification_sent: false,
                sessions_signed_out: true,
                unlocked: false,
            },
        ),
        sample(
            "Problem",
            full_problem,
            Problem::new(ErrorCode::FlowNotFound),
        ),
        sample("DevMessage", message.clone(), message),
        sample(
            "AuthenticatorConfig",
            authenticator_config.clone(),
            authenticator_config,
        ),
        sample("Enrol", enrol(true), enrol(false)),
        sample("PushSubscription", subscription.clone(), subscription),
        sample("Enrolled", enrolled.clone(), enrolled),
        sample(
            "ApprovalStatus",
            ApprovalStatus {
                state: ApprovalState::Waiting,
                seconds_left: 42,
            },
            ApprovalStatus {
                state: ApprovalState::NotApproved,
                seconds_left: 0,
            },
        ),
        sample("ApprovalRequest", request(true), request(false)),
        sample(
            "ApprovalRequests",
            ApprovalRequests {
                requests: vec![request(true)],
            },
            ApprovalRequests { requests: vec![] },
        ),
        sample(
            "DecideRequest",
            DecideRequest {
                decision: Decision::Approve,
                number: Some(47),
            },
            DecideRequest {
                decision: Decision::Deny,
                number: None,
            },
        ),
        sample(
            "Decided",
            Decided {
                state: ApprovalState::Approved,
            },
            Decided {
                state: ApprovalState::NotApproved,
            },
        ),
        sample("PendingMethod", pending(true), pending(false)),
        sample("RegisteredMethod", registered(true), registered(false)),
    ]
}

/// The round trip: what serde writes has exactly the members the schema lists (all of
/// them when every optional member is set), and exactly the required ones when none is;
/// so a renamed field, a new field, or a `skip_serializing_if` the schema missed fails.
#[tokio::test]
async fn serialised_contract_types_have_exactly_the_documented_members() {
    let doc = document(&server(false)).await;
    for Sample {
        name,
        full,
        minimal,
    } in samples()
    {
        let schema = schema_named(&doc, name);
        assert_eq!(
            members(&full),
            properties(schema),
            "{name}: members of {full}"
        );
        assert_eq!(
            members(&minimal),
            required(schema),
            "{name}: required members, against {minimal}"
        );
        for value in [&full, &minimal] {
            if let Err(why) = conforms(&doc, schema, value, name) {
                panic!("{why}");
            }
        }
    }
}

/// `Proof` is externally tagged: one object with one key per variant.
#[tokio::test]
async fn proofs_are_documented_as_one_key_objects() {
    let doc = document(&server(false)).await;
    let schema = schema_named(&doc, "Proof");
    let proofs = [
        Proof::Code("123456".into()),
        Proof::Answers(vec![Answer {
            question: "first_pet".into(),
            answer: "Rex".into(),
        }]),
    ];
    let variants: BTreeSet<BTreeSet<String>> = schema["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .map(|branch| {
            let branch = resolve(&doc, branch);
            assert_eq!(properties(branch), required(branch), "{branch}");
            properties(branch)
        })
        .collect();
    let serialised: BTreeSet<BTreeSet<String>> = proofs.iter().map(members).collect();
    assert_eq!(variants, serialised);
    for proof in &proofs {
        let value = serde_json::to_value(proof).unwrap();
        if let Err(why) = conforms(&doc, schema, &value, "Proof") {
            panic!("{why}");
        }
    }
    // A proof with both keys, or neither, is not a proof.
    for wrong in [
        json!({}),
        json!({"code": "1", "answers": []}),
        json!("123456"),
    ] {
        assert!(conforms(&doc, schema, &wrong, "Proof").is_err(), "{wrong}");
        assert!(serde_json::from_value::<Proof>(wrong).is_err());
    }
}

/// The string enums list exactly the values serde writes.
#[tokio::test]
async fn enums_list_exactly_the_wire_names() {
    let doc = document(&server(false)).await;
    fn wire<T: Serialize>(values: &[T]) -> BTreeSet<String> {
        values
            .iter()
            .map(|v| {
                serde_json::to_value(v)
                    .unwrap()
                    .as_str()
                    .unwrap()
                    .to_owned()
            })
            .collect()
    }
    let listed = |name: &str| -> BTreeSet<String> {
        schema_named(&doc, name)["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(listed("MethodKind"), wire(&MethodKind::ALL));
    assert_eq!(
        listed("HealthStatus"),
        wire(&[HealthStatus::Ok, HealthStatus::Degraded])
    );
    assert_eq!(
        listed("DirectoryHealth"),
        wire(&[
            sspr_api::health::DirectoryHealth::Ok,
            sspr_api::health::DirectoryHealth::Unreachable
        ])
    );
    assert_eq!(
        listed("ApprovalState"),
        wire(&[
            ApprovalState::Waiting,
            ApprovalState::Approved,
            ApprovalState::NotApproved
        ])
    );
    assert_eq!(
        listed("Decision"),
        wire(&[Decision::Approve, Decision::Deny, Decision::Report])
    );
    assert_eq!(
        listed("DevMessageStatus"),
        wire(&[
            DevMessageStatus::Pending,
            DevMessageStatus::Sent,
            DevMessageStatus::Failed
        ])
    );
    assert_eq!(
        listed("PasswordProblem"),
        wire(&[
            PasswordProblem::TooShort,
            PasswordProblem::TooLong,
            PasswordProblem::Common,
            PasswordProblem::ContainsPersonalInfo,
            PasswordProblem::SameAsCurrent,
            PasswordProblem::DirectoryTooShort,
            PasswordProblem::DirectoryRules,
            PasswordProblem::ChangedTooRecently,
        ])
    );
    // Error codes: every listed value is a real code (it reads back as itself, not as the
    // catch-all `unknown`); that every code is listed is the api crate's unit test.
    let codes = listed("ErrorCode");
    assert!(codes.len() > 10, "{codes:?}");
    for value in codes {
        let code: ErrorCode = serde_json::from_value(json!(value)).unwrap();
        assert_eq!(serde_json::to_value(code).unwrap(), json!(value));
        assert_eq!(value, code.as_str());
    }
}

/// Live answers fit the document: a decoy reset flow from start to a refused password,
/// plus the public endpoints, each answer with a documented status, media type and shape.
#[tokio::test]
async fn live_responses_fit_the_document() {
    let server = server(true);
    let doc = document(&server).await;
    for path in [
        "/api/v1/health",
        "/api/v1/config",
        "/api/v1/captcha",
        "/api/v1/dev/outbox",
    ] {
        let response = send(&server, request("get", path, None)).await;
        let (status, _) = assert_documented(&doc, "get", path, response).await;
        assert_eq!(status, StatusCode::OK, "{path}");
    }

    let response = send(&server, request("get", "/api/v1/captcha", None)).await;
    let challenge: CaptchaChallenge = serde_json::from_value(parts(response).await.2).unwrap();
    let number = sspr_server::captcha::solve(&challenge).unwrap();
    let start = StartReset {
        user_id: "nobody@contoso.example".into(),
        captcha: CaptchaSolution::new(&challenge, number),
    };
    let flows = "/api/v1/reset/flows";
    let body = Some(serde_json::to_value(&start).unwrap());
    let response = send(&server, request("post", flows, body.clone())).await;
    let (status, flow) = assert_documented(&doc, "post", flows, response).await;
    assert_eq!(status, StatusCode::CREATED, "{flow}");
    // The same solution again: refused, as documented.
    let response = send(&server, request("post", flows, body)).await;
    let (status, problem) = assert_documented(&doc, "post", flows, response).await;
    assert_eq!(status, StatusCode::BAD_REQUEST);
    assert_eq!(problem["code"], "captcha_invalid");

    let flow: ResetFlow = serde_json::from_value(flow).unwrap();
    let secret = flow.flow_secret.as_deref().unwrap();
    let fill = |path: &str, method: &str| {
        path.replace("{flow}", &flow.flow_id)
            .replace("{method}", method)
    };
    let one = "/api/v1/reset/flows/{flow}";
    let response = send(&server, flow_request("get", &fill(one, ""), None, secret)).await;
    assert_eq!(
        assert_documented(&doc, "get", one, response).await.0,
        StatusCode::OK
    );
    for method in &flow.methods {
        let challenge = "/api/v1/reset/flows/{flow}/methods/{method}/challenge";
        let challenge_request = flow_request(
            "post",
            &fill(challenge, &method.id),
            Some(json!({})),
            secret,
        );
        let response = send(&server, challenge_request).await;
        assert_documented(&doc, "post", challenge, response).await;
        let verify = "/api/v1/reset/flows/{flow}/methods/{method}/verify";
        let proof = match method.kind {
            MethodKind::SecurityQuestions => Proof::Answers(vec![]),
            _ => Proof::Code("000000".into()),
        };
        let body = Some(serde_json::to_value(&proof).unwrap());
        let response = send(
            &server,
            flow_request("post", &fill(verify, &method.id), body, secret),
        )
        .await;
        let (status, _) = assert_documented(&doc, "post", verify, response).await;
        assert!(status.is_client_error(), "a decoy flow cannot be proven");
    }
    let password = "/api/v1/reset/flows/{flow}/password";
    let body = serde_json::to_value(NewPassword {
        password: "a long new password".into(),
    })
    .unwrap();
    let response = send(
        &server,
        flow_request("post", &fill(password, ""), Some(body), secret),
    )
    .await;
    let (status, problem) = assert_documented(&doc, "post", password, response).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(problem["code"], "not_verified");
}
