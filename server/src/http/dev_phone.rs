//! Demo mode's phone simulator: `GET /dev/phone` (a page that refreshes itself), `GET
//! /api/v1/dev/phone` (JSON), and the buttons of a ringing call, `POST
//! /dev/phone/calls/{id}/{answer|press-hash|hang-up}` (plain forms, then back to the
//! page). Every text, WhatsApp message and call of the demo provider lands here. It shows
//! every code, so, like the dev outbox, it answers loopback peers only.

use super::AppState;
use super::html::escape;
use super::problem::ApiError;
use crate::phone::demo::{CallAction, CallState, DemoPhone};
use axum::Json;
use axum::extract::{Path, State};
use axum::response::{Html, IntoResponse, Redirect, Response};
use sspr_api::dev::DevPhoneItem;
use std::sync::Arc;

fn simulator(state: &AppState) -> Result<&Arc<DemoPhone>, ApiError> {
    state.services.demo_phone.as_ref().ok_or(ApiError::NotFound)
}

pub async fn json(State(state): State<AppState>) -> Result<Json<Vec<DevPhoneItem>>, ApiError> {
    Ok(Json(simulator(&state)?.items()))
}

/// A button of a call; back to the page whatever it did (the page shows the state).
pub async fn act(
    State(state): State<AppState>,
    Path((id, action)): Path<(u64, String)>,
) -> Result<Response, ApiError> {
    let action = CallAction::parse(&action).ok_or(ApiError::NotFound)?;
    simulator(&state)?.act(id, action).await;
    Ok(Redirect::to("/dev/phone").into_response())
}

fn state_label(state: CallState) -> &'static str {
    match state {
        CallState::Ringing => "Ringing",
        CallState::Answered => "Answered: press # to confirm",
        CallState::Confirmed => "Confirmed (# pressed)",
        CallState::NotConfirmed => "# pressed, but the call was not live any more",
        CallState::HungUp => "Hung up",
    }
}

fn channel_label(channel: &str) -> &'static str {
    match channel {
        "sms" => "Text message",
        "whatsapp" => "WhatsApp",
        "voice" => "Voice call (code read out)",
        "call" => "Call (answer and press #)",
        _ => "Message",
    }
}

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let items = simulator(&state)?.items();
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"3\">\
         <title>Phone simulator - SSPR demo</title></head><body><main>\
         <h1>Phone simulator</h1><p>Demo mode: every text, WhatsApp message and call the \
         server sends arrives here instead of on a phone, newest first. This page \
         refreshes every 3 seconds.</p>",
    );
    if items.is_empty() {
        html.push_str("<p>Nothing yet.</p>");
    }
    for item in items {
        html.push_str(&format!(
            "<article id=\"item-{id}\" data-channel=\"{channel}\"><h2>{label}</h2>\
             <p>To: {to}</p><blockquote>{text}</blockquote>",
            id = item.id,
            channel = escape(&item.channel),
            label = channel_label(&item.channel),
            to = escape(&item.to),
            text = escape(&item.text),
        ));
        if let Some(call) = item.call {
            html.push_str(&format!(
                "<p class=\"call-state\" data-state=\"{:?}\">{}</p>",
                call,
                state_label(call)
            ));
            let buttons: &[(&str, &str)] = match call {
                CallState::Ringing => &[
                    ("answer", "Answer"),
                    ("press-hash", "Press #"),
                    ("hang-up", "Hang up"),
                ],
                CallState::Answered => &[("press-hash", "Press #"), ("hang-up", "Hang up")],
                _ => &[],
            };
            for (action, label) in buttons {
                html.push_str(&format!(
                    "<form method=\"post\" action=\"/dev/phone/calls/{}/{action}\">\
                     <button type=\"submit\" data-action=\"{action}\">{label}</button></form>",
                    item.id
                ));
            }
        }
        html.push_str("</article>");
    }
    html.push_str("</main></body></html>");
    Ok(Html(html))
}
