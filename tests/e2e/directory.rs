//! A person of an LDAP directory resets in the browser (a real slapd with ppolicy, started
//! by the test from Debian's slapd; `server/tests/integration/slapd.rs`): the directory's
//! refusal of a too-short password is shown as a reason and the same page takes another;
//! a directory down at that moment says to try again and the same page completes once it
//! is back; afterwards a bind with the new password works and one with the old fails. A
//! locked-out person unlocks their account instead, keeping their password.

use crate::harness::{Browser, Product, locale_text};
use crate::slapd::{self, Slapd};
use crate::steps::*;

/// The product over `slapd`'s people, e-mail the one method; `directory_extra` is added
/// to its `[directory]` table.
fn product(slapd: &Slapd, directory_extra: &str) -> Product {
    Product::start_with_config(&format!(
        "[policy]\nscope = \"selected\"\ngroup = \"sspr-users\"\nmethods_required = 1\n\
         methods = [\"email\"]\n\n{}{directory_extra}",
        slapd.config_toml()
    ))
}

#[tokio::test]
async fn an_ldap_person_resets_and_the_directory_has_the_new_password() {
    let mut slapd = Slapd::start();
    let product = product(&slapd, "");
    // An administrator registers Omar's address; his row comes from the directory.
    let added = product.admin(&["user", "add-email", "omar", "omar@home.example"]);
    assert!(added.contains("omar"), "{added}");
    let browser = Browser::start("en-US").await;
    identify(&browser, &product, "omar").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    enter_code(&browser, &product.last_code_to("omar@home.example")).await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.password.heading"))
        .await;
    // Long enough for this server's rules (8), too short for the directory's (12).
    browser.fill("#new-password", "Tulip-9 Sky").await;
    browser.fill("#confirm-password", "Tulip-9 Sky").await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "reset.password.directory_too_short"),
        )
        .await;
    browser.screenshot("directory-refused-too-short").await;
    assert!(
        slapd.binds(&slapd::person_dn("omar"), slapd::OMAR.1),
        "nothing changed"
    );
    // The directory goes down: a clear "try again", nothing lost.
    slapd.stop();
    browser.fill("#new-password", "a longer tulip sky").await;
    browser
        .fill("#confirm-password", "a longer tulip sky")
        .await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "errors.service_unavailable"),
        )
        .await;
    browser.screenshot("directory-down-try-again").await;
    slapd.restart();
    set_new_password(&browser, "en", "a longer tulip sky").await;
    browser.screenshot("directory-reset-done").await;
    let dn = slapd::person_dn("omar");
    assert!(slapd.binds(&dn, "a longer tulip sky"));
    assert!(!slapd.binds(&dn, slapd::OMAR.1));
    browser.quit().await;
}

#[tokio::test]
async fn a_locked_out_ldap_person_unlocks_their_account_keeping_the_password() {
    let slapd = Slapd::start();
    let product = product(&slapd, "offer_unlock = true\n");
    product.admin(&["user", "add-email", "lou", "lou@home.example"]);
    let browser = Browser::start_phone("en-US").await;
    identify(&browser, &product, "lou").await;
    browser
        .wait_for_text("h1", &locale_text("en", "reset.code.email_heading"))
        .await;
    enter_code(&browser, &product.last_code_to("lou@home.example")).await;
    browser
        .wait_for_text(
            "#unlock-heading",
            &locale_text("en", "reset.unlock.heading"),
        )
        .await;
    browser.screenshot("directory-unlock-offered-360").await;
    browser.click("#unlock").await;
    browser
        .wait_for_text(
            ".panel__title",
            &locale_text("en", "reset.unlock.done_heading"),
        )
        .await;
    browser
        .wait_for_text_containing("main", &locale_text("en", "reset.unlock.notified"))
        .await;
    browser.screenshot("directory-unlocked-360").await;
    let dn = slapd::person_dn("lou");
    assert!(
        slapd.read(&dn, "pwdAccountLockedTime").is_empty(),
        "unlocked"
    );
    assert!(
        slapd.binds(&dn, slapd::LOU.1),
        "the password they knew still works"
    );
    browser.quit().await;
}

#[tokio::test]
async fn an_ldap_person_signs_in_to_the_security_info_page_with_their_directory_password() {
    let slapd = Slapd::start();
    let product = product(&slapd, "");
    product.admin(&["user", "add-email", "omar", "omar@home.example"]);
    let browser = Browser::start_phone("en-US").await;
    // A wrong password: refused, as any wrong sign-in.
    sign_in(&browser, &product, "omar", "not omar's password").await;
    browser
        .wait_for_text_containing(
            ".error-summary",
            &locale_text("en", "errors.sign_in_failed"),
        )
        .await;
    // The directory's password, checked by binding as Omar; then his e-mail code.
    sign_in(&browser, &product, "omar", slapd::OMAR.1).await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.prove.title"))
        .await;
    browser.click("#send-code").await;
    browser.wait_for("#proof").await;
    browser
        .fill("#proof", &product.last_code_to("omar@home.example"))
        .await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text_containing("#methods", "•••@home.example")
        .await;
    browser
        .screenshot("directory-security-info-signed-in-360")
        .await;
    browser.quit().await;
}
