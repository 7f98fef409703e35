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
    let browser = Browser::start("ko-KR").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    browser.quit().await;
}

/// The browser's language with a region or a script the app does not ship as such is
/// matched by its language (de-AT -> de, zh-CN -> zh-Hans); pt-BR has its own texts.
#[tokio::test]
async fn regional_browsers_get_their_language() {
    let product = Product::start();
    for (browser_language, locale) in [
        ("de-AT", "de"),
        ("ja-JP", "ja"),
        ("zh-CN", "zh-Hans"),
        ("pt-BR", "pt-BR"),
    ] {
        let browser = Browser::start(browser_language).await;
        browser.open(&product, "/").await;
        browser.expect_heading(locale, "reset.title").await;
        assert_ne!(
            locale_text(locale, "reset.title"),
            locale_text("en", "reset.title")
        );
        browser
            .wait_for_text(
                "label[for=user-id]",
                &locale_text(locale, "reset.identify.label"),
            )
            .await;
        // Only that language's texts were fetched, and once (boot.js, with the page).
        assert_eq!(
            locales_fetched(&browser).await,
            [format!("{locale}.json")],
            "{browser_language}"
        );
        browser.quit().await;
    }
}

/// Arabic: the page is mirrored (`dir="rtl"`), in Arabic, and what is typed as an ID,
/// a code or a password stays left to right. The first step at 320 px in Arabic and in
/// Japanese is saved for review.
#[tokio::test]
async fn arabic_is_right_to_left_with_left_to_right_ids_and_codes() {
    let product = Product::start();
    let browser = Browser::start_at("ar", 320).await;
    browser.open(&product, "/").await;
    browser.expect_heading("ar", "reset.title").await;
    assert_eq!(browser.html_attr("dir").await.as_deref(), Some("rtl"));
    assert_eq!(
        browser.attr_of("#user-id", "dir").await.as_deref(),
        Some("ltr")
    );
    // The page really is laid out right to left: the heading starts at the right edge.
    let heading_right_gap: f64 = browser
        .client
        .execute(
            "const r = document.querySelector('h1').getBoundingClientRect(); \
             return document.documentElement.clientWidth - r.right;",
            vec![],
        )
        .await
        .unwrap()
        .as_f64()
        .unwrap();
    assert!(
        heading_right_gap < 24.0,
        "heading {heading_right_gap}px from the right edge"
    );
    browser.screenshot("first-step-ar-320").await;

    crate::steps::identify(&browser, &product, crate::steps::ADELE).await;
    crate::steps::choose(&browser, "email").await;
    browser
        .wait_for_text("h1", &locale_text("ar", "reset.code.email_heading"))
        .await;
    assert_eq!(
        browser.attr_of("#code", "dir").await.as_deref(),
        Some("ltr")
    );
    // The masked address in the Arabic sentence is isolated, so it reads left to right.
    let sent = browser.text_of(".body-lead, p").await;
    assert!(!sent.is_empty());
    browser.screenshot("code-step-ar-320").await;
    browser.quit().await;

    let browser = Browser::start_at("ja-JP", 320).await;
    browser.open(&product, "/").await;
    browser.expect_heading("ja", "reset.title").await;
    browser.screenshot("first-step-ja-320").await;
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
        .find(Locator::Css(".language-picker option[lang='fr']"))
        .await
        .unwrap();
    assert_eq!(
        french.text().await.unwrap(),
        locale_text("fr", "language_name")
    );
    // Every shipped language is offered, each in its own name.
    let options = browser
        .client
        .find_all(Locator::Css(".language-picker option"))
        .await
        .unwrap();
    assert_eq!(options.len(), 13);
    french.click().await.unwrap();
    browser.expect_heading("fr", "reset.title").await;

    // A new page load (another route) keeps the choice over the browser's English.
    browser.open(&product, "/security-info").await;
    browser.expect_heading("fr", "security_info.title").await;
    let current: String = browser
        .client
        .execute(
            "return document.querySelector('.language-picker select').value",
            vec![],
        )
        .await
        .unwrap()
        .as_str()
        .unwrap()
        .to_owned();
    assert_eq!(current, "fr");
    browser.quit().await;
}

