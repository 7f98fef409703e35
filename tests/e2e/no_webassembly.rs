//! A browser without WebAssembly (Safari's Lockdown Mode, a locked-down kiosk; here
//! Chromium with V8's JIT off, `--js-flags=--jitless`, which takes WebAssembly away as
//! Lockdown Mode does; `--noexpose_wasm` no longer does): the page says so in the person's language
//! and gives the other ways to reset: the portal's address to open on another device,
//! Lockdown Mode turned off for this site, and the help desk. No plain-form reset is
//! offered (it would skip the CAPTCHA's proof of work).

use crate::a11y::assert_accessible;
use crate::harness::{Browser, Product, locale_text};

const HELPDESK: &str = "mailto:help@contoso.example";

async fn without_webassembly(accept_language: &str) -> Browser {
    Browser::start_with_switches(accept_language, &["--js-flags=--jitless"]).await
}

#[tokio::test]
async fn without_webassembly_the_page_says_so_in_german_with_the_other_ways_to_reset() {
    let product =
        Product::start_with_config(&format!("[organisation]\nhelpdesk_url = \"{HELPDESK}\"\n"));
    let browser = without_webassembly("de-DE").await;
    browser.open(&product, "/").await;
    browser
        .wait_for_text("h1", &locale_text("de", "boot.no_wasm_title"))
        .await;
    let wasm = browser
        .client
        .execute("return typeof WebAssembly", vec![])
        .await
        .unwrap();
    assert_eq!(wasm, "undefined", "the browser still has WebAssembly");
    browser
        .wait_for_text("h2", &locale_text("de", "boot.other_ways"))
        .await;
    // The portal's address, to open on a phone, inside the German sentence.
    let host = product.url.trim_start_matches("http://").to_owned();
    let sentence = locale_text("de", "boot.other_device").replace("{{ address }}", &host);
    browser
        .wait_for_text("#other-ways li:nth-child(1)", &sentence)
        .await;
    assert_eq!(
        browser.attr_of("#other-ways li a[dir=ltr]", "href").await,
        Some(format!("{}/", product.url))
    );
    browser
        .wait_for_text(
            "#other-ways li:nth-child(2)",
            &locale_text("de", "boot.lockdown"),
        )
        .await;
    browser
        .wait_for_text(
            "#other-ways a.helpdesk__link",
            &locale_text("de", "app.helpdesk"),
        )
        .await;
    assert_eq!(
        browser.attr_of("a.helpdesk__link", "href").await.as_deref(),
        Some(HELPDESK)
    );
    // Nothing to fill in: no form posts a reset around the JSON API.
    assert!(!browser.has("form").await && !browser.has("input").await);
    assert_accessible(&browser, "de: without WebAssembly").await;
    browser.screenshot("no-webassembly-de-desktop").await;
    browser.quit().await;
}

#[tokio::test]
async fn without_webassembly_the_security_info_page_says_so_too() {
    let product = Product::start();
    let browser = without_webassembly("en-US").await;
    browser.open(&product, "/security-info").await;
    browser
        .wait_for_text("h1", &locale_text("en", "boot.no_wasm_title"))
        .await;
    browser
        .wait_for_text(
            "#other-ways li:nth-child(3)",
            &locale_text("en", "app.helpdesk"),
        )
        .await;
    assert_accessible(&browser, "en: the security-info page without WebAssembly").await;
    browser.quit().await;
}
