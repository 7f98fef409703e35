//! The "too many attempts" page: every method left to prove is paused (or the whole
//! account is), so nothing can be started. It says when the person can try again, counts
//! down to it, and how to reach the help desk; once the pause ends, "Try again" reads the
//! flow afresh. A decoy flow pauses exactly like a real one.

use super::Portal;
use super::step_heading::{StepHeading, fixed};
use crate::components::text;
use crate::components::{HelpdeskLink, SentenceWithDuration};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn Paused() -> impl IntoView {
    let portal = expect_context::<Portal>();
    let left = Signal::derive(move || {
        let now = portal.now.get();
        portal.wizard.with(|w| w.paused(now).unwrap_or(0))
    });
    // The sentence changes when the pause ends, not with every second counted.
    let waiting = Memo::new(move |_| left.get() > 0);
    view! {
        <StepHeading text=fixed(|l| td_string!(l, reset.paused.heading)) />
        <p class="body-lead">{text(|l| td_string!(l, reset.paused.body))}</p>
        <p class="body paused-until" role="status">
            {move || if waiting.get() {
                view! { <SentenceWithDuration text=|l| td_string!(l, reset.paused.wait) seconds=left /> }.into_any()
            } else {
                view! { {text(|l| td_string!(l, reset.paused.over))} }.into_any()
            }}
        </p>
        <HelpdeskLink />
        <button
            type="button"
            class="button"
            aria-disabled=move || waiting.get().then_some("true")
            on:click=move |_| {
                if left.get_untracked() == 0 {
                    portal.refresh();
                }
            }
        >
            {text(|l| td_string!(l, reset.paused.try_again))}
        </button>
    }
}
