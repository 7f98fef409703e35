//! "This wasn't me" links (`session::reports`): the JSON API (`/api/v1/reports/{token}`)
//! and the page a notice's link opens (`/report/{token}`), rendered here in the person's
//! language so that it works from any mail client without the app. `GET` only shows what
//! changed and asks (mail scanners open links); the page's form posts back to itself
//! (same origin only, like every state-changing request).

use super::AppState;
use super::error_responses::{
    ForbiddenOrigin, RateLimited, ServiceUnavailable, UnsupportedMediaType,
};
use super::html::escape;
use super::json::JsonBody;
use super::problem::ApiError;
use crate::session::SessionError;
use crate::session::notices;
use crate::texts::{Language, message};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{Html, IntoResponse, Response};
use axum::routing::get;
use sspr_api::Problem;
use sspr_api::session::{ChangeReport, ReportDone};

/// The JSON routes (under `/api`).
pub fn routes() -> Router<AppState> {
    Router::new().route("/v1/reports/{token}", get(report).post(file))
}

/// The page routes.
pub fn pages() -> Router<AppState> {
    Router::new().route("/report/{token}", get(page).post(page_filed))
}

/// `GET /api/v1/reports/{token}`.
#[utoipa::path(
    get,
    path = "/api/v1/reports/{token}",
    tag = "security-info",
    summary = "What a notice's \"this wasn't me\" link is about (nothing changes)",
    params(("token" = String, Path, description = "The token of the link in the notice")),
    responses(
        (status = 200, description = "The change the notice told of", body = ChangeReport),
        (status = 404, description = "`report_not_found`: no such link, or it expired",
            body = Problem, content_type = "application/problem+json"),
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn report(
    State(state): State<AppState>,
    Path(token): Path<String>,
) -> Result<Json<ChangeReport>, ApiError> {
    Ok(Json(state.sessions.change_report(&token).await?.0))
}

/// `POST /api/v1/reports/{token}`.
#[utoipa::path(
    post,
    path = "/api/v1/reports/{token}",
    tag = "security-info",
    summary = "Report the change as not the person's (\"this wasn't me\")",
    description = "Once per link: signs every session of the person out, closes the \
        security-info page to them (sign-in answers `account_blocked`) and suspends a \
        method the change added or changed (never offered in a reset). A password reset \
        with their other methods, or an administrator, restores the page.",
    params(("token" = String, Path, description = "The token of the link in the notice")),
    request_body = Object,
    responses(
        (status = 200, description = "Reported", body = ReportDone),
        (status = 404, description = "`report_not_found`: no such link, it expired, or it was used",
            body = Problem, content_type = "application/problem+json"),
        ForbiddenOrigin,
        UnsupportedMediaType,
        RateLimited,
        ServiceUnavailable,
    )
)]
pub async fn file(
    State(state): State<AppState>,
    Path(token): Path<String>,
    JsonBody(_): JsonBody<serde_json::Value>,
) -> Result<Json<ReportDone>, ApiError> {
    Ok(Json(state.sessions.file_report(&token).await?))
}

/// The page around `content`, in the portal's look (its stylesheet and header).
fn html_page(language: Language, organisation: &str, title: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\" dir=\"{}\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\">\
         <link rel=\"stylesheet\" href=\"/main.css\">\
         <link rel=\"stylesheet\" href=\"/theme.css\">\
         <title>{title} - {organisation}</title></head><body>\
         <header class=\"site-header\"><div class=\"site-header__inner\">\
         <p class=\"site-header__brand\"><span class=\"site-header__organisation\">\
         {organisation}</span></p></div></header>\
         <main id=\"main\" class=\"page\"><h1 class=\"heading-xl\">{title}</h1>{content}</main>\
         </body></html>",
        language.tag(),
        if language.is_rtl() { "rtl" } else { "ltr" },
        title = escape(title),
        organisation = escape(organisation),
    )
}

/// A date as the page shows it (UTC).
fn when(unix: u64) -> String {
    let days = (unix / 86400) as i64;
    // Civil from days (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let seconds = unix % 86400;
    format!(
        "{year:04}-{month:02}-{day:02} {:02}:{:02} UTC",
        seconds / 3600,
        seconds / 60 % 60
    )
}

