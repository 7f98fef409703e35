//! The security-info page in Chromium: sign in with the password, then prove a method
//! (the authenticator app), see the methods and how ready the person is, sign out; a
//! wrong password answered in the error summary; a person with no method asked for a
//! second proof. Screenshots at 360 px and desktop.

use crate::harness::{Browser, Product, locale_text};
use crate::steps::{
    ADELE, answer_questions, change_password, choose, demo_email, demo_secret, enter_code,
    identify, next_phone_code, now, phone_count, prove_email, server_accepts, set_new_password,
    sign_in, signed_in_with_app,
};
use sspr_server::crypto::totp::{self, TotpSecret};
use sspr_server::demo::{DEMO_ANSWERS, DEMO_PASSWORD};

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
    // The directory holds no address for Lee: no code to offer.
    assert!(!browser.has("#send-contact-code").await);
    browser.screenshot("security-info-first-proof-360").await;
    browser.quit().await;
}

const ALEX: &str = "alex.wilber@contoso.example";

/// Adds an authenticator app: its key read from the page, confirmed with the code it
/// gives now; a screenshot of the QR code page under `shot`, if given.
async fn add_app(browser: &Browser, shot: Option<&str>) {
    browser
        .click("#add-methods button[data-kind='app_code']")
        .await;
    browser.wait_for("svg.qr-code").await;
    let key = browser.text_of("#app-secret").await.replace(' ', "");
    let secret = TotpSecret::from_base32(&key).expect("a base32 key on the page");
    if let Some(name) = shot {
        browser.screenshot(name).await;
    }
    browser
        .fill("#app-code", &totp::code_at(&secret, now()))
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#saved").await;
}

/// Adds (or changes to) `address`, with the code from the dev outbox.
async fn add_email(browser: &Browser, product: &Product, address: &str) {
    browser
        .click("#add-methods button[data-kind='email']")
        .await;
    browser.fill("#email-address", address).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#email-code").await;
    browser
        .fill("#email-code", &product.last_code_to(address))
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#saved").await;
}

/// Signs Alex in (e-mail and questions, no app) and proves his e-mail address.
async fn alex_signed_in(browser: &Browser, product: &Product) {
    sign_in(browser, product, ALEX, DEMO_PASSWORD).await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.prove.title"))
        .await;
    browser.click("input[type=radio][data-kind='email']").await;
    browser.click("#send-code").await;
    browser.wait_for("#proof").await;
    let code = product.last_code_to(demo_email(ALEX));
    browser.fill("#proof", &code).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#methods").await;
}

/// The must-show journey: add an app (its code computed from the secret on the page),
/// change the e-mail address (code from the dev outbox), set up security questions, then
/// reset the password in the portal with the address and the questions set up here.
#[tokio::test]
async fn methods_added_on_the_page_reset_the_password_in_the_portal() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    alex_signed_in(&browser, &product).await;

    // A new authenticator app: the QR code and the key, confirmed with the app's code.
    add_app(&browser, Some("security-info-add-app-360")).await;
    // A new e-mail address, used once its code is typed.
    add_email(&browser, &product, "alex.new@elsewhere.example").await;
    browser
        .wait_for_text_containing("#methods", "•••@elsewhere.example")
        .await;

    // Security questions, set up anew: three different ones, answered.
    browser
        .click("#add-methods button[data-kind='security_questions']")
        .await;
    browser.wait_for("#question-3").await;
    // The same question twice is refused before anything is sent.
    for index in 1..=2 {
        browser
            .wait_for(&format!("#question-{index}"))
            .await
            .select_by_value("birth_city")
            .await
            .unwrap();
        browser.fill(&format!("#answer-{index}"), "Lisbon").await;
    }
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "security_info.add_questions.different"),
        )
        .await;
    browser
        .screenshot("security-info-questions-error-360")
        .await;
    for (index, (question, answer)) in DEMO_ANSWERS.iter().enumerate() {
        browser
            .wait_for(&format!("#question-{}", index + 1))
            .await
            .select_by_value(question)
            .await
            .unwrap();
        browser
            .fill(&format!("#answer-{}", index + 1), answer)
            .await;
    }
    browser.click("form button[type=submit]").await;
    browser.wait_for("#saved").await;
    let rows = browser
        .client
        .find_all(fantoccini::Locator::Css("#methods .summary-list__row"))
        .await
        .unwrap();
    assert_eq!(rows.len(), 4, "e-mail, app, mobile phone and questions");
    browser.screenshot("security-info-all-methods-360").await;
    browser.click("#sign-out").await;
    browser.quit().await;

    // The portal: the new address and the questions reset the password.
    let browser = Browser::start_phone("en").await;
    identify(&browser, &product, ALEX).await;
    choose(&browser, "email").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    let code = product.last_code_to("alex.new@elsewhere.example");
    enter_code(&browser, &code).await;
    choose(&browser, "security_questions").await;
    answer_questions(&browser, "en").await;
    set_new_password(&browser, "en", "a brand new passphrase").await;
    browser.quit().await;
    assert!(server_accepts(&product, ALEX, "a brand new passphrase").await);
}

