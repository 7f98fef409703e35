//! A number's plural category (CLDR) in a language: in the browser `Intl.PluralRules`,
//! which costs the wasm nothing; natively (the app's unit tests) ICU4X's rules, the same
//! CLDR data.

use super::Locale;

#[cfg(target_arch = "wasm32")]
pub fn category(locale: Locale, count: u64) -> String {
    use wasm_bindgen::JsValue;
    let locales = js_sys::Array::of1(&JsValue::from_str(locale.as_str()));
    let rules = js_sys::Intl::PluralRules::new(&locales, &js_sys::Object::new());
    String::from(rules.select(count as f64))
}

#[cfg(not(target_arch = "wasm32"))]
pub fn category(locale: Locale, count: u64) -> String {
    use icu_plurals::{PluralCategory, PluralRules};
    let Ok(tag) = locale.as_str().parse::<icu_locale_core::Locale>() else {
        return "other".into();
    };
    let Ok(rules) = PluralRules::try_new_cardinal(tag.into()) else {
        return "other".into();
    };
    match rules.category_for(count) {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
    .into()
}
