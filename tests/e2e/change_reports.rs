//! "This wasn't me" in a real browser: a change made on the security-info page (over its
//! API) is told at the person's other address with a link; the page it opens only asks,
//! its button (a form posting back to the page, as a browser sends it) signs the person
//! out everywhere and blocks their methods. Screenshots at 360 px and desktop.

use crate::harness::{Browser, Product};
use serde_json::{Value, json};

const MEGAN: &str = "megan.bowen@contoso.example";
const PASSWORD: &str = "Orchard lantern 1984";

/// Signs Megan in and proves her e-mail; the session cookie.
fn signed_in(product: &Product) -> String {
    let body = json!({"user_id": MEGAN, "password": PASSWORD, "locale": "en"});
    let (status, cookie, session) = product.request("POST", "/api/v1/session", Some(&body), &[]);
    assert_eq!(status, 201, "{session}");
    let cookie = cookie.expect("session cookie");
    let proof = &session["proof"];
    let flow = proof["flow_id"].as_str().unwrap();
    let secret = proof["flow_secret"].as_str().unwrap();
    let email = proof["methods"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["kind"] == "email")
        .unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let bound = [("x-flow-secret", secret)];
    let challenge = format!("/api/v1/reset/flows/{flow}/methods/{email}/challenge");
    assert_eq!(
        product
            .request("POST", &challenge, Some(&json!({})), &bound)
            .0,
        200
    );
    let code = product.last_code_to("megan.bowen@home.example");
    let verify = format!("/api/v1/reset/flows/{flow}/methods/{email}/verify");
    let proven = product.request("POST", &verify, Some(&json!({"code": code})), &bound);
    assert_eq!(proven.0, 200, "{}", proven.2);
    let with_cookie = [("x-flow-secret", secret), ("cookie", cookie.as_str())];
    let proved = product.request(
        "POST",
        "/api/v1/session/proof",
        Some(&json!({"flow_id": flow})),
        &with_cookie,
    );
    assert_eq!(proved.0, 200, "{}", proved.2);
    cookie
}

/// The report link's path in the newest notice to `address`.
fn report_path(product: &Product, address: &str) -> String {
    let messages = product.get_json("/api/v1/dev/outbox");
    let body = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["to"] == address && m["body"].as_str().unwrap().contains("/report/"))
        .unwrap_or_else(|| panic!("no notice to {address}: {messages}"))["body"]
        .as_str()
        .unwrap()
        .to_owned();
    let at = body.find("/report/").unwrap();
    body[at..].split_whitespace().next().unwrap().to_owned()
}

#[tokio::test]
async fn a_change_reported_from_its_notice_signs_out_and_blocks() {
    let product = Product::start();
    let cookie = signed_in(&product);
    let session = [("cookie", cookie.as_str())];
    let add = json!({"kind": "email", "address": "megan.new@elsewhere.example"});
    let (status, _, pending) = product.request(
        "POST",
        "/api/v1/session/registrations",
        Some(&add),
        &session,
    );
    assert_eq!(status, 201, "{pending}");
    let code = product.last_code_to("megan.new@elsewhere.example");
    let confirm = format!(
        "/api/v1/session/registrations/{}/confirm",
        pending["registration_id"].as_str().unwrap()
    );
    let (status, _, list) =
        product.request("POST", &confirm, Some(&json!({"code": code})), &session);
    assert_eq!(status, 200, "{list}");
    // The old address is told (the change replaced it), with the link.
    let path = report_path(&product, "megan.bowen@home.example");

    for (phone, name) in [(true, "360"), (false, "desktop")] {
        let browser = if phone {
            Browser::start_phone("en").await
        } else {
            Browser::start("en").await
        };
        browser.open(&product, &path).await;
        browser.wait_for_text("h1", "Was this you?").await;
        browser
            .wait_for_text_containing(
                ".notification",
                "A sign-in method was changed: an email address.",
            )
            .await;
        browser.screenshot(&format!("report-ask-{name}")).await;
        crate::a11y::assert_accessible(&browser, &format!("the report page at {name}")).await;
        browser.quit().await;
    }
    // Opening it (twice, as a mail scanner and the person would) changed nothing.
    let (status, _, _) = product.request("GET", "/api/v1/session", None, &session);
    assert_eq!(status, 200);

    let browser = Browser::start_phone("en").await;
    browser.open(&product, &path).await;
    browser.click("form button").await;
    browser.wait_for_text("h1", "Reported").await;
    browser.screenshot("report-done-360").await;
    crate::a11y::assert_accessible(&browser, "reported, at 360").await;
    // Reloading the page now says it was reported already.
    browser.open(&product, &path).await;
    browser
        .wait_for_text_containing("main", "This change was already reported.")
        .await;
    browser.screenshot("report-already-360").await;
    browser.quit().await;

    let (status, _, json) = product.request("GET", "/api/v1/session", None, &session);
    assert_eq!((status, &json["code"]), (401, &json!("not_signed_in")));
    let body = json!({"user_id": MEGAN, "password": PASSWORD});
    let (status, _, json): (u16, _, Value) =
        product.request("POST", "/api/v1/session", Some(&body), &[]);
    assert_eq!((status, &json["code"]), (403, &json!("account_blocked")));
}
