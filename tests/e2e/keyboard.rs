//! A whole reset by keyboard alone: Tab, Shift+Tab, the arrow keys, Enter and Space, no
//! clicks. After each step the focus is on the new heading (or the error summary), and the
//! error summary's link takes the person to the field to mend.

use crate::a11y::*;
use crate::harness::{Browser, Product, locale_text};
use crate::steps::*;
use fantoccini::key::Key;
use sspr_server::crypto::totp;

fn key(key: Key) -> char {
    key.into()
}

async fn step_arrived(browser: &Browser, step: &str) {
    if let Err(problem) = focus_moved_to_step(browser).await {
        panic!("{step}: {problem}");
    }
}

#[tokio::test]
async fn a_reset_by_keyboard_alone() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.wait_for("#user-id").await;

    // The first Tab reaches the skip link, then on to the user ID.
    press(&browser, &[key(Key::Tab)]).await;
    assert!(
        focus_matches(&browser, "a[href='#main']").await,
        "the first Tab stop is {:?}, not the skip link",
        focused(&browser).await
    );
    tab_to(&browser, "#user-id").await;
    type_text(&browser, ADELE).await;
    press(&browser, &[key(Key::Enter)]).await;

    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    step_arrived(&browser, "the choice of method").await;
    tab_to(&browser, "input[type=radio]").await;
    // Arrow keys move through the radio group; Space picks the focused one.
    for _ in 0..4 {
        if focus_matches(&browser, "input[data-kind='app_code']").await {
            break;
        }
        press(&browser, &[key(Key::Down)]).await;
    }
    press(&browser, &[key(Key::Space)]).await;
    assert!(
        focus_matches(&browser, "input[data-kind='app_code']:checked").await,
        "the app code is not chosen: the focus is on {:?}",
        focused(&browser).await
    );
    tab_to(&browser, "form button[type=submit]").await;
    press(&browser, &[key(Key::Enter)]).await;

    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.app_heading"))
        .await;
    step_arrived(&browser, "the app code").await;
    tab_to(&browser, "#code").await;
    type_text(&browser, "000000").await;
    press(&browser, &[key(Key::Enter)]).await;
    browser.wait_for(".error-summary").await;
    step_arrived(&browser, "a wrong code").await;
    // The error summary's link goes to the field (GOV.UK's pattern).
    tab_to(&browser, ".error-summary a").await;
    press(&browser, &[key(Key::Enter)]).await;
    browser
        .wait_until("document.activeElement.id === 'code'")
        .await;
    press(&browser, &[key(Key::End)]).await;
    press(&browser, &[key(Key::Backspace); 6]).await;
    type_text(&browser, &totp::code_at(&demo_secret(ADELE), now())).await;
    press(&browser, &[key(Key::Enter)]).await;

    browser
        .wait_for_text("h1", &locale_text("en", "reset.password.heading"))
        .await;
    step_arrived(&browser, "the new password").await;
    tab_to(&browser, "#new-password").await;
    type_text(&browser, "quiet river lantern").await;
    // Space on "Show" shows the password; Shift+Tab goes back to the field.
    tab_to(&browser, ".password-input__toggle").await;
    press(&browser, &[key(Key::Space)]).await;
    assert_eq!(
        browser.attr_of("#new-password", "type").await.as_deref(),
        Some("text")
    );
    shift_tab(&browser).await;
    assert!(
        focus_matches(&browser, "#new-password").await,
        "Shift+Tab went to {:?}",
        focused(&browser).await
    );
    tab_to(&browser, "#confirm-password").await;
    type_text(&browser, "quiet river lantern").await;
    press(&browser, &[key(Key::Enter)]).await;

    browser
        .wait_for_text(".panel__title", &locale_text("en", "reset.done.heading"))
        .await;
    step_arrived(&browser, "the done page").await;
    browser.quit().await;
    assert!(server_accepts(&product, ADELE, "quiet river lantern").await);
}
