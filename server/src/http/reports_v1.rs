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
use crate::session::notices::{self, Language};
use axum::Json;
use axum::Router;
use axum::extract::{Path, State};
use axum::http::StatusCode;
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

/// The page's words in one language.
struct Words {
    title: &'static str,
    changed_at: &'static str,
    if_you: &'static str,
    if_not: &'static str,
    button: &'static str,
    done_title: &'static str,
    done: &'static str,
    already: &'static str,
    reset: &'static str,
    missing_title: &'static str,
    missing: &'static str,
}

fn words(language: Language) -> Words {
    match language {
        Language::English => Words {
            title: "Was this you?",
            changed_at: "When",
            if_you: "If you made this change, you can close this page: nothing changes.",
            if_not: "If it was not you, someone may know your password. Report it: your account is signed out everywhere and its sign-in methods are blocked on the security-info page until you reset your password with a method you still have, or your help desk restores them.",
            button: "This wasn't me: sign out everywhere and block",
            done_title: "Reported",
            done: "Your account is signed out everywhere and its sign-in methods are blocked. Reset your password now with a method you still have, or contact your help desk.",
            already: "This change was already reported.",
            reset: "Reset your password",
            missing_title: "This link does not work",
            missing: "It has expired (links work for 7 days) or is not complete. If you think someone else is using your account, reset your password or contact your help desk.",
        },
        Language::French => Words {
            title: "Était-ce vous ?",
            changed_at: "Quand",
            if_you: "Si vous avez fait cette modification, vous pouvez fermer cette page : rien ne change.",
            if_not: "Si ce n’était pas vous, quelqu’un connaît peut-être votre mot de passe. Signalez-le : toutes les sessions de votre compte sont fermées et ses méthodes de connexion sont bloquées sur la page des informations de sécurité jusqu’à ce que vous réinitialisiez votre mot de passe avec une méthode qui vous reste, ou que votre support informatique les rétablisse.",
            button: "Ce n’était pas moi : tout fermer et bloquer",
            done_title: "Signalé",
            done: "Toutes les sessions de votre compte sont fermées et ses méthodes de connexion sont bloquées. Réinitialisez votre mot de passe maintenant avec une méthode qui vous reste, ou contactez votre support informatique.",
            already: "Cette modification a déjà été signalée.",
            reset: "Réinitialiser votre mot de passe",
            missing_title: "Ce lien ne fonctionne pas",
            missing: "Il a expiré (les liens fonctionnent 7 jours) ou il est incomplet. Si vous pensez que quelqu’un d’autre utilise votre compte, réinitialisez votre mot de passe ou contactez votre support informatique.",
        },
    }
}

/// The page around `content`, in the portal's look (its stylesheet and header).
fn html_page(language: Language, organisation: &str, title: &str, content: &str) -> String {
    format!(
        "<!DOCTYPE html><html lang=\"{}\"><head><meta charset=\"utf-8\">\
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

fn missing(organisation: &str) -> Response {
    let language = Language::English;
    let w = words(language);
    let content = format!(
        "<p class=\"body\">{}</p><p class=\"body\"><a href=\"/\">{}</a></p>",
        w.missing, w.reset
    );
    (
        StatusCode::NOT_FOUND,
        Html(html_page(language, organisation, w.missing_title, &content)),
    )
        .into_response()
}

/// `GET /report/{token}`: what changed, and the button.
pub async fn page(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let organisation = state.reset.organisation().to_owned();
    let (report, language) = match state.sessions.change_report(&token).await {
        Ok(found) => found,
        Err(SessionError::ReportNotFound) => return missing(&organisation),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let w = words(language);
    let (_, what) = notices::describe(language, report.change, report.method_kind, &organisation);
    let mut content = format!(
        "<div class=\"notification\"><p class=\"body-lead\">{}</p>\
         <p class=\"body\">{}: {}</p></div>",
        escape(&what),
        w.changed_at,
        when(report.changed_at)
    );
    if report.reported {
        content.push_str(&format!(
            "<p class=\"body\">{}</p><p class=\"body\"><a href=\"/\">{}</a></p>",
            w.already, w.reset
        ));
    } else {
        content.push_str(&format!(
            "<p class=\"body\">{}</p><p class=\"body\">{}</p>\
             <form method=\"post\"><button class=\"button\" type=\"submit\">{}</button></form>",
            w.if_you, w.if_not, w.button
        ));
    }
    let title = if report.reported {
        w.done_title
    } else {
        w.title
    };
    Html(html_page(language, &organisation, title, &content)).into_response()
}

/// `POST /report/{token}` (the page's form): files the report.
pub async fn page_filed(State(state): State<AppState>, Path(token): Path<String>) -> Response {
    let organisation = state.reset.organisation().to_owned();
    let language = match state.sessions.change_report(&token).await {
        Ok((_, language)) => language,
        Err(SessionError::ReportNotFound) => return missing(&organisation),
        Err(error) => return ApiError::from(error).into_response(),
    };
    let w = words(language);
    let text = match state.sessions.file_report(&token).await {
        Ok(_) => w.done,
        // Filed a moment ago (a second click): the same outcome.
        Err(SessionError::ReportNotFound) => w.already,
        Err(error) => return ApiError::from(error).into_response(),
    };
    let content = format!(
        "<div class=\"panel panel--confirmation\"><p class=\"panel__body\">{text}</p></div>\
         <p class=\"body\"><a class=\"button\" href=\"/\">{}</a></p>",
        w.reset
    );
    Html(html_page(language, &organisation, w.done_title, &content)).into_response()
}

#[cfg(test)]
mod tests {
    #[test]
    fn dates_are_shown_in_utc() {
        assert_eq!(super::when(0), "1970-01-01 00:00 UTC");
        assert_eq!(super::when(1_796_083_200 + 3_723), "2026-12-01 01:02 UTC");
    }
}
