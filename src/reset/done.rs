//! Step 5: the password was changed. Says for which account, what happened (other
//! sessions signed out, a notification sent) and what to do next, with a "Sign in" button:
//! to the page the portal was opened from (`?return=`, same origin only), or else to the
//! organisation's sign-in page (`organisation.sign_in_url`).

use super::step_heading::{StepHeading, fixed};
use super::{Portal, query_param};
use crate::components::organisation_config;
use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;

/// `raw` when it is a safe place to send the person after a reset: a path on this site,
/// or a URL of this origin. Anything else (another site, `javascript:`) is dropped, so the
/// link cannot be used to send people elsewhere.
pub fn safe_return_url(raw: &str, origin: &str) -> Option<String> {
    let raw = raw.trim();
    // Browsers drop tabs and newlines inside URLs ("/\t/evil" becomes "//evil"): anything
    // of the kind makes the URL unsafe.
    if raw.chars().any(|c| c.is_control() || c.is_whitespace()) {
        return None;
    }
    let is_path = raw.starts_with('/') && !raw.starts_with("//") && !raw.contains('\\');
    let same_origin = raw
        .strip_prefix(origin)
        .is_some_and(|rest| rest.is_empty() || rest.starts_with('/') || rest.starts_with('?'));
    (is_path || same_origin).then(|| raw.to_owned())
}

#[component]
pub fn Done() -> impl IntoView {
    let portal = expect_context::<Portal>();
    let done = portal.wizard.with_untracked(|w| w.done.clone());
    let origin = window().location().origin().unwrap_or_default();
    let return_url = query_param("return").and_then(|raw| safe_return_url(&raw, &origin));
    let sign_in = move || {
        return_url
            .clone()
            .or_else(|| organisation_config().and_then(|c| c.sign_in_url))
    };
    let user_id = portal.user_id.get_untracked();
    view! {
        <div class="panel panel--confirmation">
            <StepHeading text=fixed(|l| td_string!(l, reset.done.heading)) class="panel__title" />
            <p class="panel__body">
                {text(|l| td_string!(l, reset.done.account))} " "
                <strong data-testid="done-user-id">{user_id}</strong>
            </p>
        </div>
        <ul class="list list--bullet">
            {done.as_ref().is_some_and(|d| d.sessions_signed_out).then(|| view! {
                <li>{text(|l| td_string!(l, reset.done.signed_out))}</li>
            })}
            {done.as_ref().is_some_and(|d| d.notification_sent).then(|| view! {
                <li>{text(|l| td_string!(l, reset.done.notified))}</li>
            })}
        </ul>
        <p class="body">{text(|l| td_string!(l, reset.done.next))}</p>
        {move || sign_in().map(|href| view! {
            <p class="body"><a class="button" id="sign-in" href=href>{text(|l| td_string!(l, reset.done.sign_in))}</a></p>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ORIGIN: &str = "https://sspr.contoso.com";

    #[test]
    fn only_this_sites_paths_and_urls_are_return_urls() {
        for ok in [
            "/",
            "/login?next=1",
            "https://sspr.contoso.com",
            "https://sspr.contoso.com/x",
        ] {
            assert_eq!(safe_return_url(ok, ORIGIN).as_deref(), Some(ok), "{ok}");
        }
        for bad in [
            "//evil.example/login",
            "/\\evil.example",
            "https://evil.example/login",
            "https://sspr.contoso.com.evil.example/",
            "javascript:alert(1)",
            "login",
            "/\t/evil.example",
            "/\n/evil.example",
            "/\r//evil.example",
            "/ /evil.example",
        ] {
            assert_eq!(safe_return_url(bad, ORIGIN), None, "{bad}");
        }
    }
}
