//! The portal's two bundles (docs/ARCHITECTURE.md, "Bundles"): a first visit loads only
//! the first step's, the wizard's arrives in the background and takes over without a
//! reload once the flow has started; when it cannot be loaded the first step says so and
//! tries again, losing nothing.

use crate::harness::{Browser, Product, app_dir, locale_text};
use crate::steps::*;
use std::time::{Duration, Instant};

const WIZARD_WASM: &str = "sspr-app_bg.wasm";

/// How many times the page fetched a file whose URL ends in `name`.
async fn fetched(browser: &Browser, name: &str) -> u64 {
    browser
        .client
        .execute(
            "return performance.getEntriesByType('resource')\
             .filter(e => new URL(e.name).pathname === '/' + arguments[0]).length",
            vec![serde_json::json!(name)],
        )
        .await
        .unwrap()
        .as_u64()
        .unwrap()
}

/// From Adele's choice page: the e-mailed code, then `password`, which the server takes.
async fn finish_by_email(browser: &Browser, product: &Product, password: &str) {
    choose(browser, "email").await;
    let code = product.last_code_to(demo_email(ADELE));
    enter_code(browser, &code).await;
    set_new_password(browser, "en", password).await;
    assert!(server_accepts(product, ADELE, password).await);
}

async fn script(browser: &Browser, js: &str) -> serde_json::Value {
    browser.client.execute(js, vec![]).await.unwrap()
}

#[tokio::test]
async fn the_first_step_loads_alone_and_the_wizard_takes_over_without_a_reload() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-US").await;
    browser.open(&product, "/").await;
    browser.expect_heading("en", "reset.title").await;
    assert_eq!(fetched(&browser, "sspr-reset-start_bg.wasm").await, 1);
    // The organisation's settings came with the page (`#sspr-config`).
    assert_eq!(fetched(&browser, "api/v1/config").await, 0);
    // The wizard's bundle follows in the background, before anyone continues.
    let deadline = Instant::now() + Duration::from_secs(20);
    while fetched(&browser, WIZARD_WASM).await == 0 {
        assert!(
            Instant::now() < deadline,
            "the wizard's bundle was never fetched"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Something only this document has: gone if the page were loaded again.
    script(&browser, "window.__sameDocument = true").await;
    browser.fill("#user-id", ADELE).await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    assert_eq!(
        script(&browser, "return window.__sameDocument === true").await,
        true
    );
    assert_eq!(fetched(&browser, WIZARD_WASM).await, 1, "fetched once");
    // The wizard took the page over as at any step change: the heading has the focus,
    // the URL names the step, and only one copy of the page is there.
    assert_eq!(
        script(&browser, "return document.activeElement.tagName").await,
        "H1"
    );
    assert_eq!(
        script(
            &browser,
            "return new URLSearchParams(location.search).get('step')"
        )
        .await,
        "choose"
    );
    assert_eq!(
        script(&browser, "return document.querySelectorAll('main').length").await,
        1
    );
    // On to the end in the wizard.
    finish_by_email(&browser, &product, "lantern orchard pebble").await;
    browser.quit().await;
}

#[tokio::test]
async fn when_the_wizard_cannot_load_the_first_step_says_so_and_tries_again() {
    // The app without the wizard's bundle, as when the network fails at that moment.
    let app = tempfile::tempdir().unwrap();
    let held_back = tempfile::tempdir().unwrap();
    for entry in std::fs::read_dir(app_dir()).unwrap() {
        let path = entry.unwrap().path();
        if path.is_file() {
            let name = path.file_name().unwrap().to_owned();
            let into = if name.to_string_lossy().starts_with(WIZARD_WASM) {
                held_back.path()
            } else {
                app.path()
            };
            std::fs::copy(&path, into.join(name)).unwrap();
        }
    }
    let snippets = app_dir().join("snippets");
    if snippets.exists() {
        copy_dir(&snippets, &app.path().join("snippets"));
    }
    let product = Product::start_with_app(ONE_METHOD, app.path());
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, ADELE).await;
    browser
        .wait_for_text_containing("[role=alert]", &locale_text("en", "errors.network"))
        .await;
    browser.screenshot("wizard-not-loaded").await;
    // The connection is back: Try again carries on with the flow already started.
    for entry in std::fs::read_dir(held_back.path()).unwrap() {
        let path = entry.unwrap().path();
        std::fs::copy(&path, app.path().join(path.file_name().unwrap())).unwrap();
    }
    browser.click("[role=alert] button").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    assert_eq!(
        script(
            &browser,
            "return new URLSearchParams(location.search).get('step')"
        )
        .await,
        "choose"
    );
    finish_by_email(&browser, &product, "copper meadow lantern").await;
    browser.quit().await;
}