/// A mobile phone added on the page (a number that is none refused first, then the code
/// texted to the real one) resets the password in the portal by text.
#[tokio::test]
async fn a_mobile_phone_added_on_the_page_resets_the_password_by_text() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    adele_signed_in(&browser, &product).await;
    browser
        .click("#add-methods button[data-kind='mobile_phone']")
        .await;
    browser.fill("#phone-number", "12").await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "errors.invalid_phone_number"),
        )
        .await;
    browser.screenshot("security-info-phone-error-360").await;
    // As people type it: the organisation's region gives the country code.
    let seen = phone_count(&product);
    browser.fill("#phone-number", "07400 765432").await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#phone-code").await;
    browser
        .wait_for_text_containing(".hint", "+447400765432")
        .await;
    browser
        .fill("#phone-code", &next_phone_code(&product, "sms", seen).await)
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#saved").await;
    browser
        .wait_for_text_containing("#methods", "•••• 32")
        .await;
    browser.screenshot("security-info-phone-added-360").await;
    browser.click("#sign-out").await;
    browser.quit().await;

    let browser = Browser::start("en").await;
    identify(&browser, &product, ADELE).await;
    let seen = phone_count(&product);
    choose(&browser, "mobile_phone").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.phone_heading"))
        .await;
    enter_code(&browser, &next_phone_code(&product, "sms", seen).await).await;
    // Not the app: its code of this half-minute was spent signing in.
    choose(&browser, "email").await;
    prove_email(&browser, &product, "en", ADELE).await;
    set_new_password(&browser, "en", "a brand new passphrase").await;
    browser.quit().await;
    assert!(server_accepts(&product, ADELE, "a brand new passphrase").await);
}

/// An administrator never gets security questions to set up (the policy), whatever the
/// organisation enables for others.
#[tokio::test]
async fn an_administrator_is_not_offered_security_questions() {
    let product = Product::start();
    let browser = Browser::start("en").await;
    // Megan Bowen is an administrator with e-mail and an app.
    sign_in(
        &browser,
        &product,
        "megan.bowen@contoso.example",
        DEMO_PASSWORD,
    )
    .await;
    browser
        .click("input[type=radio][data-kind='app_code']")
        .await;
    let secret = TotpSecret::from_bytes(
        sspr_server::demo::DEMO_METHODS[2]
            .totp_secret
            .expect("Megan's app"),
    );
    browser.fill("#proof", &totp::code_at(&secret, now())).await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for("#add-methods button[data-kind='email']")
        .await;
    assert!(
        !browser
            .has("#add-methods button[data-kind='security_questions']")
            .await
    );
    browser.screenshot("security-info-admin-desktop").await;
    browser.quit().await;
}

/// Adele signed in with her app (e-mail, app and questions; two needed to reset).
async fn adele_signed_in(browser: &Browser, product: &Product) {
    adele_signed_in_to(browser, product, "#methods").await;
}

