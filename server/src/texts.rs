//! The words of everything the server sends or shows (docs/I18N.md): e-mails, texts,
//! voice and call scripts, change notices and the "was this you?" page, from the locale
//! files in `server/locales/` (English the source), in the person's language.
//!
//! The files are built in: a new language is a new file and one line of [`LOCALES`].
//! Each is read once into its texts by key path; a plural text (an object whose keys are
//! CLDR categories) becomes `path.one`, `path.other`, ... and its form is chosen by the
//! `count` value with the language's CLDR rules (ICU4X). A key a language lacks is read
//! in English. Call sites name their keys through the `message!` macro (key as dotted
//! identifiers, then `name = value` or a bare `name` for each placeholder), so the
//! completeness check (tests/locales.rs) can prove every key of English is used.

use std::collections::HashMap;
use std::fmt::Display;
use std::sync::OnceLock;

/// Every language the server writes in: its BCP 47 tag and its locale file. English
/// first (the fallback of every other).
const LOCALES: &[(&str, &str)] = &[
    ("en", include_str!("../locales/en.json")),
    ("ar", include_str!("../locales/ar.json")),
    ("de", include_str!("../locales/de.json")),
    ("es", include_str!("../locales/es.json")),
    ("fr", include_str!("../locales/fr.json")),
    ("he", include_str!("../locales/he.json")),
    ("it", include_str!("../locales/it.json")),
    ("ja", include_str!("../locales/ja.json")),
    ("nl", include_str!("../locales/nl.json")),
    ("pl", include_str!("../locales/pl.json")),
    ("pt", include_str!("../locales/pt.json")),
    ("pt-BR", include_str!("../locales/pt-BR.json")),
    ("zh-Hans", include_str!("../locales/zh-Hans.json")),
];

/// Languages written right to left.
const RIGHT_TO_LEFT: &[&str] = &["ar", "he"];

/// Placeholders whose value is never isolated, even right to left: a link in a
/// plain-text e-mail must stay a bare URL, for mail programs to make it clickable and for
/// a copy to be the URL alone.
const NOT_ISOLATED: &[&str] = &["link"];

/// A language the server writes in (one of [`LOCALES`]).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Language(u8);

impl Default for Language {
    fn default() -> Language {
        Language::ENGLISH
    }
}

impl Language {
    pub const ENGLISH: Language = Language(0);

    /// The language a BCP 47 tag asks for: the tag itself (any case, `_` as `-`), else
    /// its language without region (`pt-PT`: `pt`, `fr-CA`: `fr`); Chinese in simplified
    /// script (`zh`, `zh-CN`, `zh-SG`, `zh-Hans-CN`) is `zh-Hans`, in traditional script
    /// (`zh-Hant`, `zh-TW`, `zh-HK`, `zh-MO`) none. English for anything else.
    pub fn of(tag: Option<&str>) -> Language {
        tag.and_then(Language::supported).unwrap_or_default()
    }

    /// The language of `tag` if the server writes in it (see [`Language::of`]).
    pub fn supported(tag: &str) -> Option<Language> {
        let tag = tag.trim().replace('_', "-");
        if let Some(found) = Language::exactly(&tag) {
            return Some(found);
        }
        let mut subtags = tag.split('-');
        let primary = subtags.next()?;
        let rest: Vec<&str> = subtags.collect();
        if primary.eq_ignore_ascii_case("zh") {
            let has = |s: &str| rest.iter().any(|part| part.eq_ignore_ascii_case(s));
            let traditional =
                has("Hant") || (!has("Hans") && (has("TW") || has("HK") || has("MO")));
            return if traditional {
                None
            } else {
                Language::exactly("zh-Hans")
            };
        }
        Language::exactly(primary)
    }

    fn exactly(tag: &str) -> Option<Language> {
        LOCALES
            .iter()
            .position(|(known, _)| known.eq_ignore_ascii_case(tag))
            .and_then(|index| u8::try_from(index).ok())
            .map(Language)
    }

