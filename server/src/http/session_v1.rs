//! The security-info page's sign-in and session (`/api/v1/session`): sign in with a user
//! ID and a password, read the session, sign out. The session is a `__Host-` cookie
//! (`session::cookie`); every answer here is `no-store` like the rest of the API.

use super::AppState;
use super::error_responses::{
    ForbiddenOrigin, MethodNotFound, NotSignedIn, RateLimited, ServiceUnavailable,
    UnsupportedMediaType,
};
use super::json::JsonBody;
use super::problem::ApiError;
use crate::reset::FlowKey;
use crate::session::{Session, SessionError, cookie};
use axum::Json;
use axum::Router;
use axum::extract::Path;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{AppendHeaders, IntoResponse};
use axum::routing::{delete, get, post};
use sspr_api::Problem;
use sspr_api::reset::FLOW_SECRET_HEADER;
use sspr_api::reset::ResetFlow;
use sspr_api::session::{
    ChangePassword, MethodList, PasswordChanged, SessionInfo, SessionProof, SignIn,
};

/// The session's routes (under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/session", post(sign_in).get(current).delete(sign_out))
        .route("/v1/session/proof", post(prove))
        .route("/v1/session/proof/new", post(new_proof))
        .route("/v1/session/password", post(change_password))
        .route("/v1/session/methods", get(methods))
        .route("/v1/session/methods/{method}", delete(delete_method))
        .route("/v1/session/methods/{method}/default", post(set_default))
}

/// The session id the browser sent, if any.
fn session_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(cookie::from_header)
}

/// The session id the browser sent, or `not_signed_in`.
pub(super) fn signed_in_cookie(headers: &HeaderMap) -> Result<&str, ApiError> {
    Ok(session_cookie(headers).ok_or(SessionError::NotSignedIn)?)
}

/// The session as the API answers it, with its person's registration status.
pub(super) async fn info(state: &AppState, session: Session) -> Result<SessionInfo, ApiError> {
    let registration = state.sessions.status_of(&session).await?;
    Ok(SessionInfo {
        user_id: session.user_id,
        display_name: session.display_name,
        expires_in_seconds: session.ends_in,
        idle_timeout_seconds: session.idle_timeout,
        method_proven: session.proven_at.is_some(),
        proof: None,
        registration,
    })
}

