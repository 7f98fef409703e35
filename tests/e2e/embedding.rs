//! The portal embedded in an organisation's login page (README, "Embedding"): the demo's
//! example login page at `http://localhost:PORT/example-host/` embeds the portal from
//! `http://127.0.0.1:PORT`, another site, with third-party cookies blocked (the harness's
//! browsers block them).

use crate::harness::{Browser, Product, locale_text};
use crate::steps::*;
use fantoccini::Locator;
use serde_json::json;

/// The example login page's URL on `product`'s port.
pub fn host_page(product: &Product) -> String {
    let port = product.url.rsplit(':').next().unwrap();
    format!("http://localhost:{port}/example-host/")
}

async fn script(browser: &Browser, js: &str) -> serde_json::Value {
    browser.client.execute(js, vec![]).await.unwrap()
}

/// What the host page looks like to its own scripts: its language, its look, its global,
/// and whether anything named like the widget was added to its globals or `<html>`.
const HOST_STATE: &str = "return {
    lang: document.documentElement.lang,
    htmlClass: document.documentElement.className,
    font: getComputedStyle(document.documentElement).fontFamily,
    background: getComputedStyle(document.documentElement).backgroundColor,
    global: window.contosoLogin && window.contosoLogin.version,
    widgetGlobals: Object.getOwnPropertyNames(window).filter(n => /sspr|Sspr|SSPR/.test(n)),
}";

/// The host page's logged events, in order.
async fn events(browser: &Browser) -> Vec<String> {
    let list = script(
        browser,
        "return [...document.querySelectorAll('#events li')].map(li => li.textContent)",
    )
    .await;
    list.as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap().to_owned())
        .collect()
}

async fn wait_for_event(browser: &Browser, name: &str) {
    browser
        .wait_for(&format!("#events li[data-event='{name}']"))
        .await;
}

#[tokio::test]
async fn a_reset_in_the_widget_on_another_sites_login_page_tells_the_host_it_completed() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-GB").await;
    browser.client.goto(&host_page(&product)).await.unwrap();
    wait_for_event(&browser, "sspr:ready").await;
    let state = script(&browser, HOST_STATE).await;
    assert_eq!(
        state,
        json!({
            "lang": "en-GB",
            "htmlClass": "",
            "font": "Georgia, serif",
            "background": "rgb(253, 246, 227)",
            "global": "1.0",
            "widgetGlobals": [],
        })
    );
    // The frame was sized to its content.
    let frame = browser.wait_for("#widget iframe").await;
    let height = script(
        &browser,
        "return document.querySelector('#widget iframe').getBoundingClientRect().height",
    )
    .await;
    assert_ne!(
        height.as_f64().unwrap().round(),
        512.0,
        "still the default size"
    );
    script(
        &browser,
        "document.querySelector('#widget').scrollIntoView()",
    )
    .await;
    browser.screenshot("embedded-widget-desktop").await;

    // The reset, typed inside the frame (the portal's own origin).
    frame.enter_frame().await.unwrap();
    assert_eq!(browser.value_of("#user-id").await, ADELE, "data-user");
    assert_eq!(browser.html_attr("lang").await.as_deref(), Some("en"));
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    choose(&browser, "email").await;
    let code = product.last_code_to(demo_email(ADELE));
    enter_code(&browser, &code).await;
    set_new_password(&browser, "en", "harbour lantern meadow").await;
    assert!(server_accepts(&product, ADELE, "harbour lantern meadow").await);
    // The password field was the frame's: nothing of it on the host page.
    browser.client.enter_parent_frame().await.unwrap();
    wait_for_event(&browser, "sspr:completed").await;
    let told = events(&browser).await;
    assert_eq!(
        told.first().map(String::as_str),
        Some("sspr:ready (widget)")
    );
    assert!(
        told.contains(&"sspr:step choose (widget)".to_owned()),
        "{told:?}"
    );
    assert!(
        told.contains(&"sspr:step password (widget)".to_owned()),
        "{told:?}"
    );
    assert_eq!(
        told.last().map(String::as_str),
        Some("sspr:completed (widget)")
    );
    assert_eq!(
        script(&browser, HOST_STATE).await,
        state,
        "the host page is as it was"
    );
    assert!(
        browser
            .client
            .find_all(Locator::Css("input[type=password]"))
            .await
            .unwrap()
            .len()
            == 1,
        "only the host page's own password field"
    );
    browser.quit().await;
}