/// Adele signed in with her app, until `landing` shows.
async fn adele_signed_in_to(browser: &Browser, product: &Product, landing: &str) {
    signed_in_with_app(browser, product, ADELE, landing).await;
}

async fn rows(browser: &Browser) -> usize {
    browser
        .client
        .find_all(fantoccini::Locator::Css("#methods .summary-list__row"))
        .await
        .unwrap()
        .len()
}

#[tokio::test]
async fn methods_are_removed_behind_a_confirmation_unless_the_reset_needs_them() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    adele_signed_in(&browser, &product).await;
    assert_eq!(rows(&browser).await, 3);
    // The questions can go: e-mail and the app are still two.
    browser
        .click(".summary-list__row[data-kind='security_questions'] button.remove")
        .await;
    browser.wait_for("button.remove-confirm").await;
    browser.screenshot("security-info-remove-confirm-360").await;
    browser.click("button.remove-confirm").await;
    browser.wait_for("#saved").await;
    assert_eq!(rows(&browser).await, 2);
    // The e-mail cannot: the reset needs it now, and the row says why.
    browser
        .click(".summary-list__row[data-kind='email'] button.remove")
        .await;
    browser.click("button.remove-confirm").await;
    browser
        .wait_for_text_containing(
            ".summary-list__row[data-kind='email'] .method-problem",
            &locale_text("en", "errors.method_needed"),
        )
        .await;
    browser.screenshot("security-info-remove-refused-360").await;
    assert_eq!(rows(&browser).await, 2);
    // The app becomes the default.
    browser
        .click(".summary-list__row[data-kind='app_code'] button.make-default")
        .await;
    browser
        .wait_for(".summary-list__row[data-kind='app_code'] .tag")
        .await;
    assert!(
        !browser
            .has(".summary-list__row[data-kind='email'] .tag")
            .await
    );
    browser.quit().await;
}

#[tokio::test]
async fn the_password_is_changed_under_the_reset_rules() {
    let product = Product::start();
    let browser = Browser::start("en").await;
    adele_signed_in(&browser, &product).await;
    browser
        .screenshot("security-info-methods-before-password-desktop")
        .await;
    browser.click("#change-password").await;
    change_password(&browser, "not it", "a brand new passphrase").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "errors.password_incorrect"),
        )
        .await;
    browser.fill("#current-password", DEMO_PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#password-changed").await;
    browser
        .screenshot("security-info-password-changed-desktop")
        .await;
    browser.quit().await;
    assert!(server_accepts(&product, ADELE, "a brand new passphrase").await);
}

/// Everyone may reset, and the policy asks people to register at sign-in (the default).
const EVERYONE: &str = r#"
[policy]
scope = "all"
methods_required = 2
methods = ["email", "app_code", "security_questions"]
"#;

/// A person with no method, under a policy that requires registration: a one-time pass
/// from the help desk, then the interrupt until enough methods are registered.
#[tokio::test]
async fn the_registration_interrupt_holds_until_enough_methods_are_registered() {
    let product = Product::start_with_config(EVERYONE);
    let printed = product.admin(&["user", "issue-pass", "lee.gu@contoso.example"]);
    let pass = printed.lines().last().expect("the pass").trim().to_owned();
    let browser = Browser::start_phone("en").await;
    sign_in(&browser, &product, "lee.gu@contoso.example", DEMO_PASSWORD).await;
    browser.wait_for("#pass").await;
    browser.fill("#pass", &pass).await;
    browser.click("form:last-of-type button[type=submit]").await;
    browser
        .wait_for_text(
            "#interrupt",
            &locale_text("en", "security_info.interrupt.title"),
        )
        .await;
    browser.screenshot("security-info-interrupt-360").await;
    crate::a11y::assert_accessible(&browser, "the registration interrupt at 360").await;
    assert!(!browser.has("#interrupt-done").await);
    // An app...
    add_app(&browser, None).await;
    assert!(
        !browser.has("#interrupt-done").await,
        "one method is not enough"
    );
    // ...and an address: enough to reset, so the person may go on.
    add_email(&browser, &product, "lee@home.example").await;
    browser.click("#interrupt-done").await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.title"))
        .await;
    browser.quit().await;
}

