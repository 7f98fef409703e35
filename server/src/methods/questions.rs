//! Security questions (docs/SECURITY.md R5): a stable pool per account, as many as a
//! decoy's; the questions asked drawn from it per flow; answers normalised, hashed slowly
//! with a pepper outside the store's transaction (decoys too), compared in constant time,
//! right only all together.

use super::verdict;
use crate::crypto::keys::ServerKeys;
use crate::crypto::passwords::{HashError, PasswordHasher};
use crate::seeded::shuffle;
use crate::store::interface::ProofChecker;
use crate::store::records::ProofInput;
use sspr_api::questions;
use sspr_api::reset::Answer;
use subtle::ConstantTimeEq;

/// Why a set of answers cannot be registered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswersProblem {
    #[error("{0:?} is not one of the questions (see `sspr-server questions`)")]
    UnknownQuestion(String),
    #[error("the answer to {0} is empty")]
    EmptyAnswer(String),
    #[error(
        "{given} different questions answered; the policy asks for {required} (security_questions.register)"
    )]
    Count { given: usize, required: usize },
}

/// The answers (question id, answer) as they are registered, normalised: exactly
/// `required` of them (the policy's `security_questions.register`), to different questions
/// (built-in, or one of the policy's `custom` ones), none empty. Every person registering the same number is what lets decoy
/// flows ask like real ones.
pub fn registrable(
    answers: &[(String, String)],
    required: usize,
    custom: usize,
) -> Result<Vec<(String, String)>, AnswersProblem> {
    let mut asked: Vec<&str> = answers.iter().map(|(q, _)| q.as_str()).collect();
    asked.sort_unstable();
    asked.dedup();
    if answers.len() != required || asked.len() != answers.len() {
        return Err(AnswersProblem::Count {
            given: asked.len(),
            required,
        });
    }
    answers
        .iter()
        .map(|(question, answer)| {
            if !questions::is_known(question) && !questions::is_custom(question, custom) {
                return Err(AnswersProblem::UnknownQuestion(question.clone()));
            }
            let answer = questions::normalize_answer(answer);
            if answer.is_empty() {
                return Err(AnswersProblem::EmptyAnswer(question.clone()));
            }
            Ok((question.clone(), answer))
        })
        .collect()
}

/// The `ask` questions of `pool` asked in flow `flow_id` (stable for the flow).
pub fn asked(keys: &ServerKeys, flow_id: &str, pool: &[String], ask: u8) -> Vec<String> {
    let mut asked = pool.to_vec();
    let seed = keys.decoy.mac(format!("questions\0{flow_id}").as_bytes());
    shuffle(&mut asked, &seed);
    asked.truncate(usize::from(ask));
    asked
}

/// Whether any answer is empty once normalised (refused as a malformed proof).
pub fn any_empty(answers: &[Answer]) -> bool {
    answers
        .iter()
        .any(|a| questions::normalize_answer(&a.answer).is_empty())
}

/// The slow keyed hash of each answer given to a question of `pool`, for account `user`
/// (0 for a decoy, which hashes its answers all the same).
pub async fn hash_answers(
    hasher: &PasswordHasher,
    keys: &ServerKeys,
    user: i64,
    pool: &[String],
    answers: &[Answer],
) -> Result<Vec<(String, [u8; 32])>, HashError> {
    let mut typed = Vec::new();
    for question in pool {
        let Some(answer) = answers.iter().find(|a| &a.question == question) else {
            continue;
        };
        let normalized = questions::normalize_answer(&answer.answer);
        let hash = hasher
            .answer(&keys.answers, user, question, &normalized)
            .await?;
        typed.push((question.clone(), hash));
    }
    Ok(typed)
}

/// Checks the hashed answers against those the store holds for the questions asked:
/// every one compared, right only if all are. A decoy is never right.
pub fn checker(typed: Vec<(String, [u8; 32])>, decoy: bool) -> ProofChecker {
    Box::new(move |input: &ProofInput| {
        let mut all_right = !input.questions.is_empty();
        for question in &input.questions {
            let given = typed.iter().find(|(q, _)| q == question);
            let stored = input
                .answers
                .iter()
                .find(|(q, _)| q == question)
                .map(|(_, hash)| hash.as_slice())
                .unwrap_or(&[]);
            let right = given.is_some_and(|(_, hash)| bool::from(hash.as_slice().ct_eq(stored)));
            all_right &= right;
        }
        verdict(all_right && !decoy, None)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(items: &[(&str, &str)]) -> Vec<(String, String)> {
        items
            .iter()
            .map(|(q, a)| ((*q).to_owned(), (*a).to_owned()))
            .collect()
    }

    #[test]
    fn exactly_the_policys_count_of_different_known_questions_with_answers() {
        let three = pairs(&[
            ("birth_city", " Lisbon "),
            ("first_pet", "Biscuit"),
            ("first_school", "Riverside"),
        ]);
        let registered = registrable(&three, 3, 0).unwrap();
        assert_eq!(registered[0], ("birth_city".into(), "lisbon".into()));
        assert_eq!(
            registrable(&three, 4, 0),
            Err(AnswersProblem::Count {
                given: 3,
                required: 4
            })
        );
        let twice = pairs(&[("birth_city", "a"), ("birth_city", "b"), ("first_pet", "c")]);
        assert!(matches!(
            registrable(&twice, 3, 0),
            Err(AnswersProblem::Count { given: 2, .. })
        ));
        let unknown = pairs(&[("birth_city", "a"), ("nope", "b"), ("first_pet", "c")]);
        assert_eq!(
            registrable(&unknown, 3, 0),
            Err(AnswersProblem::UnknownQuestion("nope".into()))
        );
        let empty = pairs(&[
            ("birth_city", "a"),
            ("first_school", " ?! "),
            ("first_pet", "c"),
        ]);
        assert_eq!(
            registrable(&empty, 3, 0),
            Err(AnswersProblem::EmptyAnswer("first_school".into()))
        );
    }
}
