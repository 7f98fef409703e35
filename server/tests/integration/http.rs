//! In-process HTTP tests of the server: routes, problem details, security headers, the
//! same-origin guard and the app's files.

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use axum::Router;
use axum::body::Body;
use axum::http::{Request, Response, StatusCode, header};
use base64::Engine as _;
use http_body_util::BodyExt;
use sha2::Digest as _;
use sspr_server::config::Config;
use sspr_server::http::router;
use tower::ServiceExt;

/// A file large and repetitive enough to be worth compressing.
const BIG_JS: &str = concat!(
    "export const rules = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules2 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules3 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules4 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules5 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules6 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules7 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules8 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules9 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules10 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules11 = [\"be at least 8 characters long\", \"not be common\"];\n",
    "export const rules12 = [\"be at least 8 characters long\", \"not be common\"];\n",
);

struct TestServer {
    _dir: tempfile::TempDir,
    app: Router,
}

/// A built app's folder in `dir`: the two areas' pages, a small script and a big one.
fn app_dir(dir: &tempfile::TempDir) -> std::path::PathBuf {
    let app_dir = dir.path().join("dist");
    std::fs::create_dir(&app_dir).unwrap();
    std::fs::write(
        app_dir.join("index.html"),
        "<!DOCTYPE html><title>app</title>",
    )
    .unwrap();
    std::fs::write(
        app_dir.join("security-info.html"),
        "<!DOCTYPE html><title>security info</title>",
    )
    .unwrap();
    std::fs::write(app_dir.join("sspr-app.js"), "export default 1;").unwrap();
    std::fs::write(app_dir.join("big.js"), BIG_JS).unwrap();
    app_dir
}

fn server_on(dir: tempfile::TempDir, app_dir: std::path::PathBuf, config_toml: &str) -> TestServer {
    let mut config = Config::parse(config_toml).unwrap();
    config.server.app_dir = app_dir;
    TestServer {
        app: router(&config, services(&dir)),
        _dir: dir,
    }
}

fn server_with(config_toml: &str) -> TestServer {
    let dir = tempfile::tempdir().unwrap();
    let app_dir = app_dir(&dir);
    server_on(dir, app_dir, config_toml)
}

use crate::harness::services;

fn server() -> TestServer {
    server_with("")
}

async fn send(server: &TestServer, request: Request<Body>) -> Response<Body> {
    server.app.clone().oneshot(request).await.unwrap()
}

async fn get(server: &TestServer, path: &str) -> Response<Body> {
    send(server, Request::get(path).body(Body::empty()).unwrap()).await
}

async fn body_text(response: Response<Body>) -> String {
    let bytes = response.into_body().collect().await.unwrap().to_bytes();
    String::from_utf8(bytes.to_vec()).unwrap()
}

async fn body_json(response: Response<Body>) -> serde_json::Value {
    serde_json::from_str(&body_text(response).await).unwrap()
}

fn header_of<'a>(response: &'a Response<Body>, name: &str) -> &'a str {
    response
        .headers()
        .get(name)
        .unwrap_or_else(|| panic!("missing header {name}"))
        .to_str()
        .unwrap()
}

#[tokio::test]
async fn health_is_ok_when_the_database_answers() {
    let server = server();
    let response = get(&server, "/api/v1/health").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, "content-type"), "application/json");
    let json = body_json(response).await;
    assert_eq!(json["status"], "ok");
    assert_eq!(json["version"], env!("CARGO_PKG_VERSION"));
}

#[tokio::test]
async fn config_comes_from_the_toml_file() {
    let server = server_with(
        r#"
        [organisation]
        name = "Fabrikam"
        locales = ["fr", "en"]
        helpdesk_url = "https://help.fabrikam.example"
        "#,
    );
    let json = body_json(get(&server, "/api/v1/config").await).await;
    assert_eq!(json["organisation_name"], "Fabrikam");
    assert_eq!(json["locales"], serde_json::json!(["fr", "en"]));
    assert_eq!(json["helpdesk_url"], "https://help.fabrikam.example");
}

#[tokio::test]
async fn unknown_api_paths_are_problem_documents() {
    let server = server();
    for path in ["/api/v1/nope", "/api/v2/health", "/api", "/api/"] {
        let response = get(&server, path).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{path}");
        assert_eq!(
            header_of(&response, "content-type"),
            "application/problem+json",
            "{path}"
        );
        let json = body_json(response).await;
        assert_eq!(json["code"], "not_found", "{path}");
        assert_eq!(json["status"], 404, "{path}");
        assert_eq!(json["type"], "urn:sspr:problem:not_found", "{path}");
    }
}

