//! The completeness check of the locale files (docs/I18N.md, "Completeness"), for the
//! app's `locales/` and the server's `server/locales/`:
//!
//! - every key of English in every locale, and no other;
//! - every key used by the code that reads it, and no key it does not use;
//! - each plural text with exactly the forms its language's CLDR rules use (a form only
//!   millions take, like French `many`, may be left to `other`);
//! - the same placeholders as English in every translation (a plural's `one` or `two`
//!   may say its number in words);
//! - no empty text, and none left identical to English unless allowed below;
//! - boot.js's list of locales is the files there are; embed.js's default labels are
//!   the locale files' `embed.*`.
//!
//! `the_check_finds_each_kind_of_problem` breaks a copy of a locale in each of those ways
//! and proves the check says so.
#![cfg(not(target_arch = "wasm32"))]
#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use serde_json::{Map, Value};
use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

/// Texts that may read as in English: names, and words that language borrows as they are.
const SAME_AS_ENGLISH: &[(&str, &str)] = &[
    ("*", "reset.choose.whatsapp_channel"),
    ("es", "app.error_prefix"),
    ("fr", "duration.minutes.one"),
    ("fr", "duration.minutes.other"),
    ("fr", "security_info.methods.notification_name"),
    ("it", "reset.code.label"),
    ("it", "authenticator.title"),
];

/// A locale file as the check sees it: plain texts and plural texts by key path.
#[derive(Debug, Default, Clone)]
struct Texts {
    plain: BTreeMap<String, String>,
    plural: BTreeMap<String, BTreeMap<String, String>>,
}

impl Texts {
    fn keys(&self) -> BTreeSet<&str> {
        self.plain
            .keys()
            .chain(self.plural.keys())
            .map(String::as_str)
            .collect()
    }
}

fn is_plural(map: &Map<String, Value>) -> bool {
    sspr_api::text::is_plural(map.keys().map(String::as_str))
}

fn flatten(prefix: &str, map: &Map<String, Value>, out: &mut Texts, problems: &mut Vec<String>) {
    for (key, value) in map {
        let path = if prefix.is_empty() {
            key.clone()
        } else {
            format!("{prefix}.{key}")
        };
        match value {
            Value::String(text) => {
                out.plain.insert(path, text.clone());
            }
            Value::Object(forms) if is_plural(forms) => {
                let forms = forms
                    .iter()
                    .map(|(category, text)| {
                        (
                            category.clone(),
                            text.as_str().unwrap_or_default().to_owned(),
                        )
                    })
                    .collect();
                out.plural.insert(path, forms);
            }
            Value::Object(children) => flatten(&path, children, out, problems),
            other => problems.push(format!("{path}: neither a text nor a group: {other}")),
        }
    }
}

fn parse(json: &Value) -> (Texts, Vec<String>) {
    let mut texts = Texts::default();
    let mut problems = Vec::new();
    match json {
        Value::Object(map) => flatten("", map, &mut texts, &mut problems),
        _ => problems.push("not a JSON object".into()),
    }
    (texts, problems)
}

fn placeholders(text: &str) -> BTreeSet<&str> {
    sspr_api::text::placeholders(text).into_iter().collect()
}

/// The plural forms `tag` must have, and those it may have (CLDR, through ICU4X): a form
/// no count up to a thousand takes (French `many`, for millions) may be left out, to
/// `other`.
fn plural_forms(tag: &str) -> (BTreeSet<&'static str>, BTreeSet<&'static str>) {
    let allowed: BTreeSet<_> = sspr_api::text::plural_categories(tag).into_iter().collect();
    // `other` always: where no whole number takes it (Polish), fractions do.
    let required: BTreeSet<_> = (0u64..=1000)
        .map(|n| sspr_api::text::plural_category(tag, n))
        .chain(["other"])
        .collect();
    (required, allowed)
}

