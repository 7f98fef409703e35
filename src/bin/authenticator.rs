//! Entry point of the authenticator page's bundle (built by trunk for wasm32,
//! `authenticator.html`): the page a person's phone keeps to approve resets.

use leptos::prelude::*;
use sspr_app::authenticator::AuthenticatorPage;
use sspr_app::route::Page;

fn main() {
    #[cfg(debug_assertions)]
    console_error_panic_hook::set_once();
    sspr_app::start(Page::Authenticator, |_| {
        view! { <AuthenticatorPage /> }.into_any()
    });
}