#[tokio::test]
async fn wrong_method_is_a_problem_document() {
    let server = server();
    let response = send(
        &server,
        Request::delete("/api/v1/health")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
    assert_eq!(body_json(response).await["code"], "method_not_allowed");
}

#[tokio::test]
async fn app_routes_get_their_areas_page() {
    let server = server();
    for path in [
        "/security-info",
        "/security-info/",
        "/Security-Info/methods",
    ] {
        let response = get(&server, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            body_text(response)
                .await
                .contains("<title>security info</title>"),
            "{path}: the security-info page's own bundle"
        );
    }
    for path in ["/", "/reset", "/anything/else", "/security-information"] {
        let response = get(&server, path).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert!(
            header_of(&response, "content-type").starts_with("text/html"),
            "{path}"
        );
        assert!(
            body_text(response).await.contains("<title>app</title>"),
            "{path}"
        );
    }
}

/// The reset portal's page is the server's rendering of index.html: its first step on
/// screen before any script, in the language asked for, with the organisation's name
/// (docs/ARCHITECTURE.md, "First load").
#[tokio::test]
async fn the_reset_page_comes_with_its_first_step_filled_in_in_the_persons_language() {
    let dir = tempfile::tempdir().unwrap();
    let app_dir = app_dir(&dir);
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/..");
    std::fs::copy(format!("{root}/index.html"), app_dir.join("index.html")).unwrap();
    std::fs::create_dir_all(app_dir.join("locales/reset")).unwrap();
    for tag in ["en", "de"] {
        std::fs::copy(
            format!("{root}/locales/{tag}.json"),
            app_dir.join(format!("locales/reset/{tag}.json")),
        )
        .unwrap();
    }
    let german: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(format!("{root}/locales/de.json")).unwrap())
            .unwrap();
    let server = server_on(dir, app_dir, "[organisation]\nname = \"Fabrikam <GmbH>\"\n");
    let page = |path: &str, language: &str| {
        Request::get(path)
            .header(header::ACCEPT_LANGUAGE, language)
            .body(Body::empty())
            .unwrap()
    };
    for path in ["/", "/index.html", "/reset"] {
        let response = send(&server, page(path, "de-DE,de;q=0.9,en;q=0.8")).await;
        assert_eq!(response.status(), StatusCode::OK, "{path}");
        assert_eq!(header_of(&response, "content-language"), "de", "{path}");
        assert!(
            header_of(&response, "vary").contains("accept-language"),
            "{path}"
        );
        let body = body_text(response).await;
        assert!(
            body.contains("<html lang=\"de\" dir=\"ltr\">"),
            "{path}: {body}"
        );
        for key in ["title", "intro_single"] {
            let text = german["reset"][key].as_str().unwrap();
            assert!(body.contains(text), "{path}: no {key} ({text}) in {body}");
        }
        assert!(body.contains(">Fabrikam &lt;GmbH&gt;</span>"), "{path}");
        assert!(
            body.contains("<div id=\"first-step\" data-locale=\"de\">"),
            "{path}"
        );
    }
    // The organisation's settings are in the page, as the API gives them.
    let body = body_text(send(&server, page("/", "de")).await).await;
    let marker = "<script type=\"application/json\" id=\"sspr-config\">";
    let start = body.find(marker).expect("the configuration in the page") + marker.len();
    let json = &body[start..start + body[start..].find("</script>").unwrap()];
    let in_page: serde_json::Value = serde_json::from_str(json).unwrap();
    assert_eq!(
        in_page,
        body_json(get(&server, "/api/v1/config").await).await
    );
    assert!(!json.contains('<'), "{json}");
    // The theme's stylesheet is in the page, allowed by its hash alone.
    let response = send(&server, page("/", "de")).await;
    let csp = header_of(&response, "content-security-policy").to_owned();
    let body = body_text(response).await;
    let start = body.find("<style>").expect("the theme inline") + "<style>".len();
    let css = &body[start..start + body[start..].find("</style>").unwrap()];
    assert!(css.contains("--colour-brand"), "{css}");
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(css));
    assert!(
        csp.contains(&format!("style-src 'self' 'sha256-{hash}';")),
        "{csp}"
    );
    assert!(!csp.contains("unsafe-inline"), "{csp}");
    // Off the first step the step is hidden; the security-info page is its own.
    let body = body_text(send(&server, page("/?step=method-m1", "de")).await).await;
    assert!(body.contains("id=\"first-step\" hidden"), "{body}");
    let body = body_text(send(&server, page("/security-info", "de")).await).await;
    assert!(body.contains("<title>security info</title>"), "{body}");
    // Compressed for browsers that take it: the page as rendered once, at brotli's best;
    // with a user filled in, on the way out.
    for path in ["/", "/?user=adele"] {
        let response = send(
            &server,
            Request::get(path)
                .header(header::ACCEPT_ENCODING, "gzip, br")
                .header(header::ACCEPT_LANGUAGE, "de")
                .body(Body::empty())
                .unwrap(),
        )
        .await;
        assert_eq!(header_of(&response, "content-encoding"), "br", "{path}");
        let body = response.into_body().collect().await.unwrap().to_bytes();
        let mut html = Vec::new();
        brotli::BrotliDecompress(&mut body.as_ref(), &mut html).unwrap();
        let html = String::from_utf8(html).unwrap();
        let title = german["reset"]["title"].as_str().unwrap();
        assert!(html.contains(title), "{path}: {html}");
        assert_eq!(html.contains("value=\"adele\""), path.contains("adele"));
    }
}

