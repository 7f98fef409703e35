//! The authenticator page (`/authenticator`, its own bundle, installable as a web app):
//! the person's phone approves a password reset with number matching. It enrols once from
//! the QR code the security-info page shows (an https link with a one-time token in its
//! fragment, which the phone's own camera app opens: this page needs no camera), keeps a
//! non-extractable WebCrypto key ([`device`]) and signs every request of its own with it.
//! Then it lists the resets waiting for this phone: who, from where, when, and three
//! numbers, one of which the portal shows; choosing it approves, "No" denies, and "I
//! didn't ask" reports it (the owner is told, prompts stop). A Web Push wakes it.
//!
//! One file per stage: [`enrol`] (this phone becomes the person's device) and
//! [`requests`] (what waits for approval).

pub mod device;
pub mod enrol;
pub mod notification_text;
pub mod requests;

use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::authenticator::Enrolled;

/// Where the page is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stage {
    /// Reading what this browser holds.
    Loading,
    /// Opened from an enrol link: set this phone up (the link's one-time token).
    Enrol(String),
    /// No device here and no link: how to set it up.
    NotSetUp,
    /// Enrolled: the requests waiting for this phone.
    Requests(Enrolled),
}

/// The one-time token of an enrol link (`#enrol=...`), if the page was opened with one.
pub fn enrol_token(fragment: &str) -> Option<String> {
    let token = fragment.strip_prefix('#')?.strip_prefix("enrol=")?;
    let valid = !token.is_empty()
        && token.len() <= 128
        && token
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_');
    valid.then(|| token.to_owned())
}

/// What the stages share: where the page is, and a notice for the next stage.
#[derive(Debug, Clone, Copy)]
pub struct Authenticator {
    pub stage: RwSignal<Stage>,
    /// "This phone is no longer set up", after the server stopped recognising it.
    pub forgotten: RwSignal<bool>,
}

#[component]
pub fn AuthenticatorPage() -> impl IntoView {
    let page = Authenticator {
        stage: RwSignal::new(Stage::Loading),
        forgotten: RwSignal::new(false),
    };
    provide_context(page);
    notification_text::keep_in_step();
    let fragment = window().location().hash().unwrap_or_default();
    spawn_local(async move {
        // A link wins: it enrols this phone anew (for another account, or after the
        // browser dropped the old key).
        let next = match enrol_token(&fragment) {
            Some(token) => Stage::Enrol(token),
            None => match device::enrolled().await {
                Some(enrolled) => Stage::Requests(enrolled),
                None => Stage::NotSetUp,
            },
        };
        page.stage.set(next);
    });
    move || match page.stage.get() {
        Stage::Loading => view! {
            <p class="status" role="status">
                <span class="spinner" aria-hidden="true"></span>
                {text(|l| td_string!(l, authenticator.loading))}
            </p>
        }
        .into_any(),
        Stage::Enrol(token) => view! { <enrol::Enrol token /> }.into_any(),
        Stage::NotSetUp => view! {
            <h1 class="heading-xl">{text(|l| td_string!(l, authenticator.title))}</h1>
            {move || page.forgotten.get().then(|| view! {
                <div class="notification notification--warning" id="forgotten">
                    <p class="body">{text(|l| td_string!(l, authenticator.forgotten))}</p>
                </div>
            })}
            <p class="body" id="not-set-up">{text(|l| td_string!(l, authenticator.not_set_up))}</p>
        }
        .into_any(),
        Stage::Requests(enrolled) => view! { <requests::Requests enrolled /> }.into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_well_formed_enrol_fragment_gives_a_token() {
        assert_eq!(
            enrol_token("#enrol=abc_DEF-1").as_deref(),
            Some("abc_DEF-1")
        );
        assert_eq!(enrol_token("#enrol="), None);
        assert_eq!(enrol_token("#other=abc"), None);
        assert_eq!(enrol_token("enrol=abc"), None);
        assert_eq!(enrol_token("#enrol=a b"), None);
        assert_eq!(enrol_token(&format!("#enrol={}", "a".repeat(200))), None);
    }
}
