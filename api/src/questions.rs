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

/// The form answers are compared in: lowercase, whitespace collapsed to single spaces,
/// surrounding whitespace and punctuation ignored.
pub fn normalize_answer(answer: &str) -> String {
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

    #[test]
    fn ids_are_unique() {
        let mut ids = BUILT_IN.to_vec();
        ids.sort_unstable();
        ids.dedup();
        assert_eq!(ids.len(), BUILT_IN.len());
        assert!(is_known("first_pet") && !is_known("favourite_colour"));
    }
}
