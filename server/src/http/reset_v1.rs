//! Handlers of `/api/v1/reset/*`: thin wrappers over [`crate::reset::ResetService`].

use super::AppState;
use super::error_responses::{
    FlowCompleted, FlowNotFound, ForbiddenOrigin, RateLimited, ServiceUnavailable,
    UnsupportedMediaType,
};
use super::ip_limit::ClientAddress;
use super::json::JsonBody;
use super::problem::ApiError;
use crate::reset::{FlowKey, Requester, device};
use crate::texts::Language;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, HeaderName, StatusCode, header};
use axum::routing::{get, post};
use axum::{Json, Router};
use sspr_api::Problem;
use sspr_api::authenticator::ApprovalStatus;
use sspr_api::reset::{
    Challenge, ChallengeRequest, FLOW_SECRET_HEADER, NewPassword, Proof, ResetDone, ResetFlow,
    StartReset,
};

/// The reset flow's routes (under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/reset/flows", post(start))
        .route("/v1/reset/flows/{flow}", get(flow))
        .route("/v1/reset/flows/{flow}/extend", post(extend))
        .route(
            "/v1/reset/flows/{flow}/methods/{method}/challenge",
            post(challenge),
        )
        .route(
            "/v1/reset/flows/{flow}/methods/{method}/verify",
            post(verify),
        )
        .route(
            "/v1/reset/flows/{flow}/methods/{method}/approval",
            get(approval),
        )
        .route("/v1/reset/flows/{flow}/password", post(password))
        .route("/v1/reset/flows/{flow}/unlock", post(unlock))
}

/// The flow a request names: the id in its path (32 lowercase hex digits; anything else
/// cannot name a flow) and the secret in its [`FLOW_SECRET_HEADER`] header.
fn flow_key<'a>(raw: &'a str, headers: &'a HeaderMap) -> Result<FlowKey<'a>, ApiError> {
    let secret = headers
        .get(FLOW_SECRET_HEADER)
        .and_then(|value| value.to_str().ok())
        .unwrap_or_default();
    if raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(FlowKey { id: raw, secret })
    } else {
        Err(crate::reset::ResetError::FlowNotFound.into())
    }
}

/// The browser's recognition cookie, if it sent one.
fn device_cookie(headers: &HeaderMap) -> Option<&str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .find_map(device::from_header)
}

