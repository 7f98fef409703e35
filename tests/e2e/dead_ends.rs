//! Where a locked-out person could get stuck: out of codes, every method paused, a
//! mistyped user ID, Back, the time running out, the end. Each screen says one plain
//! thing with a human duration and the way to the help desk. Screenshots of each, on a
//! phone's 360 px screen, are saved for review (harness::screenshot_dir).

use crate::harness::{Browser, Product, locale_text};
use crate::steps::*;
use sspr_api::MethodKind;
use sspr_server::crypto::totp;
use std::time::Duration;

const HELPDESK: &str = "mailto:help@contoso.example";

/// [`ONE_METHOD`] with a help desk, and `extra` TOML under `[policy]`'s tables.
fn one_method_with(extra: &str) -> String {
    format!(
        "[organisation]\nhelpdesk_url = \"{HELPDESK}\"\nsign_in_url = \"https://login.contoso.example/\"\n{ONE_METHOD}\n{extra}"
    )
}

async fn expect_helpdesk_link(browser: &Browser, within: &str) {
    let href = browser
        .attr_of(&format!("{within} a.helpdesk__link"), "href")
        .await;
    assert_eq!(href.as_deref(), Some(HELPDESK), "{within}");
}

#[tokio::test]
async fn out_of_codes_says_so_once_with_a_human_duration_and_the_help_desk() {
    let product =
        Product::start_with_config(&one_method_with("[policy.lockout]\nsends_per_hour = 1\n"));
    let browser = Browser::start_phone("en-US").await;
    // The hour's one code goes out; a second reset an instant later gets none.
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text_containing(".body", "•••@home.example")
        .await;
    browser.click(".cancel-link").await;
    browser
        .wait_for_text(".notification", &locale_text("en", "reset.cancelled"))
        .await;
    browser.click("form button[type=submit]").await;
    let notice = browser.text_of("#out-of-codes").await;
    assert!(
        notice.starts_with(
            locale_text("en", "reset.code.too_many_or_other")
                .split("{{")
                .next()
                .unwrap()
        ),
        "{notice}"
    );
    // A human duration, not seconds, and one message: no code field, no resend, no
    // "we already sent a code".
    assert!(
        notice.contains("1 hour") || notice.contains("59 minutes"),
        "{notice}"
    );
    assert!(
        !notice.contains(" s)") && !notice.contains("seconds"),
        "{notice}"
    );
    expect_helpdesk_link(&browser, "#out-of-codes").await;
    assert!(!browser.has("#code").await);
    assert!(!browser.has("#resend-wait").await);
    assert!(!browser.has(".error-summary:not([hidden])").await);
    browser.screenshot("out-of-codes-360").await;
    browser.quit().await;
}

#[tokio::test]
async fn with_every_method_paused_the_too_many_attempts_page_is_all_there_is() {
    // One wrong code pauses a method.
    let product =
        Product::start_with_config(&one_method_with("[policy.codes]\nmax_attempts = 1\n"));
    let browser = Browser::start_phone("en-US").await;
    identify(&browser, &product, ADELE).await;
    choose(&browser, "app_code").await;
    enter_code(&browser, "000000").await;
    // The app code is paused: its page says for how long, with no form to fill.
    let paused = browser.text_of("#method-paused").await;
    assert!(paused.contains("15 minutes"), "{paused}");
    expect_helpdesk_link(&browser, "#method-paused").await;
    assert!(!browser.has("#code").await);
    // Said once: no error summary repeats the notice.
    assert!(!browser.has(".error-summary:not([hidden])").await);
    browser.screenshot("method-paused-360").await;
    browser.click(".other-method").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    // On the choice page the paused method is marked, with its time, and cannot be chosen.
    let app = browser.wait_for("input[data-kind='app_code']").await;
    assert!(app.attr("disabled").await.unwrap().is_some());
    let mark = browser.text_of(".method-paused").await;
    assert!(
        mark.starts_with(
            locale_text("en", "reset.choose.paused")
                .split("{{")
                .next()
                .unwrap()
        ),
        "{mark}"
    );
    browser.screenshot("choice-with-a-paused-method-360").await;
    choose(&browser, "email").await;
    prove_email_wrongly(&browser).await;
    // Nothing left to use: one page says so, when to come back, and who can help.
    browser
        .wait_for_text("h1", &locale_text("en", "reset.paused.heading"))
        .await;
    let until = browser.text_of(".paused-until").await;
    assert!(until.contains("minutes"), "{until}");
    expect_helpdesk_link(&browser, "main").await;
    assert!(!browser.has("input[type=radio]").await);
    assert!(!browser.has("#code").await);
    browser.screenshot("too-many-attempts-360").await;
    // No way round it: the choice page and a method's page lead back here.
    browser.open(&product, "/?step=choose").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.paused.heading"))
        .await;
    browser.quit().await;
}

/// On the e-mail code page: a code that is not the one sent.
async fn prove_email_wrongly(browser: &Browser) {
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    enter_code(browser, "00000000").await;
}

#[tokio::test]
async fn a_mistyped_id_is_shown_on_every_step_and_change_brings_it_back_to_step_one() {
    let product = Product::start_with_config(
        "[policy]\nscope = \"all\"\nmethods_required = 1\nmethods = [\"email\"]\n",
    );
    let typo = unknown_id_offering(&product, &[MethodKind::Email], 1, 1);
    let browser = Browser::start_phone("en-US").await;
    identify(&browser, &product, &typo).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    browser.wait_for_text("[data-testid=user-id]", &typo).await;
    // After the send: check the ID, or ask the help desk (true for a decoy as for anyone).
    browser
        .wait_for_text(
            ".not-received",
            &locale_text("en", "reset.code.not_received"),
        )
        .await;
    browser.screenshot("unknown-id-code-page-360").await;
    browser.click(".account-line__change").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.title"))
        .await;
    assert_eq!(browser.value_of("#user-id").await, typo);
    browser.quit().await;
}

