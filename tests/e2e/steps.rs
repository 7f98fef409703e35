//! The steps of a reset as a person takes them in the browser, and the demo directory's
//! details the journeys need (shared by the end-to-end test modules).

use crate::harness::{Browser, Product, locale_text};
use sspr_api::MethodKind;
use sspr_server::clock::Clock;
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::crypto::passwords::PasswordHasher;
use sspr_server::crypto::totp::TotpSecret;
use sspr_server::demo::{DEMO_ANSWERS, DEMO_METHODS};
use sspr_server::directory::Directory;
use sspr_server::reset::decoy;
use sspr_server::store::SqliteStore;
use std::sync::Arc;

pub const ADELE: &str = "adele.vance@contoso.example";
pub const ALEX: &str = "alex.wilber@contoso.example";

/// One method is enough; e-mail and app codes (questions need two methods).
pub const ONE_METHOD: &str = r#"
[policy]
scope = "selected"
group = "sspr-users"
methods_required = 1
methods = ["email", "app_code"]
"#;

/// Two methods to prove, 130 seconds to do it: the timeout warning opens 120 s before the
/// end, 10 s after the start.
pub const SHORT_FLOW: &str = r#"
[policy]
scope = "selected"
group = "sspr-users"
methods_required = 2
methods = ["email", "app_code"]
flow_lifetime_seconds = 130
"#;

/// Waits (up to 30 s) for the timeout warning dialog.
pub async fn wait_for_timeout_warning(browser: &Browser) -> fantoccini::elements::Element {
    browser
        .client
        .wait()
        .at_most(std::time::Duration::from_secs(30))
        .for_element(fantoccini::Locator::Css("[role=alertdialog]"))
        .await
        .expect("the timeout warning")
}

pub fn demo_secret(user_id: &str) -> TotpSecret {
    let methods = DEMO_METHODS.iter().find(|m| m.user_id == user_id).unwrap();
    TotpSecret::from_bytes(methods.totp_secret.unwrap())
}

pub fn demo_email(user_id: &str) -> &'static str {
    DEMO_METHODS
        .iter()
        .find(|m| m.user_id == user_id)
        .unwrap()
        .email
        .unwrap()
}

pub fn now() -> u64 {
    Clock::system().now()
}

/// Whether the server takes `password` for `user_id` (read from its own database).
pub async fn server_accepts(product: &Product, user_id: &str, password: &str) -> bool {
    let directory = Directory {
        store: SqliteStore::open(&product.database()).unwrap(),
        keys: Arc::new(ServerKeys::ephemeral()),
        hasher: PasswordHasher::new(1).unwrap(),
        clock: Clock::system(),
        custom_questions: 0,
        phone_region: sspr_server::phone::number::Region::GB,
    };
    directory.check_password(user_id, password).await.unwrap()
}

/// The first page: user ID, Continue, and the CAPTCHA solved behind the scenes.
pub async fn identify(browser: &Browser, product: &Product, user_id: &str) {
    browser.open(product, "/").await;
    browser.fill("#user-id", user_id).await;
    browser.click("form button[type=submit]").await;
}

/// On the choice page, picks the method of `kind` and continues.
pub async fn choose(browser: &Browser, kind: &str) {
    browser
        .click(&format!("input[type=radio][data-kind='{kind}']"))
        .await;
    browser.click("form button[type=submit]").await;
}

pub async fn enter_code(browser: &Browser, code: &str) {
    browser.fill("#code", code).await;
    browser.click("form button[type=submit]").await;
}

/// On the e-mail code page: the code from the dev outbox, typed in.
pub async fn prove_email(browser: &Browser, product: &Product, locale: &str, user_id: &str) {
    browser
        .wait_for_text("h1", &locale_text(locale, "reset.code.email_heading"))
        .await;
    let code = product.last_code_to(demo_email(user_id));
    enter_code(browser, &code).await;
}

pub async fn answer_questions(browser: &Browser, locale: &str) {
    browser.wait_for("#answer-1").await;
    for index in 1..=DEMO_ANSWERS.len() {
        let label = browser
            .wait_for(&format!("label[for='answer-{index}']"))
            .await
            .text()
            .await
            .unwrap();
        let answer = DEMO_ANSWERS
            .iter()
            .find(|(id, _)| locale_text(locale, &format!("questions.{id}")) == label)
            .unwrap_or_else(|| panic!("no demo answer for {label:?}"))
            .1;
        browser.fill(&format!("#answer-{index}"), answer).await;
    }
    browser.click("form button[type=submit]").await;
}

