//! Adding and changing methods on the security-info page, and the second proof of a
//! person with none (`/api/v1/session/registrations`, `.../security-questions`,
//! `.../proof/pass`, `.../proof/contact`). The service is `session::registration`.

use super::AppState;
use super::error_responses::{
    ForbiddenOrigin, NotSignedIn, RateLimited, ServiceUnavailable, UnsupportedMediaType,
};
use super::json::JsonBody;
use super::problem::ApiError;
use super::session_v1::{info, signed_in_cookie};
use crate::texts::Language;
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::post;
use sspr_api::Problem;
use sspr_api::session::{
    ConfirmCode, MethodList, NewMethod, OneTimePass, PendingMethod, QuestionChoice,
    SecurityAnswers, SessionInfo,
};

/// The registration routes (under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/session/registrations", post(start))
        .route(
            "/v1/session/registrations/{registration}/confirm",
            post(confirm),
        )
        .route(
            "/v1/session/security-questions",
            post(set_answers).get(question_choice),
        )
        .route("/v1/session/reconfirm", post(reconfirm))
        .route("/v1/session/proof/pass", post(prove_with_pass))
        .route("/v1/session/proof/contact", post(send_contact_code))
        .route(
            "/v1/session/proof/contact/{registration}",
            post(prove_with_contact),
        )
}

/// `POST /api/v1/session/registrations`.
#[utoipa::path(
    post,
    path = "/api/v1/session/registrations",
    tag = "security-info",
    summary = "Start adding (or changing) a method; it counts only once confirmed",
    description = "Needs a method proven within the policy's `recent_proof_minutes`. \
        `email`: a code goes to the address; `app_code`: the answer carries the new secret \
        and its `otpauth://` URI, shown this once. Of a kind the person has, confirming \
        replaces theirs (`replaces`); until then the old one stays in use. A newer \
        registration of the same kind ends this session's earlier one.",
    request_body = NewMethod,
    responses(
        (status = 201, description = "Waiting for its code", body = PendingMethod),
        (status = 400, description = "`invalid_request`: malformed body or not an e-mail address",
            body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: prove a method again first; `method_disabled`: the policy does not let people register this kind; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        (status = 429, description = "`rate_limited`: a code went out moments ago, or too many requests from this address; `too_many_codes`: the hour's codes are used up",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds`"))),
        ServiceUnavailable,
    )
)]
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<NewMethod>,
) -> Result<(StatusCode, Json<PendingMethod>), ApiError> {
    let id = signed_in_cookie(&headers)?;
    let language = Language::of_request(&headers);
    let pending = state
        .sessions
        .start_registration(id, request, language)
        .await?;
    Ok((StatusCode::CREATED, Json(pending)))
}

/// `POST /api/v1/session/registrations/{registration}/confirm`.
#[utoipa::path(
    post,
    path = "/api/v1/session/registrations/{registration}/confirm",
    tag = "security-info",
    summary = "Confirm a registration with its code: the method now counts",
    description = "The code from the e-mail, or the authenticator app's current code. \
        Only the session that started the registration can confirm it; after \
        `codes.max_attempts` wrong codes it is gone.",
    params(("registration" = String, Path, description = "`registration_id` from the start")),
    request_body = ConfirmCode,
    responses(
        (status = 200, description = "Registered; the person's methods", body = MethodList),
        (status = 400, description = "`code_incorrect`: wrong code (`attempts_left`); `invalid_request`: malformed body",
            body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: the session has not proven a method; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`registration_not_found`: no such registration of this session, or it expired or ran out of tries",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn confirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(registration): Path<String>,
    JsonBody(request): JsonBody<ConfirmCode>,
) -> Result<Json<MethodList>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    Ok(Json(
        state
            .sessions
            .confirm_registration(id, &registration, &request.code)
            .await?,
    ))
}

/// `GET /api/v1/session/security-questions`.
#[utoipa::path(
    get,
    path = "/api/v1/session/security-questions",
    tag = "security-info",
    summary = "The security questions to choose from, and how many to answer",
    responses(
        (status = 200, description = "The questions (ids; the app has their text)", body = QuestionChoice),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: the session has not proven a method; `method_disabled`: questions are not enabled; `method_not_for_admins`: administrators cannot register them",
            body = Problem, content_type = "application/problem+json"),
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn question_choice(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<QuestionChoice>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    Ok(Json(state.sessions.question_choice(id).await?))
}

/// `POST /api/v1/session/security-questions`.
#[utoipa::path(
    post,
    path = "/api/v1/session/security-questions",
    tag = "security-info",
    summary = "Register security answers, replacing any before",
    description = "Needs a recent proof. Exactly the policy's `security_questions.register` \
        answers, to different questions of the list, none empty. Never for administrators.",
    request_body = SecurityAnswers,
    responses(
        (status = 200, description = "Registered; the person's methods", body = MethodList),
        (status = 400, description = "`invalid_request`: malformed body, an unknown question, an empty answer or the wrong number (`detail` says which)",
            body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: prove a method again first; `method_disabled`: questions are not enabled; `method_not_for_admins`: administrators cannot register them; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn set_answers(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SecurityAnswers>,
) -> Result<Json<MethodList>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    Ok(Json(state.sessions.set_answers(id, request.answers).await?))
}

/// `POST /api/v1/session/proof/pass`.
#[utoipa::path(
    post,
    path = "/api/v1/session/proof/pass",
    tag = "security-info",
    summary = "Prove the session with an administrator's one-time pass",
    description = "For a person with no method to prove (`sspr-server user issue-pass`). \
        The pass is used up; a wrong one counts against the account's failure limit.",
    request_body = OneTimePass,
    responses(
        (status = 200, description = "The session, with `method_proven`", body = SessionInfo),
        (status = 400, description = "`pass_invalid`: wrong, used or expired; `invalid_request`: malformed body",
            body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        ForbiddenOrigin,
        UnsupportedMediaType,
        (status = 429, description = "`account_locked`: too many failures on this account; `rate_limited`: too many requests from this address",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds`"))),
        ServiceUnavailable,
    )
)]
pub async fn prove_with_pass(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<OneTimePass>,
) -> Result<Json<SessionInfo>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    let session = state.sessions.prove_with_pass(id, &request.pass).await?;
    Ok(Json(info(&state, session).await?))
}

