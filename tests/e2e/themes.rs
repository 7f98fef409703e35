//! The organisation's theme (`[theme]`, served as `/theme.css`) in the rendered page:
//! brand, accent, font and radius in the computed styles, and the dark scheme when the
//! browser prefers it or the page asks for it (`?theme=dark`, as an embedding page may).

use crate::harness::{Browser, Product};

const THEMED: &str = r##"
[theme]
brand = "#6b2c91"
accent = "#ffbf47"
dark_brand = "#d7b4f0"
font = "Georgia, serif"
radius = "6px"
"##;

/// The computed styles that show the theme.
async fn styles(browser: &Browser) -> serde_json::Value {
    browser
        .client
        .execute(
            "const css = (selector, property) =>\
                 getComputedStyle(document.querySelector(selector)).getPropertyValue(property);\
             return {\
                 header: css('.site-header', 'background-color'),\
                 page: css('html', 'background-color'),\
                 text: css('body', 'color'),\
                 font: css('body', 'font-family'),\
                 radius: css('form .button', 'border-top-left-radius'),\
                 focus: getComputedStyle(document.documentElement).getPropertyValue('--colour-focus').trim(),\
                 dark: matchMedia('(prefers-color-scheme: dark)').matches,\
             }",
            vec![],
        )
        .await
        .unwrap()
}

#[tokio::test]
async fn a_configured_theme_shows_in_the_page_and_so_does_its_dark_scheme() {
    let product = Product::start_with_config(THEMED);
    let browser = Browser::start("en").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    let light = serde_json::json!({
        "header": "rgb(107, 44, 145)",
        "page": "rgb(255, 255, 255)",
        "text": "rgb(11, 12, 12)",
        "font": "Georgia, serif",
        "radius": "6px",
        "focus": "#ffbf47",
        "dark": false,
    });
    assert_eq!(styles(&browser).await, light);
    browser.screenshot("theme-light-desktop").await;
    // Asked for by the page (an embedding login page passes its own choice on).
    browser.open(&product, "/?theme=dark").await;
    browser.expect_heading("en", "reset.title").await;
    let dark = serde_json::json!({
        "header": "rgb(215, 180, 240)",
        "page": "rgb(18, 19, 20)",
        "text": "rgb(243, 242, 241)",
        "font": "Georgia, serif",
        "radius": "6px",
        "focus": "#ffbf47",
        "dark": false,
    });
    assert_eq!(styles(&browser).await, dark);
    browser.quit().await;

    // Preferred by the browser; `?theme=light` keeps the light scheme there.
    let browser = Browser::start_dark("en").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    let mut preferred = dark.clone();
    preferred["dark"] = true.into();
    assert_eq!(styles(&browser).await, preferred);
    browser.screenshot("theme-dark-desktop").await;
    browser.open(&product, "/?theme=light").await;
    browser.expect_heading("en", "reset.title").await;
    let mut kept = light.clone();
    kept["dark"] = true.into();
    assert_eq!(styles(&browser).await, kept);
    browser.quit().await;
}
