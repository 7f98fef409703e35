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
    let left = problem.attempts_left.unwrap_or(0);
    let wait = problem.retry_after_seconds;
    let minutes = minutes_rounded_up(wait.unwrap_or(60));
    match problem.code {
        ErrorCode::ServiceUnavailable | ErrorCode::Internal => {
            td_string!(locale, errors.service_unavailable).to_owned()
        }
        ErrorCode::RateLimited => match wait {
            Some(seconds) => td_string!(locale, errors.rate_limited_wait, seconds).to_string(),
            None => td_string!(locale, errors.rate_limited).to_owned(),
        },
        ErrorCode::CaptchaInvalid => td_string!(locale, errors.captcha_invalid).to_owned(),
        ErrorCode::FlowNotFound => td_string!(locale, errors.flow_not_found).to_owned(),
        ErrorCode::MethodNotOffered => td_string!(locale, errors.method_not_offered).to_owned(),
        ErrorCode::CodeIncorrect => td_string!(locale, errors.code_incorrect, left).to_string(),
        ErrorCode::CodeExpired => td_string!(locale, errors.code_expired).to_owned(),
        ErrorCode::AnswersIncorrect => {
            td_string!(locale, errors.answers_incorrect, left).to_string()
        }
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