/// `POST /api/v1/session/proof/contact`.
#[utoipa::path(
    post,
    path = "/api/v1/session/proof/contact",
    tag = "security-info",
    summary = "For a person with no method: a code to the address the directory holds",
    request_body = Object,
    responses(
        (status = 201, description = "Sent; `sent_to` masked", body = PendingMethod),
        NotSignedIn,
        (status = 404, description = "`method_not_offered`: the person has methods to prove, or the directory holds no address",
            body = Problem, content_type = "application/problem+json"),
        ForbiddenOrigin,
        UnsupportedMediaType,
        (status = 429, description = "`rate_limited`: a code went out moments ago, or too many requests from this address; `too_many_codes`: the hour's codes are used up",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds`"))),
        ServiceUnavailable,
    )
)]
pub async fn send_contact_code(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(_): JsonBody<serde_json::Value>,
) -> Result<(StatusCode, Json<PendingMethod>), ApiError> {
    let id = signed_in_cookie(&headers)?;
    let language = Language::of_request(&headers);
    let pending = state.sessions.send_contact_code(id, language).await?;
    Ok((StatusCode::CREATED, Json(pending)))
}

/// `POST /api/v1/session/proof/contact/{registration}`.
#[utoipa::path(
    post,
    path = "/api/v1/session/proof/contact/{registration}",
    tag = "security-info",
    summary = "Prove the session with the code sent to the directory's address",
    params(("registration" = String, Path, description = "`registration_id` from the send")),
    request_body = ConfirmCode,
    responses(
        (status = 200, description = "The session, with `method_proven`", body = SessionInfo),
        (status = 400, description = "`code_incorrect`: wrong code (`attempts_left`); `invalid_request`: malformed body",
            body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        ForbiddenOrigin,
        (status = 404, description = "`registration_not_found`: no such code of this session, or it expired or ran out of tries",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn prove_with_contact(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(registration): Path<String>,
    JsonBody(request): JsonBody<ConfirmCode>,
) -> Result<Json<SessionInfo>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    let session = state
        .sessions
        .prove_with_contact(id, &registration, &request.code)
        .await?;
    Ok(Json(info(&state, session).await?))
}

/// `POST /api/v1/session/reconfirm`.
#[utoipa::path(
    post,
    path = "/api/v1/session/reconfirm",
    tag = "security-info",
    summary = "Confirm the methods are still right (when `registration.reconfirm_due`)",
    description = "The next reminder counts from now (the policy's \
        `registration.reconfirm_days`). To change a method instead, register it again.",
    request_body = Object,
    responses(
        (status = 200, description = "Confirmed; the session with its new status", body = SessionInfo),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: the session has not proven a method; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn reconfirm(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(_): JsonBody<serde_json::Value>,
) -> Result<Json<SessionInfo>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    let session = state.sessions.reconfirm(id).await?;
    Ok(Json(info(&state, session).await?))
}
