//! The locale files themselves: every locale has exactly the keys of the default locale,
//! with no empty text, and interpolations use the same variables.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use serde_json::Value;
use std::collections::BTreeMap;
use std::path::PathBuf;

fn flatten(prefix: &str, value: &Value, out: &mut BTreeMap<String, String>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let path = if prefix.is_empty() {
                    key.clone()
                } else {
                    format!("{prefix}.{key}")
                };
                flatten(&path, child, out);
            }
        }
        Value::String(text) => {
            out.insert(prefix.to_owned(), text.clone());
        }
        other => panic!("{prefix}: expected text, found {other}"),
    }
}

fn load(locale: &str) -> BTreeMap<String, String> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("locales")
        .join(format!("{locale}.json"));
    let json: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut out = BTreeMap::new();
    flatten("", &json, &mut out);
    out
}

fn variables(text: &str) -> Vec<&str> {
    let mut vars: Vec<&str> = text
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split("}}").next())
        .map(str::trim)
        .collect();
    vars.sort_unstable();
    vars
}

fn other_locales() -> Vec<String> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("locales");
    let mut locales: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let name = entry.unwrap().file_name().into_string().unwrap();
            name.strip_suffix(".json").map(str::to_owned)
        })
        .filter(|locale| locale != "en")
        .collect();
    locales.sort();
    locales
}

#[test]
fn every_locale_has_exactly_the_english_keys() {
    let english = load("en");
    let others = other_locales();
    assert!(others.contains(&"fr".to_owned()), "fr.json is shipped");
    for locale in others {
        let texts = load(&locale);
        let missing: Vec<_> = english.keys().filter(|k| !texts.contains_key(*k)).collect();
        let extra: Vec<_> = texts.keys().filter(|k| !english.contains_key(*k)).collect();
        assert!(missing.is_empty(), "{locale}.json lacks {missing:?}");
        assert!(extra.is_empty(), "{locale}.json has unknown keys {extra:?}");
    }
}

#[test]
fn no_text_is_empty_and_variables_match() {
    let english = load("en");
    for locale in std::iter::once("en".to_owned()).chain(other_locales()) {
        for (key, text) in load(&locale) {
            assert!(!text.trim().is_empty(), "{locale}.json: {key} is empty");
            assert_eq!(
                variables(&text),
                variables(&english[&key]),
                "{locale}.json: {key} uses other variables than English"
            );
        }
    }
}
