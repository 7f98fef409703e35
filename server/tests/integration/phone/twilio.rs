//! The Twilio provider: outbound requests against a fake of Twilio's API, and callbacks
//! signed by the `twilio` PyPI package's own `RequestValidator` (not by the server's code),
//! so the signature check is proven against Twilio's reference implementation.

use super::{FakeApi, FakeSink, sha256_hex};
use axum::Router;
use axum::body::Body;
use axum::http::{Request, StatusCode};
use base64::Engine;
use http_body_util::BodyExt;
use sspr_server::delivery::SendFailure;
use sspr_server::phone::config::TwilioConfig;
use sspr_server::phone::http_client::form_encode;
use sspr_server::phone::twilio::Twilio;
use sspr_server::phone::{CallSink, Outbound, OutboundChannel, Telephony};
use sspr_server::texts::Language;
use std::path::PathBuf;
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

const SID: &str = "AC0123456789abcdef0123456789abcdef";
const TOKEN: &str = "test-auth-token-0123456789";
const PUBLIC: &str = "https://sspr.example.test";

fn config(api_base: &str) -> TwilioConfig {
    TwilioConfig {
        account_sid: SID.into(),
        auth_token_file: None,
        from: "+15005550006".into(),
        whatsapp_from: Some("+14155238886".into()),
        api_base: api_base.into(),
    }
}

fn message(channel: OutboundChannel, key: &str, call: Option<&str>) -> Outbound {
    Outbound {
        channel,
        to: "+447700900123".into(),
        text: "Your SSPR code is 482 913 & <stays> secret".into(),
        key: key.into(),
        call: call.map(str::to_owned),
        language: Language::ENGLISH,
    }
}

#[tokio::test]
async fn outbound_requests_are_shaped_and_authenticated_as_twilio_documents() {
    let api = FakeApi::start().await;
    let twilio = Twilio::new(&config(&api.base), TOKEN.into(), PUBLIC).unwrap();
    assert_eq!(twilio.name(), "twilio");
    for (channel, key, call) in [
        (OutboundChannel::Sms, "msg-sms", None),
        (OutboundChannel::Whatsapp, "msg-wa", None),
        (OutboundChannel::Voice, "msg-voice", None),
        (OutboundChannel::Call, "msg-call", Some("ref_call-1")),
    ] {
        twilio
            .send(&message(channel, key, call))
            .await
            .unwrap_or_else(|err| panic!("{channel:?}: {err:?}"));
    }
    let requests = api.requests();
    assert_eq!(requests.len(), 4);
    let basic = format!(
        "Basic {}",
        base64::engine::general_purpose::STANDARD.encode(format!("{SID}:{TOKEN}"))
    );
    let host = api.base.trim_start_matches("http://");
    for (request, key) in requests
        .iter()
        .zip(["msg-sms", "msg-wa", "msg-voice", "msg-call"])
    {
        assert_eq!(request.method, "POST");
        assert_eq!(request.header("authorization"), basic);
        assert_eq!(request.header("host"), host);
        assert_eq!(
            request.header("content-type"),
            "application/x-www-form-urlencoded"
        );
        assert_eq!(
            request.header("i-twilio-idempotency-token"),
            sha256_hex(key.as_bytes()),
            "the idempotency token is the key's SHA-256"
        );
        assert!(request.field("To").ends_with("+447700900123"));
    }
    let text = "Your SSPR code is 482 913 & <stays> secret";
    let messages = format!("/2010-04-01/Accounts/{SID}/Messages.json");
    let calls = format!("/2010-04-01/Accounts/{SID}/Calls.json");

    let sms = &requests[0];
    assert_eq!(sms.path, messages);
    assert_eq!(
        sms.form(),
        [
            ("To", "+447700900123"),
            ("From", "+15005550006"),
            ("Body", text)
        ]
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
    );

    let whatsapp = &requests[1];
    assert_eq!(whatsapp.path, messages);
    assert_eq!(whatsapp.field("To"), "whatsapp:+447700900123");
    assert_eq!(whatsapp.field("From"), "whatsapp:+14155238886");
    assert_eq!(whatsapp.field("Body"), text);

    let escaped = "Your SSPR code is 482 913 &amp; &lt;stays&gt; secret";
    let voice = &requests[2];
    assert_eq!(voice.path, calls);
    assert_eq!(voice.field("From"), "+15005550006");
    assert_eq!(
        voice.field("Twiml"),
        format!(
            "<Response><Say language=\"en-US\">{escaped}</Say><Pause length=\"2\"/>\
             <Say language=\"en-US\">{escaped}</Say></Response>"
        )
    );
    assert!(
        voice
            .field("StatusCallback")
            .starts_with("https://sspr.example.test/telephony/twilio/calls/")
    );

    let call = &requests[3];
    assert_eq!(call.path, calls);
    assert_eq!(
        call.field("Twiml"),
        format!(
            "<Response><Gather numDigits=\"1\" finishOnKey=\"\" timeout=\"10\" \
             action=\"https://sspr.example.test/telephony/twilio/calls/ref_call-1/gather?language=en\" \
             method=\"POST\"><Say language=\"en-US\">{escaped}</Say></Gather>\
             <Say language=\"en-US\">No key was pressed, so nothing was confirmed. Goodbye.</Say>\
             </Response>"
        )
    );
    assert_eq!(
        call.field("StatusCallback"),
        "https://sspr.example.test/telephony/twilio/calls/ref_call-1/status"
    );
    assert_eq!(call.field("StatusCallbackMethod"), "POST");
    let events: Vec<String> = call
        .form()
        .into_iter()
        .filter(|(k, _)| k == "StatusCallbackEvent")
        .map(|(_, v)| v)
        .collect();
    assert_eq!(events, ["answered", "completed"]);
}

