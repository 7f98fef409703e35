//! Phone methods in the browser against the real server in demo mode, whose demo provider
//! puts every text, WhatsApp message and call on the phone simulator (`/dev/phone`): a
//! reset with a code by text, by WhatsApp and by voice call (read from the simulator), and
//! one with an office-phone call that a second browser answers by pressing # on the
//! simulator page.

use crate::harness::{Browser, Product, locale_text};
use crate::steps::*;
use sspr_server::demo::DEMO_PASSWORD;

/// One method: e-mail, or a mobile phone on any of the three channels, or an office phone.
const PHONES: &str = r#"
[policy]
scope = "selected"
group = "sspr-users"
methods_required = 1
methods = ["email", "mobile_phone", "office_phone"]

[policy.phone]
mobile_channels = ["sms", "whatsapp", "voice"]
"#;

#[tokio::test]
async fn resets_with_a_code_by_text_by_whatsapp_and_by_voice_call() {
    let product = Product::start_with_config(PHONES);
    for (channel, sent_key, password) in [
        ("sms", "reset.choose.sms", "marble kettle sunrise"),
        (
            "whatsapp",
            "reset.choose.whatsapp",
            "violet harbour crossing",
        ),
        ("voice", "reset.choose.voice", "copper lantern meadow"),
    ] {
        let browser = Browser::start("en-US").await;
        let seen = phone_count(&product);
        identify(&browser, &product, ALEX).await;
        // One choice per channel, each naming the masked number.
        let radio =
            format!("input[type=radio][data-kind='mobile_phone'][data-channel='{channel}']");
        browser.wait_for(&radio).await;
        let label = locale_text("en", sent_key).replace("{{ hint }}", "•••• 56");
        browser.wait_for_text_containing(".radios", &label).await;
        browser.click(&radio).await;
        browser.click("form button[type=submit]").await;
        browser
            .wait_for_text("h1", &locale_text("en", "reset.code.phone_heading"))
            .await;
        browser.wait_for_text_containing(".body", "•••• 56").await;
        if channel == "sms" {
            browser.screenshot("phone-code-sms").await;
        }
        let code = next_phone_code(&product, channel, seen).await;
        enter_code(&browser, &code).await;
        set_new_password(&browser, "en", password).await;
        assert!(server_accepts(&product, ALEX, password).await, "{channel}");
        browser.quit().await;
    }
    assert!(!server_accepts(&product, ALEX, DEMO_PASSWORD).await);
}

#[tokio::test]
async fn a_reset_with_an_office_phone_call_answered_on_the_simulator() {
    let product = Product::start_with_config(PHONES);
    let added = product.admin(&["user", "add-phone", ALEX, "+44 20 7946 0013", "--office"]);
    assert!(added.contains("office_phone method"), "{added}");
    let browser = Browser::start_phone("en-US").await;
    identify(&browser, &product, ALEX).await;
    choose(&browser, "office_phone").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.call.heading"))
        .await;
    browser.wait_for_text_containing(".body", "•••• 13").await;
    browser
        .wait_for_text(".prompt-status", &locale_text("en", "reset.call.calling"))
        .await;
    browser.screenshot("phone-call-ringing-360").await;

    // The phone rings on the simulator: a second browser answers and presses #.
    let phone = Browser::start("en-US").await;
    phone.open(&product, "/dev/phone").await;
    phone
        .wait_for("article[data-channel='call'] .call-state")
        .await;
    phone
        .click("article[data-channel='call'] button[data-action='answer']")
        .await;
    phone
        .wait_for("article[data-channel='call'] .call-state[data-state='Answered']")
        .await;
    phone
        .click("article[data-channel='call'] button[data-action='press-hash']")
        .await;
    phone
        .wait_for("article[data-channel='call'] .call-state[data-state='Confirmed']")
        .await;
    phone.quit().await;

    // The portal sees the method proven and moves on to the new password.
    set_new_password(&browser, "en", "marble kettle sunrise").await;
    assert!(server_accepts(&product, ALEX, "marble kettle sunrise").await);
    browser.quit().await;
}

/// Out of calls: with one call per 15 minutes, a second flow for the same account is told
/// to wait, with the time, and nothing rings.
#[tokio::test]
async fn out_of_calls_the_portal_says_when_to_try_again() {
    let product = Product::start_with_config(&format!("{PHONES}prompts_per_15_minutes = 1\n"));
    product.admin(&["user", "add-phone", ALEX, "+44 20 7946 0013", "--office"]);
    let first = Browser::start("en-US").await;
    identify(&first, &product, ALEX).await;
    choose(&first, "office_phone").await;
    first
        .wait_for_text(".prompt-status", &locale_text("en", "reset.call.calling"))
        .await;
    let calls = phone_count(&product);
    // Two minutes later (the wait between two calls is over; the 15 minutes are not).
    let db = rusqlite::Connection::open(product.database()).unwrap();
    db.execute("UPDATE sends SET at = at - 120", []).unwrap();
    let second = Browser::start_phone("en-US").await;
    identify(&second, &product, ALEX).await;
    choose(&second, "office_phone").await;
    second
        .wait_for_text("h1", &locale_text("en", "reset.call.heading"))
        .await;
    second.wait_for("#prompts-used-up").await;
    // Nothing says it is calling.
    let lead =
        crate::harness::locale_text("en", "reset.call.lead").replace("{{ hint }}", "•••• 13");
    assert!(!second.text_of("main").await.contains(&lead));
    second.screenshot("phone-out-of-calls-360").await;
    assert_eq!(phone_count(&product), calls, "no second call");
    first.quit().await;
    second.quit().await;
}
