//! Handlers of `/api/v1/reset/*`: thin wrappers over [`crate::reset::ResetService`].

use super::AppState;
use super::json::JsonBody;
use super::problem::ApiError;
use axum::Json;
use axum::extract::{Path, State};
use axum::http::StatusCode;
use sspr_api::reset::{Challenge, NewPassword, Proof, ResetDone, ResetFlow, StartReset};

/// Flow ids are 32 lowercase hex digits; anything else cannot name a flow.
fn flow_id(raw: &str) -> Result<&str, ApiError> {
    if raw.len() == 32 && raw.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        Ok(raw)
    } else {
        Err(crate::reset::ResetError::FlowNotFound.into())
    }
}

/// `POST /api/v1/reset/flows`.
pub async fn start(
    State(state): State<AppState>,
    JsonBody(request): JsonBody<StartReset>,
) -> Result<(StatusCode, Json<ResetFlow>), ApiError> {
    let flow = state.reset.start(request).await?;
    Ok((StatusCode::CREATED, Json(flow)))
}

/// `GET /api/v1/reset/flows/{flow}`.
pub async fn flow(
    State(state): State<AppState>,
    Path(flow): Path<String>,
) -> Result<Json<ResetFlow>, ApiError> {
    Ok(Json(state.reset.get(flow_id(&flow)?).await?))
}

/// `POST /api/v1/reset/flows/{flow}/methods/{method}/challenge`.
pub async fn challenge(
    State(state): State<AppState>,
    Path((flow, method)): Path<(String, String)>,
) -> Result<Json<Challenge>, ApiError> {
    Ok(Json(state.reset.challenge(flow_id(&flow)?, &method).await?))
}

/// `POST /api/v1/reset/flows/{flow}/methods/{method}/verify`.
pub async fn verify(
    State(state): State<AppState>,
    Path((flow, method)): Path<(String, String)>,
    JsonBody(proof): JsonBody<Proof>,
) -> Result<Json<ResetFlow>, ApiError> {
    Ok(Json(
        state.reset.verify(flow_id(&flow)?, &method, proof).await?,
    ))
}

/// `POST /api/v1/reset/flows/{flow}/password`.
pub async fn password(
    State(state): State<AppState>,
    Path(flow): Path<String>,
    JsonBody(body): JsonBody<NewPassword>,
) -> Result<Json<ResetDone>, ApiError> {
    Ok(Json(
        state
            .reset
            .set_password(flow_id(&flow)?, &body.password)
            .await?,
    ))
}
