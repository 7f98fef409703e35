//! Web Push, the server's half: waking the phone's authenticator page (a PWA whose service
//! worker holds a push subscription) so that its owner can approve a password reset.
//!
//! A push message travels through the browser vendor's push service (RFC 8030), which must
//! learn neither what it carries nor be usable by anyone but this server:
//!
//! - [`encryption`]: the payload, encrypted for the subscription's keys (RFC 8291, the
//!   `aes128gcm` content coding of RFC 8188), so only the phone's browser can read it;
//! - [`vapid`]: the server's identity towards the push service (RFC 8292): a P-256 key
//!   derived from the master key, whose public half the page passes to
//!   `pushManager.subscribe({applicationServerKey})`, and the ES256 token signed with it;
//! - [`request`]: a subscription as the browser hands it over, validated, and the complete
//!   HTTP request (URL, headers, body) to POST to its endpoint.
//!
//! - [`config`]: `[push]`, the contact push services may use about this server.
//!
//! Nothing here sends (the outbox worker does, `delivery.rs`): the request is plain data, so that its bytes can be checked against
//! the RFCs' example and an independent implementation (`tests/integration/push.rs`).

pub mod config;
pub mod encryption;
pub mod request;
pub mod vapid;

pub use request::{PushMessage, PushRequest, PushRequestError, Subscription, push_request};
pub use vapid::{VapidKey, VapidSubject, vapid_key};
