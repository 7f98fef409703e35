//! Bringing a language's texts in: in the browser from `public/boot.js`, which fetches
//! `/locales/<tag>.json` once per page (both portal bundles share it, and the negotiated
//! language's download starts before the wasm has arrived); natively, for the unit
//! tests, from the repository's `locales/`.

use super::{Locale, table};

/// Makes `locale`'s texts available; false when they could not be fetched.
#[cfg(target_arch = "wasm32")]
pub async fn load(locale: Locale) -> bool {
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen]
    extern "C" {
        /// boot.js's `window.sspr.texts(tag)`: a promise of the parsed locale file.
        #[wasm_bindgen(catch, js_namespace = sspr, js_name = texts)]
        fn boot_texts(tag: &str) -> Result<js_sys::Promise, JsValue>;
    }

    if table::is_loaded(locale) {
        return true;
    }
    let Ok(promise) = boot_texts(locale.as_str()) else {
        return false;
    };
    let Ok(file) = wasm_bindgen_futures::JsFuture::from(promise).await else {
        return false;
    };
    use_file(locale, &file)
}

/// Takes `file` (a parsed `locales/<tag>.json`) as `locale`'s texts; false when it holds
/// none.
#[cfg(target_arch = "wasm32")]
pub fn use_file(locale: Locale, file: &wasm_bindgen::JsValue) -> bool {
    let mut texts = Vec::new();
    flatten("", file, &mut texts);
    if texts.is_empty() {
        return false;
    }
    table::store(locale, texts);
    true
}

#[cfg(target_arch = "wasm32")]
fn flatten(prefix: &str, value: &wasm_bindgen::JsValue, out: &mut Vec<(String, String)>) {
    use wasm_bindgen::JsCast;
    if let Some(text) = value.as_string() {
        out.push((prefix.to_owned(), text));
    } else if let Some(object) = value.dyn_ref::<js_sys::Object>() {
        for entry in js_sys::Object::entries(object).iter() {
            let entry: js_sys::Array = entry.unchecked_into();
            let Some(key) = entry.get(0).as_string() else {
                continue;
            };
            let path = if prefix.is_empty() {
                key
            } else {
                format!("{prefix}.{key}")
            };
            flatten(&path, &entry.get(1), out);
        }
    }
}

/// Natively every locale is on disk: loading cannot fail.
#[cfg(not(target_arch = "wasm32"))]
pub async fn load(locale: Locale) -> bool {
    load_from_disk(locale);
    true
}

/// Reads `locales/<tag>.json` the first time `locale` is asked for.
#[cfg(not(target_arch = "wasm32"))]
pub fn load_from_disk(locale: Locale) {
    if table::is_loaded(locale) {
        return;
    }
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(format!("{}.json", locale.as_str()));
    let file: serde_json::Value = std::fs::read_to_string(&path)
        .ok()
        .and_then(|text| serde_json::from_str(&text).ok())
        .unwrap_or_default();
    table::store(locale, sspr_api::text::flatten(&file));
}
