//! `GET /api/v1/openapi.json`: the OpenAPI 3.1 document of `/api/v1`, generated from the
//! contract types (`sspr-api`, feature `openapi`) and the handlers' `#[utoipa::path]`
//! annotations, so it cannot drift from what the server serialises.

use super::error_responses::ServiceUnavailable;
use super::{api_v1, authenticator_v1, registration_v1, reports_v1, reset_v1, session_v1};
use axum::Json;
use sspr_api::dev::DevMessage;
use sspr_api::{ErrorCode, Problem};
use std::sync::LazyLock;
use utoipa::OpenApi;
use utoipa::openapi::OpenApi as Document;

#[derive(OpenApi)]
#[openapi(
    info(
        title = "SSPR API",
        version = env!("CARGO_PKG_VERSION"),
        description = "Self-service password reset. Errors are RFC 9457 problem details \
            (`application/problem+json`) with a stable machine `code`. State-changing requests \
            must be `application/json` and come from the portal's own origin \
            (`forbidden_origin` otherwise). Unknown paths answer 404 `not_found`, known paths \
            with another method 405 `method_not_allowed`.",
        license(name = "MIT OR Apache-2.0"),
    ),
    paths(
        api_v1::health,
        api_v1::config,
        api_v1::captcha,
        document,
        session_v1::sign_in,
        session_v1::current,
        session_v1::sign_out,
        session_v1::prove,
        session_v1::new_proof,
        session_v1::change_password,
        session_v1::methods,
        session_v1::delete_method,
        session_v1::set_default,
        registration_v1::start,
        registration_v1::confirm,
        registration_v1::question_choice,
        registration_v1::set_answers,
        registration_v1::reconfirm,
        registration_v1::prove_with_pass,
        registration_v1::send_contact_code,
        registration_v1::prove_with_contact,
        reports_v1::report,
        reports_v1::file,
        reset_v1::start,
        reset_v1::flow,
        reset_v1::challenge,
        reset_v1::verify,
        reset_v1::password,
        reset_v1::unlock,
        reset_v1::extend,
        reset_v1::approval,
        authenticator_v1::config,
        authenticator_v1::enrol,
        authenticator_v1::requests,
        authenticator_v1::decide,
        dev_outbox,
    ),
    // Everything the paths reference is collected on its own; `ErrorCode` is listed so the
    // error codes have a name of their own even where only `Problem` refers to them.
    components(schemas(Problem, ErrorCode)),
    tags(
        (name = "public", description = "What the app may read before anyone signs in"),
        (name = "reset", description = "The reset flow: start, prove methods, set the password"),
        (name = "security-info", description = "The security-info page: sign in, the session, methods, registration, sign out"),
        (name = "authenticator", description = "The authenticator page on a person's phone: enrolment, then requests signed with its key (app notifications)"),
        (name = "demo", description = "Demo mode only; answers 404 `not_found` otherwise"),
    )
)]
pub struct ApiDoc;

static DOCUMENT: LazyLock<Document> = LazyLock::new(ApiDoc::openapi);

/// `GET /api/v1/openapi.json`.
#[utoipa::path(
    get,
    path = "/api/v1/openapi.json",
    tag = "public",
    summary = "This OpenAPI 3.1 document",
    responses((status = 200, description = "The OpenAPI document of `/api/v1`", body = Object))
)]
pub async fn document() -> Json<&'static Document> {
    Json(&DOCUMENT)
}

/// Documents `GET /api/v1/dev/outbox`, served by `dev_outbox::json` in demo mode only.
#[utoipa::path(
    get,
    path = "/api/v1/dev/outbox",
    tag = "demo",
    summary = "Demo mode only: the newest messages queued, newest first",
    description = "Served only when the server runs in demo mode, so a person can try every \
        method on one machine; otherwise it answers 404 `not_found` like any unknown path.",
    responses(
        (status = 200, description = "Up to 50 messages with their bodies", body = Vec<DevMessage>),
        (status = 404, description = "`not_found`: the server is not in demo mode",
            body = Problem, content_type = "application/problem+json"),
        ServiceUnavailable,
    )
)]
#[allow(dead_code)] // Only its `#[utoipa::path]` is used.
fn dev_outbox() {}
