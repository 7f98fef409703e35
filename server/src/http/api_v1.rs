//! Handlers of `/api/v1`.

use super::AppState;
use super::problem::ApiError;
use axum::Json;
use axum::extract::State;
use sspr_api::health::HealthStatus;
use sspr_api::{Health, PublicConfig};

/// `GET /api/v1/health`: ok only when the database answers.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.store.ping().await?;
    Ok(Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

/// `GET /api/v1/config`: the organisation's public settings.
pub async fn config(State(state): State<AppState>) -> Json<PublicConfig> {
    Json(PublicConfig::clone(&state.public_config))
}
