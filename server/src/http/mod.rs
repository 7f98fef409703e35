//! The HTTP surface: `/api/v1/*` (JSON) and the web app's files, with the security
//! headers and the same-origin guard on everything.

mod api_v1;
mod app_files;
pub mod problem;
mod same_origin;
mod security_headers;

use crate::clock::Clock;
use crate::config::Config;
use crate::crypto::keys::ServerKeys;
use crate::store::SqliteStore;
use axum::Router;
use axum::middleware;
use axum::routing::get;
use sspr_api::PublicConfig;
use std::sync::Arc;
use tower_http::trace::{DefaultMakeSpan, DefaultOnResponse, TraceLayer};
use tracing::Level;

/// What the server runs on: its database, its keys and its clock.
#[derive(Clone)]
pub struct Services {
    pub store: SqliteStore,
    pub keys: Arc<ServerKeys>,
    pub clock: Clock,
}

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub public_config: Arc<PublicConfig>,
    pub captcha_max_number: u64,
}

/// The whole application: API, app files and middleware.
pub fn router(config: &Config, services: Services) -> Router {
    let state = AppState {
        services,
        public_config: Arc::new(PublicConfig {
            organisation_name: config.organisation.name.clone(),
            locales: config.organisation.locales.clone(),
            helpdesk_url: config.organisation.helpdesk_url.clone(),
        }),
        captcha_max_number: config.captcha.max_number,
    };
    let api = Router::new()
        .route("/v1/health", get(api_v1::health))
        .route("/v1/config", get(api_v1::config))
        .route("/v1/captcha", get(api_v1::captcha))
        .fallback(problem::api_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(state);
    let origin_policy = Arc::new(same_origin::OriginPolicy {
        public_origin: config.public_origin(),
    });
    let headers = Arc::new(security_headers::SecurityHeaders::from_config(config));
    Router::new()
        .nest("/api", api)
        .fallback_service(app_files::service(config.server.app_dir.clone()))
        .layer(middleware::from_fn_with_state(
            origin_policy,
            same_origin::guard,
        ))
        .layer(middleware::from_fn_with_state(
            headers,
            security_headers::add,
        ))
        .layer(
            TraceLayer::new_for_http()
                .make_span_with(DefaultMakeSpan::new().level(Level::INFO))
                .on_response(DefaultOnResponse::new().level(Level::INFO)),
        )
}
