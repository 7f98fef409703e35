//! Password rules (docs/SECURITY.md R6), shared by the server, which enforces them, and
//! the app, which shows the same feedback while the person types.
//!
//! - Length 8..=128 Unicode code points, counted after NFC normalisation, so a password
//!   typed with composed or decomposed accents is the same password.
//! - No composition rules (no "one digit, one symbol").
//! - Not one of the 10,000 most common passwords (case-insensitive).
//! - Not containing the person's user ID, name or e-mail local part (context words).
//!
//! Every refusal is a stable [`PasswordProblem`] code that the app translates.

use serde::{Deserialize, Serialize};

pub const MIN_LENGTH: usize = 8;
pub const MAX_LENGTH: usize = 128;

/// Context words shorter than this are not checked (initials, "li", "jo" ...).
const MIN_CONTEXT_WORD: usize = 3;

/// Why a password is refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PasswordProblem {
    /// Fewer than [`MIN_LENGTH`] code points.
    TooShort,
    /// More than [`MAX_LENGTH`] code points.
    TooLong,
    /// One of the most common passwords.
    Common,
    /// Contains the user ID, the person's name or e-mail local part.
    ContainsPersonalInfo,
    /// The same as the current password, or one used recently (checked by the server
    /// only; a directory's password history says the same).
    SameAsCurrent,
    /// Shorter than the organisation's directory allows (its own minimum, longer than
    /// [`MIN_LENGTH`]).
    DirectoryTooShort,
    /// Refused by the organisation's directory under its own rules (complexity, or a rule
    /// it does not name).
    DirectoryRules,
    /// The directory allows no new password yet: the last change was too recent.
    ChangedTooRecently,
}

/// The list of common passwords, sorted, one per line, lowercase.
pub const COMMON_PASSWORDS: &str = include_str!("../data/common-passwords.txt");

/// True when `password` (NFC) is, ignoring case, one of [`COMMON_PASSWORDS`].
pub fn is_common(password: &str) -> bool {
    is_listed(COMMON_PASSWORDS, &password.to_lowercase())
}

/// Binary search over a sorted, newline-separated list without building an index.
fn is_listed(sorted_lines: &str, needle: &str) -> bool {
    let bytes = sorted_lines.as_bytes();
    let (mut low, mut high) = (0, bytes.len());
    while low < high {
        let mid = low + (high - low) / 2;
        // The start of the line that contains `mid`.
        let start = bytes[..mid]
            .iter()
            .rposition(|&b| b == b'\n')
            .map_or(0, |i| i + 1);
        let end = bytes[start..]
            .iter()
            .position(|&b| b == b'\n')
            .map_or(bytes.len(), |i| start + i);
        let line = &sorted_lines[start..end];
        match line.cmp(needle) {
            std::cmp::Ordering::Equal => return true,
            std::cmp::Ordering::Less => low = end + 1,
            std::cmp::Ordering::Greater => high = start,
        }
    }
    false
}

/// Unicode lowercasing. The rules take it as a parameter so that the app can use the
/// browser's `toLowerCase` instead of shipping Rust's case tables in its wasm (the same
/// Unicode default case conversion; the server's check decides in any case).
pub type Lowercase = fn(&str) -> String;

/// Rust's own Unicode lowercasing (the server, and native tests).
pub fn rust_lowercase(text: &str) -> String {
    text.to_lowercase()
}

/// Splits the person's details into the words a password must not contain: the user ID,
/// its local part, the parts of the display name, and the parts of e-mail addresses (the
/// domain's names without its top-level label, so "com" or "org" never count).
pub fn context_words(details: &[&str]) -> Vec<String> {
    context_words_with(details, rust_lowercase)
}

