//! App notifications in the browser: Adele sets up her phone (a second browser with a
//! phone's screen) from the QR code's link on the security-info page, then resets her
//! password in the portal by choosing, on the phone, the number the portal shows; the
//! phone's authenticator page signs the approval with its own WebCrypto key.

use crate::harness::{Browser, Product, locale_text, npm_modules};
use crate::steps::*;

/// Adele signed in to the security-info page with her app, showing the enrol link; the
/// browser stays open (the page waits for the phone) until the caller drops it.
async fn enrol_link(product: &Product) -> (String, Browser) {
    let browser = Browser::start("en").await;
    signed_in_with_app(&browser, product, ADELE, "#methods").await;
    browser
        .click("#add-methods button[data-kind='app_notification']")
        .await;
    browser.wait_for("svg.qr-code").await;
    let link = browser.text_of("#enrol-link").await;
    browser.screenshot("security-info-add-notifications").await;
    (link, browser)
}

/// Delivers a Web Push message to the service worker of `phone`'s authenticator page
/// (`tests/e2e/push_via_devtools.cjs`, playwright-core over the DevTools protocol).
fn push_through_devtools(phone: &Browser, origin: &str) {
    let address = phone
        .client
        .capabilities()
        .and_then(|c| c.get("goog:chromeOptions"))
        .and_then(|o| o.get("debuggerAddress"))
        .and_then(|a| a.as_str())
        .expect("chromedriver reports the DevTools address")
        .to_owned();
    let modules = npm_modules();
    assert!(
        modules.join("playwright-core/package.json").is_file(),
        "the npm package playwright-core is missing from {}: run scripts/setup.sh --for-tests",
        modules.display()
    );
    let script =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/e2e/push_via_devtools.cjs");
    let output = std::process::Command::new("node")
        .arg(script)
        .arg(&address)
        .arg(origin)
        .env("NODE_PATH", &modules)
        .output()
        .expect("node runs (scripts/setup.sh --for-tests installs it)");
    assert!(
        output.status.success(),
        "the push was not delivered: {}",
        String::from_utf8_lossy(&output.stderr)
    );
}

#[tokio::test]
async fn a_reset_approved_on_the_phone_with_the_number_the_portal_shows() {
    let product = Product::start();
    let (link, _security_info) = enrol_link(&product).await;
    assert!(link.contains("/authenticator#enrol="), "{link}");

    // The phone: the link opens the authenticator page, which sets itself up.
    let phone = Browser::start_phone("en").await;
    phone.client.goto(&link).await.unwrap();
    phone
        .wait_for_text("h1", &locale_text("en", "authenticator.enrol_title"))
        .await;
    phone.fill("#device-name", "Adele's phone").await;
    phone.click("#enrol").await;
    phone
        .wait_for_text("h1", &locale_text("en", "authenticator.title"))
        .await;
    phone.wait_for("#no-requests").await;
    phone.screenshot("authenticator-set-up-360").await;
    // The spent token left the address: a reload keeps the device.
    let url = phone.client.current_url().await.unwrap();
    assert!(!url.as_str().contains("enrol="));

    // A push reaches the page's service worker (delivered through the DevTools protocol,
    // as a push service would), which tells the open page.
    push_through_devtools(&phone, &url.origin().ascii_serialization());
    phone.wait_for("#device-account[data-pushes='1']").await;

    // The portal: app notification first, then the number to choose.
    let browser = Browser::start("en").await;
    identify(&browser, &product, ADELE).await;
    choose(&browser, "app_notification").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.notification.heading"))
        .await;
    let number = browser.text_of("#number-to-choose").await;
    browser.screenshot("portal-choose-number").await;

    // The phone shows the request with three numbers; choosing the one shown approves.
    let choice = format!(".number-choice button[data-number='{number}']");
    phone.wait_for(&choice).await;
    phone.screenshot("authenticator-request-360").await;
    let others = phone
        .client
        .find_all(fantoccini::Locator::Css(".number-choice button"))
        .await
        .unwrap();
    assert_eq!(others.len(), 3, "three numbers to choose from");
    phone.click(&choice).await;
    phone
        .wait_for_text(
            "#decision-status",
            &locale_text("en", "authenticator.approved"),
        )
        .await;

    // The portal moved on within the held wait: the second method, then the password.
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    choose(&browser, "email").await;
    prove_email(&browser, &product, "en", ADELE).await;
    set_new_password(&browser, "en", "violet harbour crossing").await;
    assert!(server_accepts(&product, ADELE, "violet harbour crossing").await);
    browser.quit().await;
    phone.quit().await;
}

/// A phone not seen for a month shows as stale on the security-info page, which asks to
/// set it up again; once removed there, the phone's authenticator page says it is no
/// longer set up.
#[tokio::test]
async fn an_unseen_phone_shows_stale_and_a_removed_one_says_so_on_the_phone() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    signed_in_with_app(&browser, &product, ADELE, "#methods").await;
    browser
        .click("#add-methods button[data-kind='app_notification']")
        .await;
    browser.wait_for("svg.qr-code").await;
    let link = browser.text_of("#enrol-link").await;
    let phone = Browser::start_phone("en").await;
    phone.client.goto(&link).await.unwrap();
    phone.fill("#device-name", "Adele's phone").await;
    phone.click("#enrol").await;
    phone.wait_for("#no-requests").await;
    let row = ".summary-list__row[data-kind='app_notification']";
    browser.wait_for(row).await;

    // A month without the phone's page open.
    phone.client.goto("about:blank").await.unwrap();
    let db = rusqlite::Connection::open(product.database()).unwrap();
    db.execute(
        "UPDATE methods SET device_seen_at = device_seen_at - 31 * 86400
         WHERE kind = 'app_notification'",
        [],
    )
    .unwrap();
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text_containing(
            &format!("{row} .method-stale"),
            &locale_text("en", "security_info.methods.stale"),
        )
        .await;
    browser
        .client
        .execute(
            "document.querySelector(arguments[0]).scrollIntoView()",
            vec![serde_json::json!(row)],
        )
        .await
        .unwrap();
    browser.screenshot("security-info-stale-phone-360").await;

    // Removed on the security-info page: the phone's page says it is no longer set up.
    browser.click(&format!("{row} button.remove")).await;
    browser.click("button.remove-confirm").await;
    browser.wait_for("#saved").await;
    assert!(!browser.has(row).await);
    // The page where the link opened it (the link's origin: its storage holds the key).
    let page = link.split('#').next().unwrap();
    phone.client.goto(page).await.unwrap();
    phone
        .wait_for_text_containing("#forgotten", &locale_text("en", "authenticator.forgotten"))
        .await;
    phone.screenshot("authenticator-forgotten-360").await;
    browser.quit().await;
    phone.quit().await;
}
