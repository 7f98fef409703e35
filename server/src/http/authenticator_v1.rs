//! The authenticator page's API (`/api/v1/authenticator/*`): its configuration, its
//! enrolment with an enrol link's token, and, signed with its key, the requests waiting for
//! it and its answers. Same origin and JSON like every other route (the page is served
//! from this origin). The services are `session::devices` and `reset::approvals`.

use super::AppState;
use super::error_responses::{
    DeviceNotRecognised, ForbiddenOrigin, RateLimited, ServiceUnavailable, UnsupportedMediaType,
};
use super::json::JsonBody;
use super::problem::ApiError;
use crate::session::devices::SignedCall;
use crate::store::records::DeviceRecord;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::routing::{get, post};
use axum::{Json, Router};
use sspr_api::Problem;
use sspr_api::authenticator::{
    ApprovalRequests, AuthenticatorConfig, DEVICE_ID_HEADER, DEVICE_SIGNATURE_HEADER,
    DEVICE_TIME_HEADER, DecideRequest, Decided, Enrol, Enrolled,
};
use sspr_api::paths;

/// The authenticator page's routes (under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/authenticator/config", get(config))
        .route("/v1/authenticator/enrol", post(enrol))
        .route("/v1/authenticator/requests", get(requests))
        .route("/v1/authenticator/requests/{request}", post(decide))
}

/// The device that signed a request for `path` (its API path, as signed).
async fn signed(
    state: &AppState,
    headers: &HeaderMap,
    method: &str,
    path: &str,
    body: &[u8],
) -> Result<DeviceRecord, ApiError> {
    let header = |name: &str| headers.get(name).and_then(|value| value.to_str().ok());
    let call = SignedCall {
        device_id: header(DEVICE_ID_HEADER),
        time: header(DEVICE_TIME_HEADER),
        signature: header(DEVICE_SIGNATURE_HEADER),
        method,
        path,
        body,
    };
    Ok(state.sessions.signed_device(call).await?)
}

/// `GET /api/v1/authenticator/config`.
#[utoipa::path(
    get,
    path = "/api/v1/authenticator/config",
    tag = "authenticator",
    summary = "What the authenticator page needs before it enrols: the VAPID key",
    responses(
        (status = 200, description = "The organisation's name and the server's VAPID public key (`applicationServerKey`)", body = AuthenticatorConfig),
        RateLimited,
    )
)]
pub async fn config(State(state): State<AppState>) -> Json<AuthenticatorConfig> {
    Json(AuthenticatorConfig {
        organisation_name: state.public_config.organisation_name.clone(),
        vapid_public_key: crate::push::vapid_key(&state.services.keys).public_key_base64url(),
    })
}

/// `POST /api/v1/authenticator/enrol`.
#[utoipa::path(
    post,
    path = "/api/v1/authenticator/enrol",
    tag = "authenticator",
    summary = "Enrol the page's key with an enrol link's one-time token",
    description = "The token is the `enrol=` of the link's fragment \
        (`PendingMethod.enrol_url`). It works once, for 15 minutes, while the session that \
        made it lasts. The phone becomes the person's `app_notification` method (replacing \
        their phone), told to their addresses like any new method; from then on its \
        requests are signed: `sspr-device\\n{METHOD}\\n{path}\\n{unix seconds}\\n{sha256 hex \
        of the body}` with ECDSA P-256 SHA-256, raw `r || s`, base64url in \
        `x-device-signature`, with `x-device-id` and `x-device-time`.",
    request_body = Enrol,
    responses(
        (status = 201, description = "Enrolled", body = Enrolled),
        (status = 400, description = "`invalid_request`: malformed body, a key that is not an uncompressed P-256 point, an empty name, or an unusable push subscription (`detail` says which)",
            body = Problem, content_type = "application/problem+json"),
        (status = 403, description = "`method_disabled`: the policy no longer enables app notifications; `forbidden_origin`: sent from another origin",
            body = Problem, content_type = "application/problem+json"),
        (status = 404, description = "`registration_not_found`: no such token, or it was used or expired, or the session that made it ended",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn enrol(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<Enrol>,
) -> Result<(StatusCode, Json<Enrolled>), ApiError> {
    let enrolled = state.sessions.enrol(request).await?;
    Ok((StatusCode::CREATED, Json(enrolled)))
}

/// `GET /api/v1/authenticator/requests`.
#[utoipa::path(
    get,
    path = "/api/v1/authenticator/requests",
    tag = "authenticator",
    summary = "Signed by the device: the approval requests waiting for it",
    params(
        ("x-device-id" = String, Header, description = "`Enrolled.device_id`"),
        ("x-device-time" = u64, Header, description = "Unix seconds the request was signed at (within 120 s of the server's clock)"),
        ("x-device-signature" = String, Header, description = "base64url of the raw ECDSA P-256 SHA-256 signature (64 bytes) over `sspr-device\\nGET\\n/api/v1/authenticator/requests\\n{time}\\n{sha256 hex of the empty body}`"),
    ),
    responses(
        (status = 200, description = "Open requests, newest first: who, from where, when, the three numbers, seconds left", body = ApprovalRequests),
        DeviceNotRecognised,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn requests(
    State(state): State<AppState>,
    headers: HeaderMap,
) -> Result<Json<ApprovalRequests>, ApiError> {
    let device = signed(&state, &headers, "GET", paths::AUTHENTICATOR_REQUESTS, b"").await?;
    Ok(Json(state.reset.device_requests(&device).await?))
}

/// `POST /api/v1/authenticator/requests/{request}`.
#[utoipa::path(
    post,
    path = "/api/v1/authenticator/requests/{request}",
    tag = "authenticator",
    summary = "Signed by the device: approve with the number, deny, or report a request",
    description = "Approving with the portal's number proves the method in the reset; a \
        wrong number, a denial and a report count as failed tries on the account, as a wrong \
        code does. A report (the person did not ask) also tells them by e-mail and stops \
        further prompts from that reset's scope until a password reset or an administrator. \
        A request decided before (a replay), timed out, or another device's is \
        `approval_not_found`; a report is still taken after a denial or a timeout.",
    params(
        ("request" = String, Path, description = "`ApprovalRequest.request_id`"),
        ("x-device-id" = String, Header, description = "`Enrolled.device_id`"),
        ("x-device-time" = u64, Header, description = "Unix seconds the request was signed at (within 120 s of the server's clock)"),
        ("x-device-signature" = String, Header, description = "base64url of the raw ECDSA P-256 SHA-256 signature over `sspr-device\\nPOST\\n/api/v1/authenticator/requests/{request}\\n{time}\\n{sha256 hex of the body}`"),
    ),
    request_body = DecideRequest,
    responses(
        (status = 200, description = "Decided: `approved`, or `not_approved` (a wrong number too)", body = Decided),
        (status = 400, description = "`invalid_request`: malformed body, or an approval without its number",
            body = Problem, content_type = "application/problem+json"),
        DeviceNotRecognised,
        ForbiddenOrigin,
        (status = 404, description = "`approval_not_found`: no such open request of this device (decided, timed out, or another's)",
            body = Problem, content_type = "application/problem+json"),
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn decide(
    State(state): State<AppState>,
    Path(request): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Result<Json<Decided>, ApiError> {
    let path = paths::authenticator_request(&request);
    let device = signed(&state, &headers, "POST", &path, &body).await?;
    let decision: DecideRequest =
        serde_json::from_slice(&body).map_err(|err| ApiError::InvalidRequest(err.to_string()))?;
    Ok(Json(state.reset.decide(&device, &request, decision).await?))
}
