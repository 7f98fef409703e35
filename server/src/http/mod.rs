//! The HTTP surface: `/api/v1/*` (JSON) and the web app's files, with the security
//! headers, the host guard (DNS rebinding) and the same-origin guard on everything.

pub(crate) mod accept;
mod api_v1;
pub mod app_files;
mod authenticator_v1;
mod client_ip;
mod dev_outbox;
mod dev_phone;
mod error_responses;
pub mod example_host;
pub mod host_guard;
pub(crate) mod html;
mod ip_limit;
mod json;
mod openapi;
pub mod problem;
mod registration_v1;
mod reports_v1;
mod reset_page;
mod reset_v1;
mod return_urls;
mod same_origin;
mod security_headers;
mod session_v1;

use crate::config::Config;
use crate::reset::ResetService;
use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::middleware;
use axum::routing::{get, post};
use sspr_api::{MethodKind, PublicConfig};
use std::num::NonZeroU32;
use std::sync::Arc;
use tower_http::trace::{DefaultOnResponse, TraceLayer};
use tracing::Level;

pub use crate::services::Services;
pub use client_ip::AddressBlock;

/// The largest request body the API reads. Every request fits in far less (a password is at
/// most 128 characters); a bigger body is refused before any flow is looked up or any
/// password normalised (docs/SECURITY.md, enumeration).
pub const MAX_BODY_BYTES: usize = 8 * 1024;

/// What every handler can reach.
#[derive(Clone)]
pub struct AppState {
    pub services: Services,
    pub reset: ResetService,
    pub sessions: crate::session::SessionService,
    pub public_config: Arc<PublicConfig>,
    pub captcha_max_number: u64,
}

/// The whole application: API, app files and middleware. `config.server.listen` is the
/// address actually bound (its port names the loopback hosts when no host is configured).
pub fn router(config: &Config, services: Services) -> Router {
    let policy = Arc::new(config.policy.clone());
    let reset = services.reset(Arc::clone(&policy), &config.organisation.name);
    // Links in notices point at the published origin (demo mode: this machine, or its
    // HTTPS address on the network).
    let public_base = config.link_origin();
    let sessions = crate::session::SessionService {
        phone_region: crate::phone::number::region(&config.phone.default_region)
            .unwrap_or(phonenumber::country::Id::US),
        ..services.sessions(policy, reset.clone(), &public_base)
    };
    let demo = services.demo;
    let state = AppState {
        services,
        reset,
        sessions,
        public_config: Arc::new(PublicConfig {
            organisation_name: config.organisation.name.clone(),
            locales: config.organisation.locales.clone(),
            helpdesk_url: config.organisation.helpdesk_url.clone(),
            sign_in_url: config.organisation.sign_in_url.clone(),
            methods_required: config.policy.methods_required,
            custom_questions: config.policy.security_questions.custom_questions(),
            phone_channels: if config.policy.methods.contains(&MethodKind::MobilePhone) {
                config.policy.phone.mobile_channels.clone()
            } else {
                Vec::new()
            },
            embedding_origins: config.server.embedding_origins.clone(),
        }),
        captcha_max_number: config.captcha.max_number,
    };
    // What one client address may ask of per minute (docs/SECURITY.md R2).
    let limiter = Arc::new(ip_limit::IpLimiter::new(
        NonZeroU32::new(config.server.requests_per_ip_per_minute).unwrap_or(NonZeroU32::MIN),
        config
            .server
            .trusted_proxies
            .iter()
            .filter_map(|block| AddressBlock::parse(block))
            .collect(),
    ));
    // Each area's routes are its own; what anyone can ask of without an account is held
    // to the per-address ceiling.
    let limited = api_v1::limited_routes()
        .merge(reset_v1::routes())
        .merge(session_v1::routes())
        .merge(registration_v1::routes())
        .merge(reports_v1::routes())
        .merge(authenticator_v1::routes())
        .route_layer(middleware::from_fn_with_state(limiter, ip_limit::guard));
    let mut api = api_v1::routes()
        .route("/v1/openapi.json", get(openapi::document))
        .merge(limited);
    let mut pages = reports_v1::pages();
    // The organisation's theme, checked when the configuration was read.
    let theme: Arc<str> = crate::theme::Theme::new(&config.theme)
        .map(|theme| theme.css().into())
        .unwrap_or_else(|_| "".into());
    // The reset portal's page in every language, rendered once (docs/ARCHITECTURE.md,
    // "First load").
    let reset_page = Arc::new(reset_page::ResetPage::load(
        &config.server.app_dir,
        &reset_page::Organisation {
            config: &state.public_config,
            theme_css: &theme,
        },
    ));
    if demo {
        // Anyone but a loopback peer gets what they would get without demo mode.
        let api_missing = Router::new().fallback(problem::api_not_found);
        let page_missing =
            app_files::service(config.server.app_dir.clone(), Arc::clone(&reset_page));
        api = api.route(
            "/v1/dev/outbox",
            get(dev_outbox::json).layer(middleware::from_fn_with_state(
                api_missing,
                dev_outbox::loopback_only,
            )),
        );
        pages = pages.route(
            "/dev/outbox",
            get(dev_outbox::page).layer(middleware::from_fn_with_state(
                page_missing.clone(),
                dev_outbox::loopback_only,
            )),
        );
        if state.services.demo_phone.is_some() {
            api = api.route(
                "/v1/dev/phone",
                get(dev_phone::json).layer(middleware::from_fn_with_state(
                    Router::new().fallback(problem::api_not_found),
                    dev_outbox::loopback_only,
                )),
            );
            pages = pages
                .route(
                    "/dev/phone",
                    get(dev_phone::page).layer(middleware::from_fn_with_state(
                        page_missing.clone(),
                        dev_outbox::loopback_only,
                    )),
                )
                .route(
                    "/dev/phone/calls/{id}/{action}",
                    post(dev_phone::act).layer(middleware::from_fn_with_state(
                        page_missing,
                        dev_outbox::loopback_only,
                    )),
                );
        }
        // The example login page embedding the portal from another site (loopback only).
        if config.server.listen.ip().is_loopback() {
            pages = pages.merge(example_host::routes(config.server.listen.port()));
        }
    }
    // The telephony provider's callbacks: server-to-server form posts, outside the
    // browser guards (same origin, JSON, host), authenticated by the provider's signature.
    let telephony = match &state.services.phone {
        Some(phone) => {
            let sink: Arc<dyn crate::phone::CallSink> = Arc::new(state.reset.clone());
            match phone.callbacks(sink) {
                Some(callbacks) => {
                    Router::new().nest(&format!("/telephony/{}", phone.name()), callbacks)
                }
                None => Router::new(),
            }
        }
        None => Router::new(),
    };
    let api = api
        .layer(DefaultBodyLimit::max(MAX_BODY_BYTES))
        .fallback(problem::api_not_found)
        .method_not_allowed_fallback(problem::method_not_allowed)
        .with_state(state.clone());
    let pages = pages.with_state(state);
    let host_policy = Arc::new(host_guard::HostPolicy::from_config(config));
    let headers = Arc::new(security_headers::SecurityHeaders::from_config(config));
    let guarded = Router::new()
        .nest("/api", api)
        .merge(pages)
        .route("/theme.css", get(theme_css).with_state(theme))
        .fallback_service(
            app_files::service(config.server.app_dir.clone(), reset_page).layer(
                middleware::from_fn_with_state(
                    Arc::new(config.server.embedding_origins.clone()),
                    return_urls::log_dropped,
                ),
            ),
        )
        .layer(middleware::from_fn_with_state(
            Arc::clone(&host_policy),
            host_guard::guard,
        ))
        .layer(middleware::from_fn_with_state(
            host_policy,
            same_origin::guard,
        ))
        .layer(middleware::from_fn_with_state(
            headers,
            security_headers::add,
        ));
    telephony.merge(guarded).layer(
        TraceLayer::new_for_http()
            .make_span_with(|request: &axum::extract::Request| {
                // The path without ids (flow ids are handles on a reset): never the
                // full URI, whose query could carry anything.
                tracing::info_span!(
                    "request",
                    method = %request.method(),
                    path = %log_path(request.uri().path()),
                )
            })
            .on_response(DefaultOnResponse::new().level(Level::INFO)),
    )
}