/// Everything wrong with `tag`'s file against English's; empty when it is complete.
fn check(english: &Value, tag: &str, file: &Value) -> Vec<String> {
    let (en, _) = parse(english);
    let (texts, mut problems) = parse(file);
    for key in en.keys().difference(&texts.keys()) {
        problems.push(format!("{tag}: {key} is missing"));
    }
    for key in texts.keys().difference(&en.keys()) {
        problems.push(format!("{tag}: {key} is not a key of English"));
    }
    let allowed_same = |key: &str| {
        SAME_AS_ENGLISH
            .iter()
            .any(|(t, k)| (*t == "*" || *t == tag) && *k == key)
    };
    let has_words = |text: &str| {
        let mut rest = text.to_owned();
        for name in placeholders(text) {
            rest = rest.replace(&format!("{{{{ {name} }}}}"), "");
        }
        rest.chars().any(char::is_alphabetic)
    };
    for (key, text) in &texts.plain {
        let Some(english) = en.plain.get(key) else {
            if en.plural.contains_key(key) {
                problems.push(format!("{tag}: {key} must be a plural text, as in English"));
            }
            continue;
        };
        if text.trim().is_empty() {
            problems.push(format!("{tag}: {key} is empty"));
        }
        if placeholders(text) != placeholders(english) {
            problems.push(format!(
                "{tag}: {key} has the placeholders {:?}, English {:?}",
                placeholders(text),
                placeholders(english)
            ));
        }
        if tag != "en" && text == english && has_words(text) && !allowed_same(key) {
            problems.push(format!("{tag}: {key} is still English: {text:?}"));
        }
    }
    let (required, allowed) = plural_forms(tag);
    for (key, forms) in &texts.plural {
        let Some(english) = en.plural.get(key) else {
            if en.plain.contains_key(key) {
                problems.push(format!("{tag}: {key} must be a plain text, as in English"));
            }
            continue;
        };
        let have: BTreeSet<&str> = forms.keys().map(String::as_str).collect();
        for category in required.difference(&have) {
            problems.push(format!("{tag}: {key} lacks its `{category}` form"));
        }
        for category in have.difference(&allowed) {
            problems.push(format!(
                "{tag}: {key} has a `{category}` form {tag} does not use"
            ));
        }
        let expected = placeholders(&english["other"]);
        for (category, text) in forms {
            let path = format!("{key}.{category}");
            if text.trim().is_empty() {
                problems.push(format!("{tag}: {path} is empty"));
            }
            let mut have = placeholders(text);
            // "one minute", "שתי דקות": the number may be said in words.
            if matches!(category.as_str(), "zero" | "one" | "two") {
                have.insert("count");
            }
            if have != expected {
                problems.push(format!(
                    "{tag}: {path} has the placeholders {have:?}, English {expected:?}"
                ));
            }
            let same = english.get(category).is_some_and(|e| e == text);
            if tag != "en" && same && has_words(text) && !allowed_same(&path) {
                problems.push(format!("{tag}: {path} is still English: {text:?}"));
            }
        }
    }
    problems
}

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn read_json(path: &Path) -> Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap())
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The locale files of `dir`, by tag.
fn locale_files(dir: &Path) -> BTreeMap<String, Value> {
    std::fs::read_dir(dir)
        .unwrap()
        .filter_map(|entry| {
            let path = entry.unwrap().path();
            let tag = path
                .file_name()?
                .to_str()?
                .strip_suffix(".json")?
                .to_owned();
            Some((tag, read_json(&path)))
        })
        .collect()
}

/// The Rust sources under `dir`, whole.
fn sources(dir: &Path) -> String {
    let mut all = String::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            all.push_str(&sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            all.push_str(&std::fs::read_to_string(&path).unwrap());
        }
    }
    all
}

/// The key paths `code` names after `macro_name!(<locale>,`.
fn keys_used(code: &str, macro_name: &str) -> BTreeSet<String> {
    let mut used = BTreeSet::new();
    for (index, _) in code.match_indices(&format!("{macro_name}!(")) {
        let rest = &code[index + macro_name.len() + 2..];
        let Some(comma) = rest.find(',') else {
            continue;
        };
        let key: String = rest[comma + 1..]
            .trim_start()
            .chars()
            .take_while(|c| c.is_ascii_alphanumeric() || *c == '_' || *c == '.')
            .collect();
        // The macro's own documentation names no key after its line break.
        if !key.is_empty() {
            used.insert(key);
        }
    }
    used
}

