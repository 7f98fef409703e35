//! What a telephony provider is asked to do ([`Telephony::send`]: one try at one message
//! from the outbox) and how it reports back that the person on an office-phone call
//! pressed # ([`CallSink::confirmed`]). Providers never decide anything: a key press is
//! only a claim, which the reset flow checks against the live code of that call.

use crate::delivery::SendFailure;
use crate::texts::Language;
use axum::Router;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

/// A boxed future, for the object-safe provider interface.
pub type BoxFuture<'a, T> = Pin<Box<dyn Future<Output = T> + Send + 'a>>;

/// How a message reaches a phone.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OutboundChannel {
    /// A text message.
    Sms,
    /// A WhatsApp message.
    Whatsapp,
    /// A voice call that reads the text out (a code, said twice).
    Voice,
    /// A voice call that reads the text out and waits for the person to press #
    /// (office phone); the key press is reported to the [`CallSink`] with
    /// [`Outbound::call`].
    Call,
}

impl OutboundChannel {
    pub const ALL: [OutboundChannel; 4] = [
        OutboundChannel::Sms,
        OutboundChannel::Whatsapp,
        OutboundChannel::Voice,
        OutboundChannel::Call,
    ];

    /// The outbox's name for the channel.
    pub fn as_str(self) -> &'static str {
        match self {
            OutboundChannel::Sms => "sms",
            OutboundChannel::Whatsapp => "whatsapp",
            OutboundChannel::Voice => "voice",
            OutboundChannel::Call => "call",
        }
    }

    pub fn parse(name: &str) -> Option<OutboundChannel> {
        OutboundChannel::ALL
            .into_iter()
            .find(|channel| channel.as_str() == name)
    }
}

/// One message to a phone, as the outbox hands it to the provider (the same on every try).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outbound {
    pub channel: OutboundChannel,
    /// The number in E.164 (`+447700900123`).
    pub to: String,
    /// The message, or what the call says.
    pub text: String,
    /// The message's de-duplication key: the same on every try, unique per message
    /// (providers that take an idempotency key get it, hashed).
    pub key: String,
    /// For [`OutboundChannel::Call`]: the reference the key press is reported with
    /// (opaque, unguessable, single use; it goes into the callback URL).
    pub call: Option<String>,
    /// The language `text` is in: a call speaks in it (the provider's voice and
    /// language), and answers the key press in it.
    pub language: Language,
}

/// What became of a reported key press.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CallConfirmation {
    /// The call's method is now proven.
    Confirmed,
    /// The reference was already used (a replayed callback): nothing changed.
    AlreadyUsed,
    /// No live call has this reference (expired, unknown or forged): nothing changed.
    Unknown,
}

/// Where providers report that the person on a call pressed # (the reset flow).
pub trait CallSink: Send + Sync + 'static {
    /// The person on the call with `reference` pressed #.
    fn confirmed<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, CallConfirmation>;
}

/// A telephony provider.
pub trait Telephony: Send + Sync + 'static {
    /// Its name in logs and in the callback paths (`/telephony/{name}/...`).
    fn name(&self) -> &'static str;

    /// One try at handing `message` to the provider: `Ok` once the provider accepted it.
    fn send<'a>(&'a self, message: &'a Outbound) -> BoxFuture<'a, Result<(), SendFailure>>;

    /// The routes the provider calls back on, nested under `/telephony/{name}`: form
    /// posts from the provider's servers, outside the browser guards (same-origin, JSON),
    /// authenticated by the provider's signature alone. `None` when it has none.
    fn callbacks(&self, sink: Arc<dyn CallSink>) -> Option<Router>;
}