#[tokio::test]
async fn a_retry_carries_the_same_idempotency_token() {
    let api = FakeApi::start().await;
    let twilio = Twilio::new(&config(&api.base), TOKEN.into(), PUBLIC).unwrap();
    let sms = message(OutboundChannel::Sms, "same-key", None);
    twilio.send(&sms).await.unwrap();
    twilio.send(&sms).await.unwrap();
    let requests = api.requests();
    assert_eq!(
        requests[0].header("i-twilio-idempotency-token"),
        requests[1].header("i-twilio-idempotency-token")
    );
}

#[tokio::test]
async fn whatsapp_without_a_sender_is_refused_for_good_without_a_request() {
    let api = FakeApi::start().await;
    let mut config = config(&api.base);
    config.whatsapp_from = None;
    let twilio = Twilio::new(&config, TOKEN.into(), PUBLIC).unwrap();
    let result = twilio
        .send(&message(OutboundChannel::Whatsapp, "k", None))
        .await;
    assert!(
        matches!(result, Err(SendFailure::Permanent(_))),
        "{result:?}"
    );
    assert!(api.requests().is_empty());
}

#[tokio::test]
async fn answers_and_network_errors_map_to_retry_or_give_up() {
    let api = FakeApi::start().await;
    let twilio = Twilio::new(&config(&api.base), TOKEN.into(), PUBLIC)
        .unwrap()
        .with_timeout(Duration::from_millis(500));
    let sms = message(OutboundChannel::Sms, "k", None);

    api.answer(500, r#"{"code":20500,"message":"Internal Server Error"}"#);
    assert!(matches!(
        twilio.send(&sms).await,
        Err(SendFailure::Transient(_))
    ));
    api.answer(503, "");
    assert!(matches!(
        twilio.send(&sms).await,
        Err(SendFailure::Transient(_))
    ));
    api.answer(429, r#"{"code":20429,"message":"Too Many Requests"}"#);
    assert!(matches!(
        twilio.send(&sms).await,
        Err(SendFailure::Transient(_))
    ));

    api.answer(
        400,
        r#"{"code":21211,"message":"Invalid 'To' Phone Number","more_info":"https://www.twilio.com/docs/errors/21211","status":400}"#,
    );
    match twilio.send(&sms).await {
        Err(SendFailure::Permanent(text)) => {
            assert!(text.contains("Invalid 'To' Phone Number"), "{text}");
            assert!(text.contains("21211"), "{text}");
            assert!(
                !text.contains("482"),
                "the message text is not in errors: {text}"
            );
            assert!(!text.contains(TOKEN), "{text}");
        }
        other => panic!("expected a permanent failure, got {other:?}"),
    }
    api.answer(401, r#"{"code":20003,"message":"Authenticate"}"#);
    assert!(matches!(
        twilio.send(&sms).await,
        Err(SendFailure::Permanent(_))
    ));

    // Too slow to answer: a timeout, worth a retry.
    api.answer(201, "{}");
    api.delay(Duration::from_secs(3));
    assert!(matches!(
        twilio.send(&sms).await,
        Err(SendFailure::Transient(_))
    ));

    // Nobody listening.
    let closed = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("http://{}", listener.local_addr().unwrap())
    };
    let offline = Twilio::new(&config(&closed), TOKEN.into(), PUBLIC).unwrap();
    assert!(matches!(
        offline.send(&sms).await,
        Err(SendFailure::Transient(_))
    ));
}

// --- callbacks ------------------------------------------------------------------------

/// Where scripts/setup.sh installed the `twilio` package.
fn python_dir() -> PathBuf {
    match std::env::var_os("SSPR_PY_DIR") {
        Some(dir) if !dir.is_empty() => PathBuf::from(dir),
        _ => PathBuf::from(std::env::var_os("HOME").unwrap_or_default()).join(".cache/sspr/py"),
    }
}

/// What `twilio.request_validator.RequestValidator(token).compute_signature(url, params)`
/// answers for each (url, params).
pub(super) fn twilio_signatures(token: &str, items: &[(String, Vec<(&str, &str)>)]) -> Vec<String> {
    let dir = python_dir();
    assert!(
        dir.join("twilio/request_validator.py").is_file(),
        "the twilio Python package is not in {} (SSPR_PY_DIR): run scripts/setup.sh --for-tests",
        dir.display()
    );
    let job = serde_json::json!({
        "token": token,
        "items": items
            .iter()
            .map(|(url, params)| {
                let params: serde_json::Map<String, serde_json::Value> = params
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), serde_json::Value::from(*v)))
                    .collect();
                serde_json::json!([url, params])
            })
            .collect::<Vec<_>>(),
    });
    let script = "import json, sys\n\
                  from twilio.request_validator import RequestValidator\n\
                  job = json.load(sys.stdin)\n\
                  v = RequestValidator(job['token'])\n\
                  print(json.dumps([v.compute_signature(u, p) for u, p in job['items']]))\n";
    let mut child = Command::new("python3")
        .arg("-c")
        .arg(script)
        .env("PYTHONPATH", &dir)
        .env("PYTHONDONTWRITEBYTECODE", "1")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python3 runs (scripts/setup.sh --for-tests installs it)");
    {
        use std::io::Write;
        let mut stdin = child.stdin.take().unwrap();
        stdin.write_all(job.to_string().as_bytes()).unwrap();
    }
    let output = child.wait_with_output().unwrap();
    assert!(
        output.status.success(),
        "python3 with the twilio package failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("a JSON list of signatures")
}