/// `POST /api/v1/reset/flows`.
#[utoipa::path(
    post,
    path = "/api/v1/reset/flows",
    tag = "reset",
    summary = "Start a reset flow with a user ID and a solved CAPTCHA",
    request_body = StartReset,
    responses(
        (status = 201, description = "The flow; an unknown user ID gets a believable decoy flow, indistinguishable from a real one", body = ResetFlow),
        (status = 400, description = "`invalid_request`: malformed body, or the user ID is empty or too long; `captcha_invalid`: the CAPTCHA solution is wrong, expired or already used",
            body = Problem, content_type = "application/problem+json"),
        ForbiddenOrigin,
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn start(
    State(state): State<AppState>,
    headers: HeaderMap,
    JsonBody(request): JsonBody<StartReset>,
) -> Result<(StatusCode, Json<ResetFlow>), ApiError> {
    let flow = state.reset.start(request, device_cookie(&headers)).await?;
    Ok((StatusCode::CREATED, Json(flow)))
}

/// `GET /api/v1/reset/flows/{flow}`.
#[utoipa::path(
    get,
    path = "/api/v1/reset/flows/{flow}",
    tag = "reset",
    summary = "The flow's state",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
    ),
    responses(
        (status = 200, description = "The flow", body = ResetFlow),
        FlowNotFound,
        FlowCompleted,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn flow(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ResetFlow>, ApiError> {
    Ok(Json(state.reset.get(flow_key(&flow, &headers)?).await?))
}

/// `POST /api/v1/reset/flows/{flow}/extend`.
#[utoipa::path(
    post,
    path = "/api/v1/reset/flows/{flow}/extend",
    tag = "reset",
    summary = "More time: the flow lives a full lifetime from now, up to an hour in all",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
    ),
    request_body(
        content = inline(Object),
        description = "An empty JSON object `{}`: the body is not read, but it must be `application/json`"
    ),
    responses(
        (status = 200, description = "The flow with its new `expires_in_seconds`, the methods proven kept; at the hour's limit it is unchanged and `can_extend` is false", body = ResetFlow),
        ForbiddenOrigin,
        FlowNotFound,
        FlowCompleted,
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn extend(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ResetFlow>, ApiError> {
    Ok(Json(state.reset.extend(flow_key(&flow, &headers)?).await?))
}

/// `POST /api/v1/reset/flows/{flow}/methods/{method}/challenge`.
#[utoipa::path(
    post,
    path = "/api/v1/reset/flows/{flow}/methods/{method}/challenge",
    tag = "reset",
    summary = "Send a code, or get the security questions to answer",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
        ("method" = String, Path, description = "A method id from `ResetFlow.methods[].id`"),
    ),
    request_body(
        content = ChallengeRequest,
        description = "`{}`, or for a mobile phone the channel chosen (`{\"channel\": \"whatsapp\"}`, one of `PublicConfig.phone_channels`); it must be `application/json`"
    ),
    responses(
        (status = 200, description = "A code was sent (its expiry and length, and for a mobile phone the channel), an office-phone call is on its way (`call_seconds`), the questions to answer, or nothing to send (app codes)", body = Challenge),
        ForbiddenOrigin,
        (status = 404, description = "`flow_not_found`: no such flow, or it expired; `method_not_offered`: the flow does not offer this method",
            body = Problem, content_type = "application/problem+json"),
        FlowCompleted,
        UnsupportedMediaType,
        (status = 429, description = "`too_many_codes`: the hour's codes to this address are used up (another method may still work); `rate_limited`: a code was sent moments ago, or too many requests from this address; `method_locked`, `account_locked`: too many wrong tries",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds` (absent when only the help desk can unlock)"))),
        ServiceUnavailable,
    )
)]
pub async fn challenge(
    State(state): State<AppState>,
    Path((flow, method)): Path<(String, String)>,
    client: Option<axum::Extension<ClientAddress>>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Challenge>, ApiError> {
    // Shown on the phone an app notification goes to.
    let from = Requester {
        ip: client.map(|axum::Extension(ClientAddress(ip))| ip.to_string()),
        user_agent: headers
            .get(header::USER_AGENT)
            .and_then(|value| value.to_str().ok())
            .map(str::to_owned),
        // The person's code is written in the language they use in the portal.
        language: Language::of_request(&headers),
    };
    // `{}` (or, as before, nothing at all) asks for the method's default channel.
    let request: ChallengeRequest = if body.iter().all(u8::is_ascii_whitespace) {
        ChallengeRequest::default()
    } else {
        serde_json::from_slice(&body).map_err(|err| ApiError::InvalidRequest(err.to_string()))?
    };
    Ok(Json(
        state
            .reset
            .challenge_from(flow_key(&flow, &headers)?, &method, request, &from)
            .await?,
    ))
}

/// `?wait=`: how long the approval's answer may be held.
#[derive(Debug, serde::Deserialize)]
pub struct ApprovalWait {
    wait: Option<u64>,
}

/// `GET /api/v1/reset/flows/{flow}/methods/{method}/approval`.
#[utoipa::path(
    get,
    path = "/api/v1/reset/flows/{flow}/methods/{method}/approval",
    tag = "reset",
    summary = "Wait for the person's answer to an app notification",
    description = "A long poll: answers as soon as the method's newest request is no longer         waiting, or after `wait` seconds (at most and by default 25) with `waiting` and the         seconds left; then ask again. `approved`: the method is proven (it shows in the         flow's `verified`). `not_approved` says nothing more (denied, a wrong number, no         answer in time): offer to send another once `resend_in_seconds` has passed. An         unknown account's flow answers the same way and never `approved`.",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
        ("method" = String, Path, description = "A method id from `ResetFlow.methods[].id`, of kind `app_notification`"),
        ("wait" = Option<u64>, Query, description = "Seconds to hold the answer at most (0 to 25, default 25)"),
    ),
    responses(
        (status = 200, description = "`waiting` (with `seconds_left`), `approved` or `not_approved`", body = ApprovalStatus),
        (status = 400, description = "`invalid_request`: the method is not an app notification",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`flow_not_found`: no such flow, or it expired; `method_not_offered`: the flow does not offer this method",
            body = Problem, content_type = "application/problem+json"),
        FlowCompleted,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn approval(
    State(state): State<AppState>,
    Path((flow, method)): Path<(String, String)>,
    axum::extract::Query(wait): axum::extract::Query<ApprovalWait>,
    headers: HeaderMap,
) -> Result<Json<ApprovalStatus>, ApiError> {
    let longest = crate::methods::app_notification::LONGEST_WAIT_SECONDS;
    let wait = std::time::Duration::from_secs(wait.wait.unwrap_or(longest).min(longest));
    Ok(Json(
        state
            .reset
            .approval_status(flow_key(&flow, &headers)?, &method, wait)
            .await?,
    ))
}

/// `POST /api/v1/reset/flows/{flow}/methods/{method}/verify`.
#[utoipa::path(
    post,
    path = "/api/v1/reset/flows/{flow}/methods/{method}/verify",
    tag = "reset",
    summary = "Check a code or the answers to security questions",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
        ("method" = String, Path, description = "A method id from `ResetFlow.methods[].id`"),
    ),
    request_body = Proof,
    responses(
        (status = 200, description = "The method is proven; the flow with it in `verified`", body = ResetFlow),
        (status = 400, description = "`code_incorrect`, `answers_incorrect` (with `attempts_left`); `code_expired`: send a new code; `invalid_request`: malformed body, or a proof that does not fit the method",
            body = Problem, content_type = "application/problem+json"),
        ForbiddenOrigin,
        (status = 404, description = "`flow_not_found`: no such flow, or it expired; `method_not_offered`: the flow does not offer this method",
            body = Problem, content_type = "application/problem+json"),
        FlowCompleted,
        UnsupportedMediaType,
        (status = 429, description = "`method_locked`, `account_locked`: too many wrong tries; `rate_limited`: too many requests from this address",
            body = Problem, content_type = "application/problem+json",
            headers(("Retry-After" = u64, description = "Seconds to wait, as in `retry_after_seconds` (absent when only the help desk can unlock)"))),
        ServiceUnavailable,
    )
)]
pub async fn verify(
    State(state): State<AppState>,
    Path((flow, method)): Path<(String, String)>,
    headers: HeaderMap,
    JsonBody(proof): JsonBody<Proof>,
) -> Result<Json<ResetFlow>, ApiError> {
    Ok(Json(
        state
            .reset
            .verify(flow_key(&flow, &headers)?, &method, proof)
            .await?,
    ))
}

/// `POST /api/v1/reset/flows/{flow}/password`.
#[utoipa::path(
    post,
    path = "/api/v1/reset/flows/{flow}/password",
    tag = "reset",
    summary = "Set the new password once enough methods are proven",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
    ),
    request_body = NewPassword,
    responses(
        (status = 200, description = "The password is set (a repeat with the same password gets the same answer)", body = ResetDone,
            headers(("Set-Cookie" = String, description = "`__Host-sspr-device`: recognises this browser for the account in later resets, whose failures and sends then count apart from other people's tries (Secure, HttpOnly, SameSite=Strict, 400 days)"))),
        (status = 400, description = "`invalid_request`: malformed body",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`not_verified`: not enough methods proven yet; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        FlowNotFound,
        (status = 409, description = "`flow_completed`: the password was already reset with this flow, to another password",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        (status = 422, description = "`password_rejected`: the password breaks a rule; `password_problems` says which",
            body = Problem, content_type = "application/problem+json"),
        RateLimited,
        (status = 500, description = "`internal`: the password could not be hashed",
            body = Problem, content_type = "application/problem+json"),
        ServiceUnavailable,
    )
)]
pub async fn password(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    headers: HeaderMap,
    JsonBody(body): JsonBody<NewPassword>,
) -> Result<([(HeaderName, String); 1], Json<ResetDone>), ApiError> {
    let set = state
        .reset
        .set_password(
            flow_key(&flow, &headers)?,
            &body.password,
            device_cookie(&headers),
            Language::of_request(&headers),
        )
        .await?;
    // From now on this browser is recognised for the account (docs/SECURITY.md).
    Ok((
        [(header::SET_COOKIE, device::set_cookie(&set.device_cookie))],
        Json(set.done),
    ))
}

/// `POST /api/v1/reset/flows/{flow}/unlock`.
#[utoipa::path(
    post,
    path = "/api/v1/reset/flows/{flow}/unlock",
    tag = "reset",
    summary = "Unlock the directory account, keeping its password, once enough methods are proven",
    description = "Only when the flow says `unlock_offered` (an LDAP directory with `offer_unlock`, an account it holds locked out). The flow is then complete.",
    params(
        ("flow" = String, Path, description = "The flow id from `ResetFlow.flow_id` (32 lowercase hex digits)"),
        ("x-flow-secret" = String, Header, description = "The flow's secret from `ResetFlow.flow_secret` (in the answer that started it); without it the flow is not found"),
    ),
    request_body(
        content = inline(Object),
        description = "An empty JSON object `{}`: the body is not read, but it must be `application/json`"
    ),
    responses(
        (status = 200, description = "The account is unlocked; `unlocked` is true", body = ResetDone),
        (status = 400, description = "`invalid_request`: the flow offers no unlock",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`not_verified`: not enough methods proven yet; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        FlowNotFound,
        FlowCompleted,
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn unlock(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    headers: HeaderMap,
) -> Result<Json<ResetDone>, ApiError> {
    Ok(Json(
        state
            .reset
            .unlock(flow_key(&flow, &headers)?, Language::of_request(&headers))
            .await?,
    ))
}