fn copy_dir(from: &std::path::Path, to: &std::path::Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap() {
        let path = entry.unwrap().path();
        let target = to.join(path.file_name().unwrap());
        if path.is_dir() {
            copy_dir(&path, &target);
        } else {
            std::fs::copy(&path, target).unwrap();
        }
    }
}

/// A copy of the built app with its boot.js changed by `edit` (its precompressed copies
/// removed, so the change is what is served).
fn app_with_boot_js(edit: impl Fn(&str) -> String) -> tempfile::TempDir {
    let app = tempfile::tempdir().unwrap();
    copy_dir(&app_dir(), app.path());
    let boot = app.path().join("boot.js");
    let script = std::fs::read_to_string(&boot).unwrap();
    let changed = edit(&script);
    assert_ne!(changed, script, "boot.js is no longer as the test expects");
    std::fs::write(&boot, changed).unwrap();
    for compressed in ["boot.js.br", "boot.js.gz"] {
        let _ = std::fs::remove_file(app.path().join(compressed));
    }
    app
}

/// A copy of the built app whose boot.js waits for `window.__startApp()` before it loads
/// the first step's wasm: the static first step stays up for as long as the test wants.
fn app_with_wasm_held_back() -> tempfile::TempDir {
    app_with_boot_js(|script| {
        script.replace(
            "import(`/${app}.js`)",
            "new Promise((go) => (window.__startApp = go)).then(() => import(`/${app}.js`))",
        )
    })
}

/// A copy of the built app whose boot.js does nothing until `window.__startBoot()`: the
/// page is the server's HTML and CSS alone until then.
fn app_with_boot_held_back() -> tempfile::TempDir {
    app_with_boot_js(|script| {
        format!("await new Promise((go) => (window.__startBoot = go));\n{script}")
    })
}

/// Waits for the static first step, then lets the wasm come.
async fn static_first_step(browser: &Browser, product: &Product) {
    browser
        .client
        .goto(&format!("{}/", product.url))
        .await
        .unwrap();
    browser.wait_for("#first-step:not([hidden]) #user-id").await;
}

async fn start_the_app(browser: &Browser) {
    script(browser, "window.__startApp()").await;
    browser.wait_until("!document.getElementById('boot')").await;
}

#[tokio::test]
async fn the_first_step_is_on_screen_before_any_script_in_the_persons_language() {
    let app = app_with_boot_held_back();
    let product = Product::start_with_app(ONE_METHOD, app.path());
    let browser = Browser::start_phone("de-DE").await;
    browser
        .client
        .goto(&format!("{}/?user=adele.vance", product.url))
        .await
        .unwrap();
    browser
        .wait_until("typeof window.__startBoot === 'function'")
        .await;
    // Nothing of boot.js has run: what is on screen is the server's page.
    assert_eq!(
        script(&browser, "return typeof window.sspr").await,
        "undefined"
    );
    assert_eq!(browser.html_attr("lang").await.as_deref(), Some("de"));
    for (css, key) in [
        ("#first-step h1", "reset.title"),
        ("#first-step-lead", "reset.intro_single"),
        ("#first-step label[for=user-id]", "reset.identify.label"),
        ("#first-step-form button", "reset.next"),
    ] {
        assert_eq!(browser.text_of(css).await, locale_text("de", key), "{css}");
    }
    assert_eq!(browser.text_of("#first-step-organisation").await, "Contoso");
    assert_eq!(browser.value_of("#user-id").await, "adele.vance");
    // Styled by the stylesheets in the page (the CSP allows them by their hashes): the
    // header in the organisation's brand colour.
    let header = "return getComputedStyle(document.querySelector('.site-header')).backgroundColor";
    assert_eq!(script(&browser, header).await, "rgb(29, 79, 145)");
    // The loading line gives way to the step.
    let loading = "return getComputedStyle(document.querySelector('.boot__message')).display";
    assert_eq!(script(&browser, loading).await, "none");
    crate::a11y::assert_accessible(&browser, "the first step before any script").await;
    browser.screenshot("first-step-before-scripts-360-de").await;
    // Typed on before the scripts came: the app keeps it.
    crate::a11y::tab_to(&browser, "#user-id").await;
    crate::a11y::press(&browser, &[fantoccini::key::Key::End.into()]).await;
    crate::a11y::type_text(&browser, "@contoso.example").await;
    script(&browser, "window.__startBoot()").await;
    browser.wait_until("!document.getElementById('boot')").await;
    assert_eq!(browser.value_of("#user-id").await, ADELE);
    crate::a11y::press(&browser, &[fantoccini::key::Key::Enter.into()]).await;
    browser
        .wait_for_text("h1", &locale_text("de", "reset.choose.heading"))
        .await;
    browser.quit().await;
}

