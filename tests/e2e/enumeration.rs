//! A real account and an unknown user ID look the same through the whole portal
//! (docs/SECURITY.md R1): the methods with their hints, the send, a wrong code and the
//! lockout read alike on screen, word for word.

use crate::harness::{Browser, Product, locale_text};
use crate::steps::{
    ADELE, ONE_METHOD, choose, enter_code, enter_wrong_code, identify, unknown_id_offering,
};
use sspr_api::MethodKind;

/// An unknown user ID whose decoy offers what Adele has under [`ONE_METHOD`] (e-mail and
/// app code, one to prove). Decoys differ between user IDs as real accounts do; this
/// compares like with like.
fn unknown_shaped_like_adele(product: &Product) -> String {
    unknown_id_offering(product, &[MethodKind::Email, MethodKind::AppCode], 1, 2)
}

/// The main content's text with the user ID and every number taken out (countdowns tick
/// between the two runs; the tries left are checked exactly on the way).
async fn screen(browser: &Browser, user_id: &str) -> String {
    let text = browser.wait_for("main").await.text().await.unwrap();
    let text = text.replace(user_id, "<user ID>");
    let mut out = String::new();
    for c in text.chars() {
        if c.is_ascii_digit() {
            if !out.ends_with('#') {
                out.push('#');
            }
        } else {
            out.push(c);
        }
    }
    out
}

/// Start, choose e-mail, send, five wrong codes: what the screen says at each stage.
async fn walk(product: &Product, user_id: &str) -> Vec<(&'static str, String)> {
    let browser = Browser::start("en-US").await;
    let mut seen = Vec::new();
    identify(&browser, product, user_id).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.choose.heading"))
        .await;
    browser
        .wait_for("input[type=radio][data-kind='app_code']")
        .await;
    seen.push(("methods", screen(&browser, user_id).await));
    choose(&browser, "email").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    browser
        .wait_for_text_containing(".body", "•••@home.example")
        .await;
    seen.push(("sent", screen(&browser, user_id).await));
    for left in (1..=4).rev() {
        enter_wrong_code(&browser, left).await;
        if left == 4 {
            seen.push(("wrong code", screen(&browser, user_id).await));
        }
    }
    enter_code(&browser, "00000000").await;
    let paused = locale_text("en", "reset.code.paused").replace("{{ wait }}", "15 minutes");
    browser
        .wait_for_text_containing("#method-paused", &paused)
        .await;
    seen.push(("locked", screen(&browser, user_id).await));
    browser.quit().await;
    seen
}

#[tokio::test]
async fn a_real_account_and_an_unknown_id_read_the_same_on_every_screen() {
    let product = Product::start_with_config(ONE_METHOD);
    let unknown = unknown_shaped_like_adele(&product);
    let (real, other) = tokio::join!(walk(&product, ADELE), walk(&product, &unknown));
    for ((stage, real), (_, other)) in real.iter().zip(&other) {
        assert_eq!(
            real, other,
            "{stage}: the real account and {unknown} differ"
        );
    }
    assert_eq!(real.len(), other.len());
    // The real account's code was sent; the unknown ID's went nowhere.
    let outbox = product.get_json("/api/v1/dev/outbox");
    assert!(outbox.to_string().contains("adele.vance@home.example"));
    assert!(!outbox.to_string().contains("nobody"));
}
