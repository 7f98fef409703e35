//! Step 5: the password was changed (or the account unlocked, its password kept). Says
//! for which account, what happened (other sessions signed out, a notification sent) and
//! what to do next, with a "Sign in" button:
//! "Back to sign-in" to the page the portal was opened from (`?return=`, this origin or
//! one of `[server] embedding_origins`), or else "Sign in" to the organisation's sign-in
//! page (`organisation.sign_in_url`).

use super::step_heading::{StepHeading, fixed};
use super::{Portal, query_param};
use crate::components::organisation_config;
use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;

/// `raw`, trimmed, when the portal may send the person there at the end
/// ([`sspr_api::return_url::is_followed`]).
pub fn safe_return_url(raw: &str, origin: &str, allowed: &[String]) -> Option<String> {
    sspr_api::return_url::is_followed(raw, origin, allowed).then(|| raw.trim().to_owned())
}

#[component]
pub fn Done() -> impl IntoView {
    let portal = expect_context::<Portal>();
    let done = portal.wizard.with_untracked(|w| w.done.clone());
    let origin = window().location().origin().unwrap_or_default();
    let raw_return = query_param("return");
    // Back where the person came from, if that is one of the organisation's pages;
    // else the organisation's sign-in page.
    let sign_in = move || {
        let config = organisation_config();
        let allowed = config
            .as_ref()
            .map_or(&[][..], |c| &c.embedding_origins[..]);
        match raw_return
            .as_deref()
            .and_then(|raw| safe_return_url(raw, &origin, allowed))
        {
            Some(url) => Some((url, true)),
            None => config.and_then(|c| c.sign_in_url).map(|url| (url, false)),
        }
    };
    let user_id = portal.user_id.get_untracked();
    let unlocked = done.as_ref().is_some_and(|d| d.unlocked);
    let heading = if unlocked {
        fixed(|l| td_string!(l, reset.unlock.done_heading))
    } else {
        fixed(|l| td_string!(l, reset.done.heading))
    };
    view! {
        <div class="panel panel--confirmation">
            <StepHeading text=heading class="panel__title" />
            <p class="panel__body">
                {text(|l| td_string!(l, reset.done.account))} " "
                <strong data-testid="done-user-id">{user_id}</strong>
            </p>
        </div>
        <ul class="list list--bullet">
            {done.as_ref().is_some_and(|d| d.sessions_signed_out).then(|| view! {
                <li>{text(|l| td_string!(l, reset.done.signed_out))}</li>
            })}
            {done.as_ref().is_some_and(|d| d.notification_sent).then(|| if unlocked {
                view! { <li>{text(|l| td_string!(l, reset.unlock.notified))}</li> }
            } else {
                view! { <li>{text(|l| td_string!(l, reset.done.notified))}</li> }
            })}
        </ul>
        <p class="body">
            {if unlocked {
                text(|l| td_string!(l, reset.unlock.done_next))
            } else {
                text(|l| td_string!(l, reset.done.next))
            }}
        </p>
        {move || sign_in().map(|(href, back)| view! {
            <p class="body">
                <a class="button" id="sign-in" href=href>
                    {if back {
                        text(|l| td_string!(l, reset.done.back_to_sign_in))
                    } else {
                        text(|l| td_string!(l, reset.done.sign_in))
                    }}
                </a>
            </p>
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
            assert_eq!(
                safe_return_url(ok, ORIGIN, &[]).as_deref(),
                Some(ok),
                "{ok}"
            );
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
            assert_eq!(safe_return_url(bad, ORIGIN, &[]), None, "{bad}");
        }
    }

    #[test]
    fn the_organisations_login_pages_are_return_urls_too() {
        let allowed = ["https://login.contoso.example".to_owned()];
        for ok in [
            "https://login.contoso.example",
            "https://login.contoso.example/signin?x=1",
        ] {
            assert_eq!(
                safe_return_url(ok, ORIGIN, &allowed).as_deref(),
                Some(ok),
                "{ok}"
            );
        }
        for bad in [
            "https://login.contoso.example.evil.example/",
            "https://login.contoso.example@evil.example/",
            "http://login.contoso.example/",
            "https://evil.example/",
        ] {
            assert_eq!(safe_return_url(bad, ORIGIN, &allowed), None, "{bad}");
        }
    }
}
