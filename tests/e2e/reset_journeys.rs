//! Whole resets in the browser against the real server in demo mode: codes read from the
//! dev outbox, TOTP codes computed from the demo secrets, answers from the demo directory;
//! afterwards the server accepts the new password and refuses the old one.
//!
//! The core journeys (an e-mailed code, an app code, a wrong code, Back and reload) run in
//! every engine: Chromium, Firefox and WebKit (`in_every_engine!`).

use crate::harness::{Browser, Engine, Product, locale_text, record_journey};
use crate::in_every_engine;
use crate::steps::*;
use sspr_server::crypto::totp;
use sspr_server::demo::DEMO_PASSWORD;

in_every_engine!(a_reset_with_an_emailed_code_read_from_the_dev_outbox);
async fn a_reset_with_an_emailed_code_read_from_the_dev_outbox(engine: Engine) {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start_in(engine, "en-US").await;
    let started = std::time::Instant::now();
    // Alex has e-mail only under this policy: the portal goes straight to the code.
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    browser
        .wait_for_text_containing(".body", "•••@home.example")
        .await;
    let code = product.last_code_to(demo_email(ALEX));
    enter_code(&browser, &code).await;
    set_new_password(&browser, "en", "marble kettle sunrise").await;
    record_journey(engine, "reset by e-mail code", started.elapsed());
    assert!(server_accepts(&product, ALEX, "marble kettle sunrise").await);
    assert!(!server_accepts(&product, ALEX, DEMO_PASSWORD).await);
    browser.quit().await;
}

