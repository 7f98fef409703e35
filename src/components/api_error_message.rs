//! An API error as a specific, translated sentence: every code the server can give has
//! its own text, with the tries left or the time to wait when the server said so.

use super::countdown::minutes_rounded_up;
use crate::api::ApiError;
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::ErrorCode;

/// The sentence for `error` in `locale`.
pub fn error_text(locale: Locale, error: &ApiError) -> String {
    let Some(problem) = error.problem() else {
        return match error {
            ApiError::Network => td_string!(locale, errors.network).to_owned(),
            _ => td_string!(locale, errors.unexpected).to_owned(),
        };
    };
    let left = problem.attempts_left;
    let wait = problem.retry_after_seconds;
    let minutes = minutes_rounded_up(wait.unwrap_or(60));
    match problem.code {
        ErrorCode::ServiceUnavailable | ErrorCode::Internal => {
            td_string!(locale, errors.service_unavailable).to_owned()
        }
        ErrorCode::RateLimited => match wait {
            Some(seconds) if seconds < 60 => {
                td_string!(locale, errors.rate_limited_wait_seconds, seconds).to_string()
            }
            Some(_) => td_string!(locale, errors.rate_limited_wait, minutes).to_string(),
            None => td_string!(locale, errors.rate_limited).to_owned(),
        },
        ErrorCode::CaptchaInvalid => td_string!(locale, errors.captcha_invalid).to_owned(),
        ErrorCode::FlowNotFound => td_string!(locale, errors.flow_not_found).to_owned(),
        ErrorCode::MethodNotOffered => td_string!(locale, errors.method_not_offered).to_owned(),
        ErrorCode::CodeIncorrect => match left {
            Some(left) => td_string!(locale, errors.code_incorrect, left).to_string(),
            None => td_string!(locale, errors.code_incorrect_plain).to_owned(),
        },
        ErrorCode::CodeExpired => td_string!(locale, errors.code_expired).to_owned(),
        ErrorCode::AnswersIncorrect => match left {
            Some(left) => td_string!(locale, errors.answers_incorrect, left).to_string(),
            None => td_string!(locale, errors.answers_incorrect_plain).to_owned(),
        },
        ErrorCode::MethodLocked => td_string!(locale, errors.method_locked, minutes).to_string(),
        ErrorCode::AccountLocked => match wait {
            Some(_) => td_string!(locale, errors.account_locked, minutes).to_string(),
            None => td_string!(locale, errors.account_locked_helpdesk).to_owned(),
        },
        ErrorCode::NotVerified => td_string!(locale, errors.not_verified).to_owned(),
        ErrorCode::PasswordRejected => td_string!(locale, errors.password_rejected).to_owned(),
        ErrorCode::FlowCompleted => td_string!(locale, errors.flow_completed).to_owned(),
        ErrorCode::NotFound
        | ErrorCode::MethodNotAllowed
        | ErrorCode::InvalidRequest
        | ErrorCode::UnsupportedMediaType
        | ErrorCode::ForbiddenOrigin
        | ErrorCode::Unknown => td_string!(locale, errors.unexpected).to_owned(),
    }
}

#[component]
pub fn ApiErrorMessage(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    move || error_text(i18n.get_locale(), &error)
}

#[cfg(test)]
mod tests {
    use super::*;
    use sspr_api::Problem;

    fn problem(code: ErrorCode, retry_after: Option<u64>, left: Option<u32>) -> ApiError {
        let mut problem = Problem::new(code);
        problem.retry_after_seconds = retry_after;
        problem.attempts_left = left;
        ApiError::Problem(Box::new(problem))
    }

    #[test]
    fn tries_left_and_waits_are_said_only_when_the_server_gave_them() {
        let en = |e: &ApiError| error_text(Locale::en, e);
        assert!(en(&problem(ErrorCode::CodeIncorrect, None, Some(3))).ends_with("Tries left: 3"));
        assert!(!en(&problem(ErrorCode::CodeIncorrect, None, None)).contains("Tries"));
        assert!(en(&problem(ErrorCode::MethodLocked, Some(900), None)).contains("15 min"));
        assert!(en(&problem(ErrorCode::RateLimited, Some(25), None)).contains("25 s"));
        assert!(en(&problem(ErrorCode::RateLimited, Some(900), None)).contains("15 min"));
        assert_eq!(
            en(&problem(ErrorCode::AccountLocked, None, None)),
            td_string!(Locale::en, errors.account_locked_helpdesk)
        );
        assert_eq!(
            en(&ApiError::Network),
            td_string!(Locale::en, errors.network)
        );
    }

    #[test]
    fn every_code_has_its_own_text_in_french_too() {
        let codes = [
            ErrorCode::CaptchaInvalid,
            ErrorCode::FlowNotFound,
            ErrorCode::MethodNotOffered,
            ErrorCode::CodeExpired,
            ErrorCode::NotVerified,
            ErrorCode::PasswordRejected,
            ErrorCode::FlowCompleted,
        ];
        let texts: Vec<String> = codes
            .iter()
            .map(|code| error_text(Locale::fr, &problem(*code, None, None)))
            .collect();
        let unexpected = td_string!(Locale::fr, errors.unexpected);
        for (code, text) in codes.iter().zip(&texts) {
            assert_ne!(text, unexpected, "{code:?}");
        }
        let mut unique = texts.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), texts.len(), "two codes share a text");
    }
}
