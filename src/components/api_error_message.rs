//! An API error as a specific, translated sentence: every code the server can give has
//! its own text, with the tries left or the time to wait when the server said so.

use super::duration::duration_text;
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
    let wait_text = duration_text(locale, wait.unwrap_or(60));
    let with_tries = |base: &str| match left {
        Some(left) => format!("{base} {}", tries_left(locale, left)),
        None => base.to_owned(),
    };
    match problem.code {
        ErrorCode::ServiceUnavailable | ErrorCode::Internal => {
            td_string!(locale, errors.service_unavailable).to_owned()
        }
        ErrorCode::RateLimited => match wait {
            Some(_) => td_string!(locale, errors.rate_limited_wait, wait = wait_text).to_string(),
            None => td_string!(locale, errors.rate_limited).to_owned(),
        },
        ErrorCode::TooManyCodes => {
            td_string!(locale, errors.too_many_codes, wait = wait_text).to_string()
        }
        ErrorCode::CaptchaInvalid => td_string!(locale, errors.captcha_invalid).to_owned(),
        ErrorCode::FlowNotFound => td_string!(locale, errors.flow_not_found).to_owned(),
        ErrorCode::MethodNotOffered => td_string!(locale, errors.method_not_offered).to_owned(),
        ErrorCode::CodeIncorrect => with_tries(td_string!(locale, errors.code_incorrect)),
        ErrorCode::CodeExpired => td_string!(locale, errors.code_expired).to_owned(),
        ErrorCode::AnswersIncorrect => with_tries(td_string!(locale, errors.answers_incorrect)),
        ErrorCode::MethodLocked => {
            td_string!(locale, errors.method_locked, wait = wait_text).to_string()
        }
        ErrorCode::AccountLocked => match wait {
            Some(_) => td_string!(locale, errors.account_locked, wait = wait_text).to_string(),
            None => td_string!(locale, errors.account_locked_helpdesk).to_owned(),
        },
        ErrorCode::NotVerified => td_string!(locale, errors.not_verified).to_owned(),
        ErrorCode::SignInFailed => td_string!(locale, errors.sign_in_failed).to_owned(),
        ErrorCode::NotSignedIn => td_string!(locale, errors.not_signed_in).to_owned(),
        ErrorCode::ProofNeeded => td_string!(locale, errors.proof_needed).to_owned(),
        ErrorCode::PasswordIncorrect => td_string!(locale, errors.password_incorrect).to_owned(),
        ErrorCode::MethodNotFound => td_string!(locale, errors.method_not_found).to_owned(),
        ErrorCode::MethodNeeded => td_string!(locale, errors.method_needed).to_owned(),
        ErrorCode::MethodDisabled => td_string!(locale, errors.method_disabled).to_owned(),
        ErrorCode::MethodNotForAdmins => {
            td_string!(locale, errors.method_not_for_admins).to_owned()
        }
        ErrorCode::RegistrationNotFound => {
            td_string!(locale, errors.registration_not_found).to_owned()
        }
        ErrorCode::PassInvalid => td_string!(locale, errors.pass_invalid).to_owned(),
        ErrorCode::ReportNotFound => td_string!(locale, errors.report_not_found).to_owned(),
        ErrorCode::AccountBlocked => td_string!(locale, errors.account_blocked).to_owned(),
        ErrorCode::InvalidPhoneNumber => td_string!(locale, errors.invalid_phone_number).to_owned(),
        ErrorCode::DeviceNotRecognised => {
            td_string!(locale, errors.device_not_recognised).to_owned()
        }
        ErrorCode::ApprovalNotFound => td_string!(locale, errors.approval_not_found).to_owned(),
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

/// "You have 4 tries left." in `locale`, in the right number.
pub fn tries_left(locale: Locale, left: u32) -> String {
    td_string!(locale, errors.tries_left, count = left)
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
        assert!(
            en(&problem(ErrorCode::CodeIncorrect, None, Some(3)))
                .ends_with("You have 3 tries left.")
        );
        assert!(
            en(&problem(ErrorCode::CodeIncorrect, None, Some(1))).ends_with("You have 1 try left.")
        );
        assert!(!en(&problem(ErrorCode::CodeIncorrect, None, None)).contains("left"));
        assert!(en(&problem(ErrorCode::MethodLocked, Some(900), None)).contains("15 minutes"));
        assert!(en(&problem(ErrorCode::RateLimited, Some(25), None)).contains("25 seconds"));
        assert!(en(&problem(ErrorCode::TooManyCodes, Some(2406), None)).contains("41 minutes"));
        let fr = error_text(
            Locale::fr,
            &problem(ErrorCode::AnswersIncorrect, None, Some(4)),
        );
        assert!(fr.ends_with("Il vous reste 4 essais."), "{fr}");
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
            ErrorCode::TooManyCodes,
            ErrorCode::SignInFailed,
            ErrorCode::NotSignedIn,
            ErrorCode::ProofNeeded,
            ErrorCode::PasswordIncorrect,
            ErrorCode::MethodNotFound,
            ErrorCode::MethodNeeded,
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
