//! The dev outbox (demo mode only): `GET /api/v1/dev/outbox` (JSON) and `GET /dev/outbox`
//! (a page that refreshes itself), listing the newest queued messages with their bodies.
//! It shows every code, so it answers loopback peers only (the TCP peer, never a
//! forwarded-for header); everyone else gets what a missing route gives.

use super::AppState;
use super::client_ip::is_loopback;
use super::html::escape;
use super::problem::ApiError;
use crate::crypto::sealed;
use crate::store::UpkeepStore;
use crate::store::records::{DeliveryStatus, MessageChannel, QueuedMessage};
use axum::extract::{Request, State};
use axum::middleware::Next;
use axum::response::{Html, Response};
use axum::{Json, Router};
use sspr_api::dev::{DevMessage, DevMessageStatus};
use tower::ServiceExt;

const SHOWN: u32 = 50;

async fn messages(state: &AppState) -> Result<Vec<DevMessage>, ApiError> {
    let key = &state.services.keys.outbox;
    let queued = state.services.store.recent_messages(SHOWN).await?;
    Ok(queued
        .into_iter()
        .map(|message: QueuedMessage| DevMessage {
            body: body(key, &message),
            id: message.id,
            to: message.recipient,
            subject: message.subject,
            created_at: message.created_at,
            status: match message.status {
                DeliveryStatus::Pending => DevMessageStatus::Pending,
                DeliveryStatus::Sent => DevMessageStatus::Sent,
                DeliveryStatus::Failed(_) => DevMessageStatus::Failed,
            },
        })
        .collect())
}

/// What a message says, as its recipient gets it: an e-mail's text, a text message's or
/// call's words (not the provider's envelope, whose call reference proves the call), or
/// what a wake-up is.
fn body(key: &crate::crypto::keys::Key, message: &QueuedMessage) -> String {
    let opened = match message.channel {
        MessageChannel::Email => sealed::open(key, &message.dedupe_key, &message.sealed_body)
            .ok()
            .and_then(|bytes| String::from_utf8(bytes).ok()),
        MessageChannel::Phone(_) => {
            crate::phone::messages::outbound(key, message).map(|outbound| outbound.text)
        }
        MessageChannel::Push => Some("(a wake-up of the authenticator page)".to_owned()),
    };
    opened.unwrap_or_else(|| "(cannot be opened with this server's key)".to_owned())
}

/// Lets loopback peers through; anyone else (or a request without a known peer) gets
/// `missing`'s answer, the same as when demo mode is off.
pub async fn loopback_only(
    State(missing): State<Router>,
    request: Request,
    next: Next,
) -> Response {
    if super::client_ip::peer_ip(&request).is_some_and(is_loopback) {
        return next.run(request).await;
    }
    match missing.oneshot(request).await {
        Ok(response) => response,
        Err(never) => match never {},
    }
}

pub async fn json(State(state): State<AppState>) -> Result<Json<Vec<DevMessage>>, ApiError> {
    Ok(Json(messages(&state).await?))
}

pub async fn page(State(state): State<AppState>) -> Result<Html<String>, ApiError> {
    let mut html = String::from(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <meta http-equiv=\"refresh\" content=\"5\">\
         <title>Dev outbox - SSPR demo</title></head><body><main>\
         <h1>Dev outbox</h1><p>Demo mode: every message the server sends also appears \
         here, newest first. This page refreshes every 5 seconds.</p>",
    );
    let list = messages(&state).await?;
    if list.is_empty() {
        html.push_str("<p>No messages yet.</p>");
    }
    for message in list {
        html.push_str(&format!(
            "<article><h2>{}</h2><p>To: {} &middot; {:?}</p><pre>{}</pre></article>",
            escape(&message.subject),
            escape(&message.to),
            message.status,
            escape(&message.body)
        ));
    }
    html.push_str("</main></body></html>");
    Ok(Html(html))
}
