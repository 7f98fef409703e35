//! A one-time code field (GOV.UK "security code" pattern): numeric keyboard, the browser's
//! one-time-code autofill, paste allowed, spaces and dashes ignored.

use super::text_field::{InputKind, TextField};
use leptos::prelude::*;

/// Digits a sent code may have when its length is not known (the policy allows 6..=10).
const ANY_LENGTH: std::ops::RangeInclusive<usize> = 6..=10;

/// What was typed or pasted without the spaces and dashes people put in codes.
pub fn without_separators(raw: &str) -> String {
    raw.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

/// The digits of what was typed or pasted, with spaces and dashes removed; `None` when
/// anything else is in it or the length is wrong (`None` length: any of 6..=10).
pub fn clean_code(raw: &str, length: Option<usize>) -> Option<String> {
    let digits = without_separators(raw);
    let length_ok = match length {
        Some(length) => digits.len() == length,
        None => ANY_LENGTH.contains(&digits.len()),
    };
    (length_ok && digits.bytes().all(|b| b.is_ascii_digit())).then_some(digits)
}

#[component]
pub fn CodeInput(
    /// The input's id (and name).
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    #[prop(into)] hint: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
) -> impl IntoView {
    view! { <TextField id label hint value error kind=InputKind::ONE_TIME_CODE /> }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spaces_and_dashes_are_ignored_and_anything_else_refused() {
        assert_eq!(clean_code(" 123 456 ", Some(6)).as_deref(), Some("123456"));
        assert_eq!(clean_code("123-456", Some(6)).as_deref(), Some("123456"));
        assert_eq!(clean_code("12345", Some(6)), None);
        assert_eq!(clean_code("1234567", Some(6)), None);
        assert_eq!(clean_code("12345a", Some(6)), None);
        assert_eq!(
            clean_code("１２３４５６", Some(6)),
            None,
            "full-width digits"
        );
        // Length unknown (the code was sent before a reload): any a policy allows.
        assert_eq!(clean_code("1234 5678", None).as_deref(), Some("12345678"));
        assert_eq!(clean_code("12345", None), None);
        assert_eq!(clean_code("12345678901", None), None);
    }
}
