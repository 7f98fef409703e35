//! Handlers of `/api/v1`.

use super::AppState;
use super::problem::ApiError;
use axum::Json;
use axum::extract::State;
use sspr_api::captcha::CaptchaChallenge;
use sspr_api::health::HealthStatus;
use sspr_api::{Health, PublicConfig};

/// `GET /api/v1/health`: ok only when the database answers.
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.services.store.ping().await?;
    Ok(Json(Health {
        status: HealthStatus::Ok,
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }))
}

/// `GET /api/v1/config`: the organisation's public settings.
pub async fn config(State(state): State<AppState>) -> Json<PublicConfig> {
    Json(PublicConfig::clone(&state.public_config))
}

/// `GET /api/v1/captcha`: a fresh proof-of-work challenge.
pub async fn captcha(State(state): State<AppState>) -> Json<CaptchaChallenge> {
    let services = &state.services;
    Json(crate::captcha::issue(
        &services.keys.captcha,
        state.captcha_max_number,
        services.clock.now(),
    ))
}