    /// The first language of an `Accept-Language` header the server writes in, by
    /// preference (`q`, then order); `None` when it names none (or is empty).
    pub fn from_accept_language(header: &str) -> Option<Language> {
        let mut ranges: Vec<(u16, usize, &str)> = header
            .split(',')
            .enumerate()
            .filter_map(|(order, item)| {
                let (tag, quality) = crate::http::accept::weighted(item)?;
                (!tag.is_empty() && tag != "*" && quality > 0).then_some((quality, order, tag))
            })
            .collect();
        ranges.sort_by_key(|(quality, order, _)| (std::cmp::Reverse(*quality), *order));
        ranges
            .into_iter()
            .find_map(|(_, _, tag)| Language::supported(tag))
    }

    /// The language of a request's `Accept-Language` header (the app sends the language
    /// the person is using), if it names one the server writes in.
    pub fn of_request(headers: &axum::http::HeaderMap) -> Option<Language> {
        headers
            .get_all(axum::http::header::ACCEPT_LANGUAGE)
            .iter()
            .filter_map(|value| value.to_str().ok())
            .find_map(Language::from_accept_language)
    }

    /// The BCP 47 tag (`en`, `pt-BR`, `zh-Hans`).
    pub fn tag(self) -> &'static str {
        LOCALES
            .get(usize::from(self.0))
            .map_or("en", |(tag, _)| tag)
    }

    /// Whether the language is written right to left (its values are then isolated).
    pub fn is_rtl(self) -> bool {
        RIGHT_TO_LEFT.contains(&self.tag())
    }

    /// Every language, English first.
    pub fn all() -> impl Iterator<Item = Language> {
        (0..LOCALES.len()).filter_map(|index| u8::try_from(index).ok().map(Language))
    }
}

/// Each language's texts by key path, read once.
fn catalogues() -> &'static [HashMap<String, String>] {
    static CATALOGUES: OnceLock<Vec<HashMap<String, String>>> = OnceLock::new();
    CATALOGUES.get_or_init(|| {
        LOCALES
            .iter()
            .map(
                |(tag, json)| match serde_json::from_str::<serde_json::Value>(json) {
                    Ok(file @ serde_json::Value::Object(_)) => {
                        sspr_api::text::flatten(&file).into_iter().collect()
                    }
                    _ => {
                        tracing::error!(locale = tag, "server/locales file is not a JSON object");
                        HashMap::new()
                    }
                },
            )
            .collect()
    })
}

/// The CLDR plural category of `count` in `language`.
fn plural_category(language: Language, count: u64) -> &'static str {
    sspr_api::text::plural_category(language.tag(), count)
}

/// The template of `key` in `language` among `catalogues`, `None` when it has none. A
/// plural key's form is the one `count` takes there, or its `other`.
fn template<'a>(
    catalogues: &'a [HashMap<String, String>],
    language: Language,
    key: &str,
    count: Option<u64>,
) -> Option<&'a str> {
    let texts = catalogues.get(usize::from(language.0))?;
    if let Some(text) = texts.get(key) {
        return Some(text);
    }
    let category = count.map_or("other", |count| plural_category(language, count));
    texts
        .get(&format!("{key}.{category}"))
        .or_else(|| texts.get(&format!("{key}.other")))
        .map(String::as_str)
}

/// The text of `key` in `language` (English when it lacks it) with its `{{ name }}`
/// placeholders filled from `vars`; in a right-to-left language each value is a bidi
/// isolate, but a `link` ([`NOT_ISOLATED`]). A plural text takes the form of the `count` value. An unknown key is
/// returned as it is (the completeness check keeps that from happening).
pub fn text(language: Language, key: &str, vars: &[(&str, &dyn Display)]) -> String {
    text_in(catalogues(), language, key, vars)
}

