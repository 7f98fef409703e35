//! Telephony (docs/ARCHITECTURE.md, Phone methods): phone numbers, the ways a message
//! reaches a phone, and the providers that carry them behind one interface
//! ([`provider::Telephony`]), chosen in `[phone]` ([`config::PhoneConfig`]).
//!
//! - [`number`]: numbers parsed and validated (libphonenumber's metadata), kept in E.164;
//! - [`provider`]: what a provider is asked to do, and how it reports a key press back;
//! - [`demo`]: the demo provider and its phone simulator page;
//! - [`twilio`]: a Twilio-compatible provider (Messages, Calls with TwiML `<Gather>`);
//! - [`webhook`]: a generic signed-webhook provider for an operator's own gateway;
//! - [`http_client`]: the outbound HTTPS client the providers post with.

pub mod config;
pub mod demo;
pub mod http_client;
pub mod messages;
pub mod number;
pub mod provider;
pub mod setup;
pub mod twilio;
pub mod webhook;

pub use config::{PhoneConfig, ProviderChoice};
pub use provider::{CallConfirmation, CallSink, Outbound, OutboundChannel, Telephony};
