//! A person of an LDAP directory resets in the browser (a real slapd with ppolicy, started
//! by the test from Debian's slapd; `server/tests/integration/slapd.rs`): the directory's
//! refusal of a too-short password is shown as a reason and the same page takes another;
//! a directory down at that moment says to try again and the same page completes once it
//! is back; afterwards a bind with the new password works and one with the old fails. A
//! locked-out person unlocks their account instead, keeping their password.

use crate::harness::{Browser, Product, locale_text};
use crate::slapd::{self, Slapd};
use crate::steps::*;

#[tokio::test]
async fn an_ldap_person_resets_and_the_directory_has_the_new_password() {
    let mut slapd = Slapd::start();
    let product = Product::start_with_config(&format!(
        "[policy]\nscope = \"selected\"\ngroup = \"sspr-users\"\nmethods_required = 1\n\
         methods = [\"email\"]\n\n{}",
        slapd.config_toml()
    ));
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
    let product = Product::start_with_config(&format!(
        "[policy]\nscope = \"selected\"\ngroup = \"sspr-users\"\nmethods_required = 1\n\
         methods = [\"email\"]\n\n{}offer_unlock = true\n",
        slapd.config_toml()
    ));
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