/// The server's callbacks, nested where the server mounts them.
fn callbacks(sink: Arc<FakeSink>) -> Router {
    let twilio = Twilio::new(&config("https://api.twilio.com"), TOKEN.into(), PUBLIC).unwrap();
    let sink: Arc<dyn CallSink> = sink;
    Router::new().nest("/telephony/twilio", twilio.callbacks(sink).unwrap())
}

/// Posts `params` to `path` with `signature` (none when `None`).
pub(super) async fn post(
    app: &Router,
    path: &str,
    params: &[(&str, &str)],
    signature: Option<&str>,
) -> (StatusCode, String) {
    use tower::ServiceExt;
    let mut request = Request::post(path)
        .header("content-type", "application/x-www-form-urlencoded")
        .header("host", "sspr.example.test");
    if let Some(signature) = signature {
        request = request.header("x-twilio-signature", signature);
    }
    let request = request.body(Body::from(form_encode(params))).unwrap();
    let response = app.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let body = response.into_body().collect().await.unwrap().to_bytes();
    (status, String::from_utf8_lossy(&body).into_owned())
}

pub(super) fn gather_params<'a>(call_sid: &'a str, digits: &'a str) -> Vec<(&'a str, &'a str)> {
    vec![
        ("AccountSid", SID),
        ("ApiVersion", "2010-04-01"),
        ("CallSid", call_sid),
        ("CallStatus", "in-progress"),
        ("Digits", digits),
        ("Direction", "outbound-api"),
        ("From", "+15005550006"),
        ("To", "+447700900123"),
        ("msg", "Gather End"),
    ]
}