#[tokio::test]
async fn the_back_link_and_the_browsers_back_lead_to_the_same_step_everywhere() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    let choose_heading = locale_text("en", "reset.choose.heading");
    let first_heading = locale_text("en", "reset.title");
    identify(&browser, &product, ADELE).await;
    browser.wait_for_text("h1", &choose_heading).await;
    // The choice page: back to the first page, the user ID still there.
    browser.click(".back-link").await;
    browser.wait_for_text("h1", &first_heading).await;
    assert_eq!(browser.value_of("#user-id").await, ADELE);
    browser.client.forward().await.unwrap();
    browser.wait_for_text("h1", &choose_heading).await;
    browser.client.back().await.unwrap();
    browser.wait_for_text("h1", &first_heading).await;
    // A method's page: back to the choice, by the link and by the browser.
    browser.click("form button[type=submit]").await;
    browser.wait_for_text("h1", &choose_heading).await;
    choose(&browser, "app_code").await;
    let app_heading = locale_text("en", "reset.code.app_heading");
    browser.wait_for_text("h1", &app_heading).await;
    browser.click(".back-link").await;
    browser.wait_for_text("h1", &choose_heading).await;
    choose(&browser, "app_code").await;
    browser.wait_for_text("h1", &app_heading).await;
    browser.client.back().await.unwrap();
    browser.wait_for_text("h1", &choose_heading).await;
    // Prove both; the password page: back to the choice, both methods ticked.
    choose(&browser, "app_code").await;
    browser.wait_for_text("h1", &app_heading).await;
    enter_code(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
    browser.wait_for_text("h1", &choose_heading).await;
    browser
        .wait_for_text_containing(
            ".method-verified",
            &locale_text("en", "reset.choose.app_code_verified"),
        )
        .await;
    choose(&browser, "email").await;
    prove_email(&browser, &product, "en", ADELE).await;
    let password_heading = locale_text("en", "reset.password.heading");
    browser.wait_for_text("h1", &password_heading).await;
    browser.click(".back-link").await;
    browser.wait_for_text("h1", &choose_heading).await;
    let ticks = browser
        .client
        .find_all(fantoccini::Locator::Css(".method-verified"))
        .await
        .unwrap();
    assert_eq!(ticks.len(), 2);
    browser.screenshot("choice-all-proven-desktop").await;
    browser.click("form button[type=submit]").await;
    browser.wait_for_text("h1", &password_heading).await;
    browser.client.back().await.unwrap();
    browser.wait_for_text("h1", &choose_heading).await;
    browser.click("form button[type=submit]").await;
    // The done page: Back is a fresh start, never the finished flow.
    set_new_password(&browser, "en", "amber willow crossing").await;
    browser.screenshot("done-desktop").await;
    browser.client.back().await.unwrap();
    browser.wait_for_text("h1", &first_heading).await;
    assert!(server_accepts(&product, ADELE, "amber willow crossing").await);
    browser.quit().await;
}

#[tokio::test]
async fn the_warning_comes_before_the_end_and_more_time_keeps_what_was_proven() {
    // Two methods to prove, 130 seconds to do it: the warning opens 120 s before the end.
    let product = Product::start_with_config(SHORT_FLOW);
    let browser = Browser::start_phone("en-US").await;
    identify(&browser, &product, ADELE).await;
    choose(&browser, "app_code").await;
    enter_code(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    assert!(!browser.has("[role=alertdialog]").await);
    let dialog = wait_for_timeout_warning(&browser).await;
    let text = dialog.text().await.unwrap();
    assert!(
        text.contains(&locale_text("en", "reset.timeout.heading")),
        "{text}"
    );
    // It has the focus, so a screen reader reads it at once.
    let focused = browser
        .client
        .execute("return document.activeElement.getAttribute('role')", vec![])
        .await
        .unwrap();
    assert_eq!(focused, serde_json::json!("alertdialog"));
    // Modal: the page behind cannot be reached until it is answered.
    let modal = browser
        .client
        .execute(
            "return document.querySelector('dialog').matches(':modal')",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(modal, serde_json::json!(true));
    browser.screenshot("timeout-warning-360").await;
    browser.click("#timeout-extend").await;
    for _ in 0..50 {
        if !browser.has("[role=alertdialog]").await {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(!browser.has("[role=alertdialog]").await);
    // A full lifetime again, and the app code still proven.
    browser
        .wait_for_text_containing(".time-left", "3 minutes")
        .await;
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    choose(&browser, "email").await;
    prove_email(&browser, &product, "en", ADELE).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.password.heading"))
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn the_done_page_names_the_account_and_sign_in_goes_to_the_configured_page() {
    let product = Product::start_with_config(&one_method_with(""));
    let browser = Browser::start_phone("en-US").await;
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    enter_code(&browser, &product.last_code_to(demo_email(ALEX))).await;
    set_new_password(&browser, "en", "silver meadow crossing").await;
    browser
        .wait_for_text("[data-testid=done-user-id]", ALEX)
        .await;
    assert_eq!(
        browser.attr_of("#sign-in", "href").await.as_deref(),
        Some("https://login.contoso.example/")
    );
    browser.screenshot("done-360").await;
    browser.quit().await;
}
