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
    /// The language the app shows (a BCP 47 tag such as `fr`): the person's notices are
    /// written in it from then on.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locale: Option<String>,
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
    /// Whether the person's methods are enough, and whether they are asked to register
    /// or reconfirm them.
    pub registration: RegistrationStatus,
}

/// A person's registration as the policy sees it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegistrationStatus {
    /// Whether the policy lets this person reset their password at all.
    pub in_scope: bool,
    /// Different kinds of method they have that their reset can use.
    pub methods_registered: u8,
    /// How many different ones their reset needs.
    pub methods_required: u8,
    /// Whether they could reset today.
    pub can_reset: bool,
    /// The policy asks people to register at sign-in and theirs are not enough: the page
    /// interrupts ("Your organization needs more information to keep your account
    /// secure") until they are.
    pub registration_required: bool,
    /// When they are next asked to confirm their methods are still theirs (Unix seconds);
    /// absent: never (the policy's `reconfirm_days` is 0, or they have no method).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reconfirm_at: Option<u64>,
    /// That time has come: sign-in asks them to confirm their methods or change them
    /// (`POST /api/v1/session/reconfirm`).
    pub reconfirm_due: bool,
    /// They have no method and the directory holds an address for them: a code to it can
    /// prove the session (`POST /api/v1/session/proof/contact`).
    #[serde(default)]
    pub contact_proof: bool,
}

/// One of the signed-in person's registered methods, as their page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct RegisteredMethod {
    /// Its id in `/api/v1/session/methods/{method}`.
    pub id: String,
    pub kind: crate::MethodKind,
    /// The contact, masked (`•••@home.example`); an app notification's phone by the name
    /// it was enrolled with; none for app codes and questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub is_default: bool,
    /// When it was registered (or last changed), in Unix seconds.
    pub registered_at: u64,
    /// When it was last proven in a reset or a sign-in, in Unix seconds; absent: never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_used_at: Option<u64>,
    /// App notification: the phone was not seen for 30 days, or its push service said the
    /// subscription is gone; ask the person to enrol it again.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
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
    /// The kinds the policy lets this person add (of a kind they have: change to).
    #[serde(default)]
    pub may_add: Vec<crate::MethodKind>,
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

/// `POST /api/v1/session/registrations`: a method to add, verified before it counts. For
/// a kind the person has already, confirming it replaces theirs (a changed address is
/// used only once verified).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(tag = "kind", rename_all = "snake_case", deny_unknown_fields)]
pub enum NewMethod {
    /// An address for codes: a code goes to it, and the method counts once it is typed.
    Email { address: String },
    /// An authenticator app: scan the secret (or its `otpauth://` URI as a QR code), then
    /// type the app's current code.
    AppCode,
    /// A mobile phone: a code goes to the number on `channel` (one of
    /// `PublicConfig.phone_channels`; the first when absent), and the method counts once
    /// it is typed. A number without `+` is read in the organisation's region.
    MobilePhone {
        number: String,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        channel: Option<crate::method::PhoneChannel>,
    },
    /// An office phone: a voice call reads a code out, and the method counts once it is
    /// typed (at reset the call is answered with # instead).
    OfficePhone { number: String },
    /// The authenticator page on the person's phone (app notifications): open the answer's
    /// `enrol_url` on the phone (a QR code); the method counts once the page enrolled, which
    /// `GET /api/v1/session/methods` shows (an `app_notification` method, new or with a
    /// new `registered_at`).
    AppNotification,
}

/// A method registration waiting for its code (`POST .../registrations/{id}/confirm`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PendingMethod {
    pub registration_id: String,
    pub kind: crate::MethodKind,
    /// Where the code went: the address as the person typed it, or the number in
    /// international form (`+447700900123`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sent_to: Option<String>,
    /// The authenticator app's secret in base32, shown this once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub secret: Option<String>,
    /// The same secret as an `otpauth://totp/...` URI, for a QR code.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub otpauth_uri: Option<String>,
    /// Seconds left to confirm it.
    pub expires_in_seconds: u64,
    /// The id of the person's method of this kind that confirming replaces, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replaces: Option<String>,
    /// App notification: the link to open on the phone (`{origin}/authenticator#enrol=...`,
    /// one-time, for `expires_in_seconds`), for a QR code. Never send it anywhere else.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub enrol_url: Option<String>,
}

/// `POST .../registrations/{id}/confirm` and `POST .../proof/contact/{id}`: the code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct ConfirmCode {
    pub code: String,
}

/// `POST /api/v1/session/security-questions`: the answers to register (exactly the
/// policy's number, to different questions of [`QuestionChoice`]), replacing any before.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct SecurityAnswers {
    pub answers: Vec<crate::reset::Answer>,
}

/// `GET /api/v1/session/security-questions`: the questions to choose from and how many.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct QuestionChoice {
    /// Question ids (their text is the app's, translated).
    pub questions: Vec<String>,
    /// How many to answer.
    pub register: u8,
    /// Whether the person has answers registered (they are never shown).
    pub registered: bool,
}

/// `POST /api/v1/session/proof/pass`: an administrator's one-time pass, for a person who
/// has no method to prove (`sspr-server user issue-pass`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct OneTimePass {
    pub pass: String,
}

/// What a "this wasn't me" link in a notice is about (`GET /api/v1/reports/{token}`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ReportedChange {
    MethodAdded,
    MethodChanged,
    MethodRemoved,
    PasswordChanged,
}

/// The change a notice told of, for its confirmation page. Nothing happens until the
/// person confirms with `POST` (mail scanners open links).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChangeReport {
    pub change: ReportedChange,
    /// The kind of method added, changed or removed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub method_kind: Option<crate::MethodKind>,
    /// When the change was made (Unix seconds).
    pub changed_at: u64,
    /// Whether it was reported already (the link works once).
    pub reported: bool,
}

/// The answer to a report: every session of the person was signed out and their methods
/// are blocked on the security-info page (a method the change added or changed no longer
/// works at all) until a password reset with their other methods, or an administrator,
/// restores them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ReportDone {
    pub sessions_signed_out: u64,
    /// Whether a method the change added or changed was suspended.
    pub method_suspended: bool,
}