fn text_in(
    catalogues: &[HashMap<String, String>],
    language: Language,
    key: &str,
    vars: &[(&str, &dyn Display)],
) -> String {
    let count = vars
        .iter()
        .find(|(name, _)| *name == "count")
        .and_then(|(_, value)| value.to_string().trim().parse::<u64>().ok());
    let (language, template) = match template(catalogues, language, key, count) {
        Some(found) => (language, found),
        None => match template(catalogues, Language::ENGLISH, key, count) {
            Some(found) => (Language::ENGLISH, found),
            None => return key.to_owned(),
        },
    };
    // A text read in English is written left to right, whatever was asked.
    if language.is_rtl() {
        interpolate_rtl(template, vars)
    } else {
        sspr_api::text::interpolate(template, vars)
    }
}

/// [`sspr_api::text::interpolate_rtl`], but the [`NOT_ISOLATED`] placeholders are filled
/// as they are: the template is cut at them (found as `interpolate` finds placeholders),
/// the pieces between filled with isolates.
fn interpolate_rtl(template: &str, vars: &[(&str, &dyn Display)]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut piece = 0;
    let mut at = 0;
    while let Some(found) = template[at..].find("{{") {
        let start = at + found;
        let Some(len) = template[start..].find("}}") else {
            break;
        };
        let end = start + len + 2;
        let name = template[start + 2..start + len].trim();
        if NOT_ISOLATED.contains(&name) {
            out.push_str(&sspr_api::text::interpolate_rtl(
                &template[piece..start],
                vars,
            ));
            match vars.iter().find(|(var, _)| *var == name) {
                Some((_, value)) => out.push_str(&value.to_string()),
                None => out.push_str(&template[start..end]),
            }
            piece = end;
        }
        at = end;
    }
    out.push_str(&sspr_api::text::interpolate_rtl(&template[piece..], vars));
    out
}

/// The text of a key in a language:
/// `message!(language, email.code.body, organisation = name, code, count)` is
/// `text(language, "email.code.body", &[("organisation", &name), ("code", &code), ...])`.
/// The key is written out (no variable), so the completeness check can read it.
macro_rules! message {
    ($language:expr, $first:ident $(. $rest:ident)* $(, $name:ident $(= $value:expr)?)* $(,)?) => {
        $crate::texts::text(
            $language,
            concat!(stringify!($first) $(, ".", stringify!($rest))*),
            &[$((
                stringify!($name),
                &$crate::texts::message_value!($name $(, $value)?) as &dyn ::std::fmt::Display,
            )),*],
        )
    };
}

/// A placeholder's value: the one given, or the variable of its name.
macro_rules! message_value {
    ($name:ident) => {
        $name
    };
    ($name:ident, $value:expr) => {
        $value
    };
}

pub(crate) use message;
pub(crate) use message_value;

#[cfg(test)]
mod tests {
    use super::*;

    fn lang(tag: &str) -> Language {
        Language::of(Some(tag))
    }

    #[test]
    fn every_file_is_read() {
        let english: Vec<_> = catalogues()[0].keys().collect();
        assert!(english.len() > 40, "{english:?}");
        for language in Language::all() {
            let texts = &catalogues()[usize::from(language.0)];
            assert!(!texts.is_empty(), "{}", language.tag());
        }
        assert!(catalogues()[0].contains_key("email.code.body.other"));
        assert!(catalogues()[0].contains_key("report_page.title"));
    }

