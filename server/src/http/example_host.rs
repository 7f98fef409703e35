//! The demo's example login page of an organisation embedding SSPR
//! (`examples/host-login/`, README "Embedding"), at `/example-host/`. It is meant to be
//! opened at `http://localhost:PORT/example-host/` while it embeds the portal from
//! `http://127.0.0.1:PORT`: another site, as a real login page and portal are (another
//! port alone would be the same site, hiding cookie and storage partitioning). It carries
//! the Content-Security-Policy such a page needs to load the widget.

use axum::Router;
use axum::http::{HeaderValue, header};
use axum::response::{IntoResponse, Response};
use axum::routing::get;

const PAGE: &str = include_str!("../../../examples/host-login/index.html");
const STYLE: &str = include_str!("../../../examples/host-login/host.css");
const SCRIPT: &str = include_str!("../../../examples/host-login/host.js");

/// The origins of the example: the login page's and the portal's, on this port.
pub fn origins(port: u16) -> (String, String) {
    (
        format!("http://localhost:{port}"),
        format!("http://127.0.0.1:{port}"),
    )
}

/// The policy a login page embedding the portal from `portal` needs: the widget's script
/// and frame from the portal's origin, nothing else from it.
pub fn host_page_csp(portal: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' {portal}; frame-src {portal}; \
         style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'"
    )
}

/// The example's routes for a server on `port`.
pub fn routes<S: Clone + Send + Sync + 'static>(port: u16) -> Router<S> {
    let (host, portal) = origins(port);
    let page = PAGE
        .replace("{{PORTAL}}", &portal)
        .replace("{{HOST}}", &host);
    let csp = HeaderValue::from_str(&host_page_csp(&portal))
        .unwrap_or_else(|_| HeaderValue::from_static("default-src 'self'"));
    let file = |kind: &'static str, body: &'static str| {
        move || async move { ([(header::CONTENT_TYPE, kind)], body).into_response() }
    };
    Router::new()
        .route(
            "/example-host/",
            get(move || async move {
                let mut response: Response = (
                    [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                    page.clone(),
                )
                    .into_response();
                response
                    .headers_mut()
                    .insert(header::CONTENT_SECURITY_POLICY, csp.clone());
                response
            }),
        )
        .route(
            "/example-host/host.css",
            get(file("text/css; charset=utf-8", STYLE)),
        )
        .route(
            "/example-host/host.js",
            get(file("text/javascript; charset=utf-8", SCRIPT)),
        )
}

/// Whether `path` is the example's: it keeps its own policy.
pub fn is_example(path: &str) -> bool {
    path.starts_with("/example-host/")
}
