//! Handlers of `/api/v1`.

use super::AppState;
use super::error_responses::{RateLimited, ServiceUnavailable};
use super::problem::ApiError;
use crate::people::People;
use crate::store::UpkeepStore;
use axum::extract::State;
use axum::routing::get;
use axum::{Json, Router};
use sspr_api::captcha::CaptchaChallenge;
use sspr_api::health::{DirectoryHealth, HealthStatus};
use sspr_api::{Health, PublicConfig};

/// What anyone may read (under `/api`): health and the public configuration.
pub fn routes() -> Router<AppState> {
    Router::new()
        .route("/v1/health", get(health))
        .route("/v1/config", get(config))
}

/// What anyone may ask for, held to the per-address ceiling: CAPTCHA challenges.
pub fn limited_routes() -> Router<AppState> {
    Router::new().route("/v1/captcha", get(captcha))
}

/// `GET /api/v1/health`: ok only when the database answers; degraded when only the LDAP
/// directory does not.
#[utoipa::path(
    get,
    path = "/api/v1/health",
    tag = "public",
    summary = "Liveness, database and directory reachability",
    responses(
        (status = 200, description = "The server can serve requests", body = Health),
        ServiceUnavailable,
    )
)]
pub async fn health(State(state): State<AppState>) -> Result<Json<Health>, ApiError> {
    state.services.store.ping().await?;
    let directory = match &state.services.people {
        People::Embedded => None,
        people => Some(match people.health().await {
            Ok(()) => DirectoryHealth::Ok,
            Err(failure) => {
                tracing::warn!(%failure, "health: the directory does not answer");
                DirectoryHealth::Unreachable
            }
        }),
    };
    Ok(Json(Health {
        status: match directory {
            Some(DirectoryHealth::Unreachable) => HealthStatus::Degraded,
            _ => HealthStatus::Ok,
        },
        version: env!("CARGO_PKG_VERSION").to_owned(),
        directory,
    }))
}

/// `GET /api/v1/config`: the organisation's public settings.
#[utoipa::path(
    get,
    path = "/api/v1/config",
    tag = "public",
    summary = "The organisation's public configuration (name, locales, help desk)",
    responses((status = 200, description = "Nothing here is secret", body = PublicConfig))
)]
pub async fn config(State(state): State<AppState>) -> Json<PublicConfig> {
    Json(PublicConfig::clone(&state.public_config))
}

/// `GET /api/v1/captcha`: a fresh proof-of-work challenge.
#[utoipa::path(
    get,
    path = "/api/v1/captcha",
    tag = "public",
    summary = "A fresh proof-of-work CAPTCHA challenge",
    responses(
        (status = 200, description = "Solve it and send the solution with the form that needs it",
            body = CaptchaChallenge),
        RateLimited,
    )
)]
pub async fn captcha(State(state): State<AppState>) -> Json<CaptchaChallenge> {
    let services = &state.services;
    Json(crate::captcha::issue(
        &services.keys.captcha,
        state.captcha_max_number,
        services.clock.now(),
    ))
}
