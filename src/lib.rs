//! SSPR web app: the reset portal, the security-info page and the embedded mode, as one
//! Leptos client-side-rendered app.
//!
//! Layout: [`app`] picks the page from the URL; [`reset`] holds the portal's wizard steps
//! (one file per step); [`security_info`] the signed-in page; [`components`] the shared
//! widgets; [`api`] every HTTP call; [`captcha`] the proof of work; [`locale`] language choice; [`route`] URL parsing.

pub mod api;
pub mod app;
pub mod captcha;
pub mod components;
pub mod locale;
pub mod page_title;
pub mod reset;
pub mod route;
pub mod security_info;

include!(concat!(env!("OUT_DIR"), "/i18n/mod.rs"));

/// Mounts the app into `<body>`, replacing the static "Loading…" placeholder.
pub fn start() {
    if let Some(placeholder) = leptos::prelude::document().get_element_by_id("boot") {
        placeholder.remove();
    }
    leptos::mount::mount_to_body(app::App);
}
