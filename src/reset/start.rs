//! The portal's first step on its own: the bundle a visit loads first (`sspr-reset-start`,
//! `index.html`), so the user-ID field is usable sooner. Meanwhile `public/boot.js` fetches
//! the wizard's bundle (`sspr-app`: every step) in the background. Once the flow has started
//! this page hands over: it asks boot.js to start the wizard, which takes the page down
//! ([`UNMOUNT_EVENT`]) and carries on from the flow in `sessionStorage` and the step in the
//! URL, as after a reload (docs/ARCHITECTURE.md, "Bundles").

use super::identify::Identify;
use super::wizard::Step;
use super::{HANDED_OVER_KEY, Portal};
use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;

/// Asks boot.js for the wizard's bundle (it loads it if it has not yet).
pub const CONTINUE_EVENT: &str = "sspr:continue";
/// boot.js could not load the wizard's bundle (offline, server trouble).
pub const CONTINUE_FAILED_EVENT: &str = "sspr:continue-failed";
/// boot.js has the wizard's bundle and is starting it: this page takes itself down.
pub const UNMOUNT_EVENT: &str = "sspr:unmount";

/// The first step, and "Loading…" once the flow has started until the wizard takes over.
#[component]
pub fn StartPortal() -> impl IntoView {
    let portal = Portal::at_first_step();
    provide_context(portal);
    let failed = RwSignal::new(false);
    let listener = window_event_listener_untyped(CONTINUE_FAILED_EVENT, move |_| {
        failed.try_set(true);
    });
    on_cleanup(move || listener.remove());
    Effect::new(move |_| {
        if portal.step.get() != Step::Identify {
            if let Some(storage) = super::session() {
                let pushed = portal.pushed.get_untracked().to_string();
                let _ = storage.set_item(HANDED_OVER_KEY, &pushed);
            }
            continue_in_wizard();
        }
    });
    let retry = move |_| {
        failed.set(false);
        continue_in_wizard();
    };
    move || match portal.step.get() {
        Step::Identify => view! { <Identify /> }.into_any(),
        _ if failed.get() => view! {
            <h1 class="heading-xl">{text(|l| td_string!(l, reset.title))}</h1>
            <div class="notification notification--error" role="alert">
                <p>{text(|l| td_string!(l, errors.network))}</p>
                <button type="button" class="button button--secondary" on:click=retry>
                    {text(|l| td_string!(l, app.retry))}
                </button>
            </div>
        }
        .into_any(),
        _ => view! {
            <p class="status" role="status">
                <span class="spinner" aria-hidden="true"></span>
                {text(|l| td_string!(l, app.loading))}
            </p>
        }
        .into_any(),
    }
}

/// Asks boot.js to start the wizard's bundle.
pub fn continue_in_wizard() {
    if let Ok(event) = web_sys::Event::new(CONTINUE_EVENT) {
        let _ = window().dispatch_event(&event);
    }
}
