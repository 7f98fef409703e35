//! The built web app: files from `app_dir`, and `index.html` for the app's own routes
//! (`/security-info`, ...) so that a reload or a shared link works.

use super::problem::ApiError;
use axum::Router;
use axum::extract::{Request, State};
use axum::http::{StatusCode, header};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use std::path::PathBuf;
use std::sync::Arc;
use tower_http::compression::CompressionLayer;
use tower_http::services::ServeDir;

#[derive(Debug, Clone)]
struct AppDir(Arc<PathBuf>);

/// A service serving `dir`, falling back to its `index.html` for app routes. Files are
/// compressed (brotli or gzip, as the browser accepts): they are static, so compression
/// cannot leak anything (API responses, which carry secrets, are never compressed).
pub fn service(dir: PathBuf) -> Router {
    let fallback = Router::new()
        .fallback(get(index_for_app_route))
        .with_state(AppDir(Arc::new(dir.clone())));
    Router::new()
        .fallback_service(ServeDir::new(dir).fallback(fallback))
        .layer(CompressionLayer::new())
}

async fn index_for_app_route(State(AppDir(dir)): State<AppDir>, request: Request) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        // Never answer an API client with the app's HTML.
        return ApiError::NotFound.into_response();
    }
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') {
        // A missing asset, not an app route: a plain 404 rather than HTML in its place.
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    match tokio::fs::read_to_string(dir.join("index.html")).await {
        Ok(html) => Html(html).into_response(),
        Err(err) => {
            tracing::error!(app_dir = %dir.display(), error = %err, "the web app is not built");
            (
                StatusCode::SERVICE_UNAVAILABLE,
                [(header::CONTENT_TYPE, "text/html; charset=utf-8")],
                NOT_BUILT_PAGE,
            )
                .into_response()
        }
    }
}

const NOT_BUILT_PAGE: &str = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
<title>Web app not built</title></head><body><h1>The web app has not been built</h1>\
<p>The server is running, but it found no <code>index.html</code> in its app folder. \
Run <code>./sspr.sh start</code> from the repository, or <code>trunk build --release</code> \
and start the server with <code>--app-dir dist</code>.</p></body></html>";
