//! The security-info page in Chromium: sign in with the password, then prove a method
//! (the authenticator app), see the methods and how ready the person is, sign out; a
//! wrong password answered in the error summary; a person with no method asked for a
//! second proof. Screenshots at 360 px and desktop.

use crate::harness::{Browser, Product, locale_text};
use crate::steps::{ADELE, demo_secret, now};
use sspr_server::crypto::totp;
use sspr_server::demo::DEMO_PASSWORD;

async fn sign_in(browser: &Browser, product: &Product, user_id: &str, password: &str) {
    browser.open(product, "/security-info").await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.title"))
        .await;
    browser.fill("#user-id", user_id).await;
    browser.fill("#password", password).await;
    browser.click("form button[type=submit]").await;
}

#[tokio::test]
async fn a_person_signs_in_proves_their_app_sees_their_methods_and_signs_out() {
    for (phone, name) in [(true, "360"), (false, "desktop")] {
        // A server each: the app's code is accepted once per 30-second step.
        let product = Product::start();
        let browser = if phone {
            Browser::start_phone("en").await
        } else {
            Browser::start("en").await
        };
        sign_in(&browser, &product, ADELE, DEMO_PASSWORD).await;
        browser
            .wait_for_text("h1", &locale_text("en", "security_info.prove.title"))
            .await;
        browser
            .screenshot(&format!("security-info-prove-{name}"))
            .await;
        browser
            .click("input[type=radio][data-kind='app_code']")
            .await;
        browser
            .fill("#proof", &totp::code_at(&demo_secret(ADELE), now()))
            .await;
        browser.click("form button[type=submit]").await;
        browser.wait_for("#methods").await;
        browser
            .wait_for_text("h1", &locale_text("en", "security_info.title"))
            .await;
        let rows = browser
            .client
            .find_all(fantoccini::Locator::Css("#methods .summary-list__row"))
            .await
            .unwrap();
        assert_eq!(rows.len(), 3, "e-mail, app and questions");
        browser
            .wait_for_text_containing("#readiness", "You can reset your password yourself")
            .await;
        browser
            .wait_for_text_containing("#methods", "•••@home.example")
            .await;
        browser
            .screenshot(&format!("security-info-methods-{name}"))
            .await;
        browser.click("#sign-out").await;
        browser
            .wait_for_text_containing(
                ".notification",
                &locale_text("en", "security_info.signed_out"),
            )
            .await;
        browser.quit().await;
    }
}

#[tokio::test]
async fn a_wrong_password_is_told_in_the_error_summary() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    sign_in(&browser, &product, ADELE, "not the password").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "errors.sign_in_failed"),
        )
        .await;
    browser.screenshot("security-info-sign-in-failed-360").await;
    browser.quit().await;
}

#[tokio::test]
async fn a_person_with_no_method_is_asked_for_a_second_proof() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    // Lee Gu is in the demo directory with a password and no method.
    sign_in(&browser, &product, "lee.gu@contoso.example", DEMO_PASSWORD).await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.first_proof.title"))
        .await;
    browser.wait_for("#pass").await;
    browser.screenshot("security-info-first-proof-360").await;
    browser.quit().await;
}