/// The names of the files the page fetched so far that `keep` keeps, sorted.
async fn fetched(browser: &Browser, keep: fn(&str) -> bool) -> Vec<String> {
    let names = browser
        .client
        .execute(
            "return performance.getEntriesByType('resource').map(e => e.name)",
            vec![],
        )
        .await
        .unwrap();
    let mut files: Vec<String> = names
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|name| name.as_str())
        .filter(|name| keep(name))
        .filter_map(|name| name.rsplit('/').next().map(str::to_owned))
        .collect();
    files.sort();
    files
}

/// The wasm bundles and scripts the browser fetched so far, each once.
async fn bundles_loaded(browser: &Browser) -> Vec<String> {
    let mut files = fetched(browser, |name| {
        name.ends_with(".wasm") || name.ends_with(".js")
    })
    .await;
    files.dedup();
    files
}

/// The `locales/*.json` files the page fetched so far (one fetched twice is listed twice).
async fn locales_fetched(browser: &Browser) -> Vec<String> {
    fetched(browser, |name| name.contains("/locales/")).await
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
    let options = browser
        .client
        .find_all(Locator::Css(".language-picker option"))
        .await
        .unwrap();
    let mut langs = Vec::new();
    for option in options {
        langs.push(option.attr("lang").await.unwrap().unwrap_or_default());
    }
    assert_eq!(langs, ["fr", "en"]);
    browser.quit().await;
}

/// A text of `server/locales/<locale>.json` by its key path.
fn server_text(locale: &str, key: &str) -> String {
    let path = crate::harness::repo_root()
        .join("server/locales")
        .join(format!("{locale}.json"));
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    key.split('.')
        .fold(&json, |node, part| &node[part])
        .as_str()
        .unwrap_or_else(|| panic!("{key} in {}", path.display()))
        .to_owned()
}

/// A person who switches the portal to German gets the e-mailed code in German, though
/// their browser is English: the app says its language with each request.
#[tokio::test]
async fn an_emailed_code_arrives_in_the_language_the_person_used() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    browser.click(".language-picker option[lang='de']").await;
    browser.expect_heading("de", "reset.title").await;
    browser.fill("#user-id", crate::steps::ADELE).await;
    browser.click("form button[type=submit]").await;
    crate::steps::choose(&browser, "email").await;
    browser
        .wait_for_text("h1", &locale_text("de", "reset.code.email_heading"))
        .await;
    // The wizard, which took over from the first step, shows German as chosen.
    let chosen = browser
        .client
        .execute(
            "return document.querySelector('.language-picker select').value",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(chosen.as_str(), Some("de"));
    let address = crate::steps::demo_email(crate::steps::ADELE);
    let messages = product.get_json("/api/v1/dev/outbox");
    let message = messages
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["to"] == address)
        .unwrap_or_else(|| panic!("no code e-mailed: {messages}"));
    let subject = server_text("de", "email.code.subject").replace("{{ organisation }}", "Contoso");
    assert_eq!(message["subject"], subject.as_str());
    let body = message["body"].as_str().unwrap();
    let german = server_text("de", "email.code.body.other");
    let opening = german.split("{{ organisation }}").next().unwrap();
    assert!(body.starts_with(opening), "{body}");
    browser.quit().await;
}

/// A page that forces a language (`?locale=`, as embed.js's `data-locale` does) wins over
/// the browser's languages and over a choice remembered on that browser; one the app does
/// not ship leaves the choice to the browser.
#[tokio::test]
async fn a_forced_locale_wins_over_the_browser_and_the_remembered_choice() {
    let product = Product::start();
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/?locale=ja").await;
    browser.expect_heading("ja", "reset.title").await;
    // Chosen with the switcher: remembered for the next visit...
    browser.click(".language-picker option[lang='de']").await;
    browser.expect_heading("de", "reset.title").await;
    browser.open(&product, "/").await;
    browser.expect_heading("de", "reset.title").await;
    // ...but a page that forces a language still gets it.
    browser.open(&product, "/?locale=he").await;
    browser.expect_heading("he", "reset.title").await;
    assert_eq!(browser.html_attr("dir").await.as_deref(), Some("rtl"));
    browser.open(&product, "/?locale=xx").await;
    browser.expect_heading("en", "reset.title").await;
    browser.quit().await;
}
