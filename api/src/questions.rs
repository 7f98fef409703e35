//! Built-in security questions. The ids travel on the wire; the app shows each one in the
//! person's language from its locale files (`questions.<id>`).
//!
//! Answers are compared after [`normalize_answer`], so "  New  York " and "new york" match.

/// Ids of the built-in questions, in the order the registration page lists them.
pub const BUILT_IN: [&str; 10] = [
    "birth_city",
    "first_pet",
    "first_school",
    "childhood_nickname",
    "first_job_city",
    "favourite_teacher",
    "parents_met_city",
    "oldest_cousin",
    "first_car",
    "childhood_street",
];

/// Whether `id` names a built-in question.
pub fn is_known(id: &str) -> bool {
    BUILT_IN.contains(&id)
}

/// The id of the organisation's own question at `index` (0-based) of the policy's
/// `security_questions.custom` list: `custom_1`, `custom_2`, ...
pub fn custom_id(index: usize) -> String {
    format!("custom_{}", index + 1)
}

/// Whether `id` names one of `count` custom questions.
pub fn is_custom(id: &str, count: usize) -> bool {
    id.strip_prefix("custom_")
        .and_then(|n| n.parse::<usize>().ok())
        .is_some_and(|n| (1..=count).contains(&n) && id == custom_id(n - 1))
}

/// One of the organisation's own questions, with its text (in the organisation's language:
/// the app shows it as it is).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CustomQuestion {
    pub id: String,
    /// The question as the organisation wrote it, for every language it gave no other text.
    pub text: String,
    /// The question in other languages, by locale tag (`de`, `pt-BR`).
    #[serde(default, skip_serializing_if = "std::collections::BTreeMap::is_empty")]
    pub translations: std::collections::BTreeMap<String, String>,
}

impl CustomQuestion {
    /// The question in the language `tag`: its translation there, else its own text.
    pub fn text_in(&self, tag: &str) -> &str {
        self.translations
            .get(tag)
            .map_or(&self.text, String::as_str)
    }
}

/// The form answers are compared in: Unicode NFC (native builds: "é" typed as one
/// character or as "e" and an accent is the same answer), lowercase, whitespace collapsed to
/// single spaces, surrounding whitespace and punctuation ignored.
pub fn normalize_answer(answer: &str) -> String {
    #[cfg(feature = "nfc")]
    let composed: String = {
        use unicode_normalization::UnicodeNormalization;
        answer.nfc().collect()
    };
    #[cfg(feature = "nfc")]
    let answer = composed.as_str();
    let lowered: String = answer
        .chars()
        .flat_map(char::to_lowercase)
        .map(|c| {
            if c.is_alphanumeric() || c.is_whitespace() {
                c
            } else {
                ' '
            }
        })
        .collect();
    lowered.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_match_regardless_of_case_spacing_and_punctuation() {
        assert_eq!(normalize_answer("  New   York "), "new york");
        assert_eq!(normalize_answer("St. Mary's"), "st mary s");
        assert_eq!(normalize_answer("MÜNCHEN"), "münchen");
        assert_eq!(normalize_answer(" ... "), "");
    }

    #[cfg(feature = "nfc")]
    #[test]
    fn composed_and_decomposed_accents_are_the_same_answer() {
        assert_eq!(normalize_answer("Cafe\u{301}"), normalize_answer("Café"));
        assert_eq!(normalize_answer("Cafe\u{301}"), "café");
    }

    #[test]
    fn ids_are_unique() {
        let mut ids = BUILT_IN.to_vec();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), BUILT_IN.len());
        assert!(is_known("first_pet") && !is_known("favourite_colour"));
    }
}
