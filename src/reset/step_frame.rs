//! What every step of a live flow shows around its own content: above, the Back link
//! and whose account is being reset (with "Change"); below, the time left and Cancel.
//! The user ID is what the person typed, shown back to them so that a mistyped one is
//! seen: it says nothing a decoy flow could not say.

use super::Portal;
use super::wizard::Step;
use crate::components::SentenceWithDuration;
use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;

/// The GOV.UK Back link, then "Resetting the password for <user ID> · Change".
#[component]
pub fn StepTop() -> impl IntoView {
    let portal = expect_context::<Portal>();
    let user_id = move || portal.user_id.get();
    view! {
        <a
            class="back-link"
            href="?step=identify"
            on:click=move |ev| {
                ev.prevent_default();
                portal.back();
            }
        >
            {text(|l| td_string!(l, reset.back))}
        </a>
        <p class="caption account-line">
            {text(|l| td_string!(l, reset.account_for))}
            " "
            <strong class="account-line__user" data-testid="user-id">{user_id}</strong>
            " "
            <a
                class="account-line__change"
                href="?step=identify"
                on:click=move |ev| {
                    ev.prevent_default();
                    portal.restart(None);
                }
            >
                {text(|l| td_string!(l, reset.change))}
                <span class="visually-hidden">" " {text(|l| td_string!(l, reset.change_what))}</span>
            </a>
        </p>
    }
}

/// "This reset ends in 18 minutes." and the Cancel link.
#[component]
pub fn StepBottom() -> impl IntoView {
    let portal = expect_context::<Portal>();
    let left = Signal::derive(move || {
        let now = portal.now.get();
        portal.wizard.with(|w| w.time_left(now))
    });
    view! {
        <div class="step-bottom">
            <p class="hint time-left">
                <SentenceWithDuration text=|l| td_string!(l, reset.time_left) seconds=left />
            </p>
            <p class="body">
                <button type="button" class="link-button cancel-link" on:click=move |_| portal.cancel()>
                    {text(|l| td_string!(l, reset.cancel))}
                </button>
            </p>
        </div>
    }
}

/// Whether `step` belongs to a live flow (the frame and the timeout warning apply).
pub fn in_flow(step: &Step) -> bool {
    !matches!(step, Step::Identify | Step::Done)
}