/// A request path as it may be logged: every segment that looks like an id or a token (16
/// or more hex digits) replaced with `{id}`, so flow ids never reach a log line
/// (docs/SECURITY.md, flow binding).
pub fn log_path(path: &str) -> String {
    path.split('/')
        .map(|segment| {
            // Ids, tokens, and a call's reference (`{flow}-{method}-{code}`).
            let token_like = segment.bytes().filter(u8::is_ascii_hexdigit).count() >= 16
                && segment
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || b == b'-');
            if segment.len() >= 16 && token_like {
                "{id}"
            } else {
                segment
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// `GET /theme.css`: the organisation's theme as CSS custom properties (crate::theme).
async fn theme_css(
    axum::extract::State(css): axum::extract::State<Arc<str>>,
) -> axum::response::Response {
    use axum::response::IntoResponse;
    (
        [(axum::http::header::CONTENT_TYPE, "text/css; charset=utf-8")],
        css.to_string(),
    )
        .into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn logged_paths_carry_no_ids() {
        assert_eq!(
            super::log_path("/api/v1/reset/flows/0123456789abcdef0123456789abcdef/password"),
            "/api/v1/reset/flows/{id}/password"
        );
        assert_eq!(
            super::log_path("/api/v1/reset/flows/0123456789ABCDEF0123/methods/m1/verify"),
            "/api/v1/reset/flows/{id}/methods/m1/verify"
        );
        assert_eq!(
            super::log_path(
                "/telephony/twilio/calls/0123456789abcdef0123456789abcdef-m2-12345678901234567890/gather"
            ),
            "/telephony/twilio/calls/{id}/gather"
        );
        assert_eq!(super::log_path("/security-info"), "/security-info");
        assert_eq!(super::log_path("/sspr-app_bg.wasm"), "/sspr-app_bg.wasm");
        assert_eq!(
            super::log_path("/common-passwords.txt"),
            "/common-passwords.txt"
        );
    }
}
