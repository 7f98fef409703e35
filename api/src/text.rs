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
