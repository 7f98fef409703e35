//! SSPR web app: the reset portal, the security-info page, the authenticator page and the
//! embedded mode, one library of Leptos (client-side rendered) components with one entry
//! point per area: `src/main.rs` (the portal, `index.html`), `src/bin/security_info.rs`
//! (the security-info page, `security-info.html`) and `src/bin/authenticator.rs` (the
//! phone's authenticator, `authenticator.html`), each its own wasm bundle.
//!
//! Layout: [`app`] is the shell both areas share; [`reset`] holds the portal's wizard
//! steps (one file per step); [`security_info`] the signed-in page; [`components`] the
//! shared widgets; [`api`] every HTTP call; [`captcha`] the proof of work; [`locale`]
//! language choice; [`route`] URL parsing.

pub mod api;
pub mod app;
pub mod authenticator;
pub mod captcha;
pub mod components;
pub mod locale;
pub mod page_title;
pub mod reset;
pub mod route;
pub mod security_info;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Mounts an area into `<body>`, replacing the static "Loading…" placeholder: the shared
/// shell around `content(page)`, the area's page (`page` also names it in the title).
pub fn start(page: route::Page, content: fn(route::Page) -> leptos::prelude::AnyView) {
    if let Some(placeholder) = leptos::prelude::document().get_element_by_id("boot") {
        placeholder.remove();
    }
    leptos::mount::mount_to_body(move || app::App(app::AppProps { page, content }));
}