#[tokio::test]
async fn gather_callbacks_signed_by_twilios_validator_confirm_once() {
    let sink = FakeSink::new(&["live-1", "live-3"]);
    let app = callbacks(Arc::clone(&sink));
    let gather = |reference: &str| format!("/telephony/twilio/calls/{reference}/gather");
    let url = |reference: &str| format!("{PUBLIC}{}", gather(reference));
    let pressed = gather_params("CA0000000000000000000000000000001", "#");
    let other_key = gather_params("CA0000000000000000000000000000002", "1");
    let with_port = gather_params("CA0000000000000000000000000000003", "#");
    let unknown = gather_params("CA0000000000000000000000000000004", "#");
    let second_call = gather_params("CA0000000000000000000000000000005", "#");
    let signatures = twilio_signatures(
        TOKEN,
        &[
            (url("live-1"), pressed.clone()),
            (url("live-2"), other_key.clone()),
            // Twilio may sign the URL with the scheme's default port.
            (
                format!("https://sspr.example.test:443{}", gather("live-3")),
                with_port.clone(),
            ),
            (url("gone-4"), unknown.clone()),
            (url("live-1"), second_call.clone()),
        ],
    );

    // `#`, signed: the sink hears of it and the person is thanked.
    let (status, body) = post(&app, &gather("live-1"), &pressed, Some(&signatures[0])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(
        body.contains(
            "<Say language=\"en-US\">Thank you. Your request is confirmed. Goodbye.</Say><Hangup/>"
        ),
        "{body}"
    );
    assert_eq!(sink.reported(), ["live-1"]);

    // The identical callback again: refused before the sink.
    let (status, body) = post(&app, &gather("live-1"), &pressed, Some(&signatures[0])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert_eq!(sink.reported(), ["live-1"]);

    // Another key: nothing is confirmed, the sink is not asked.
    let (status, body) = post(&app, &gather("live-2"), &other_key, Some(&signatures[1])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Nothing was confirmed"), "{body}");
    assert_eq!(sink.reported(), ["live-1"]);

    // Signed with the default port in the URL: accepted too.
    let (status, body) = post(&app, &gather("live-3"), &with_port, Some(&signatures[2])).await;
    assert_eq!(status, StatusCode::OK, "{body}");
    assert!(body.contains("confirmed. Goodbye"), "{body}");
    assert_eq!(sink.reported(), ["live-1", "live-3"]);

    // A reference the flow does not know: nothing confirmed.
    let (status, body) = post(&app, &gather("gone-4"), &unknown, Some(&signatures[3])).await;
    assert_eq!(status, StatusCode::OK);
    assert!(body.contains("Nothing was confirmed"), "{body}");

    // Validly signed, other CallSid, used reference: the sink says already used.
    let (status, body) = post(&app, &gather("live-1"), &second_call, Some(&signatures[4])).await;
    assert_eq!(status, StatusCode::CONFLICT, "{body}");
    assert!(body.contains("<Hangup/>"), "{body}");
    assert_eq!(sink.reported(), ["live-1", "live-3", "gone-4", "live-1"]);
}

#[tokio::test]
async fn unsigned_forged_and_misdirected_callbacks_are_refused() {
    let sink = FakeSink::new(&["live-1", "live-2"]);
    let app = callbacks(Arc::clone(&sink));
    let path = "/telephony/twilio/calls/live-1/gather";
    let pressed = gather_params("CA0000000000000000000000000000011", "#");
    let signed_other_key = gather_params("CA0000000000000000000000000000011", "1");
    let signatures = twilio_signatures(
        TOKEN,
        &[
            // For other params (another key) than those posted.
            (format!("{PUBLIC}{path}"), signed_other_key),
            // For another call's URL.
            (
                format!("{PUBLIC}/telephony/twilio/calls/live-2/gather"),
                pressed.clone(),
            ),
            // For another host.
            (format!("https://evil.example{path}"), pressed.clone()),
        ],
    );
    let wrong_token = twilio_signatures(
        "another-token",
        &[(format!("{PUBLIC}{path}"), pressed.clone())],
    );

    let (status, _) = post(&app, path, &pressed, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "unsigned");
    let (status, _) = post(
        &app,
        path,
        &pressed,
        Some("bm90IGEgc2lnbmF0dXJlIGF0IGFsbA=="),
    )
    .await;
    assert_eq!(status, StatusCode::FORBIDDEN, "forged");
    for (what, signature) in [
        ("other params", &signatures[0]),
        ("another URL", &signatures[1]),
        ("another host", &signatures[2]),
        ("another token", &wrong_token[0]),
    ] {
        let (status, _) = post(&app, path, &pressed, Some(signature)).await;
        assert_eq!(status, StatusCode::FORBIDDEN, "{what}");
    }
    assert!(
        sink.reported().is_empty(),
        "nothing unsigned reached the sink"
    );

    // The same genuine callback still works afterwards (refusals did not mark it used).
    let good = twilio_signatures(TOKEN, &[(format!("{PUBLIC}{path}"), pressed.clone())]);
    let (status, _) = post(&app, path, &pressed, Some(&good[0])).await;
    assert_eq!(status, StatusCode::OK);
    assert_eq!(sink.reported(), ["live-1"]);
}

#[tokio::test]
async fn status_callbacks_are_checked_and_only_logged() {
    let sink = FakeSink::new(&["live-1"]);
    let app = callbacks(Arc::clone(&sink));
    let path = "/telephony/twilio/calls/live-1/status";
    let completed = vec![
        ("AccountSid", SID),
        ("CallSid", "CA0000000000000000000000000000021"),
        ("CallStatus", "completed"),
        ("CallDuration", "14"),
        ("SequenceNumber", "1"),
    ];
    let answered = vec![
        ("AccountSid", SID),
        ("CallSid", "CA0000000000000000000000000000021"),
        ("CallStatus", "in-progress"),
        ("SequenceNumber", "0"),
    ];
    let signatures = twilio_signatures(
        TOKEN,
        &[
            (format!("{PUBLIC}{path}"), answered.clone()),
            (format!("{PUBLIC}{path}"), completed.clone()),
        ],
    );
    let (status, _) = post(&app, path, &answered, Some(&signatures[0])).await;
    assert_eq!(status, StatusCode::NO_CONTENT);
    let (status, _) = post(&app, path, &completed, Some(&signatures[1])).await;
    assert_eq!(
        status,
        StatusCode::NO_CONTENT,
        "each status of a call is taken"
    );
    let (status, _) = post(&app, path, &completed, Some(&signatures[1])).await;
    assert_eq!(
        status,
        StatusCode::CONFLICT,
        "an identical replay is refused"
    );
    let (status, _) = post(&app, path, &completed, Some(&signatures[0])).await;
    assert_eq!(
        status,
        StatusCode::FORBIDDEN,
        "a signature for other params"
    );
    let (status, _) = post(&app, path, &completed, None).await;
    assert_eq!(status, StatusCode::FORBIDDEN, "unsigned");
    assert!(
        sink.reported().is_empty(),
        "status callbacks confirm nothing"
    );
}