/// [`context_words`] with the given lowercasing.
pub fn context_words_with(details: &[&str], lowercase: Lowercase) -> Vec<String> {
    let fragments = |text: &str| -> Vec<String> {
        text.split(|c: char| !c.is_alphanumeric())
            .map(str::to_owned)
            .collect()
    };
    let mut words = Vec::new();
    for detail in details {
        let lower = lowercase(detail.trim());
        words.push(lower.clone());
        match lower.split_once('@') {
            Some((local, domain)) => {
                words.push(local.to_owned());
                words.extend(fragments(local));
                let labels: Vec<&str> = domain.split('.').collect();
                let named = labels.len().saturating_sub(1);
                for label in &labels[..named] {
                    words.extend(fragments(label));
                }
            }
            None => words.extend(fragments(&lower)),
        }
    }
    words.retain(|w| w.chars().count() >= MIN_CONTEXT_WORD);
    words.sort_unstable();
    words.dedup();
    words
}

/// Every rule `password` breaks, in a stable order; empty when it is acceptable.
///
/// `password` must already be NFC-normalised (the server uses [`normalize`]; the app uses
/// the browser's `String.prototype.normalize`). `context` comes from [`context_words`].
pub fn check(password: &str, context: &[String]) -> Vec<PasswordProblem> {
    check_against(password, context, Some(COMMON_PASSWORDS))
}

/// [`check`] with the list of common passwords given (sorted, one per line, lowercase),
/// or none yet: the app loads the list only when the password page opens, so the first
/// load stays small, and checks the other rules until it arrives.
pub fn check_against(
    password: &str,
    context: &[String],
    common_passwords: Option<&str>,
) -> Vec<PasswordProblem> {
    check_against_with(password, context, common_passwords, rust_lowercase)
}

/// [`check_against`] with the given lowercasing.
pub fn check_against_with(
    password: &str,
    context: &[String],
    common_passwords: Option<&str>,
    lowercase: Lowercase,
) -> Vec<PasswordProblem> {
    let mut problems = Vec::new();
    let length = password.chars().count();
    if length < MIN_LENGTH {
        problems.push(PasswordProblem::TooShort);
    }
    if length > MAX_LENGTH {
        problems.push(PasswordProblem::TooLong);
    }
    let lower = lowercase(password);
    if common_passwords.is_some_and(|list| is_listed(list, &lower)) {
        problems.push(PasswordProblem::Common);
    }
    if context.iter().any(|word| lower.contains(word.as_str())) {
        problems.push(PasswordProblem::ContainsPersonalInfo);
    }
    problems
}

