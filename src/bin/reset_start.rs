//! Entry point of the portal's first bundle (built by trunk for wasm32, `index.html`): the
//! first step only, handing over to the wizard's bundle (`src/main.rs`) once a flow has
//! started (`sspr_app::reset::start`).

use leptos::prelude::*;
use sspr_app::app::NotFound;
use sspr_app::reset::start::{StartPortal, UNMOUNT_EVENT, continue_in_wizard};
use sspr_app::route::Page;

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let page = Page::of_portal(&window().location().pathname().unwrap_or_default());
    // A reload in the middle of a reset: straight on to the wizard.
    if page == Page::Reset && sspr_app::reset::continues_a_flow() {
        continue_in_wizard();
        return;
    }
    sspr_app::start_until(
        page,
        |page| match page {
            Page::Reset => view! { <StartPortal /> }.into_any(),
            _ => view! { <NotFound /> }.into_any(),
        },
        UNMOUNT_EVENT,
    );
}
