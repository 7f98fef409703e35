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
    sspr_api::text::plural_category(locale.as_str(), count).into()
}
