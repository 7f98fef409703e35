//! Signing in to the security-info page and its session. The session itself travels in a
//! `__Host-sspr-session` cookie (HttpOnly: the app never sees it); these are the bodies.

use serde::{Deserialize, Serialize};

/// `POST /api/v1/session`: a user ID and a password.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SignIn {
    pub user_id: String,
    pub password: String,
}

/// The signed-in session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct SessionInfo {
    pub user_id: String,
    pub display_name: String,
    /// Seconds until the session ends whatever the use.
    pub expires_in_seconds: u64,
    /// Seconds without a request that end it.
    pub idle_timeout_seconds: u64,
    /// Whether a sign-in method was proven in this session (not only the password).
    pub method_proven: bool,
    /// Only in the sign-in answer, for a person with a method to prove: the flow in which
    /// to prove one (its `challenge` and `verify` steps as in a reset), then
    /// `POST /api/v1/session/proof`. Absent for a person with none.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub proof: Option<crate::reset::ResetFlow>,
}

/// One of the signed-in person's registered methods, as their page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisteredMethod {
    /// Its id in `/api/v1/session/methods/{method}`.
    pub id: String,
    pub kind: crate::MethodKind,
    /// The contact, masked (`•••@home.example`); none for apps and questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub is_default: bool,
}

/// `GET /api/v1/session/methods`: the person's methods and whether they can reset.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct MethodList {
    pub methods: Vec<RegisteredMethod>,
    /// How many different methods their reset needs.
    pub methods_required: u8,
    /// Whether the methods they have let them reset today.
    pub can_reset: bool,
}

/// `POST /api/v1/session/password`: the current password and the new one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ChangePassword {
    pub current_password: String,
    pub new_password: String,
}

/// The answer to a password change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PasswordChanged {
    /// How many other sessions were signed out (this one stays).
    pub sessions_signed_out: u64,
    /// Whether a notice went to the person's own addresses.
    pub notification_sent: bool,
}

/// `POST /api/v1/session/proof` (with the flow's secret in `x-flow-secret`): the flow of
/// the sign-in answer, with a method proven in it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SessionProof {
    pub flow_id: String,
}