#[tokio::test]
async fn link_mode_fills_in_the_user_and_goes_back_to_an_allowed_login_page_only() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start("en-GB").await;
    let host = host_page(&product);
    browser.client.goto(&host).await.unwrap();
    browser.click("#reset-link").await;
    browser.expect_heading("en", "reset.title").await;
    assert_eq!(browser.value_of("#user-id").await, ADELE);
    // Nothing was sent before the person continues.
    let db = rusqlite::Connection::open(product.database()).unwrap();
    let flows: i64 = db
        .query_row("SELECT count(*) FROM reset_flows", [], |row| row.get(0))
        .unwrap();
    assert_eq!(flows, 0);
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    choose(&browser, "email").await;
    enter_code(&browser, &product.last_code_to(demo_email(ADELE))).await;
    set_new_password(&browser, "en", "willow copper lantern").await;
    browser
        .wait_for_text("#sign-in", &locale_text("en", "reset.done.back_to_sign_in"))
        .await;
    assert_eq!(
        browser.attr_of("#sign-in", "href").await.as_deref(),
        Some(host.as_str())
    );
    browser
        .screenshot("link-mode-back-to-sign-in-desktop")
        .await;
    browser.click("#sign-in").await;
    browser.wait_for("#login").await;
    assert_eq!(
        browser.client.current_url().await.unwrap().as_str(),
        host.as_str()
    );

    // A return URL outside the allowlist is not followed.
    browser
        .open(
            &product,
            &format!("/?user={ALEX}&return=https://evil.example/login"),
        )
        .await;
    browser.expect_heading("en", "reset.title").await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    enter_code(&browser, &product.last_code_to(demo_email(ALEX))).await;
    set_new_password(&browser, "en", "maple harbour kettle").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.done.heading"))
        .await;
    let links = script(
        &browser,
        "return [...document.querySelectorAll('a')].map(a => a.href)",
    )
    .await;
    assert!(
        !links
            .as_array()
            .unwrap()
            .iter()
            .any(|href| href.as_str().unwrap().starts_with("https://evil.example")),
        "{links}"
    );
    browser.quit().await;
}

/// A page on a third origin (neither the login page's nor the portal's): a tiny HTTP
/// server on another port answering every request with `html`. Returns its origin.
async fn third_origin(html: String) -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let origin = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        loop {
            let Ok((mut stream, _)) = listener.accept().await else {
                return;
            };
            let html = html.clone();
            tokio::spawn(async move {
                use tokio::io::{AsyncReadExt, AsyncWriteExt};
                let mut request = [0u8; 4096];
                let _ = stream.read(&mut request).await;
                let response = format!(
                    "HTTP/1.1 200 OK\r\ncontent-type: text/html; charset=utf-8\r\n\
                     content-length: {}\r\nconnection: close\r\n\r\n{html}",
                    html.len()
                );
                let _ = stream.write_all(response.as_bytes()).await;
            });
        }
    });
    origin
}