in_every_engine!(a_reset_with_an_authenticator_app_code);
async fn a_reset_with_an_authenticator_app_code(engine: Engine) {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start_in(engine, "en-US").await;
    let started = std::time::Instant::now();
    identify(&browser, &product, ADELE).await;
    choose(&browser, "app_code").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.app_heading"))
        .await;
    enter_code(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
    set_new_password(&browser, "en", "violet harbour crossing").await;
    record_journey(engine, "reset by app code", started.elapsed());
    assert!(server_accepts(&product, ADELE, "violet harbour crossing").await);
    assert!(!server_accepts(&product, ADELE, DEMO_PASSWORD).await);
    browser.quit().await;
}

#[tokio::test]
async fn two_methods_an_emailed_code_then_security_questions() {
    // The demo policy: two of e-mail, app code and questions.
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text_containing(".progress-tag", "0 of 2")
        .await;
    // The title says which step this is.
    assert_eq!(
        browser.client.title().await.unwrap(),
        format!("{} – Contoso", locale_text("en", "reset.choose.heading"))
    );
    choose(&browser, "email").await;
    prove_email(&browser, &product, "en", ALEX).await;
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    choose(&browser, "security_questions").await;
    answer_questions(&browser, "en").await;
    set_new_password(&browser, "en", "copper lantern meadow").await;
    assert!(server_accepts(&product, ALEX, "copper lantern meadow").await);
    assert!(!server_accepts(&product, ALEX, DEMO_PASSWORD).await);
    browser.quit().await;
}

#[tokio::test]
async fn the_same_journey_in_french_shows_the_french_locale_file() {
    let product = Product::start();
    let browser = Browser::start("fr-FR").await;
    identify(&browser, &product, ADELE).await;
    browser
        .wait_for_text("h1", &locale_text("fr", "reset.choose.heading"))
        .await;
    choose(&browser, "app_code").await;
    browser
        .wait_for_text("h1", &locale_text("fr", "reset.code.app_heading"))
        .await;
    enter_code(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
    choose(&browser, "email").await;
    prove_email(&browser, &product, "fr", ADELE).await;
    set_new_password(&browser, "fr", "brindille orange soleil").await;
    assert_eq!(browser.html_attr("lang").await.as_deref(), Some("fr"));
    assert!(server_accepts(&product, ADELE, "brindille orange soleil").await);
    browser.quit().await;
}

in_every_engine!(a_wrong_code_says_so_keeps_the_input_and_too_many_lock_the_method);
async fn a_wrong_code_says_so_keeps_the_input_and_too_many_lock_the_method(engine: Engine) {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start_in(engine, "en-US").await;
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    enter_code(&browser, "00000000").await;
    let wrong = wrong_code_text(4);
    browser.wait_for_text(".error-summary__list", &wrong).await;
    browser
        .wait_for_text_containing("#code-error", &wrong)
        .await;
    assert_eq!(browser.value_of("#code").await, "00000000");
    assert!(browser.client.title().await.unwrap().starts_with("Error: "));
    for left in (1..=3).rev() {
        enter_wrong_code(&browser, left).await;
    }
    enter_code(&browser, "00000000").await;
    // The fifth wrong code pauses the method for the lockout time; it was Alex's only one,
    // so the pause page says when to come back.
    browser
        .wait_for_text("h1", &locale_text("en", "reset.paused.heading"))
        .await;
    browser
        .wait_for_text_containing(".paused-until", "15 minutes")
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn a_common_password_is_refused_with_its_reason_before_it_is_sent() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    prove_email(&browser, &product, "en", ALEX).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.password.heading"))
        .await;
    // Count the app's requests to set the password.
    browser
        .client
        .execute(
            "window.__passwordPosts = 0; const f = window.fetch.bind(window); \
             window.fetch = (input, init) => { \
               if (String(input.url || input).endsWith('/password')) window.__passwordPosts++; \
               return f(input, init); };",
            vec![],
        )
        .await
        .unwrap();
    browser.fill("#new-password", "password123").await;
    // The checklist marks the rule broken while typing, from the same list the server uses.
    browser
        .wait_for_text_containing(
            ".password-rules__rule--broken",
            &locale_text("en", "reset.password.rule_common"),
        )
        .await;
    browser.fill("#confirm-password", "password123").await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text(
            ".error-summary__list",
            &locale_text("en", "reset.password.common"),
        )
        .await;
    // Nothing was sent: the app refused it itself, and the old password still works.
    let posts = browser
        .client
        .execute("return window.__passwordPosts", vec![])
        .await
        .unwrap();
    assert_eq!(posts, serde_json::json!(0));
    assert!(server_accepts(&product, ALEX, DEMO_PASSWORD).await);
    // The counter does count: a good password is sent, once.
    set_new_password(&browser, "en", "quiet river lantern").await;
    let posts = browser
        .client
        .execute("return window.__passwordPosts", vec![])
        .await
        .unwrap();
    assert_eq!(posts, serde_json::json!(1));
    browser.quit().await;
}

in_every_engine!(back_returns_to_the_previous_step_and_a_reload_keeps_the_flow);
async fn back_returns_to_the_previous_step_and_a_reload_keeps_the_flow(engine: Engine) {
    let product = Product::start();
    let browser = Browser::start_in(engine, "en-US").await;
    identify(&browser, &product, ADELE).await;
    let choose_heading = locale_text("en", "reset.choose.heading");
    browser.wait_for_text("h1", &choose_heading).await;
    choose(&browser, "app_code").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.app_heading"))
        .await;
    // The browser's Back button: the previous step, not the previous site.
    browser.client.back().await.unwrap();
    browser.wait_for_text("h1", &choose_heading).await;
    // Reload: the same flow, at the same step.
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("h1", &choose_heading).await;
    browser
        .wait_for_text_containing(".progress-tag", "0 of 2")
        .await;
    choose(&browser, "app_code").await;
    enter_code(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    browser.client.refresh().await.unwrap();
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn a_reload_of_a_flow_the_server_no_longer_has_starts_again_and_says_why() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.wait_for("#user-id").await;
    browser
        .client
        .execute(
            "sessionStorage.setItem('sspr.reset.flow', '0123456789abcdef0123456789abcdef'); \
             sessionStorage.setItem('sspr.reset.flow_secret', 'fedcba9876543210fedcba9876543210')",
            vec![],
        )
        .await
        .unwrap();
    browser.open(&product, "/?step=choose").await;
    browser
        .wait_for_text(".notification", &locale_text("en", "reset.session_ended"))
        .await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.title"))
        .await;
    assert!(
        browser
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("?step=identify")
    );
    browser.quit().await;
}

#[tokio::test]
async fn coming_back_to_the_code_page_within_the_wait_sends_nothing_and_the_code_still_works() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    choose(&browser, "email").await;
    let email_heading = locale_text("en", "reset.code.email_heading");
    browser.wait_for_text("h1", &email_heading).await;
    let code = product.last_code_to(demo_email(ALEX));
    browser.client.back().await.unwrap();
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    choose(&browser, "email").await;
    browser.wait_for_text("h1", &email_heading).await;
    // The page shows the wait, not an error, and no second code was sent.
    let wait = locale_text("en", "reset.code.resend_wait");
    let wait_prefix = wait.split("{{").next().unwrap();
    browser
        .wait_for_text_containing("#resend-wait", wait_prefix)
        .await;
    let summary = browser.wait_for(".error-summary").await;
    assert_eq!(
        summary.attr("hidden").await.unwrap().as_deref(),
        Some("true")
    );
    let sent = product.get_json("/api/v1/dev/outbox");
    assert_eq!(sent.as_array().unwrap().len(), 1, "{sent}");
    enter_code(&browser, &code).await;
    browser
        .wait_for_text_containing(".progress-tag", "1 of 2")
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn a_reload_on_the_code_page_keeps_the_code_already_sent() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    let email_heading = locale_text("en", "reset.code.email_heading");
    browser.wait_for_text("h1", &email_heading).await;
    let code = product.last_code_to(demo_email(ALEX));
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("h1", &email_heading).await;
    let earlier = locale_text("en", "reset.code.email_sent_earlier");
    browser
        .wait_for_text_containing(".body", earlier.split("{{").next().unwrap())
        .await;
    let summary = browser.wait_for(".error-summary").await;
    assert_eq!(
        summary.attr("hidden").await.unwrap().as_deref(),
        Some("true")
    );
    enter_code(&browser, &code).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.password.heading"))
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn an_in_page_link_keeps_the_step_and_what_was_typed() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    browser.fill("#code", "1234").await;
    // The skip link changes the fragment, which fires popstate for the same step.
    browser
        .client
        .execute("document.querySelector('.skip-link').click()", vec![])
        .await
        .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert!(
        browser
            .client
            .current_url()
            .await
            .unwrap()
            .as_str()
            .ends_with("#main")
    );
    assert_eq!(browser.value_of("#code").await, "1234");
    let sent = product.get_json("/api/v1/dev/outbox");
    assert_eq!(
        sent.as_array().unwrap().len(),
        1,
        "a second code was sent: {sent}"
    );
    browser.quit().await;
}

#[tokio::test]
async fn after_a_reload_the_password_rules_still_know_the_user_id() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ALEX).await;
    prove_email(&browser, &product, "en", ALEX).await;
    let heading = locale_text("en", "reset.password.heading");
    browser.wait_for_text("h1", &heading).await;
    browser.client.refresh().await.unwrap();
    browser.wait_for_text("h1", &heading).await;
    browser.fill("#new-password", "wilber rocks forever").await;
    browser
        .wait_for_text_containing(
            ".password-rules__rule--broken",
            &locale_text("en", "reset.password.rule_personal"),
        )
        .await;
    browser.quit().await;
}
