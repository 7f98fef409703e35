//! CSRF defence (docs/SECURITY.md R8): a state-changing request must be JSON and must
//! come from the portal's own origin.
//!
//! Browsers send `Origin` on every cross-origin and every non-GET request, and
//! `Sec-Fetch-Site` on all requests; either one naming another site is refused. A request
//! with neither comes from a non-browser client, where CSRF does not apply.
//!
//! The accepted origins are the server's configured ones ([`HostPolicy`]), never whatever
//! the request's own `Host` says (a rebound name would match itself).

use super::host_guard::HostPolicy;
use super::problem::ApiError;
use axum::extract::{Request, State};
use axum::http::{HeaderMap, Method, header};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

pub async fn guard(
    State(policy): State<Arc<HostPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let method = request.method();
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return next.run(request).await;
    }
    if !same_origin(&policy, request.headers()) {
        tracing::warn!(method = %method, path = %super::log_path(request.uri().path()), "refused cross-origin request");
        return ApiError::ForbiddenOrigin.into_response();
    }
    let has_body = matches!(*method, Method::POST | Method::PUT | Method::PATCH);
    if has_body && !is_json(request.headers()) && !is_page_form(&request) {
        return ApiError::UnsupportedMediaType.into_response();
    }
    next.run(request).await
}

fn same_origin(policy: &HostPolicy, headers: &HeaderMap) -> bool {
    if let Some(site) = headers.get("sec-fetch-site")
        && site.as_bytes() != b"same-origin"
    {
        return false;
    }
    let Some(origin) = headers.get(header::ORIGIN) else {
        return true;
    };
    origin
        .to_str()
        .is_ok_and(|origin| policy.allows_origin(origin))
}

/// The pages the server renders itself post plain forms (they work without the app), and
/// they alone may: the "this wasn't me" page (`/report/{token}`, from any mail client's
/// browser) and demo mode's phone simulator (`/dev/phone/...`, loopback only). They still
/// have to come from the portal's own origin.
const FORM_PAGES: [&str; 2] = ["/report/", "/dev/phone"];

/// Whether `path` is one of the pages that post plain forms (their own, back to them).
pub fn is_form_page(path: &str) -> bool {
    FORM_PAGES.iter().any(|page| path.starts_with(page))
}

fn is_page_form(request: &Request) -> bool {
    is_form_page(request.uri().path())
        && request
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.split(';').next())
            .is_some_and(|media| {
                media
                    .trim()
                    .eq_ignore_ascii_case("application/x-www-form-urlencoded")
            })
}

fn is_json(headers: &HeaderMap) -> bool {
    headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.split(';').next())
        .is_some_and(|media| media.trim().eq_ignore_ascii_case("application/json"))
}