    #[test]
    fn tags_are_matched_exactly_then_by_language_and_script() {
        assert_eq!(lang("pt-BR").tag(), "pt-BR");
        assert_eq!(lang("PT-br").tag(), "pt-BR");
        assert_eq!(lang("pt_BR").tag(), "pt-BR");
        assert_eq!(lang("pt-PT").tag(), "pt");
        assert_eq!(lang("fr-CA").tag(), "fr");
        assert_eq!(lang("FR").tag(), "fr");
        for simplified in [
            "zh",
            "zh-CN",
            "zh-SG",
            "zh-Hans",
            "zh-Hans-CN",
            "zh-hans-hk",
        ] {
            assert_eq!(lang(simplified).tag(), "zh-Hans", "{simplified}");
        }
        for traditional in ["zh-TW", "zh-HK", "zh-Hant", "zh-Hant-TW", "zh-MO"] {
            assert_eq!(lang(traditional), Language::ENGLISH, "{traditional}");
        }
        assert_eq!(lang("sv-SE"), Language::ENGLISH);
        assert_eq!(lang(""), Language::ENGLISH);
        assert_eq!(Language::of(None), Language::ENGLISH);
        assert_eq!(lang("en-GB").tag(), "en");
        assert!(lang("ar-EG").is_rtl() && lang("he").is_rtl());
        assert!(!lang("fr").is_rtl() && !Language::ENGLISH.is_rtl());
    }

    #[test]
    fn accept_language_takes_the_most_wanted_language_the_server_has() {
        let of = |header: &str| Language::from_accept_language(header).map(Language::tag);
        assert_eq!(of("de"), Some("de"));
        assert_eq!(of("sv-SE, de-AT;q=0.8, fr;q=0.5"), Some("de"));
        assert_eq!(of("fr;q=0.5, ja;q=0.9"), Some("ja"));
        assert_eq!(of("pt-BR,pt;q=0.9,en;q=0.8"), Some("pt-BR"));
        assert_eq!(of("zh-TW, zh-CN;q=0.7"), Some("zh-Hans"));
        assert_eq!(of("nl;q=0, it;q=0.1"), Some("it"));
        assert_eq!(
            of("nl;q=2, pl"),
            Some("pl"),
            "a malformed q value drops its range"
        );
        assert_eq!(of("sv, *"), None);
        assert_eq!(of(""), None);
        let mut headers = axum::http::HeaderMap::new();
        assert_eq!(Language::of_request(&headers), None);
        headers.insert("accept-language", "he-IL,he;q=0.9".parse().unwrap());
        assert_eq!(
            Language::of_request(&headers).map(Language::tag),
            Some("he")
        );
    }