/// Methods registered longer ago than `reconfirm_days` (180 in the demo): sign-in asks
/// whether they are still right; confirming goes on to the page.
#[tokio::test]
async fn old_methods_are_to_be_reconfirmed_at_sign_in() {
    let product = Product::start();
    let db = rusqlite::Connection::open(product.database()).unwrap();
    db.execute(
        "UPDATE methods SET created_at = created_at - 200 * 86400
         WHERE user_id = (SELECT id FROM users WHERE user_id = ?1)",
        [ADELE],
    )
    .unwrap();
    let browser = Browser::start("en").await;
    adele_signed_in_to(&browser, &product, "#reconfirm").await;
    browser
        .wait_for_text(
            "#reconfirm",
            &locale_text("en", "security_info.reconfirm.title"),
        )
        .await;
    browser.wait_for("#methods").await;
    browser.screenshot("security-info-reconfirm-desktop").await;
    crate::a11y::assert_accessible(&browser, "the reconfirmation prompt").await;
    browser.click("#reconfirm-yes").await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.title"))
        .await;
    browser.quit().await;
    let confirmed: Option<i64> = db
        .query_row(
            "SELECT methods_confirmed_at FROM users WHERE user_id = ?1",
            [ADELE],
            |row| row.get(0),
        )
        .unwrap();
    assert!(confirmed.is_some());
}

/// A session that ended on the server (timed out, signed out elsewhere, a reset) is met
/// on the next action with a clear message and the sign-in form; signing in again comes
/// back to the methods.
#[tokio::test]
async fn an_ended_session_says_so_and_signing_in_again_comes_back() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    adele_signed_in(&browser, &product).await;
    let db = rusqlite::Connection::open(product.database()).unwrap();
    db.execute("DELETE FROM sessions", []).unwrap();
    browser
        .click(".summary-list__row[data-kind='app_code'] button.make-default")
        .await;
    browser
        .wait_for_text_containing(".notification", &locale_text("en", "errors.not_signed_in"))
        .await;
    browser.wait_for("#password").await;
    browser.screenshot("security-info-session-ended-360").await;
    browser.fill("#user-id", ADELE).await;
    browser.fill("#password", DEMO_PASSWORD).await;
    browser.click("form button[type=submit]").await;
    browser
        .click("input[type=radio][data-kind='security_questions']")
        .await;
    answer_questions(&browser, "en").await;
    browser.wait_for("#methods").await;
    browser.quit().await;
}

/// A removal with a proof older than `recent_proof_minutes` asks to prove a method again,
/// then comes back to the methods.
#[tokio::test]
async fn a_stale_proof_is_proven_again_before_a_removal() {
    let product = Product::start();
    let browser = Browser::start_phone("en").await;
    adele_signed_in(&browser, &product).await;
    let db = rusqlite::Connection::open(product.database()).unwrap();
    db.execute("UPDATE sessions SET proven_at = proven_at - 3600", [])
        .unwrap();
    browser
        .click(".summary-list__row[data-kind='security_questions'] button.remove")
        .await;
    browser.click("button.remove-confirm").await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.prove.title"))
        .await;
    browser.click("input[type=radio][data-kind='email']").await;
    browser.click("#send-code").await;
    browser.wait_for("#proof").await;
    browser
        .fill("#proof", &product.last_code_to(demo_email(ADELE)))
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for("#methods").await;
    browser
        .click(".summary-list__row[data-kind='security_questions'] button.remove")
        .await;
    browser.click("button.remove-confirm").await;
    browser.wait_for("#saved").await;
    assert_eq!(rows(&browser).await, 2);
    browser.quit().await;
}
