//! `?return=` on the portal's page (link mode, README "Embedding"): the app follows it at
//! the end only when it is a path of this site or a URL of this site or of one of
//! `[server] embedding_origins`, and drops anything else. The app cannot tell the operator,
//! so the server logs a dropped one when it serves the page (a misconfigured login page,
//! or someone trying to use the portal to send people elsewhere).

use axum::extract::{Query, Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::Response;
use std::collections::HashMap;
use std::sync::Arc;

/// Whether the app follows `raw` from a page served to `host` (the `Host` header, over
/// either scheme) under the allowed `origins`: the app's own rule.
pub fn followed(raw: &str, host: Option<&str>, origins: &[String]) -> bool {
    let own = |scheme: &str| host.map(|h| format!("{scheme}://{h}")).unwrap_or_default();
    ["http", "https"]
        .iter()
        .any(|scheme| sspr_api::return_url::is_followed(raw, &own(scheme), origins))
}

/// Logs a `?return=` of a portal page that the app will drop.
pub async fn log_dropped(
    State(origins): State<Arc<Vec<String>>>,
    request: Request,
    next: Next,
) -> Response {
    let page = crate::http::app_files::area_page(request.uri().path()) == "index.html";
    if page
        && let Ok(Query(query)) = Query::<HashMap<String, String>>::try_from_uri(request.uri())
        && let Some(raw) = query.get("return")
    {
        let host = request
            .headers()
            .get(header::HOST)
            .and_then(|h| h.to_str().ok());
        if !followed(raw, host, &origins) {
            let origin =
                crate::config::origin_of(raw).unwrap_or_else(|| "(not an http URL)".into());
            tracing::warn!(
                return_origin = %origin,
                "a ?return= URL outside [server] embedding_origins was dropped"
            );
        }
    }
    next.run(request).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_same_rule_as_the_app() {
        let origins = ["https://login.contoso.example".to_owned()];
        let host = Some("sspr.contoso.example");
        for ok in [
            "/",
            "/login?next=1",
            "https://login.contoso.example",
            "https://login.contoso.example/signin?x=1",
            "https://sspr.contoso.example/x",
        ] {
            assert!(followed(ok, host, &origins), "{ok}");
        }
        for bad in [
            "//evil.example/",
            "/\\evil.example",
            "https://evil.example/",
            "https://login.contoso.example.evil.example/",
            "https://login.contoso.example@evil.example/",
            "javascript:alert(1)",
            "/\t/evil.example",
        ] {
            assert!(!followed(bad, host, &origins), "{bad}");
        }
    }
}