pub async fn set_new_password(browser: &Browser, locale: &str, password: &str) {
    browser
        .wait_for_text("h1", &locale_text(locale, "reset.password.heading"))
        .await;
    browser.fill("#new-password", password).await;
    browser.fill("#confirm-password", password).await;
    browser.click("form button[type=submit]").await;
    browser
        .wait_for_text(".panel__title", &locale_text(locale, "reset.done.heading"))
        .await;
}

/// An unknown user ID (`nobody<n>@contoso.example`) whose decoy, under a policy allowing
/// `allowed` with `required` to prove, offers `offered` methods and is not shaped like an
/// administrator's; read from the running server's own key.
pub fn unknown_id_offering(
    product: &Product,
    allowed: &[MethodKind],
    required: usize,
    offered: usize,
) -> String {
    let keys = ServerKeys::load_or_create(&product.database().with_file_name("sspr.key"))
        .expect("the server's key file");
    let questions: Vec<String> = sspr_api::questions::BUILT_IN
        .iter()
        .map(|&id| id.to_owned())
        .collect();
    (0..)
        .map(|n| format!("nobody{n}@contoso.example"))
        .find(|id| {
            !decoy::looks_like_admin(&keys.decoy, id)
                && decoy::methods(&keys.decoy, id, allowed, required, 3, &questions, &[]).len()
                    == offered
        })
        .expect("a user ID")
}

/// "The code is not right. … You have 4 tries left." as the English locale file says it.
pub fn wrong_code_text(left: u32) -> String {
    let tries = if left == 1 {
        locale_text("en", "errors.tries_left.one")
    } else {
        locale_text("en", "errors.tries_left.other")
    };
    format!(
        "{} {}",
        locale_text("en", "errors.code_incorrect"),
        tries.replace("{{ count }}", &left.to_string())
    )
}

/// Types a wrong e-mail code and waits for the error saying `left` tries are left.
pub async fn enter_wrong_code(browser: &Browser, left: u32) {
    enter_code(browser, "00000000").await;
    browser
        .wait_for_text(".error-summary__list", &wrong_code_text(left))
        .await;
}

/// How many texts and calls the phone simulator has received.
pub fn phone_count(product: &Product) -> usize {
    product
        .get_json("/api/v1/dev/phone")
        .as_array()
        .map_or(0, Vec::len)
}

/// The code of the first text or call on `channel` after the first `after` the simulator
/// received (waiting for the outbox to deliver it); a voice call says the code twice.
pub async fn next_phone_code(product: &Product, channel: &str, after: usize) -> String {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(15);
    let item = loop {
        let items = product.get_json("/api/v1/dev/phone");
        let items = items.as_array().expect("items").clone();
        // Newest first: the new ones are the first `len - after`.
        let new = items.len().saturating_sub(after);
        if let Some(item) = items[..new].iter().find(|item| item["channel"] == channel) {
            break item.clone();
        }
        assert!(
            std::time::Instant::now() < deadline,
            "nothing new on {channel}: {items:?}"
        );
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let digits: String = item["text"]
        .as_str()
        .expect("text")
        .split(['.', ' ', ','])
        .filter(|word| !word.is_empty() && word.bytes().all(|b| b.is_ascii_digit()))
        .collect();
    if channel == "voice" {
        digits[..digits.len() / 2].to_owned()
    } else {
        digits
    }
}

/// Signs in to the security-info page with `user_id` and `password` (the proof comes next).
pub async fn sign_in(browser: &Browser, product: &Product, user_id: &str, password: &str) {
    browser.open(product, "/security-info").await;
    browser
        .wait_for_text("h1", &locale_text("en", "security_info.title"))
        .await;
    browser.fill("#user-id", user_id).await;
    browser.fill("#password", password).await;
    browser.click("form button[type=submit]").await;
}

/// On the security-info page's change-password form: the current password, the new one
/// twice, sent.
pub async fn change_password(browser: &Browser, current: &str, new: &str) {
    browser.fill("#current-password", current).await;
    browser.fill("#new-password", new).await;
    browser.fill("#confirm-password", new).await;
    browser.click("form button[type=submit]").await;
}

/// A demo person with an app signed in to the security-info page with the demo password
/// and the app's current code, until `landing` shows.
pub async fn signed_in_with_app(
    browser: &Browser,
    product: &Product,
    user_id: &str,
    landing: &str,
) {
    sign_in(browser, product, user_id, sspr_server::demo::DEMO_PASSWORD).await;
    browser
        .click("input[type=radio][data-kind='app_code']")
        .await;
    browser
        .fill(
            "#proof",
            &sspr_server::crypto::totp::code_at(&demo_secret(user_id), now()),
        )
        .await;
    browser.click("form button[type=submit]").await;
    browser.wait_for(landing).await;
}
