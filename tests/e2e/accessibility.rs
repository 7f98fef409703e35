//! Accessibility, checked (docs/ACCESSIBILITY.md): every step of the reset portal and every
//! page and form of the security-info page, the authenticator and the embedded portal pass
//! axe-core's WCAG 2.2 A/AA rules (among them labels and accessible names, contrast,
//! 24 px targets) with no horizontal scroll, in English and in Arabic (right to left), at
//! 320 CSS px (a 1280 px window at 400% zoom) and at a desktop window. After each step
//! the focus is on the new step's heading or its error summary; live regions do not
//! repeat a countdown. And the checks fail when a label or a focus move is removed from
//! the running page.

use crate::a11y::*;
use crate::harness::{Browser, Product, locale_text};
use crate::steps::*;
use sspr_server::crypto::totp;
use sspr_server::demo::DEMO_PASSWORD;
use std::time::Duration;

/// The browsers the walks run in: (browser language, page language, screen width or
/// desktop).
const SCREENS: [(&str, &str, Option<u32>); 3] = [
    ("en-US", "en", Some(320)),
    ("en-US", "en", None),
    ("ar", "ar", Some(320)),
];

async fn browser_for(accept_language: &str, width: Option<u32>) -> Browser {
    match width {
        Some(width) => Browser::start_at(accept_language, width).await,
        None => Browser::start(accept_language).await,
    }
}

fn screen_name(locale: &str, width: Option<u32>) -> String {
    match width {
        Some(width) => format!("{locale} at {width} px"),
        None => format!("{locale} at desktop"),
    }
}

/// Submits the form of the step (its first submit button).
async fn submit(browser: &Browser) {
    browser.click("form button[type=submit]").await;
}

/// After a step change: the focus arrived, and the page passes.
async fn arrived(browser: &Browser, state: &str) {
    if let Err(problem) = focus_moved_to_step(browser).await {
        panic!("{state}: {problem}");
    }
    assert_accessible(browser, state).await;
}

#[tokio::test]
async fn every_step_of_a_reset_passes_axe_with_the_focus_on_each_new_step() {
    for (accept_language, locale, width) in SCREENS {
        let screen = screen_name(locale, width);
        let at = |state: &str| format!("{screen}: {state}");
        let product = Product::start();
        let browser = browser_for(accept_language, width).await;
        browser.open(&product, "/").await;
        browser.wait_for("#user-id").await;
        browser.expect_heading(locale, "reset.title").await;
        assert_accessible(&browser, &at("the first step")).await;
        submit(&browser).await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("the first step with its error")).await;

        browser.fill("#user-id", ALEX).await;
        submit(&browser).await;
        browser
            .wait_for_text("h1", &locale_text(locale, "reset.choose.heading"))
            .await;
        arrived(&browser, &at("the choice of method")).await;
        submit(&browser).await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("the choice with nothing chosen")).await;

        choose(&browser, "email").await;
        browser
            .wait_for_text("h1", &locale_text(locale, "reset.code.email_heading"))
            .await;
        arrived(&browser, &at("the e-mailed code")).await;
        enter_code(&browser, "00000000").await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("a wrong code")).await;
        let code = product.last_code_to(demo_email(ALEX));
        enter_code(&browser, &code).await;
        browser
            .wait_for_text("h1", &locale_text(locale, "reset.choose.heading"))
            .await;
        arrived(&browser, &at("the choice of a second method")).await;

        choose(&browser, "security_questions").await;
        browser
            .wait_for_text("h1", &locale_text(locale, "reset.questions.heading"))
            .await;
        arrived(&browser, &at("the security questions")).await;
        submit(&browser).await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("the questions unanswered")).await;
        answer_questions(&browser, locale).await;

        browser
            .wait_for_text("h1", &locale_text(locale, "reset.password.heading"))
            .await;
        arrived(&browser, &at("the new password")).await;
        browser
            .fill("#new-password", "lantern orchard velvet")
            .await;
        browser
            .fill("#confirm-password", "lantern orchard basil")
            .await;
        submit(&browser).await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("passwords that differ")).await;
        set_new_password(&browser, locale, "lantern orchard velvet").await;
        arrived(&browser, &at("the done page")).await;
        browser.quit().await;
    }
}