#[tokio::test]
async fn assets_are_served_and_missing_assets_are_404() {
    let server = server();
    let response = get(&server, "/sspr-app.js").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert!(header_of(&response, "content-type").contains("javascript"));
    let response = get(&server, "/missing.js").await;
    assert_eq!(response.status(), StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn unbuilt_app_gets_an_explanation_not_a_blank_page() {
    let dir = tempfile::tempdir().unwrap();
    let mut config = Config::default();
    config.server.app_dir = dir.path().join("no-such-dist");
    let server = TestServer {
        app: router(&config, services(&dir)),
        _dir: dir,
    };
    let response = get(&server, "/").await;
    assert_eq!(response.status(), StatusCode::SERVICE_UNAVAILABLE);
    assert!(body_text(response).await.contains("has not been built"));
    // The API still works.
    assert_eq!(
        get(&server, "/api/v1/health").await.status(),
        StatusCode::OK
    );
}

/// docs/SECURITY.md R9: every response carries the CSP and the other headers.
#[tokio::test]
async fn every_response_carries_the_security_headers() {
    let server = server();
    for path in [
        "/",
        "/sspr-app.js",
        "/api/v1/health",
        "/api/v1/nope",
        "/missing.js",
    ] {
        let response = get(&server, path).await;
        let csp = header_of(&response, "content-security-policy");
        for directive in [
            "script-src 'self' 'wasm-unsafe-eval'",
            "object-src 'none'",
            "base-uri 'none'",
            "frame-ancestors 'none'",
        ] {
            assert!(csp.contains(directive), "{path}: {csp} lacks {directive}");
        }
        assert!(!csp.contains("unsafe-inline"), "{path}: {csp}");
        assert_eq!(header_of(&response, "x-content-type-options"), "nosniff");
        assert_eq!(header_of(&response, "referrer-policy"), "no-referrer");
        assert!(
            response
                .headers()
                .get("strict-transport-security")
                .is_none(),
            "no HSTS over plain HTTP"
        );
    }
}

#[tokio::test]
async fn api_responses_are_never_stored_and_app_files_are_revalidated() {
    let server = server();
    for path in ["/api/v1/health", "/api/v1/config", "/api/v1/nope"] {
        let response = get(&server, path).await;
        assert_eq!(header_of(&response, "cache-control"), "no-store", "{path}");
    }
    let response = get(&server, "/").await;
    assert_eq!(header_of(&response, "cache-control"), "no-cache");
}

#[tokio::test]
async fn embedding_origins_and_tls_shape_the_headers() {
    let server = server_with(
        r#"
        [server]
        public_url = "https://sspr.contoso.example"
        embedding_origins = ["https://login.contoso.example", "https://intranet.contoso.example"]
        "#,
    );
    let response = get(&server, "/").await;
    let csp = header_of(&response, "content-security-policy");
    assert!(
        csp.contains(
            "frame-ancestors https://login.contoso.example https://intranet.contoso.example"
        ),
        "{csp}"
    );
    assert!(header_of(&response, "strict-transport-security").contains("max-age="));
    // The security-info page and the report page are never framed, embedding or not.
    for path in ["/security-info", "/security-info/methods", "/report/0123"] {
        let response = get(&server, path).await;
        let csp = header_of(&response, "content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'"), "{path}: {csp}");
        assert!(!csp.contains("login.contoso.example"), "{path}: {csp}");
        assert_eq!(header_of(&response, "x-frame-options"), "DENY", "{path}");
    }
}

#[tokio::test]
async fn a_return_url_the_app_will_drop_is_logged_when_its_page_is_served() {
    let (log, _guard) = crate::reset::CapturedLog::capture(tracing::Level::WARN);
    let server = server_with("[server]\nembedding_origins = [\"https://login.contoso.example\"]");
    let logged = || log.text();
    for kept in [
        "/?return=%2Flogin",
        "/?return=https%3A%2F%2Flogin.contoso.example%2Fsignin",
        "/?return=http%3A%2F%2F127.0.0.1%3A8080%2Fx",
        "/?user=adele",
    ] {
        let request = Request::get(kept)
            .header(header::HOST, "127.0.0.1:8080")
            .body(Body::empty())
            .unwrap();
        assert_eq!(
            send(&server, request).await.status(),
            StatusCode::OK,
            "{kept}"
        );
        assert_eq!(logged(), "", "{kept}");
    }
    let response = get(&server, "/reset?return=https%3A%2F%2Fevil.example%2Flogin").await;
    assert_eq!(response.status(), StatusCode::OK);
    let log = logged();
    assert!(
        log.contains("WARN") && log.contains("dropped") && log.contains("https://evil.example"),
        "{log}"
    );
}

#[tokio::test]
async fn the_theme_is_served_as_css_custom_properties_with_its_dark_scheme() {
    let server = server_with("[theme]\nbrand = \"#6b2c91\"\nradius = \"6px\"");
    let response = get(&server, "/theme.css").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(
        header_of(&response, "content-type"),
        "text/css; charset=utf-8"
    );
    let css = body_text(response).await;
    assert!(css.contains("--colour-brand: #6b2c91;"), "{css}");
    assert!(css.contains("--radius: 6px;"), "{css}");
    assert!(css.contains("@media (prefers-color-scheme: dark)"), "{css}");
    assert!(css.contains(":root[data-theme=\"dark\"]"), "{css}");
}

/// A POST to the default listen address (`host` in `extra` names another).
fn post(path: &str, content_type: &str, extra: &[(&str, &str)]) -> Request<Body> {
    let mut builder = Request::post(path).header(header::CONTENT_TYPE, content_type);
    if !extra
        .iter()
        .any(|(name, _)| name.eq_ignore_ascii_case("host"))
    {
        builder = builder.header(header::HOST, "127.0.0.1:8080");
    }
    for (name, value) in extra {
        builder = builder.header(*name, *value);
    }
    builder.body(Body::from("{}")).unwrap()
}

/// docs/SECURITY.md R8: state-changing requests need JSON and a same-origin Origin.
#[tokio::test]
async fn cross_origin_state_changes_are_refused() {
    let server = server();
    for headers in [
        &[("origin", "https://evil.example")][..],
        &[("origin", "null")],
        &[("origin", "http://127.0.0.1:9999")],
        &[("sec-fetch-site", "cross-site")],
        &[
            ("sec-fetch-site", "same-site"),
            ("origin", "http://127.0.0.1:8080"),
        ],
    ] {
        let response = send(&server, post("/api/v1/health", "application/json", headers)).await;
        assert_eq!(response.status(), StatusCode::FORBIDDEN, "{headers:?}");
        assert_eq!(body_json(response).await["code"], "forbidden_origin");
    }
}

#[tokio::test]
async fn non_json_state_changes_are_refused() {
    let server = server();
    for content_type in [
        "text/plain",
        "application/x-www-form-urlencoded",
        "multipart/form-data; boundary=x",
    ] {
        let request = post(
            "/api/v1/health",
            content_type,
            &[("origin", "http://127.0.0.1:8080")],
        );
        let response = send(&server, request).await;
        assert_eq!(
            response.status(),
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            "{content_type}"
        );
        assert_eq!(body_json(response).await["code"], "unsupported_media_type");
    }
}

#[tokio::test]
async fn same_origin_json_requests_pass_the_guard() {
    let server = server();
    let request = post(
        "/api/v1/health",
        "application/json; charset=utf-8",
        &[
            ("origin", "http://127.0.0.1:8080"),
            ("sec-fetch-site", "same-origin"),
        ],
    );
    // The guard lets it through; the router then says health is GET-only.
    let response = send(&server, request).await;
    assert_eq!(response.status(), StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn configured_public_origin_is_the_only_accepted_origin() {
    let server = server_with("[server]\npublic_url = \"https://sspr.contoso.example\"");
    let foreign = post(
        "/api/v1/health",
        "application/json",
        &[("origin", "http://127.0.0.1:8080")],
    );
    assert_eq!(send(&server, foreign).await.status(), StatusCode::FORBIDDEN);
    let own = post(
        "/api/v1/health",
        "application/json",
        &[
            ("origin", "https://sspr.contoso.example"),
            ("host", "sspr.contoso.example"),
        ],
    );
    assert_eq!(
        send(&server, own).await.status(),
        StatusCode::METHOD_NOT_ALLOWED
    );
}

fn get_for_host(path: &str, host: &str) -> Request<Body> {
    Request::get(path)
        .header(header::HOST, host)
        .body(Body::empty())
        .unwrap()
}

/// DNS rebinding: a hostile name pointed at the server still arrives in `Host`, and only
/// the server's own hosts are served (421 otherwise, as a problem document).
#[tokio::test]
async fn requests_for_another_host_are_misdirected_and_the_configured_host_is_served() {
    let server = server();
    for path in ["/api/v1/health", "/", "/api/v1/captcha", "/sspr-app.js"] {
        let response = send(&server, get_for_host(path, "evil.example:8080")).await;
        assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST, "{path}");
        assert_eq!(
            header_of(&response, "content-type"),
            "application/problem+json"
        );
        assert!(
            header_of(&response, "content-security-policy").contains("default-src"),
            "security headers on refusals too"
        );
        let json = body_json(response).await;
        assert_eq!(json["status"], 421);
        assert_eq!(json["code"], "forbidden_origin");
    }
    for host in ["127.0.0.1:8080", "localhost:8080", "[::1]:8080"] {
        let response = send(&server, get_for_host("/api/v1/health", host)).await;
        assert_eq!(response.status(), StatusCode::OK, "{host}");
    }
    let response = send(&server, get_for_host("/api/v1/health", "127.0.0.1:9999")).await;
    assert_eq!(response.status(), StatusCode::MISDIRECTED_REQUEST);

    let public = server_with(
        "[server]\npublic_url = \"https://sspr.contoso.example\"\nallowed_hosts = [\"sspr.intranet:8443\"]",
    );
    for (host, status) in [
        ("sspr.contoso.example", StatusCode::OK),
        ("SSPR.contoso.example:443", StatusCode::OK),
        ("sspr.intranet:8443", StatusCode::OK),
        ("127.0.0.1:8080", StatusCode::MISDIRECTED_REQUEST),
        ("evil.example:8080", StatusCode::MISDIRECTED_REQUEST),
    ] {
        let response = send(&public, get_for_host("/api/v1/health", host)).await;
        assert_eq!(response.status(), status, "{host}");
    }
}

/// A rebound page's Origin matches its own Host; the guard compares with the server's
/// configured origins instead.
#[tokio::test]
async fn an_origin_matching_a_foreign_host_is_still_cross_origin() {
    let server = server();
    let request = post(
        "/api/v1/health",
        "application/json",
        &[
            ("host", "evil.example:8080"),
            ("origin", "http://evil.example:8080"),
            ("sec-fetch-site", "same-origin"),
        ],
    );
    let response = send(&server, request).await;
    assert!(
        [StatusCode::FORBIDDEN, StatusCode::MISDIRECTED_REQUEST].contains(&response.status()),
        "{}",
        response.status()
    );
    assert_eq!(body_json(response).await["code"], "forbidden_origin");
}

/// A demo server's dev outbox, asked by `peer` (`None`: no known peer).
async fn dev_outbox_from(path: &str, peer: Option<&str>) -> Response<Body> {
    let dir = tempfile::tempdir().unwrap();
    let app_dir = app_dir(&dir);
    let mut config = Config::parse("").unwrap();
    config.server.app_dir = app_dir;
    let mut services = services(&dir);
    services.demo = true;
    let server = TestServer {
        app: router(&config, services),
        _dir: dir,
    };
    let mut request = Request::get(path).body(Body::empty()).unwrap();
    if let Some(peer) = peer {
        let peer: std::net::SocketAddr = peer.parse().unwrap();
        request
            .extensions_mut()
            .insert(axum::extract::ConnectInfo(peer));
    }
    send(&server, request).await
}

/// The dev outbox shows every code: loopback peers only, by the TCP peer address; others
/// (and requests without a known peer) get what a missing route gives.
#[tokio::test]
async fn the_dev_outbox_answers_loopback_peers_only() {
    for peer in ["127.0.0.1:40000", "[::1]:40000", "[::ffff:127.0.0.1]:40000"] {
        let response = dev_outbox_from("/api/v1/dev/outbox", Some(peer)).await;
        assert_eq!(response.status(), StatusCode::OK, "{peer}");
        assert_eq!(body_json(response).await, serde_json::json!([]));
        let page = dev_outbox_from("/dev/outbox", Some(peer)).await;
        assert_eq!(page.status(), StatusCode::OK, "{peer}");
        assert!(body_text(page).await.contains("Dev outbox"));
    }
    let missing_page = body_text(dev_outbox_from("/dev/no-such-page", None).await).await;
    for peer in [Some("192.0.2.7:40000"), Some("[2001:db8::1]:40000"), None] {
        let response = dev_outbox_from("/api/v1/dev/outbox", peer).await;
        assert_eq!(response.status(), StatusCode::NOT_FOUND, "{peer:?}");
        assert_eq!(body_json(response).await["code"], "not_found");
        let page = dev_outbox_from("/dev/outbox", peer).await;
        let text = body_text(page).await;
        assert!(!text.contains("Dev outbox"), "{peer:?}: {text}");
        assert_eq!(
            text, missing_page,
            "the app's page, as for any unknown route"
        );
    }
}

/// docs/SECURITY.md R7: the CAPTCHA is a signed, expiring proof-of-work challenge.
#[tokio::test]
async fn captcha_challenges_are_fresh_signed_and_expiring() {
    let server = server_with("[captcha]\nmax_number = 5000");
    let response = get(&server, "/api/v1/captcha").await;
    assert_eq!(response.status(), StatusCode::OK);
    assert_eq!(header_of(&response, "cache-control"), "no-store");
    let challenge: sspr_api::captcha::CaptchaChallenge =
        serde_json::from_value(body_json(response).await).unwrap();
    assert_eq!(challenge.algorithm, "SHA-256");
    assert_eq!(challenge.max_number, 5000);
    assert_eq!(challenge.challenge.len(), 64);
    assert_eq!(challenge.signature.len(), 64);
    assert_eq!(
        sspr_api::captcha::salt_expiry(&challenge.salt),
        Some(1_800_000_000 + sspr_server::captcha::LIFETIME_SECONDS)
    );
    let number = sspr_server::captcha::solve(&challenge).expect("solvable");
    assert!(number <= 5000);
    let again: sspr_api::captcha::CaptchaChallenge =
        serde_json::from_value(body_json(get(&server, "/api/v1/captcha").await).await).unwrap();
    assert_ne!(again.challenge, challenge.challenge);
    assert_ne!(again.salt, challenge.salt);
}

/// A CAPTCHA request as if it came from `peer`, through proxies that wrote `forwarded`.
async fn captcha_from(server: &TestServer, peer: &str, forwarded: Option<&str>) -> Response<Body> {
    let mut request = Request::get("/api/v1/captcha");
    if let Some(forwarded) = forwarded {
        request = request.header("x-forwarded-for", forwarded);
    }
    let mut request = request.body(Body::empty()).unwrap();
    let peer: std::net::SocketAddr = format!("{peer}:40000").parse().unwrap();
    request
        .extensions_mut()
        .insert(axum::extract::ConnectInfo(peer));
    send(server, request).await
}

#[tokio::test]
async fn one_address_over_its_allowance_gets_429_with_retry_after_and_others_do_not() {
    let server =
        server_with("[server]\nrequests_per_ip_per_minute = 10\ntrusted_proxies = [\"10.0.0.1\"]");
    for _ in 0..10 {
        assert_eq!(
            captcha_from(&server, "198.51.100.7", None).await.status(),
            StatusCode::OK
        );
    }
    let refused = captcha_from(&server, "198.51.100.7", None).await;
    assert_eq!(refused.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = header_of(&refused, "retry-after").parse().unwrap();
    assert!((1..=60).contains(&wait), "{wait}");
    let problem = body_json(refused).await;
    assert_eq!(problem["code"], "rate_limited");
    assert_eq!(problem["retry_after_seconds"], wait);
    // Another address is not affected; the health check is never limited.
    assert_eq!(
        captcha_from(&server, "198.51.100.8", None).await.status(),
        StatusCode::OK
    );
    assert_eq!(
        get(&server, "/api/v1/health").await.status(),
        StatusCode::OK
    );

    // A client cannot escape its limit by writing X-Forwarded-For itself...
    assert_eq!(
        captcha_from(&server, "198.51.100.7", Some("203.0.113.1"))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    // ...but clients behind a trusted proxy are told apart by what the proxy forwarded.
    for _ in 0..10 {
        assert_eq!(
            captcha_from(&server, "10.0.0.1", Some("203.0.113.50"))
                .await
                .status(),
            StatusCode::OK
        );
    }
    assert_eq!(
        captcha_from(&server, "10.0.0.1", Some("203.0.113.50"))
            .await
            .status(),
        StatusCode::TOO_MANY_REQUESTS
    );
    assert_eq!(
        captcha_from(&server, "10.0.0.1", Some("203.0.113.51"))
            .await
            .status(),
        StatusCode::OK
    );
}

#[tokio::test]
async fn app_files_are_compressed_for_browsers_that_accept_it_and_api_answers_never_are() {
    let server = server();
    let request = |path: &str, encoding: Option<&str>| {
        let mut request = Request::get(path);
        if let Some(encoding) = encoding {
            request = request.header(header::ACCEPT_ENCODING, encoding);
        }
        request.body(Body::empty()).unwrap()
    };
    let brotli = send(&server, request("/big.js", Some("br, gzip"))).await;
    assert_eq!(brotli.status(), StatusCode::OK);
    assert_eq!(header_of(&brotli, "content-encoding"), "br");
    let compressed = brotli.into_body().collect().await.unwrap().to_bytes();
    assert!(
        compressed.len() < BIG_JS.len() / 4,
        "{} bytes",
        compressed.len()
    );
    let gzip = send(&server, request("/big.js", Some("gzip"))).await;
    assert_eq!(header_of(&gzip, "content-encoding"), "gzip");
    // Without Accept-Encoding, the file as it is.
    let plain = send(&server, request("/big.js", None)).await;
    assert!(plain.headers().get("content-encoding").is_none());
    assert_eq!(body_text(plain).await, BIG_JS);
    // API answers carry secrets: never compressed (BREACH).
    let api = send(&server, request("/api/v1/health", Some("br, gzip"))).await;
    assert!(api.headers().get("content-encoding").is_none());
}

#[tokio::test]
async fn precompressed_app_files_are_written_once_and_served_to_brotli_browsers() {
    let dir = tempfile::tempdir().unwrap();
    let app_dir = app_dir(&dir);
    std::fs::write(app_dir.join("photo.png"), [0u8; 64]).unwrap();
    let written = sspr_server::http::app_files::precompress(&app_dir).unwrap();
    assert_eq!(
        written, 4,
        "the two pages and the two scripts, not the image"
    );
    assert!(!app_dir.join("photo.png.br").exists());
    // Up to date: nothing to do the second time.
    assert_eq!(
        sspr_server::http::app_files::precompress(&app_dir).unwrap(),
        0
    );

    let server = server_on(dir, app_dir.clone(), "");
    let response = send(
        &server,
        Request::get("/big.js")
            .header(header::ACCEPT_ENCODING, "gzip, br")
            .body(Body::empty())
            .unwrap(),
    )
    .await;
    assert_eq!(header_of(&response, "content-encoding"), "br");
    let body = response.into_body().collect().await.unwrap().to_bytes();
    assert_eq!(
        body.as_ref(),
        std::fs::read(app_dir.join("big.js.br")).unwrap()
    );
    let mut decoded = Vec::new();
    brotli::BrotliDecompress(&mut body.as_ref(), &mut decoded).unwrap();
    assert_eq!(decoded, BIG_JS.as_bytes());
}
