//! A translated text on the page that follows the language. Every one goes through this
//! one function: `t!` would make each text a closure of its own type, and each such type
//! costs the wasm a copy of the rendering code (2 KB brotli over the portal, measured).

use crate::i18n::*;
use leptos::prelude::*;

/// The text `key` gives for the current locale, re-read when the locale changes.
pub fn text(key: fn(Locale) -> &'static str) -> impl IntoView + Copy {
    let i18n = use_i18n();
    move || key(i18n.get_locale())
}
