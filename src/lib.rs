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
pub mod embed;
pub mod locale;
pub mod page_title;
pub mod reset;
pub mod route;
pub mod security_info;

pub mod i18n;

/// Mounts an area into `<body>`, replacing the static "Loading…" placeholder: the shared
/// shell around `content(page)`, the area's page (`page` also names it in the title).
/// It mounts once the page's language is here (English when its texts cannot be had).
pub fn start(page: route::Page, content: fn(route::Page) -> leptos::prelude::AnyView) {
    // Before anything is mounted Leptos's executor is not set up: the browser's own.
    wasm_bindgen_futures::spawn_local(async move {
        let locale = starting_locale().await;
        remove_boot_placeholder();
        leptos::mount::mount_to_body(move || {
            app::App(app::AppProps {
                page,
                content,
                locale,
            })
        });
    });
}

/// As [`start`], until `window` receives the event `unmount_on`: then the area is taken
/// down (its view removed, its effects and listeners cleaned up), for another bundle to
/// take the page over.
pub fn start_until(
    page: route::Page,
    content: fn(route::Page) -> leptos::prelude::AnyView,
    unmount_on: &'static str,
) {
    use leptos::prelude::*;
    // Before anything is mounted Leptos's executor is not set up: the browser's own.
    wasm_bindgen_futures::spawn_local(async move {
        let locale = starting_locale().await;
        remove_boot_placeholder();
        let mounted = std::cell::RefCell::new(Some(leptos::mount::mount_to(
            leptos::tachys::dom::body(),
            move || {
                app::App(app::AppProps {
                    page,
                    content,
                    locale,
                })
            },
        )));
        // Never removed: after the first time it has nothing left to take down.
        let _ = window_event_listener_untyped(unmount_on, move |_| {
            mounted.borrow_mut().take();
        });
    });
}

/// The language the page starts in, its texts loaded: the one boot.js negotiated.
async fn starting_locale() -> i18n::Locale {
    let locale = locale::initial();
    if i18n::load(locale).await {
        locale
    } else {
        i18n::Locale::en
    }
}

/// Removes the page's static "Loading…" placeholder (the area is about to mount).
fn remove_boot_placeholder() {
    // The reset portal's static first step, if shown: what was typed carries over.
    reset::early_input::capture();
    if let Some(placeholder) = leptos::prelude::document().get_element_by_id("boot") {
        placeholder.remove();
    }
}
