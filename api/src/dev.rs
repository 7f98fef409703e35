//! The dev outbox of demo mode: every message the server queued, readable on one machine
//! so a person can try every method without a mail server.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevMessage {
    pub id: i64,
    pub to: String,
    pub subject: String,
    pub body: String,
    /// Unix seconds.
    pub created_at: u64,
    pub status: DevMessageStatus,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DevMessageStatus {
    /// Waiting for delivery (or, with no SMTP server configured, only here).
    Pending,
    Sent,
    Failed,
}

/// One thing demo mode's phone simulator received (`GET /api/v1/dev/phone`): a text, a
/// WhatsApp message or a call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct DevPhoneItem {
    pub id: u64,
    /// `sms`, `whatsapp`, `voice` (a code read out) or `call` (answered with #).
    pub channel: String,
    /// The number, in E.164.
    pub to: String,
    /// The message, or what the call says.
    pub text: String,
    /// Unix seconds.
    pub received_at: u64,
    /// Calls (`call`) only: where the call is.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call: Option<DevCallState>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum DevCallState {
    Ringing,
    Answered,
    /// # was pressed and the reset flow took it: the method is proven.
    Confirmed,
    /// # was pressed, but no live call had this reference.
    NotConfirmed,
    HungUp,
}
