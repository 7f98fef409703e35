//! Entry point of the security-info page's bundle (built by trunk for wasm32,
//! `security-info.html`): a person resetting a password never downloads it.

use leptos::prelude::*;
use sspr_app::route::Page;
use sspr_app::security_info::SecurityInfoPage;

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    sspr_app::start(Page::SecurityInfo, |_| {
        view! { <SecurityInfoPage /> }.into_any()
    });
}