/// `POST /api/v1/session`.
#[utoipa::path(
    post,
    path = "/api/v1/session",
    tag = "security-info",
    summary = "Sign in to the security-info page with a user ID and a password",
    description = "Sets the `__Host-sspr-session` cookie (Secure, HttpOnly, SameSite=Strict) \
        and ends the session the browser had. An unknown user ID, a wrong password and a \
        disabled account answer alike; failures count against the same per-account limit as \
        reset.",
    request_body = SignIn,
    responses(
        (status = 201, description = "Signed in; the session", body = SessionInfo,
            headers(("Set-Cookie" = String, description = "`__Host-sspr-session`: the session (Secure, HttpOnly, SameSite=Strict, Path=/)"))),
        (status = 400, description = "`invalid_request`: malformed body, or the user ID is empty or too long",
            body = Problem, content_type = "application/problem+json"),
        (status = 401, description = "`sign_in_failed`: the user ID or the password is not right",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`account_blocked`: the person reported a change as not theirs; a password reset or the help desk restores the page; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        (status = 429, description = "`account_locked`: too many failures on this account; `rate_limited`: too many requests from this address",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds`"))),
        ServiceUnavailable,
    )
)]
pub async fn sign_in(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SignIn>,
) -> Result<impl IntoResponse, ApiError> {
    let (id, session, proof) = state
        .sessions
        .sign_in(
            &request.user_id,
            &request.password,
            request.locale.as_deref(),
            session_cookie(&headers),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        AppendHeaders([(header::SET_COOKIE, cookie::set_cookie(&id))]),
        Json(SessionInfo {
            proof,
            ..info(&state, session).await?
        }),
    ))
}

/// `POST /api/v1/session/proof`.
#[utoipa::path(
    post,
    path = "/api/v1/session/proof",
    tag = "security-info",
    summary = "The second step of sign-in: a method proven in the sign-in's flow",
    description = "The flow is the `proof` of the sign-in answer; prove one of its methods \
        with its `challenge` and `verify` steps (as in a reset), then send its id here with \
        its secret. The flow is used up; it can never set a password.",
    params(
        ("x-flow-secret" = String, Header, description = "The proof flow's secret from the sign-in answer"),
    ),
    request_body = SessionProof,
    responses(
        (status = 200, description = "The session, with `method_proven`", body = SessionInfo),
        NotSignedIn,
        (status = 403, description = "`not_verified`: no method proven in the flow yet; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`flow_not_found`: no such flow of this session's person, or it expired",
            body = Problem, content_type = "application/problem+json"),
        (status = 409, description = "`flow_completed`: the flow was used already",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn prove(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<SessionProof>,
) -> Result<Json<SessionInfo>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    let secret = headers
        .get(FLOW_SECRET_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    let key = FlowKey {
        id: &request.flow_id,
        secret,
    };
    let session = state.sessions.prove(id, key).await?;
    Ok(Json(info(&state, session).await?))
}

/// `GET /api/v1/session`.
#[utoipa::path(
    get,
    path = "/api/v1/session",
    tag = "security-info",
    summary = "The signed-in session (each request counts as a use for the idle timeout)",
    responses(
        (status = 200, description = "The session", body = SessionInfo),
        NotSignedIn,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn current(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<SessionInfo>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    let session = state.sessions.session(id).await?;
    Ok(Json(info(&state, session).await?))
}

/// `DELETE /api/v1/session`.
#[utoipa::path(
    delete,
    path = "/api/v1/session",
    tag = "security-info",
    summary = "Sign out",
    responses(
        (status = 204, description = "Signed out (also when there was no session); the cookie is removed",
            headers(("Set-Cookie" = String, description = "`__Host-sspr-session` removed"))),
        ForbiddenOrigin,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn sign_out(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<impl IntoResponse, ApiError> {
    if let Some(id) = session_cookie(&headers) {
        state.sessions.sign_out(id).await?;
    }
    Ok((
        StatusCode::NO_CONTENT,
        AppendHeaders([(header::SET_COOKIE, cookie::clear_cookie())]),
    ))
}

/// `POST /api/v1/session/proof/new`.
#[utoipa::path(
    post,
    path = "/api/v1/session/proof/new",
    tag = "security-info",
    summary = "A new flow in which to prove a method again (when `proof_needed` asked)",
    request_body = Object,
    responses(
        (status = 201, description = "The flow (with its secret); prove one of its methods, then `POST /api/v1/session/proof`", body = ResetFlow),
        NotSignedIn,
        (status = 404, description = "`method_not_offered`: the person has no method to prove",
            body = Problem, content_type = "application/problem+json"),
        ForbiddenOrigin,
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn new_proof(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(_): JsonBody<serde_json::Value>,
) -> Result<(StatusCode, Json<ResetFlow>), ApiError> {
    let id = signed_in_cookie(&headers)?;
    let flow = state
        .sessions
        .new_proof(id)
        .await?
        .ok_or(crate::reset::ResetError::MethodNotOffered)?;
    Ok((StatusCode::CREATED, Json(flow)))
}

/// `POST /api/v1/session/password`.
#[utoipa::path(
    post,
    path = "/api/v1/session/password",
    tag = "security-info",
    summary = "Change the password while signed in",
    description = "Needs a method proven in this session within the policy's \
        `recent_proof_minutes` and the current password. The new one meets the same rules as \
        at reset; every other session of the person is signed out and they are told.",
    request_body = ChangePassword,
    responses(
        (status = 200, description = "Changed", body = PasswordChanged),
        (status = 400, description = "`invalid_request`: malformed body",
            body = Problem, content_type = "application/problem+json"),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: prove a method again first; `password_incorrect`: the current password is not right; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        (status = 422, description = "`password_rejected`: the new password breaks a rule; `password_problems` says which",
            body = Problem, content_type = "application/problem+json"),
        (status = 429, description = "`account_locked`: too many failures on this account; `rate_limited`: too many requests from this address",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds`"))),
        ServiceUnavailable,
    )
)]
pub async fn change_password(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<ChangePassword>,
) -> Result<Json<PasswordChanged>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    let (ended, notified) = state
        .sessions
        .change_password(id, &request.current_password, &request.new_password)
        .await?;
    Ok(Json(PasswordChanged {
        sessions_signed_out: ended,
        notification_sent: notified,
    }))
}

/// `GET /api/v1/session/methods`.
#[utoipa::path(
    get,
    path = "/api/v1/session/methods",
    tag = "security-info",
    summary = "The signed-in person's methods, masked, and whether they can reset with them",
    responses(
        (status = 200, description = "The methods", body = MethodList),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: the session has not proven a method yet",
            body = Problem, content_type = "application/problem+json"),
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn methods(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<MethodList>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    Ok(Json(state.sessions.methods(id).await?))
}

/// `DELETE /api/v1/session/methods/{method}`.
#[utoipa::path(
    delete,
    path = "/api/v1/session/methods/{method}",
    tag = "security-info",
    summary = "Remove one of the signed-in person's methods",
    description = "Needs a method proven within the policy's `recent_proof_minutes`. Refused \
        when the person's reset needs the method (add another first).",
    params(("method" = String, Path, description = "The method's `id` from the list")),
    responses(
        (status = 200, description = "Removed; the methods left", body = MethodList),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: prove a method again first; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        MethodNotFound,
        (status = 409, description = "`method_needed`: their reset needs this method; add another first",
            body = Problem, content_type = "application/problem+json"),
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn delete_method(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(method): Path<String>,
) -> Result<Json<MethodList>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    Ok(Json(state.sessions.delete_method(id, &method).await?))
}

/// `POST /api/v1/session/methods/{method}/default`.
#[utoipa::path(
    post,
    path = "/api/v1/session/methods/{method}/default",
    tag = "security-info",
    summary = "Make one of the signed-in person's methods their default",
    params(("method" = String, Path, description = "The method's `id` from the list")),
    request_body = Object,
    responses(
        (status = 200, description = "The methods, this one the default", body = MethodList),
        NotSignedIn,
        (status = 403, description = "`proof_needed`: the session has not proven a method yet; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        MethodNotFound,
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn set_default(
    State(state): State<AppState>,
    headers: HeaderMap,
    Path(method): Path<String>,
    JsonBody(_): JsonBody<serde_json::Value>,
) -> Result<Json<MethodList>, ApiError> {
    let id = signed_in_cookie(&headers)?;
    Ok(Json(state.sessions.set_default(id, &method).await?))
}