#[tokio::test]
async fn the_unhappy_ends_of_a_reset_pass_axe() {
    for (accept_language, locale, width) in [SCREENS[0], SCREENS[2]] {
        let screen = screen_name(locale, width);
        // Five wrong codes pause Alex's only method: the paused page.
        let product = Product::start_with_config(ONE_METHOD);
        let browser = browser_for(accept_language, width).await;
        identify(&browser, &product, ALEX).await;
        browser
            .wait_for_text("h1", &locale_text(locale, "reset.code.email_heading"))
            .await;
        for _ in 0..5 {
            enter_code(&browser, "00000000").await;
            browser.wait_for(".error-summary, .paused-until").await;
            tokio::time::sleep(Duration::from_millis(300)).await;
        }
        browser
            .wait_for_text("h1", &locale_text(locale, "reset.paused.heading"))
            .await;
        arrived(&browser, &format!("{screen}: the method paused")).await;
        browser.quit().await;

        // The time running out: the warning dialog, focused.
        let product = Product::start_with_config(SHORT_FLOW);
        let browser = browser_for(accept_language, width).await;
        identify(&browser, &product, ADELE).await;
        choose(&browser, "app_code").await;
        enter_code(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
        wait_for_timeout_warning(&browser).await;
        arrived(&browser, &format!("{screen}: the timeout warning")).await;
        browser.quit().await;
    }
}

#[tokio::test]
async fn the_security_info_page_and_each_of_its_forms_pass_axe() {
    for (accept_language, locale, width) in [SCREENS[0], SCREENS[2]] {
        let screen = screen_name(locale, width);
        let at = |state: &str| format!("{screen}: {state}");
        let product = Product::start();
        let browser = browser_for(accept_language, width).await;
        browser.open(&product, "/security-info").await;
        browser.wait_for("#user-id").await;
        assert_accessible(&browser, &at("sign-in")).await;
        browser.fill("#user-id", ALEX).await;
        browser.fill("#password", "not the password").await;
        submit(&browser).await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("a wrong password")).await;
        browser.fill("#password", DEMO_PASSWORD).await;
        submit(&browser).await;
        browser
            .wait_for_text("h1", &locale_text(locale, "security_info.prove.title"))
            .await;
        assert_accessible(&browser, &at("the second proof")).await;
        browser.click("input[type=radio][data-kind='email']").await;
        browser.click("#send-code").await;
        browser.wait_for("#proof").await;
        assert_accessible(&browser, &at("the second proof's code")).await;
        let code = product.last_code_to(demo_email(ALEX));
        browser.fill("#proof", &code).await;
        submit(&browser).await;
        browser.wait_for("#methods").await;
        assert_accessible(&browser, &at("the methods")).await;

        let mut forms = 0;
        for (kind, ready) in [
            ("app_code", "svg.qr-code"),
            ("app_notification", "svg.qr-code"),
            ("email", "#email-address"),
            ("mobile_phone", "#phone-number"),
            ("security_questions", "form select"),
        ] {
            let button = format!("#add-methods button[data-kind='{kind}']");
            if !browser.has(&button).await {
                continue;
            }
            browser.click(&button).await;
            browser.wait_for(ready).await;
            forms += 1;
            assert_accessible(&browser, &at(&format!("adding {kind}"))).await;
            if browser.has("form button[type=submit]").await && kind != "app_notification" {
                submit(&browser).await;
                tokio::time::sleep(Duration::from_millis(500)).await;
                assert_accessible(&browser, &at(&format!("adding {kind}, sent empty"))).await;
            }
            browser.click("form .link-button, .link-button").await;
            browser.wait_for("#add-methods").await;
        }
        assert!(
            forms >= 4,
            "{screen}: only {forms} add-method forms were offered"
        );

        browser.click("#change-password").await;
        browser.wait_for("#current-password").await;
        assert_accessible(&browser, &at("changing the password")).await;
        change_password(&browser, "not it", "a brand new passphrase").await;
        browser.wait_for(".error-summary").await;
        arrived(&browser, &at("a wrong current password")).await;
        browser.quit().await;
    }
}

#[tokio::test]
async fn the_authenticator_and_the_embedded_portal_pass_axe() {
    for (accept_language, locale, width) in [SCREENS[0], SCREENS[2]] {
        let screen = screen_name(locale, width);
        let product = Product::start();
        let browser = browser_for(accept_language, width).await;
        browser.open(&product, "/authenticator").await;
        browser.wait_for("h1").await;
        assert_accessible(&browser, &format!("{screen}: the authenticator")).await;
        browser
            .open(&product, &format!("/?embed=1&host={}", product.url))
            .await;
        browser.wait_for("#user-id").await;
        assert_accessible(&browser, &format!("{screen}: the embedded portal")).await;
        browser
            .client
            .goto(&crate::embedding::host_page(&product))
            .await
            .expect("the example login page");
        browser.wait_for("iframe, button, a").await;
        assert_accessible(&browser, &format!("{screen}: the example login page")).await;
        browser.quit().await;
    }
}

#[tokio::test]
async fn live_regions_do_not_repeat_a_countdown() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    // The code page counts down to "send a new code" every second.
    listen_to_live_regions(&browser).await;
    tokio::time::sleep(Duration::from_secs(5)).await;
    let spoken = live_region_changes(&browser).await;
    assert!(
        spoken.iter().all(|(_, times)| *times <= 2),
        "a live region spoke every second: {spoken:?}"
    );
    // A wrong code is announced (the error summary is an alert).
    enter_code(&browser, "00000000").await;
    browser.wait_for(".error-summary").await;
    assert_eq!(
        browser.attr_of(".error-summary", "role").await.as_deref(),
        Some("alert")
    );
    browser.quit().await;
}

/// The checks can fail: a label removed from the running page is an axe violation, and a
/// step change whose focus move is taken away (the headings' `focus()` made to do nothing)
/// fails the focus check.
#[tokio::test]
async fn the_checks_fail_when_a_label_or_a_focus_move_is_removed() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.wait_for("#user-id").await;
    assert_accessible(&browser, "the first step, untouched").await;
    browser
        .client
        .execute(
            "document.querySelector('label[for=user-id]').remove();",
            vec![],
        )
        .await
        .expect("script");
    let found = problems(&browser).await;
    assert!(
        found
            .iter()
            .any(|v| v.starts_with("label:") && v.contains("#user-id")),
        "axe did not notice the missing label: {found:?}"
    );

    // With the label back (a fresh load), take the focus moves away instead.
    browser.open(&product, "/").await;
    browser.wait_for("#user-id").await;
    browser
        .client
        .execute(
            "HTMLHeadingElement.prototype.focus = function () {};",
            vec![],
        )
        .await
        .expect("script");
    browser.fill("#user-id", ALEX).await;
    submit(&browser).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    let moved = focus_moved_to_step(&browser).await;
    assert!(
        moved.is_err(),
        "the focus check passed without the focus move"
    );
    browser.quit().await;
}
