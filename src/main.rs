//! Entry point of the reset portal's bundle (built by trunk for wasm32, `index.html`).

use leptos::prelude::*;
use sspr_app::app::NotFound;
use sspr_app::reset::ResetPortal;
use sspr_app::route::Page;

fn main() {
    // Debug builds log a panic's message to the console. Release builds abort at once
    // (`-Cpanic=immediate-abort`, see scripts/common.sh): no panic hook ever runs there,
    // so none is installed.
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    let page = Page::of_portal(&window().location().pathname().unwrap_or_default());
    sspr_app::start(page, |page| match page {
        Page::Reset => view! { <ResetPortal /> }.into_any(),
        _ => view! { <NotFound /> }.into_any(),
    });
}