/// The page of a link that does not work, in the language the browser asks for (there is
/// no report to tell the person's).
fn missing(organisation: &str, headers: &HeaderMap) -> Response {
    let language = Language::of_request(headers).unwrap_or_default();
    let content = format!(
        "<p class=\"body\">{}</p><p class=\"body\"><a href=\"/\">{}</a></p>",
        escape(&message!(language, report_page.missing)),
        escape(&message!(language, report_page.reset)),
    );
    let title = message!(language, report_page.missing_title);
    (
        StatusCode::NOT_FOUND,
        Html(html_page(language, organisation, &title, &content)),
    )
        .into_response()
}

/// `GET /report/{token}`: what changed, and the button.
pub async fn page(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let organisation = state.reset.organisation().to_owned();
    let (report, language) = match state.sessions.change_report(&token).await {
        Ok(found) => found,
        Err(SessionError::ReportNotFound) => return missing(&organisation, &headers),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let (_, what) = notices::describe(language, report.change, report.method_kind, &organisation);
    let mut content = format!(
        "<div class=\"notification\"><p class=\"body-lead\">{}</p>\
         <p class=\"body\">{}: {}</p></div>",
        escape(&what),
        escape(&message!(language, report_page.changed_at)),
        when(report.changed_at)
    );
    let reset = escape(&message!(language, report_page.reset));
    if report.reported {
        content.push_str(&format!(
            "<p class=\"body\">{}</p><p class=\"body\"><a href=\"/\">{reset}</a></p>",
            escape(&message!(language, report_page.already)),
        ));
    } else {
        content.push_str(&format!(
            "<p class=\"body\">{}</p><p class=\"body\">{}</p>\
             <form method=\"post\"><button class=\"button\" type=\"submit\">{}</button></form>",
            escape(&message!(language, report_page.if_you)),
            escape(&message!(language, report_page.if_not)),
            escape(&message!(language, report_page.button)),
        ));
    }
    let title = if report.reported {
        message!(language, report_page.done_title)
    } else {
        message!(language, report_page.title)
    };
    Html(html_page(language, &organisation, &title, &content)).into_response()
}

/// `POST /report/{token}` (the page's form): files the report.
pub async fn page_filed(
    State(state): State<AppState>,
    Path(token): Path<String>,
    headers: HeaderMap,
) -> Response {
    let organisation = state.reset.organisation().to_owned();
    let language = match state.sessions.change_report(&token).await {
        Ok((_, language)) => language,
        Err(SessionError::ReportNotFound) => return missing(&organisation, &headers),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let text = match state.sessions.file_report(&token).await {
        Ok(_) => message!(language, report_page.done),
        // Filed a moment ago (a second click): the same outcome.
        Err(SessionError::ReportNotFound) => message!(language, report_page.already),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let content = format!(
        "<div class=\"panel panel--confirmation\"><p class=\"panel__body\">{}</p></div>\
         <p class=\"body\"><a class=\"button\" href=\"/\">{}</a></p>",
        escape(&text),
        escape(&message!(language, report_page.reset)),
    );
    let title = message!(language, report_page.done_title);
    Html(html_page(language, &organisation, &title, &content)).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_are_shown_in_utc() {
        assert_eq!(super::when(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::when(1_796_083_200 + 3_723), "2026-12-01 01:02 UTC");
    }

    #[test]
    fn the_page_is_in_the_language_and_its_direction() {
        let page = html_page(Language::of(Some("he")), "Contoso <IT>", "כותרת", "");
        assert!(page.contains("<html lang=\"he\" dir=\"rtl\">"), "{page}");
        assert!(page.contains("Contoso &lt;IT&gt;"), "{page}");
        let page = html_page(Language::ENGLISH, "Contoso", "Was this you?", "");
        assert!(page.contains("<html lang=\"en\" dir=\"ltr\">"), "{page}");
    }

    #[tokio::test]
    async fn a_missing_report_is_told_in_the_browsers_language() {
        let mut headers = HeaderMap::new();
        headers.insert("accept-language", "sv, ja;q=0.9, en;q=0.5".parse().unwrap());
        let response = missing("Contoso", &headers);
        assert_eq!(response.status(), StatusCode::NOT_FOUND);
        let body = http_body_util::BodyExt::collect(response.into_body())
            .await
            .unwrap()
            .to_bytes();
        let html = String::from_utf8(body.to_vec()).unwrap();
        assert!(html.contains("<html lang=\"ja\" dir=\"ltr\">"), "{html}");
        let japanese = message!(Language::of(Some("ja")), report_page.missing_title);
        assert!(html.contains(&japanese), "{html}");
    }
}
