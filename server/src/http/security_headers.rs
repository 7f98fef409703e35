//! Headers every response carries (docs/SECURITY.md R9): CSP, nosniff, no referrer,
//! caching rules, and HSTS when people reach the server over TLS.

use crate::config::Config;
use axum::extract::{Request, State};
use axum::http::{HeaderName, HeaderValue, header};
use axum::middleware::Next;
use axum::response::Response;
use std::sync::Arc;

/// The header values, computed once from the configuration.
#[derive(Debug, Clone)]
pub struct SecurityHeaders {
    frame_ancestors: String,
    csp: HeaderValue,
    /// The same policy for pages that are never framed, embedding or not.
    top_level_csp: HeaderValue,
    hsts: Option<HeaderValue>,
}

/// Pages that are top-level only, whatever `embedding_origins` allows the portal: the
/// security-info page (a framed sign-in could be clickjacked into changing methods), the
/// authenticator page (a framed approval could be clickjacked) and the "this wasn't me"
/// page.
pub fn top_level_only(path: &str) -> bool {
    path == "/security-info"
        || path.starts_with("/security-info/")
        || path.starts_with("/report/")
        || path == "/authenticator"
        || path.starts_with("/authenticator/")
}

impl SecurityHeaders {
    pub fn from_config(config: &Config) -> SecurityHeaders {
        let frame_ancestors = if config.server.embedding_origins.is_empty() {
            "'none'".to_owned()
        } else {
            config.server.embedding_origins.join(" ")
        };
        SecurityHeaders {
            csp: policy(&frame_ancestors, ""),
            top_level_csp: policy("'none'", ""),
            frame_ancestors,
            hsts: config
                .behind_tls()
                .then(|| HeaderValue::from_static("max-age=63072000; includeSubDomains")),
        }
    }
}

/// The stylesheets a page carries inline (the reset portal's page, `reset_page.rs`), as
/// CSP hash sources (`'sha256-...'`): set on the response, allowed by its policy alone.
/// Never `'unsafe-inline'`.
#[derive(Debug, Clone)]
pub struct InlineStyles(pub Arc<str>);

/// The Content-Security-Policy with `frame_ancestors` and the inline `styles`' hashes.
fn policy(frame_ancestors: &str, styles: &str) -> HeaderValue {
    let styles = if styles.is_empty() {
        String::new()
    } else {
        format!(" {styles}")
    };
    let csp = format!(
        "default-src 'self'; script-src 'self' 'wasm-unsafe-eval'; style-src 'self'{styles}; \
         img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; \
         form-action 'self'; frame-ancestors {frame_ancestors}"
    );
    // Origins were validated at start to contain only URL characters; hashes are base64.
    HeaderValue::from_str(&csp).unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
}

pub async fn add(
    State(headers): State<Arc<SecurityHeaders>>,
    request: Request,
    next: Next,
) -> Response {
    let path = request.uri().path();
    let example = super::example_host::is_example(path);
    let is_api = path.starts_with("/api/");
    let top_level = top_level_only(path);
    let path_is_report = path.starts_with("/report/");
    let form_page = super::same_origin::is_form_page(path);
    let personal = is_api || path_is_report;
    let mut response = next.run(request).await;
    if top_level {
        let h = response.headers_mut();
        h.insert(
            header::CONTENT_SECURITY_POLICY,
            headers.top_level_csp.clone(),
        );
        h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    } else if !example {
        // (The demo's example login page brings the policy a host page needs.)
        let csp = match response.extensions().get::<InlineStyles>() {
            Some(InlineStyles(styles)) => policy(&headers.frame_ancestors, styles),
            None => headers.csp.clone(),
        };
        response
            .headers_mut()
            .insert(header::CONTENT_SECURITY_POLICY, csp);
    }
    let h = response.headers_mut();
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    // The pages with forms (the report page, the demo's phone simulator) post back to
    // themselves: under `no-referrer` browsers send `Origin: null` with them, which the
    // same-origin guard refuses. `same-origin` sends the real origin (and a referrer only
    // to this server).
    let referrer = if form_page {
        "same-origin"
    } else {
        "no-referrer"
    };
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static(referrer));
    if !example {
        // (The example login page keeps the headers of an ordinary login page.)
        h.insert(
            HeaderName::from_static("cross-origin-opener-policy"),
            HeaderValue::from_static("same-origin"),
        );
    }
    h.insert(
        HeaderName::from_static("permissions-policy"),
        HeaderValue::from_static("camera=(), microphone=(), geolocation=(), payment=()"),
    );
    // API answers (and report pages) are personal and short-lived: never stored. The app's files are
    // revalidated on every load so a new release is picked up at once.
    let cache = if personal { "no-store" } else { "no-cache" };
    h.insert(header::CACHE_CONTROL, HeaderValue::from_static(cache));
    if let Some(hsts) = &headers.hsts {
        h.insert(header::STRICT_TRANSPORT_SECURITY, hsts.clone());
    }
    response
}
