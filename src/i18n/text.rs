//! A text key as the build generates it (`keys::...`): its path in the locale files and
//! its English, looked up in the page's language.

use super::{Locale, plural, table};
use std::fmt::Display;

/// A plain text (a string in the locale files).
#[derive(Clone, Copy, Debug)]
pub struct Text {
    pub path: &'static str,
    pub en: &'static str,
    /// Empty: other languages are fetched. Only the size report's build compiles them in
    /// (`SSPR_BUNDLE_ALL_LOCALES`), as `(tag, text)`.
    pub bundled: &'static [(&'static str, &'static str)],
}

impl Text {
    /// The text in `locale`; English when that locale's file lacks it or is not loaded.
    pub fn get(self, locale: Locale) -> &'static str {
        match locale {
            Locale::en => self.en,
            _ => find(self.bundled, locale.as_str())
                .or_else(|| table::lookup(locale, self.path))
                .unwrap_or(self.en),
        }
    }

    /// The text in `locale` with its placeholders filled.
    pub fn format(self, locale: Locale, vars: &[(&str, &dyn Display)]) -> String {
        fill(locale, self.get(locale), vars)
    }
}

/// A text with a form per plural category (an object of `one`, `few`, `other`, ... in
/// the locale files), chosen by the number in its `count` placeholder.
#[derive(Clone, Copy, Debug)]
pub struct Plural {
    pub path: &'static str,
    pub en_one: &'static str,
    pub en_other: &'static str,
    /// As [`Text::bundled`], each form as `(tag.category, text)`.
    pub bundled: &'static [(&'static str, &'static str)],
}

impl Plural {
    /// The form `count` takes in `locale`, with its placeholders filled.
    pub fn format(self, locale: Locale, vars: &[(&str, &dyn Display)]) -> String {
        // Whole numbers only (tries, minutes, methods): parsing floats costs the wasm KBs.
        let count = vars
            .iter()
            .find(|(name, _)| *name == "count")
            .and_then(|(_, value)| value.to_string().parse::<u64>().ok())
            .unwrap_or(0);
        fill(locale, self.form(locale, count), vars)
    }

    fn form(self, locale: Locale, count: u64) -> &'static str {
        if locale != Locale::en {
            let category = plural::category(locale, count);
            let tag = locale.as_str();
            let found = find(self.bundled, &format!("{tag}.{category}"))
                .or_else(|| find(self.bundled, &format!("{tag}.other")))
                .or_else(|| table::lookup(locale, &format!("{}.{category}", self.path)))
                .or_else(|| table::lookup(locale, &format!("{}.other", self.path)));
            if let Some(form) = found {
                return form;
            }
        }
        if count == 1 {
            self.en_one
        } else {
            self.en_other
        }
    }
}

/// Fills a text's placeholders; in a right-to-left language each value is isolated.
pub fn fill(locale: Locale, template: &str, vars: &[(&str, &dyn Display)]) -> String {
    if locale.is_rtl() {
        sspr_api::text::interpolate_rtl(template, vars)
    } else {
        sspr_api::text::interpolate(template, vars)
    }
}

fn find(bundled: &[(&str, &'static str)], key: &str) -> Option<&'static str> {
    bundled
        .iter()
        .find(|(k, _)| *k == key)
        .map(|(_, text)| *text)
}
