//! The words of the notification the service worker shows when a request arrives with
//! the page closed (`authenticator.push_title`, `authenticator.push_body`), kept for it
//! in the page's language whenever that changes.

use crate::i18n::*;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;

#[wasm_bindgen(module = "/public/authenticator-device.js")]
extern "C" {
    #[wasm_bindgen(js_name = keepNotificationText)]
    async fn keep_notification_text(title: &str, body: &str);
}

/// Keeps the notification's words in step with the page's language.
pub fn keep_in_step() {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        leptos::task::spawn_local(async move {
            keep_notification_text(
                td_string!(locale, authenticator.push_title),
                td_string!(locale, authenticator.push_body),
            )
            .await;
        });
    });
}
