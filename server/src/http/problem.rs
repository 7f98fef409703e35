//! Typed errors of the HTTP layer, answered as RFC 9457 problem details.

use crate::session::SessionError;
use crate::store::StoreError;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use sspr_api::problem::PROBLEM_CONTENT_TYPE;
use sspr_api::{ErrorCode, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ApiError {
    #[error("no such endpoint")]
    NotFound,
    #[error("method not allowed")]
    MethodNotAllowed,
    #[error("state-changing request from another origin")]
    ForbiddenOrigin,
    /// DNS rebinding defence: the request names a host that is not this server's.
    #[error("request for a host this server does not serve")]
    MisdirectedHost,
    #[error("state-changing request without a JSON body")]
    UnsupportedMediaType,
    #[error("too many requests from one address")]
    RateLimited { retry_after: u64 },
    #[error("malformed request: {0}")]
    InvalidRequest(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Reset(#[from] crate::reset::ResetError),
    #[error(transparent)]
    Session(#[from] crate::session::SessionError),
}

impl ApiError {
    pub fn code(&self) -> ErrorCode {
        match self {
            ApiError::NotFound => ErrorCode::NotFound,
            ApiError::MethodNotAllowed => ErrorCode::MethodNotAllowed,
            // A request for another host comes from another origin (a rebound name): the
            // client treats it the same way; only the status (421) tells them apart.
            ApiError::ForbiddenOrigin | ApiError::MisdirectedHost => ErrorCode::ForbiddenOrigin,
            ApiError::UnsupportedMediaType => ErrorCode::UnsupportedMediaType,
            ApiError::InvalidRequest(_) => ErrorCode::InvalidRequest,
            ApiError::RateLimited { .. } => ErrorCode::RateLimited,
            ApiError::Reset(err) => err.code(),
            ApiError::Session(err) => match err {
                SessionError::SignInFailed => ErrorCode::SignInFailed,
                SessionError::AccountLocked { .. } => ErrorCode::AccountLocked,
                SessionError::NotSignedIn => ErrorCode::NotSignedIn,
                SessionError::ProofNeeded => ErrorCode::ProofNeeded,
                SessionError::PasswordIncorrect => ErrorCode::PasswordIncorrect,
                SessionError::MethodNotFound => ErrorCode::MethodNotFound,
                SessionError::MethodNeeded => ErrorCode::MethodNeeded,
                SessionError::InvalidUserId
                | SessionError::InvalidAddress
                | SessionError::InvalidDevice(_)
                | SessionError::Answers(_) => ErrorCode::InvalidRequest,
                SessionError::DeviceNotRecognised => ErrorCode::DeviceNotRecognised,
                SessionError::InvalidPhoneNumber => ErrorCode::InvalidPhoneNumber,
                SessionError::MethodDisabled => ErrorCode::MethodDisabled,
                SessionError::MethodNotForAdmins => ErrorCode::MethodNotForAdmins,
                SessionError::RegistrationNotFound => ErrorCode::RegistrationNotFound,
                SessionError::PassInvalid => ErrorCode::PassInvalid,
                SessionError::AccountBlocked => ErrorCode::AccountBlocked,
                SessionError::ReportNotFound => ErrorCode::ReportNotFound,
                SessionError::Store(_) => ErrorCode::ServiceUnavailable,
                SessionError::Hash(_) => ErrorCode::Internal,
                SessionError::Proof(err) => err.code(),
            },
            // Fail closed: the database is unreachable or misbehaving, so nothing can be
            // decided; the caller may retry later.
            ApiError::Store(_) => ErrorCode::ServiceUnavailable,
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        match &self {
            ApiError::Store(err) | ApiError::Reset(crate::reset::ResetError::Store(err)) => {
                tracing::error!(error = %err, "store failure");
            }
            ApiError::Reset(crate::reset::ResetError::Hash(err))
            | ApiError::Session(SessionError::Hash(err)) => {
                tracing::error!(error = %err, "password hashing failure");
            }
            ApiError::Session(SessionError::Store(err)) => {
                tracing::error!(error = %err, "store failure");
            }
            ApiError::Reset(crate::reset::ResetError::DirectoryUnavailable(why))
            | ApiError::Session(SessionError::Proof(
                crate::reset::ResetError::DirectoryUnavailable(why),
            )) => {
                tracing::error!(error = %why, "directory failure");
            }
            _ => {}
        }
        let problem = match &self {
            ApiError::Reset(err) | ApiError::Session(SessionError::Proof(err)) => err.problem(),
            ApiError::Session(SessionError::AccountLocked { retry_after }) => {
                let mut problem = Problem::new(self.code());
                problem.retry_after_seconds = *retry_after;
                problem
            }
            // Says which answer or address is wrong; it holds nothing secret.
            ApiError::Session(
                err @ (SessionError::Answers(_)
                | SessionError::InvalidAddress
                | SessionError::InvalidDevice(_)),
            ) => Problem::new(self.code()).with_detail(err.to_string()),
            // Serde's message names the field that is wrong; it holds no internals.
            ApiError::InvalidRequest(why) => Problem::new(self.code()).with_detail(why.clone()),
            ApiError::RateLimited { retry_after } => {
                let mut problem = Problem::new(self.code());
                problem.retry_after_seconds = Some(*retry_after);
                problem
            }
            ApiError::MisdirectedHost => {
                let mut problem = Problem::new(self.code()).with_detail(
                    "this server does not answer to that host name; use the address its administrator published",
                );
                problem.status = StatusCode::MISDIRECTED_REQUEST.as_u16();
                problem.title = "Request for another host refused".to_owned();
                problem
            }
            _ => Problem::new(self.code()),
        };
        problem_response(problem)
    }
}

/// Serialises a problem with its status and media type.
pub fn problem_response(problem: Problem) -> Response {
    let status = StatusCode::from_u16(problem.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = serde_json::to_vec(&problem).unwrap_or_default();
    let mut response = (status, body).into_response();
    response.headers_mut().insert(
        header::CONTENT_TYPE,
        HeaderValue::from_static(PROBLEM_CONTENT_TYPE),
    );
    if let Some(seconds) = problem.retry_after_seconds {
        response
            .headers_mut()
            .insert(header::RETRY_AFTER, HeaderValue::from(seconds));
    }
    response
}

pub async fn api_not_found() -> ApiError {
    ApiError::NotFound
}

pub async fn method_not_allowed() -> ApiError {
    ApiError::MethodNotAllowed
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::body::to_bytes;

    /// docs/SECURITY.md R11: database trouble fails closed with 503 and no internals.
    #[tokio::test]
    async fn store_failures_are_503_without_details() {
        let err = StoreError::Database("unable to open /secret/path.db".into());
        let response = ApiError::from(err).into_response();
        assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
        assert_eq!(
            response.headers()[header::CONTENT_TYPE],
            PROBLEM_CONTENT_TYPE
        );
        let body = to_bytes(response.into_body(), 4096).await.unwrap();
        let text = String::from_utf8(body.to_vec()).unwrap();
        assert!(text.contains("\"code\":\"service_unavailable\""), "{text}");
        assert!(!text.contains("secret"), "internals leaked: {text}");
    }

    #[tokio::test]
    async fn retry_after_is_sent_as_a_header_too() {
        let mut problem = Problem::new(ErrorCode::RateLimited);
        problem.retry_after_seconds = Some(42);
        let response = problem_response(problem);
        assert_eq!(response.status(), StatusCode::TOO_MANY_REQUESTS);
        assert_eq!(response.headers()[header::RETRY_AFTER], "42");
    }
}