/// NFC normalisation (native builds; the app relies on the browser's to save wasm size).
#[cfg(feature = "nfc")]
pub fn normalize(password: &str) -> String {
    use unicode_normalization::UnicodeNormalization;
    password.nfc().collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Vec<String> {
        context_words(&["adele.vance@contoso.example", "Adele Vance"])
    }

    #[test]
    fn the_list_is_sorted_unique_and_long_enough() {
        let lines: Vec<&str> = COMMON_PASSWORDS.lines().collect();
        assert!(lines.len() >= 10_000, "{} entries", lines.len());
        assert!(lines.windows(2).all(|w| w[0] < w[1]), "sorted and unique");
        assert!(lines.iter().all(|l| l.chars().count() >= MIN_LENGTH));
        assert!(lines.iter().all(|l| *l == l.to_lowercase()));
    }

    #[test]
    fn every_listed_password_is_found_and_neighbours_are_not() {
        for line in COMMON_PASSWORDS.lines() {
            assert!(is_common(line), "{line}");
            assert!(!is_common(&format!("{line}\u{1}")), "{line}+");
        }
        assert!(!is_common(""));
        assert!(!is_common("zzzzzzzzzzzzzzzzzzzzzzzzzzzzzzzz-not-listed"));
    }

    #[test]
    fn common_passwords_are_refused_whatever_the_case() {
        for password in ["password", "PASSWORD", "12345678", "qwertyuiop", "Iloveyou"] {
            assert!(
                check(password, &[]).contains(&PasswordProblem::Common),
                "{password}"
            );
        }
    }

    #[test]
    fn seven_code_points_are_too_short_eight_are_enough() {
        assert_eq!(check("Zx9!kq7", &[]), [PasswordProblem::TooShort]);
        assert_eq!(check("Zx9!kq7w", &[]), []);
        // Code points, not bytes: 8 accented letters are 16 bytes in UTF-8.
        assert_eq!(check("éàüçñøåß", &[]), []);
        assert_eq!(check("éàüçñøå", &[]), [PasswordProblem::TooShort]);
    }

    #[test]
    fn one_hundred_twenty_eight_code_points_are_allowed_not_129() {
        let at_limit = "Ab3$".repeat(32);
        assert_eq!(at_limit.chars().count(), 128);
        assert_eq!(check(&at_limit, &[]), []);
        let over = format!("{at_limit}x");
        assert_eq!(check(&over, &[]), [PasswordProblem::TooLong]);
    }

    #[test]
    fn personal_information_is_refused() {
        let context = context();
        for password in [
            "adele.vance@contoso.example",
            "xxAdeleVance99",
            "my-vance-2026!",
            "ADELE.VANCE.pw",
        ] {
            assert!(
                check(password, &context).contains(&PasswordProblem::ContainsPersonalInfo),
                "{password}"
            );
        }
        assert_eq!(check("correct horse battery", &context), []);
    }

    #[test]
    fn context_words_skip_short_fragments() {
        let words = context_words(&["li.wu@contoso.example", "Li Wu"]);
        assert!(words.contains(&"contoso".to_owned()));
        assert!(words.contains(&"li.wu".to_owned()));
        assert!(!words.iter().any(|w| w == "li" || w == "wu"));
        // Top-level labels are not personal: "welcome" is fine for a .com address.
        let words = context_words(&["sam.jones@fabrikam.com"]);
        assert!(!words.contains(&"com".to_owned()), "{words:?}");
        assert!(words.contains(&"fabrikam".to_owned()) && words.contains(&"jones".to_owned()));
        assert_eq!(check("welcome to the jungle", &words), []);
    }

    #[test]
    fn problems_have_stable_wire_names() {
        let json = serde_json::to_string(&[
            PasswordProblem::TooShort,
            PasswordProblem::TooLong,
            PasswordProblem::Common,
            PasswordProblem::ContainsPersonalInfo,
            PasswordProblem::SameAsCurrent,
            PasswordProblem::DirectoryTooShort,
            PasswordProblem::DirectoryRules,
            PasswordProblem::ChangedTooRecently,
        ])
        .unwrap();
        assert_eq!(
            json,
            r#"["too_short","too_long","common","contains_personal_info","same_as_current","directory_too_short","directory_rules","changed_too_recently"]"#
        );
    }

    #[cfg(feature = "nfc")]
    #[test]
    fn composed_and_decomposed_forms_are_the_same_password() {
        let composed = "Caf\u{e9}-cr\u{e8}me!"; // é, è as one code point each
        let decomposed = "Cafe\u{301}-cre\u{300}me!"; // e + combining accents
        assert_ne!(composed, decomposed);
        assert_eq!(normalize(composed), normalize(decomposed));
        // 11 code points after NFC, 13 before: length is counted after normalisation.
        assert_eq!(decomposed.chars().count(), 13);
        assert_eq!(normalize(decomposed).chars().count(), 11);
        // NFD "é" x 4 = 8 code points raw, 4 after NFC: too short.
        let short = "e\u{301}".repeat(4);
        assert_eq!(check(&normalize(&short), &[]), [PasswordProblem::TooShort]);
    }

    #[test]
    fn without_the_list_every_other_rule_still_applies() {
        let context = context();
        assert_eq!(check_against("password", &context, None), []);
        assert_eq!(
            check_against("password", &context, Some(COMMON_PASSWORDS)),
            [PasswordProblem::Common]
        );
        assert_eq!(
            check_against("adele", &context, None),
            [
                PasswordProblem::TooShort,
                PasswordProblem::ContainsPersonalInfo
            ]
        );
    }
}
