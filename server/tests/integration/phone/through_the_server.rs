//! The whole path of an office-phone proof with the Twilio provider: the reset's call is
//! queued, the outbox hands it to (a fake of) Twilio's API, and the key press comes back
//! as a callback signed by the `twilio` package's own validator to the server's route,
//! outside the browser guards. Only that proves the method, once.

use super::FakeApi;
use super::twilio::{gather_params, post, twilio_signatures};
use crate::harness::Harness;
use axum::http::StatusCode;
use serde_json::json;
use sspr_api::MethodKind;

const TOKEN: &str = "through-the-server-token-42";
const PUBLIC: &str = "https://sspr.example.test";

fn config(api: &str, token_file: &std::path::Path) -> String {
    format!(
        r#"
[server]
public_url = "{PUBLIC}"

[captcha]
max_number = 1000

[phone]
provider = "twilio"
default_region = "GB"

[phone.twilio]
account_sid = "AC0123456789abcdef0123456789abcdef"
auth_token_file = "{}"
from = "+15005550006"
api_base = "{api}"

[policy]
scope = "selected"
group = "sspr-users"
methods_required = 1
methods = ["email", "office_phone"]
"#,
        token_file.display()
    )
}

/// The gather action URL in the TwiML of the call the fake API was asked to place.
fn gather_url(api: &FakeApi) -> String {
    let calls: Vec<_> = api
        .requests()
        .into_iter()
        .filter(|r| r.path.ends_with("/Calls.json"))
        .collect();
    assert_eq!(calls.len(), 1, "one call placed");
    let twiml = calls[0].field("Twiml");
    let start = twiml.find("action=\"").expect("a gather action") + "action=\"".len();
    let end = start + twiml[start..].find('"').unwrap();
    twiml[start..end].replace("&amp;", "&")
}

#[tokio::test]
async fn a_signed_key_press_to_the_servers_route_proves_the_office_phone_once() {
    let api = FakeApi::start().await;
    let secrets = tempfile::tempdir().unwrap();
    let token_file = secrets.path().join("twilio-token");
    std::fs::write(&token_file, format!("{TOKEN}\n")).unwrap();
    let h = Harness::new(&config(&api.base, &token_file)).await;
    h.person("robin.quill").await;
    h.directory
        .add_phone(
            "robin.quill",
            MethodKind::OfficePhone,
            "020 7946 0012",
            sspr_server::phone::number::region("GB").unwrap(),
        )
        .await
        .unwrap();
    let flow = h.start("robin.quill").await;
    let (status, _, sent) = h.challenge(&flow, "office_phone").await;
    assert_eq!(status, StatusCode::OK, "{sent}");
    let pass = h.deliver_phone().await;
    assert_eq!(
        pass.sent,
        1,
        "{pass:?} {:?}",
        h.sql("SELECT channel, last_error FROM outbox")
    );
    let url = gather_url(&api);
    let path = url
        .strip_prefix(PUBLIC)
        .expect("a callback to the public URL");
    assert!(path.starts_with("/telephony/twilio/calls/"), "{path}");

    // A forged press is refused and proves nothing.
    let pressed = gather_params("CA11111111111111111111111111111111", "#");
    let (status, _) = post(&h.app, path, &pressed, Some("Zm9yZ2Vk")).await;
    assert_eq!(status, StatusCode::FORBIDDEN);
    assert_eq!(h.get_flow(&flow).await.2["verified"], json!([]));

    // Twilio's own signature of the real press: the method is proven.
    let signature = &twilio_signatures(TOKEN, &[(url.clone(), pressed.clone())])[0];
    let (status, twiml) = post(&h.app, path, &pressed, Some(signature)).await;
    assert_eq!(status, StatusCode::OK, "{twiml}");
    assert!(twiml.contains("<Hangup/>"), "{twiml}");
    let office = flow.method("office_phone");
    assert_eq!(h.get_flow(&flow).await.2["verified"], json!([office]));

    // The same callback again is a replay.
    let (status, _) = post(&h.app, path, &pressed, Some(signature)).await;
    assert_eq!(status, StatusCode::CONFLICT);

    let (status, _, done) = h.set_password(&flow, "copper kettle whistles").await;
    assert_eq!(status, StatusCode::OK, "{done}");
}
