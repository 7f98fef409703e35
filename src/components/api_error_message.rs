//! An API error as a specific, translated sentence.

use crate::api::ApiError;
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::ErrorCode;

#[component]
pub fn ApiErrorMessage(error: ApiError) -> impl IntoView {
    let i18n = use_i18n();
    match error {
        ApiError::Network => t!(i18n, errors.network).into_any(),
        ApiError::Problem {
            code: ErrorCode::ServiceUnavailable,
            ..
        } => t!(i18n, errors.service_unavailable).into_any(),
        ApiError::Problem {
            code: ErrorCode::RateLimited,
            ..
        } => t!(i18n, errors.rate_limited).into_any(),
        ApiError::Problem { .. } | ApiError::Unexpected { .. } => {
            t!(i18n, errors.unexpected).into_any()
        }
    }
}
