//! The app's languages (docs/I18N.md): the texts of `locales/*.json`, the language the
//! page speaks, and the `td_string!` macro every text goes through.
//!
//! English is compiled in (each bundle keeps the keys it uses). Another language's file
//! is fetched once, as it is: `public/boot.js` starts that download for the negotiated
//! language with the page, so it arrives alongside the wasm, and the app mounts once it is
//! here. A language chosen with the switcher is fetched when chosen.

mod loading;
mod plural;
mod table;
mod text;

pub use loading::load;
#[cfg(target_arch = "wasm32")]
pub use loading::use_file;
pub use text::{Plural, Text, fill};

include!(concat!(env!("OUT_DIR"), "/locales.rs"));

use leptos::prelude::*;

impl std::str::FromStr for Locale {
    type Err = ();

    /// A shipped locale's exact tag, in any case (`pt-br` is `pt-BR`).
    fn from_str(tag: &str) -> Result<Locale, ()> {
        Locale::ALL
            .into_iter()
            .find(|locale| locale.as_str().eq_ignore_ascii_case(tag))
            .ok_or(())
    }
}

impl Locale {
    /// `rtl` or `ltr`, for `<html dir>`.
    pub const fn direction(self) -> &'static str {
        if self.is_rtl() { "rtl" } else { "ltr" }
    }
}

/// The language the page speaks, as a signal every text follows.
#[derive(Clone, Copy)]
pub struct I18n(RwSignal<Locale>);

impl I18n {
    pub fn get_locale(&self) -> Locale {
        self.0.get()
    }

    pub fn get_locale_untracked(&self) -> Locale {
        self.0.get_untracked()
    }

    /// Switches to `locale` once its texts are here (fetched the first time it is
    /// chosen). If they cannot be fetched the page stays in its language, and says so in
    /// the console; choosing again tries again.
    pub fn set_locale(&self, locale: Locale) {
        let signal = self.0;
        leptos::task::spawn_local(async move {
            if load(locale).await {
                signal.set(locale);
            } else {
                leptos::logging::warn!("the {} texts could not be fetched", locale.as_str());
            }
        });
    }
}

/// Puts the language context in place, starting with `initial` (whose texts are loaded).
pub fn provide_i18n(initial: Locale) -> I18n {
    let i18n = I18n(RwSignal::new(initial));
    provide_context(i18n);
    i18n
}

/// The language context of the page.
pub fn use_i18n() -> I18n {
    expect_context::<I18n>()
}

/// A text by its key path, in `locale`: `td_string!(locale, reset.title)` is a
/// `&'static str`; with values for its placeholders, `td_string!(locale,
/// reset.choose.email, hint = masked)` (or `hint` alone for `hint = hint`) is a
/// `String`. Plural texts take their number as `count`.
#[macro_export]
macro_rules! td_string {
    ($locale:expr, $($segment:ident).+ $(,)?) => {
        $crate::i18n::keys::$($segment)::+.get($locale)
    };
    ($locale:expr, $($segment:ident).+, $($var:ident $(= $value:expr)?),+ $(,)?) => {
        $crate::i18n::keys::$($segment)::+.format(
            $locale,
            &[$((stringify!($var), &$crate::td_value!($var $(= $value)?) as &dyn ::core::fmt::Display)),+],
        )
    };
}

#[doc(hidden)]
#[macro_export]
macro_rules! td_value {
    ($var:ident) => {
        $var
    };
    ($var:ident = $value:expr) => {
        $value
    };
}

pub use crate::td_string;