fn all_problems(dir: &Path) -> Vec<String> {
    let files = locale_files(dir);
    let english = &files["en"];
    files
        .iter()
        .flat_map(|(tag, file)| check(english, tag, file))
        .collect()
}

#[test]
fn the_app_ships_at_least_twelve_languages_right_to_left_included() {
    let files = locale_files(&root().join("locales"));
    for tag in [
        "en", "fr", "de", "es", "pt", "pt-BR", "it", "nl", "pl", "ja", "zh-Hans", "ar", "he",
    ] {
        assert!(files.contains_key(tag), "locales/{tag}.json");
        assert!(
            root().join(format!("server/locales/{tag}.json")).is_file(),
            "server/locales/{tag}.json"
        );
    }
}

#[test]
fn every_app_locale_is_complete() {
    let problems = all_problems(&root().join("locales"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

#[test]
fn every_server_locale_is_complete() {
    let problems = all_problems(&root().join("server/locales"));
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Keys the page's scripts read rather than the Rust code.
const READ_BY_SCRIPTS: &[(&str, &str)] = &[
    ("boot.loading", "public/boot.js"),
    // Put into index.html by the server (server/src/http/reset_page.rs).
    ("app.no_javascript", "index.html"),
    ("boot.no_wasm_title", "public/boot.js"),
    ("boot.no_wasm_body", "public/boot.js"),
    ("boot.not_loaded", "public/boot.js"),
    ("boot.other_ways", "public/boot.js"),
    ("boot.other_device", "public/boot.js"),
    ("boot.lockdown", "public/boot.js"),
    ("app.helpdesk", "public/boot.js"),
    ("embed.open", "public/embed.js"),
    ("embed.close", "public/embed.js"),
    ("embed.frame_title", "public/embed.js"),
    (
        "authenticator.push_title",
        "src/authenticator/notification_text.rs",
    ),
    (
        "authenticator.push_body",
        "src/authenticator/notification_text.rs",
    ),
];

#[test]
fn the_app_uses_every_key_and_no_other() {
    let (en, _) = parse(&read_json(&root().join("locales/en.json")));
    let code = sources(&root().join("src"));
    let mut used = keys_used(&code, "td_string");
    // The switcher names each language from `language_name` (build.rs).
    used.insert("language_name".into());
    for (key, file) in READ_BY_SCRIPTS {
        let leaf = key.rsplit('.').next().unwrap();
        let script = std::fs::read_to_string(root().join(file)).unwrap();
        assert!(script.contains(leaf), "{file} reads {key}");
        used.insert((*key).to_owned());
    }
    let keys: BTreeSet<String> = en.keys().into_iter().map(str::to_owned).collect();
    let unused: Vec<_> = keys.difference(&used).collect();
    let unknown: Vec<_> = used.difference(&keys).collect();
    assert!(unused.is_empty(), "keys no code uses: {unused:?}");
    assert!(
        unknown.is_empty(),
        "keys the code uses that en.json lacks: {unknown:?}"
    );
}

#[test]
fn the_server_uses_every_key_of_its_messages_and_no_other() {
    let (en, _) = parse(&read_json(&root().join("server/locales/en.json")));
    let used = keys_used(&sources(&root().join("server/src")), "message");
    let keys: BTreeSet<String> = en.keys().into_iter().map(str::to_owned).collect();
    let unused: Vec<_> = keys.difference(&used).collect();
    let unknown: Vec<_> = used.difference(&keys).collect();
    assert!(
        unused.is_empty(),
        "keys the server does not use: {unused:?}"
    );
    assert!(
        unknown.is_empty(),
        "keys the server uses that en.json lacks: {unknown:?}"
    );
}

#[test]
fn boot_js_negotiates_among_exactly_the_shipped_locales() {
    let boot = std::fs::read_to_string(root().join("public/boot.js")).unwrap();
    let line = boot
        .lines()
        .find(|line| line.starts_with("const LOCALES = ["))
        .expect("boot.js has its LOCALES line");
    let listed: BTreeSet<String> = line
        .split('"')
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect();
    let files: BTreeSet<String> = locale_files(&root().join("locales")).into_keys().collect();
    assert_eq!(listed, files);
    let contract: BTreeSet<String> = sspr_api::config::SHIPPED_LOCALES
        .iter()
        .map(|&tag| tag.to_owned())
        .collect();
    assert_eq!(contract, files, "sspr_api::config::SHIPPED_LOCALES");
    let rtl_line = boot
        .lines()
        .find(|line| line.starts_with("const RTL = ["))
        .unwrap();
    assert!(rtl_line.contains("\"ar\"") && rtl_line.contains("\"he\""));
}

#[test]
fn embed_js_labels_are_the_locale_files_own() {
    let embed = std::fs::read_to_string(root().join("public/embed.js")).unwrap();
    for (tag, file) in locale_files(&root().join("locales")) {
        for key in ["open", "close", "frame_title"] {
            let text = file["embed"][key].as_str().unwrap();
            let entry = serde_json::to_string(text).unwrap();
            assert!(
                embed.contains(&entry),
                "embed.js lacks {tag}'s embed.{key} {entry}"
            );
        }
    }
}

#[test]
fn the_check_finds_each_kind_of_problem() {
    let english = read_json(&root().join("locales/en.json"));
    let french = read_json(&root().join("locales/fr.json"));
    assert!(check(&english, "fr", &french).is_empty());

    let broken = |edit: &dyn Fn(&mut Value)| {
        let mut copy = french.clone();
        edit(&mut copy);
        check(&english, "fr", &copy)
    };
    let says = |problems: Vec<String>, what: &str| {
        assert!(
            problems.iter().any(|p| p.contains(what)),
            "expected a problem saying {what:?}, got {problems:?}"
        );
    };
    // A missing key.
    says(
        broken(&|f| {
            f["reset"].as_object_mut().unwrap().remove("title");
        }),
        "reset.title is missing",
    );
    // A key English does not have.
    says(
        broken(&|f| f["reset"]["titre"] = Value::from("Titre")),
        "reset.titre is not a key of English",
    );
    // Another placeholder.
    says(
        broken(&|f| f["reset"]["choose"]["email"] = Value::from("Envoyer à {{ adresse }}")),
        "reset.choose.email has the placeholders",
    );
    // A placeholder dropped from a plural's `other`.
    says(
        broken(&|f| f["errors"]["tries_left"]["other"] = Value::from("Il vous reste des essais.")),
        "errors.tries_left.other has the placeholders",
    );
    // A plural form French lacks, and one it does not use.
    says(
        broken(&|f| {
            f["duration"]["hours"]
                .as_object_mut()
                .unwrap()
                .remove("one");
        }),
        "duration.hours lacks its `one` form",
    );
    says(
        broken(&|f| f["duration"]["hours"]["few"] = Value::from("{{ count }} heures")),
        "has a `few` form fr does not use",
    );
    // A text left in English, and an empty one.
    says(
        broken(&|f| f["reset"]["title"] = english["reset"]["title"].clone()),
        "reset.title is still English",
    );
    says(
        broken(&|f| f["reset"]["next"] = Value::from(" ")),
        "reset.next is empty",
    );
    // A plural where English has plain text.
    says(
        broken(&|f| {
            f["reset"]["next"] = serde_json::json!({"one": "Continuer", "other": "Continuer"})
        }),
        "reset.next must be a plain text",
    );
    // Polish needs its `few` and `many`; Japanese only `other`.
    let (required, _) = plural_forms("pl");
    assert_eq!(required, BTreeSet::from(["one", "few", "many", "other"]));
    let (required, allowed) = plural_forms("ja");
    assert_eq!((required.len(), allowed.len()), (1, 1));
    // The unused-key scan reads the key after the locale argument.
    let used = keys_used(
        "td_string!(l, reset.title) td_string!(\n locale,\n errors.tries_left, count = 2)",
        "td_string",
    );
    assert_eq!(
        used,
        BTreeSet::from(["reset.title".into(), "errors.tries_left".into()])
    );
}