#[tokio::test]
async fn without_javascript_the_page_says_it_needs_it_in_german_and_shows_no_dead_form() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser =
        Browser::start_with_switches("de-DE", &["--blink-settings=scriptEnabled=false"]).await;
    browser
        .client
        .goto(&format!("{}/", product.url))
        .await
        .unwrap();
    // In the person's language (the server's page), and the step that cannot work gone.
    let message = browser.wait_for("#boot noscript p").await;
    assert!(
        message.is_displayed().await.unwrap(),
        "the message is hidden"
    );
    assert_eq!(
        message.text().await.unwrap(),
        locale_text("de", "app.no_javascript")
    );
    let form = browser.wait_for("#first-step-form").await;
    assert!(
        !form.is_displayed().await.unwrap(),
        "a form that cannot work is shown"
    );
    // Under the organisation's header.
    let header = browser.wait_for("#first-step-organisation").await;
    assert!(header.is_displayed().await.unwrap());
    assert_eq!(header.text().await.unwrap(), "Contoso");
    browser.screenshot("no-javascript-de").await;
    browser.quit().await;
}

#[tokio::test]
async fn the_first_step_is_usable_before_the_wasm_and_the_app_keeps_what_was_typed() {
    let app = app_with_wasm_held_back();
    let product = Product::start_with_app(ONE_METHOD, app.path());
    let browser = Browser::start_phone("en-US").await;
    static_first_step(&browser, &product).await;
    // The same step as the app's, with the organisation's name and policy.
    browser
        .wait_for_text("#first-step h1", &locale_text("en", "reset.title"))
        .await;
    browser
        .wait_for_text("#first-step-lead", &locale_text("en", "reset.intro_single"))
        .await;
    browser
        .wait_for_text("#first-step-organisation", "Contoso")
        .await;
    // The app has not started (its wasm may be downloading: the page preloads it).
    assert!(browser.has("#boot").await && !browser.has("#main").await);
    crate::a11y::assert_accessible(&browser, "the static first step").await;
    browser.screenshot("first-step-static-360").await;
    // Half typed when the app arrives: the rest goes on in the app's field.
    browser.fill("#user-id", "adele.vance@").await;
    start_the_app(&browser).await;
    assert_eq!(browser.value_of("#user-id").await, "adele.vance@");
    assert!(
        crate::a11y::focus_matches(&browser, "#user-id").await,
        "the focus went to {:?}",
        crate::a11y::focused(&browser).await
    );
    browser.screenshot("first-step-app-360").await;
    crate::a11y::type_text(&browser, "contoso.example").await;
    crate::a11y::press(&browser, &[fantoccini::key::Key::Enter.into()]).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    finish_by_email(&browser, &product, "orchard lantern copper").await;
    browser.quit().await;
}

#[tokio::test]
async fn continue_pressed_before_the_wasm_goes_on_when_it_arrives() {
    let app = app_with_wasm_held_back();
    let product = Product::start_with_app(ONE_METHOD, app.path());
    let browser = Browser::start("de-DE").await;
    static_first_step(&browser, &product).await;
    // In the page's language, from its locale file.
    browser
        .wait_for_text(
            "#first-step label[for=user-id]",
            &locale_text("de", "reset.identify.label"),
        )
        .await;
    browser.fill("#user-id", ALEX).await;
    browser.click("#first-step-form button").await;
    browser
        .wait_for_text_containing(
            "#first-step-status",
            &locale_text("de", "reset.identify.checking"),
        )
        .await;
    start_the_app(&browser).await;
    browser
        .wait_for_text("h1", &locale_text("de", "reset.code.email_heading"))
        .await;
    browser.quit().await;
}
