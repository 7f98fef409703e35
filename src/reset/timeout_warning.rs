//! The warning before a reset runs out (WCAG 2.2.1, Timing Adjustable): two minutes
//! before the end an accessible dialog says how long is left and offers more time, as
//! long as the server allows it (an hour in all). When the time is up, the portal starts
//! again with the user ID still filled in and says why.

use super::Portal;
use super::step_frame::in_flow;
use crate::api::{self, ApiError};
use crate::components::text;
use crate::components::{ApiErrorMessage, SentenceWithDuration, message};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;

/// Seconds before the end when the warning opens.
pub const WARN_SECONDS: u64 = 120;

#[component]
pub fn TimeoutWarning() -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let left = Signal::derive(move || {
        let now = portal.now.get();
        portal.wizard.with(|w| w.time_left(now))
    });
    let live = move || {
        !portal.resuming.get()
            && portal.step.with(in_flow)
            && portal.wizard.with(|w| w.flow.is_some() && w.done.is_none())
    };
    let dismissed = RwSignal::new(false);
    let extending = RwSignal::new(false);
    let failed = RwSignal::new(None::<ApiError>);
    let can_extend = move || {
        portal
            .wizard
            .with(|w| w.flow.as_ref().is_some_and(|f| f.can_extend))
    };

    // Time up: start again, saying why.
    Effect::new(move |_| {
        if live() && left.get() == 0 {
            portal.restart(Some(message(|l| {
                td_string!(l, reset.timeout.ended).to_owned()
            })));
        }
    });
    // More time given: a later warning opens again.
    Effect::new(move |_| {
        if left.get() > WARN_SECONDS {
            dismissed.set(false);
        }
    });
    let open = Memo::new(move |_| live() && left.get() <= WARN_SECONDS && !dismissed.get());

    let extend = move |_| {
        if extending.get_untracked() {
            return;
        }
        let Some(key) = portal.flow_key() else {
            return;
        };
        extending.set(true);
        failed.set(None);
        spawn_local(async move {
            let result = api::extend_flow(&key).await;
            extending.try_set(false);
            match result {
                Ok(flow) => portal.keep_flow(flow),
                Err(error) => {
                    failed.try_set(Some(error));
                }
            }
        });
    };

    let dialog = NodeRef::<leptos::html::Dialog>::new();
    // Shown as a modal when it opens, and it takes the focus, so a screen reader reads it
    // at once.
    Effect::new(move |_| {
        if open.get()
            && let Some(element) = dialog.get()
        {
            if !element.open() {
                let _ = element.show_modal();
            }
            let _ = element.focus();
        }
    });

    move || {
        open.get().then(|| {
            view! {
                // A native modal dialog: the page behind is inert and the focus stays in
                // it; Escape closes it like "Close".
                <dialog
                    class="dialog"
                    role="alertdialog"
                    aria-labelledby="timeout-title"
                    aria-describedby="timeout-body"
                    tabindex="-1"
                    node_ref=dialog
                    on:cancel=move |_: leptos::ev::Event| dismissed.set(true)
                >
                        <h2 class="heading-m" id="timeout-title">{text(|l| td_string!(l, reset.timeout.heading))}</h2>
                        <p class="body" id="timeout-body">
                            <SentenceWithDuration text=|l| td_string!(l, reset.timeout.body) seconds=left />
                            " "
                            {move || if can_extend() {
                                td_string!(i18n.get_locale(), reset.timeout.offer).to_owned()
                            } else {
                                td_string!(i18n.get_locale(), reset.timeout.no_more).to_owned()
                            }}
                        </p>
                        {move || failed.get().map(|error| view! {
                            <p class="error-message" role="alert"><ApiErrorMessage error /></p>
                        })}
                        <div class="button-group">
                            {move || can_extend().then(|| view! {
                                <button
                                    type="button"
                                    class="button"
                                    id="timeout-extend"
                                    aria-disabled=move || extending.get().then_some("true")
                                    on:click=extend
                                >
                                    {text(|l| td_string!(l, reset.timeout.extend))}
                                </button>
                            })}
                            <button
                                type="button"
                                class="button button--secondary"
                                id="timeout-close"
                                on:click=move |_| dismissed.set(true)
                            >
                                {text(|l| td_string!(l, reset.timeout.close))}
                            </button>
                        </div>
                </dialog>
            }
        })
    }
}
