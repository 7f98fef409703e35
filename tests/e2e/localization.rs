//! The portal in the browser's language, `<html lang dir>`, the language switcher, and
//! the organisation name fetched from the server.

use crate::harness::{Browser, Product, locale_text};
use fantoccini::Locator;

#[tokio::test]
async fn portal_speaks_english_to_an_en_us_browser() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    assert_eq!(browser.html_attr("dir").await.as_deref(), Some("ltr"));
    // The organisation name comes from GET /api/v1/config.
    browser
        .wait_for_text(".site-header__organisation", "Contoso")
        .await;
    let title = browser.client.title().await.unwrap();
    assert_eq!(
        title,
        format!("{} – Contoso", locale_text("en", "reset.title"))
    );
    browser.quit().await;
}

#[tokio::test]
async fn portal_speaks_french_to_a_fr_fr_browser() {
    let product = Product::start();
    let browser = Browser::start("fr-FR").await;
    browser.open(&product, "/").await;
    browser.expect_heading("fr", "reset.title").await;
    browser
        .wait_for_text(
            ".site-header__service",
            &locale_text("fr", "app.service_name"),
        )
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn unsupported_browser_language_falls_back_to_english() {
    let product = Product::start();
    let browser = Browser::start("pt-BR").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    browser.quit().await;
}

#[tokio::test]
async fn language_choice_is_remembered_across_pages() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    let french = browser
        .client
        .find(Locator::Css(".language-picker button[lang='fr']"))
        .await
        .unwrap();
    assert_eq!(
        french.text().await.unwrap(),
        locale_text("fr", "language_name")
    );
    french.click().await.unwrap();
    browser.expect_heading("fr", "reset.title").await;

    // A new page load (another route) keeps the choice over the browser's English.
    browser.open(&product, "/security-info").await;
    browser.expect_heading("fr", "security_info.title").await;
    let current = browser
        .client
        .find(Locator::Css(".language-picker button[aria-current='true']"))
        .await
        .unwrap();
    assert_eq!(current.attr("lang").await.unwrap().as_deref(), Some("fr"));
    browser.quit().await;
}

/// The wasm bundles the browser fetched so far.
async fn bundles_loaded(browser: &Browser) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    let mut wasm: Vec<String> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|name| name.as_str())
        .filter(|name| name.ends_with(".wasm") || name.ends_with(".js"))
        .filter_map(|name| name.rsplit('/').next().map(str::to_owned))
        .collect();
    wasm.sort();
    wasm.dedup();
    wasm
}

/// Each area is its own bundle: a person resetting never downloads the security-info
/// page, and the other way round. The portal's first step comes first; the wizard's
/// bundle follows in the background (tests/e2e/first_load.rs).
#[tokio::test]
async fn each_area_loads_only_its_own_bundle() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
    while !bundles_loaded(&browser)
        .await
        .contains(&"sspr-app_bg.wasm".to_owned())
    {
        assert!(std::time::Instant::now() < deadline, "no wizard bundle");
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        bundles_loaded(&browser).await,
        [
            "boot.js",
            "sspr-app.js",
            "sspr-app_bg.wasm",
            "sspr-reset-start.js",
            "sspr-reset-start_bg.wasm"
        ]
    );
    browser.open(&product, "/security-info").await;
    browser.expect_heading("en", "security_info.title").await;
    assert_eq!(
        bundles_loaded(&browser).await,
        [
            "boot.js",
            "sspr-security-info.js",
            "sspr-security-info_bg.wasm"
        ]
    );
    browser.quit().await;
}

#[tokio::test]
async fn branding_and_help_desk_come_from_the_configuration() {
    let product = Product::start_with_config(
        r#"
        [organisation]
        name = "Fabrikam"
        locales = ["fr", "en"]
        helpdesk_url = "https://help.fabrikam.example/password"
        "#,
    );
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser
        .wait_for_text(".site-header__organisation", "Fabrikam")
        .await;
    let link = browser
        .client
        .find(Locator::Css(".site-footer a"))
        .await
        .unwrap();
    assert_eq!(
        link.text().await.unwrap(),
        locale_text("en", "app.helpdesk")
    );
    assert_eq!(
        link.attr("href").await.unwrap().as_deref(),
        Some("https://help.fabrikam.example/password")
    );
    // The switcher offers the organisation's locales in its order.
    let buttons = browser
        .client
        .find_all(Locator::Css(".language-picker button"))
        .await
        .unwrap();
    let mut langs = Vec::new();
    for button in buttons {
        langs.push(button.attr("lang").await.unwrap().unwrap_or_default());
    }
    assert_eq!(langs, ["fr", "en"]);
    browser.quit().await;
}
