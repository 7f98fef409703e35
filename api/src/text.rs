//! Filling a translated text's `{{ name }}` placeholders (docs/I18N.md). The app and the
//! server's messages use the same locale-file format, so they fill them the same way.

use std::fmt::Display;

/// `template` with each `{{ name }}` replaced by the value `vars` gives `name`. A
/// placeholder with no value is left as written (the completeness check keeps the
/// translations' placeholders equal to English's, so that is a caller's mistake).
pub fn interpolate(template: &str, vars: &[(&str, &dyn Display)]) -> String {
    fill(template, vars, false)
}

/// As [`interpolate`], for a language written right to left: each value is a bidi
/// isolate (U+2068 ... U+2069), so an address, a masked number or a code keeps its own
/// direction and does not reorder the sentence around it.
pub fn interpolate_rtl(template: &str, vars: &[(&str, &dyn Display)]) -> String {
    fill(template, vars, true)
}

fn fill(template: &str, vars: &[(&str, &dyn Display)], isolate: bool) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut rest = template;
    while let Some(start) = rest.find("{{") {
        let Some(len) = rest[start..].find("}}") else {
            break;
        };
        let name = rest[start + 2..start + len].trim();
        out.push_str(&rest[..start]);
        match vars.iter().find(|(var, _)| *var == name) {
            Some((_, value)) if isolate => {
                out.push('\u{2068}');
                out.push_str(&value.to_string());
                out.push('\u{2069}');
            }
            Some((_, value)) => out.push_str(&value.to_string()),
            None => out.push_str(&rest[start..start + len + 2]),
        }
        rest = &rest[start + len + 2..];
    }
    out.push_str(rest);
    out
}

/// The names of the placeholders in `template`, in order.
pub fn placeholders(template: &str) -> Vec<&str> {
    template
        .split("{{")
        .skip(1)
        .filter_map(|rest| rest.split_once("}}").map(|(name, _)| name.trim()))
        .collect()
}

/// CLDR's plural categories: a locale-file value that is an object of only these keys
/// (with `other`) is a plural text, its form chosen by `{{ count }}`.
pub const PLURAL_CATEGORIES: [&str; 6] = ["zero", "one", "two", "few", "many", "other"];

/// Whether the keys of a locale-file object make it a plural text.
pub fn is_plural<'a>(mut keys: impl Iterator<Item = &'a str>) -> bool {
    let mut other = false;
    let all = keys.all(|key| {
        other |= key == "other";
        PLURAL_CATEGORIES.contains(&key)
    });
    all && other
}

/// A locale file's texts as `(path, text)`: `reset.title`, and a plural text's forms as
/// `errors.tries_left.one`, `errors.tries_left.other`, ...
#[cfg(feature = "locale-files")]
pub fn flatten(file: &serde_json::Value) -> Vec<(String, String)> {
    fn walk(prefix: &str, value: &serde_json::Value, out: &mut Vec<(String, String)>) {
        match value {
            serde_json::Value::String(text) => out.push((prefix.to_owned(), text.clone())),
            serde_json::Value::Object(map) => {
                for (key, child) in map {
                    let path = if prefix.is_empty() {
                        key.clone()
                    } else {
                        format!("{prefix}.{key}")
                    };
                    walk(&path, child, out);
                }
            }
            _ => {}
        }
    }
    let mut out = Vec::new();
    walk("", file, &mut out);
    out
}

#[cfg(feature = "locale-files")]
fn plural_rules(tag: &str) -> Option<icu_plurals::PluralRules> {
    let locale = tag.parse::<icu_locale_core::Locale>().ok()?;
    icu_plurals::PluralRules::try_new_cardinal(locale.into()).ok()
}

#[cfg(feature = "locale-files")]
fn category_name(category: icu_plurals::PluralCategory) -> &'static str {
    use icu_plurals::PluralCategory;
    match category {
        PluralCategory::Zero => "zero",
        PluralCategory::One => "one",
        PluralCategory::Two => "two",
        PluralCategory::Few => "few",
        PluralCategory::Many => "many",
        PluralCategory::Other => "other",
    }
}

/// The CLDR plural category `count` takes in the language `tag` (`other` for a tag ICU4X
/// does not know).
#[cfg(feature = "locale-files")]
pub fn plural_category(tag: &str, count: u64) -> &'static str {
    plural_rules(tag).map_or("other", |rules| category_name(rules.category_for(count)))
}

/// Every plural category the language `tag` has.
#[cfg(feature = "locale-files")]
pub fn plural_categories(tag: &str) -> Vec<&'static str> {
    plural_rules(tag).map_or_else(
        || vec!["other"],
        |rules| rules.categories().map(category_name).collect(),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholders_are_filled_wherever_they_stand() {
        let n = 3;
        assert_eq!(
            interpolate(
                "{{ count }} of {{total}} done",
                &[("count", &n), ("total", &5)]
            ),
            "3 of 5 done"
        );
        assert_eq!(interpolate("no placeholders", &[]), "no placeholders");
        assert_eq!(
            interpolate("{{ code }}{{ code }}", &[("code", &"12")]),
            "1212"
        );
    }

    #[test]
    fn a_placeholder_without_a_value_or_unclosed_stays_as_written() {
        assert_eq!(interpolate("Hi {{ name }}.", &[]), "Hi {{ name }}.");
        assert_eq!(interpolate("Hi {{ name", &[("name", &"x")]), "Hi {{ name");
        assert_eq!(placeholders("a {{ x }} b {{y}}"), ["x", "y"]);
    }

    #[test]
    fn plural_texts_are_objects_of_cldr_categories_with_other() {
        assert!(is_plural(["one", "other"].into_iter()));
        assert!(is_plural(["other"].into_iter()));
        assert!(!is_plural(["one"].into_iter()));
        assert!(!is_plural(["title", "other"].into_iter()));
    }

    #[test]
    fn right_to_left_values_are_isolated() {
        assert_eq!(
            interpolate_rtl(
                "أرسلنا رمزًا إلى {{ hint }}.",
                &[("hint", &"a•••@contoso.com")]
            ),
            "أرسلنا رمزًا إلى \u{2068}a•••@contoso.com\u{2069}."
        );
    }
}
