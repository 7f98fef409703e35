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
