//! The built web app: files from `app_dir`, and the page of each area for its routes so
//! that a reload or a shared link works: `security-info.html` (the security-info page's
//! bundle) at `/security-info`, `index.html` (the reset portal's) everywhere else. The
//! reset portal's page is the server's rendering of `index.html` (`reset_page.rs`).

use super::problem::ApiError;
use super::reset_page::ResetPage;
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
struct AppDir {
    dir: Arc<PathBuf>,
    reset_page: Arc<ResetPage>,
}

/// A service serving `dir`, falling back to its `index.html` for app routes (`/` and
/// the reset portal's routes get `reset_page`). Files are compressed (brotli or gzip, as
/// the browser accepts): they are static, so compression cannot leak anything (API
/// responses, which carry secrets, are never compressed).
pub fn service(dir: PathBuf, reset_page: Arc<ResetPage>) -> Router {
    let state = AppDir {
        dir: Arc::new(dir.clone()),
        reset_page,
    };
    let fallback = Router::new()
        .fallback(get(index_for_app_route))
        .with_state(state.clone());
    Router::new()
        .route("/", get(index_for_app_route))
        .route("/index.html", get(index_for_app_route))
        .with_state(state)
        .fallback_service(ServeDir::new(dir).precompressed_br().fallback(fallback))
        .layer(CompressionLayer::new())
}

/// Kinds of files worth compressing ahead of time.
const COMPRESSIBLE: [&str; 7] = ["html", "js", "wasm", "css", "svg", "txt", "json"];

/// Writes `NAME.br` (brotli, best quality) beside each compressible file of `dir` that has
/// none or an older one, so browsers get the smallest transfer at no cost per request.
/// Returns how many were written. A folder that cannot be written to is left as it is
/// (files are then compressed on the fly, less tightly). Folders inside (`locales/`) are
/// done too.
pub fn precompress(dir: &std::path::Path) -> std::io::Result<usize> {
    let mut written = 0;
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        if path.is_dir() {
            written += precompress(&path)?;
            continue;
        }
        let compressible = path
            .extension()
            .and_then(|e| e.to_str())
            .is_some_and(|e| COMPRESSIBLE.contains(&e));
        if !compressible || !path.is_file() {
            continue;
        }
        let mut target = path.clone().into_os_string();
        target.push(".br");
        let target = PathBuf::from(target);
        let modified = |p: &std::path::Path| std::fs::metadata(p).and_then(|m| m.modified()).ok();
        if let (Some(source), Some(existing)) = (modified(&path), modified(&target))
            && existing >= source
        {
            continue;
        }
        let output = brotli_best(&std::fs::read(&path)?)?;
        // Written aside, then renamed: a half-written file is never served.
        // One partial file per process: servers started together never share one.
        let mut partial = target.clone().into_os_string();
        partial.push(format!(".{}.partial", std::process::id()));
        std::fs::write(&partial, &output)?;
        std::fs::rename(&partial, &target)?;
        written += 1;
    }
    Ok(written)
}

/// `input` compressed with brotli at its best quality (the app's files ahead of time,
/// the reset portal's page once per language).
pub fn brotli_best(input: &[u8]) -> std::io::Result<Vec<u8>> {
    let mut output = Vec::with_capacity(input.len() / 3);
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 22,
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &input[..], &mut output, &params)?;
    Ok(output)
}

/// The HTML file of the area an app route belongs to.
pub fn area_page(path: &str) -> &'static str {
    let path = path.trim_end_matches('/').to_ascii_lowercase();
    if path == "/security-info" || path.starts_with("/security-info/") {
        "security-info.html"
    } else if path == "/authenticator" || path.starts_with("/authenticator/") {
        "authenticator.html"
    } else {
        "index.html"
    }
}

async fn index_for_app_route(
    State(AppDir { dir, reset_page }): State<AppDir>,
    request: Request,
) -> Response {
    let path = request.uri().path();
    if path == "/api" || path.starts_with("/api/") {
        // Never answer an API client with the app's HTML.
        return ApiError::NotFound.into_response();
    }
    let last_segment = path.rsplit('/').next().unwrap_or_default();
    if last_segment.contains('.') && path != "/index.html" {
        // A missing asset, not an app route: a plain 404 rather than HTML in its place.
        return (StatusCode::NOT_FOUND, "not found\n").into_response();
    }
    let page = area_page(path.trim_end_matches("index.html"));
    if page == "index.html"
        && let Some(response) = reset_page.respond(request.uri(), request.headers())
    {
        return response;
    }
    match tokio::fs::read_to_string(dir.join(page)).await {
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