#[tokio::test]
async fn the_widget_ignores_messages_from_other_origins_and_others_cannot_frame_the_portal() {
    let product = Product::start_with_config(ONE_METHOD);
    // A third origin whose page, opened from the login page, posts it messages shaped
    // like the portal's.
    let forger = third_origin(
        "<!DOCTYPE html><title>forger</title><script>\
         opener.postMessage({source: 'sspr', type: 'completed'}, '*');\
         opener.postMessage({source: 'sspr', type: 'resize', height: 5}, '*');\
         </script>"
            .to_owned(),
    )
    .await;
    let browser = Browser::start("en-GB").await;
    browser.client.goto(&host_page(&product)).await.unwrap();
    wait_for_event(&browser, "sspr:ready").await;
    let height = "return document.querySelector('#widget iframe').style.height";
    let before = script(&browser, height).await;
    // The login page counts every message it gets, to show the forged ones did arrive.
    browser
        .client
        .execute(
            "window.__messages = [];\
             window.addEventListener('message', e => window.__messages.push(e.origin));\
             window.open(arguments[0]);",
            vec![json!(format!("{forger}/"))],
        )
        .await
        .unwrap();
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    while script(&browser, "return window.__messages.length").await != 2 {
        assert!(
            std::time::Instant::now() < deadline,
            "the forged messages never came"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(
        script(&browser, "return window.__messages").await,
        json!([forger, forger])
    );
    // A message that claims the portal's origin but comes from another window than the
    // widget's frame is ignored too; the same from the frame is taken (so the check works).
    let posted = |source: &str| {
        format!(
            "window.dispatchEvent(new MessageEvent('message', {{origin: '{}', source: {source}, \
             data: {{source: 'sspr', type: 'cancelled'}}}}))",
            product.url
        )
    };
    script(&browser, &posted("window")).await;
    assert!(
        !events(&browser)
            .await
            .iter()
            .any(|e| e.starts_with("sspr:completed") || e.starts_with("sspr:cancelled")),
        "{:?}",
        events(&browser).await
    );
    assert_eq!(
        script(&browser, height).await,
        before,
        "not resized by the forger"
    );
    script(
        &browser,
        &posted("document.querySelector('#widget iframe').contentWindow"),
    )
    .await;
    wait_for_event(&browser, "sspr:cancelled").await;

    // A page of an origin not in `embedding_origins` cannot frame the portal.
    let framer = third_origin(format!(
        "<!DOCTYPE html><title>framer</title><iframe id=portal src='{}/?embed=1'></iframe>",
        product.url
    ))
    .await;
    browser.client.goto(&format!("{framer}/")).await.unwrap();
    let frame = browser.wait_for("#portal").await;
    frame.enter_frame().await.unwrap();
    // The browser refuses the portal's document in that frame: an error page in its place.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
    let framed = loop {
        let href = script(&browser, "return location.href").await;
        let href = href.as_str().unwrap_or_default().to_owned();
        if href != "about:blank" {
            break href;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the frame never loaded"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    };
    assert!(!framed.starts_with(&product.url), "framed: {framed}");
    assert!(!browser.has("#user-id").await);
    browser.client.enter_parent_frame().await.unwrap();
    browser.quit().await;
}

#[tokio::test]
async fn the_dialog_widget_opens_the_portal_over_the_login_page_on_a_phone() {
    let product = Product::start_with_config(ONE_METHOD);
    let browser = Browser::start_phone("en-GB").await;
    browser.client.goto(&host_page(&product)).await.unwrap();
    browser.wait_for("#widget iframe").await;
    browser.screenshot("example-login-page-360").await;
    // Nothing of the portal in the dialog's element until the button is pressed.
    assert!(!browser.has("#modal-widget iframe").await);
    browser.click("#modal-widget > button").await;
    let frame = browser.wait_for("#modal-widget dialog[open] iframe").await;
    browser
        .wait_for("#events li[data-event='sspr:ready']:nth-of-type(2)")
        .await;
    assert!(
        events(&browser)
            .await
            .contains(&"sspr:ready (modal-widget)".to_owned())
    );
    assert_eq!(
        script(
            &browser,
            "return document.querySelector('#modal-widget dialog').matches(':modal')"
        )
        .await,
        true
    );
    browser.screenshot("widget-dialog-360").await;
    frame.enter_frame().await.unwrap();
    browser.expect_heading("en", "reset.title").await;
    browser.client.enter_parent_frame().await.unwrap();
    browser.click("#modal-widget dialog > button").await;
    assert_eq!(
        script(
            &browser,
            "return document.querySelector('#modal-widget dialog').open"
        )
        .await,
        false
    );
    browser.quit().await;
}