    #[test]
    fn a_text_missing_in_a_language_is_read_in_english() {
        let catalogue = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
                .collect()
        };
        let (de, ar) = (lang("de"), lang("ar"));
        let mut catalogues = vec![HashMap::new(); LOCALES.len()];
        catalogues[0] = catalogue(&[
            ("greeting", "Hello {{ name }}"),
            ("tries.one", "{{ count }} try"),
            ("tries.other", "{{ count }} tries"),
        ]);
        catalogues[usize::from(de.0)] = catalogue(&[("tries.other", "{{ count }} Versuche")]);
        let name = "Ada";
        let read = |language, key, count: u32| {
            text_in(
                &catalogues,
                language,
                key,
                &[("name", &name), ("count", &count)],
            )
        };
        assert_eq!(read(de, "greeting", 0), "Hello Ada");
        // Arabic lacks it: English, left to right (no isolates).
        assert_eq!(read(ar, "greeting", 0), "Hello Ada");
        // German lacks `one`: its `other`.
        assert_eq!(read(de, "tries", 1), "1 Versuche");
        // Arabic lacks the plural: English's form for the count.
        assert_eq!(read(ar, "tries", 1), "1 try");
        assert_eq!(read(ar, "tries", 3), "3 tries");
        assert_eq!(read(de, "no.such.key", 0), "no.such.key");
        // With the shipped files.
        let organisation = "Contoso";
        let english = message!(Language::ENGLISH, email.code.subject, organisation);
        assert_eq!(english, "Contoso verification code");
        let german = message!(de, email.code.subject, organisation);
        assert_eq!(german, "Bestätigungscode für Contoso");
    }

    #[test]
    fn plural_texts_take_the_form_of_the_count_in_the_language() {
        assert_eq!(plural_category(lang("pl"), 1), "one");
        assert_eq!(plural_category(lang("pl"), 2), "few");
        assert_eq!(plural_category(lang("pl"), 5), "many");
        assert_eq!(plural_category(lang("ar"), 0), "zero");
        assert_eq!(plural_category(lang("ja"), 1), "other");
        let body = |language: Language, count: u32| {
            message!(
                language,
                email.code.body,
                organisation = "Contoso",
                code = "12345678",
                count
            )
        };
        assert!(body(Language::ENGLISH, 1).contains("in 1 minute."));
        assert!(body(Language::ENGLISH, 10).contains("in 10 minutes."));
        assert!(
            body(lang("pl"), 2).contains("za 2 minuty."),
            "{}",
            body(lang("pl"), 2)
        );
        assert!(
            body(lang("pl"), 5).contains("za 5 minut."),
            "{}",
            body(lang("pl"), 5)
        );
        assert!(body(lang("pl"), 1).contains("minutę"));
        assert!(body(lang("ja"), 3).contains("3"));
        // Arabic `zero` form exists; the count goes in isolated.
        assert!(
            body(lang("ar"), 0).contains("\u{2068}0\u{2069}"),
            "{}",
            body(lang("ar"), 0)
        );
    }

    #[test]
    fn values_in_a_right_to_left_language_are_isolated() {
        let code = "12345678";
        let organisation = "Contoso";
        let arabic = message!(lang("ar"), phone.text_code, code, organisation);
        assert!(arabic.contains("\u{2068}12345678\u{2069}"), "{arabic}");
        assert!(arabic.contains("\u{2068}Contoso\u{2069}"), "{arabic}");
        let hebrew = message!(lang("he"), phone.text_code, code, organisation);
        assert!(hebrew.contains("\u{2068}12345678\u{2069}"), "{hebrew}");
        let english = message!(Language::ENGLISH, phone.text_code, code, organisation);
        assert_eq!(
            english,
            "12345678 is your Contoso verification code. Do not share it with anyone."
        );
    }

    #[test]
    fn a_link_is_never_isolated() {
        let link = "https://sspr.example/report#t=abc";
        let name = "Ada";
        let vars: [(&str, &dyn Display); 2] = [("name", &name), ("link", &link)];
        assert_eq!(
            interpolate_rtl("{{ name }}: {{link}}\n{{ link }} {{ name }}", &vars),
            format!("\u{2068}Ada\u{2069}: {link}\n{link} \u{2068}Ada\u{2069}")
        );
        // A value is filled once: a `{{ link }}` inside another value stays as it is.
        let sneaky = "{{ link }}";
        let vars: [(&str, &dyn Display); 2] = [("name", &sneaky), ("link", &link)];
        assert_eq!(
            interpolate_rtl("{{ name }} {{ link }}", &vars),
            format!("\u{2068}{{{{ link }}}}\u{2069} {link}")
        );
        assert_eq!(
            interpolate_rtl("{{ link }} {{ other", &[]),
            "{{ link }} {{ other"
        );

        // With the shipped files: the notice's link, right to left, is the bare URL on
        // its own line; the other values are isolated.
        let (what, organisation, user_id) = ("…", "Contoso", "ada");
        for tag in ["ar", "he"] {
            let body = message!(lang(tag), notice.body, what, organisation, user_id, link);
            assert!(body.contains(&format!("\n{link}\n")), "{tag}: {body}");
            assert!(!body.contains(&format!("\u{2068}{link}")), "{tag}: {body}");
            assert!(body.contains("\u{2068}Contoso\u{2069}"), "{tag}: {body}");
        }
        let english = message!(
            Language::ENGLISH,
            notice.body,
            what,
            organisation,
            user_id,
            link
        );
        assert!(english.contains(&format!(":\n{link}\n")), "{english}");
    }
}
