//! The authenticator page (`/authenticator`, a PWA on the person's phone) and the portal's
//! wait for its answer: app notifications approved with number matching.
//!
//! The page holds a non-extractable WebCrypto ECDSA P-256 key. It is enrolled once from
//! the security-info page (a one-time link, `POST /api/v1/authenticator/enrol`); from then
//! on every request of its own is signed with that key (see [`signed_string`]) and carries
//! [`DEVICE_ID_HEADER`], [`DEVICE_TIME_HEADER`] and [`DEVICE_SIGNATURE_HEADER`].

use serde::{Deserialize, Serialize};

/// The device's id, from [`Enrolled::device_id`].
pub const DEVICE_ID_HEADER: &str = "x-device-id";
/// The Unix time (seconds) the request was signed at; refused more than
/// [`DEVICE_CLOCK_SKEW_SECONDS`] away from the server's clock.
pub const DEVICE_TIME_HEADER: &str = "x-device-time";
/// base64url (no padding) of the ECDSA P-256 SHA-256 signature over [`signed_string`], in
/// the raw `r || s` form (64 bytes) that WebCrypto's `sign` gives.
pub const DEVICE_SIGNATURE_HEADER: &str = "x-device-signature";
/// How far a device's clock may be from the server's.
pub const DEVICE_CLOCK_SKEW_SECONDS: u64 = 120;

/// What a device signs for one request: `sspr-device\n{METHOD}\n{path}\n{unix seconds}\n{sha256
/// hex of body}`, with the method in upper case (`GET`, `POST`), the path without the query
/// (`/api/v1/authenticator/requests`), and the SHA-256 of the exact body bytes sent, in
/// lower-case hex (of the empty string for a `GET`).
pub fn signed_string(method: &str, path: &str, unix_seconds: u64, body_sha256_hex: &str) -> String {
    format!(
        "sspr-device\n{}\n{path}\n{unix_seconds}\n{}",
        method.to_ascii_uppercase(),
        body_sha256_hex.to_ascii_lowercase()
    )
}

/// `GET /api/v1/authenticator/config`: what the page needs before it enrols.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct AuthenticatorConfig {
    pub organisation_name: String,
    /// The server's VAPID public key, base64url of the uncompressed P-256 point: the
    /// `applicationServerKey` of `pushManager.subscribe`.
    pub vapid_public_key: String,
}

/// A push subscription as `PushSubscription.toJSON()` gives it (`expirationTime` and other
/// members are ignored).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushSubscription {
    /// The push service's URL for this subscription (https).
    pub endpoint: String,
    pub keys: PushKeys,
}

/// The browser's keys of a push subscription, base64url.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PushKeys {
    /// The browser's P-256 public key, uncompressed (65 bytes).
    pub p256dh: String,
    /// Its 16-byte authentication secret.
    pub auth: String,
}

/// `POST /api/v1/authenticator/enrol`: the one-time token of the enrol link
/// (`/authenticator#enrol={token}`) and the device's key.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct Enrol {
    pub token: String,
    /// base64url of the uncompressed P-256 public key (65 bytes, `0x04 || x || y`), as
    /// `crypto.subtle.exportKey("raw", publicKey)` gives it.
    pub public_key: String,
    /// What the person calls this phone ("Robin's Pixel"), shown on the security-info page
    /// (1 to 64 characters).
    pub device_name: String,
    /// Where to wake the page when a reset asks for approval; without one, the page sees
    /// requests only while it is open.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub push_subscription: Option<PushSubscription>,
}

/// The answer to an enrolment: the method now counts on the security-info page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Enrolled {
    /// Send it in [`DEVICE_ID_HEADER`] with every signed request.
    pub device_id: String,
    pub organisation_name: String,
    /// Whose phone this now is: the person's display name, so that they can tell they
    /// enrolled the right account.
    pub account_hint: String,
}

/// Where a wait for an approval stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ApprovalState {
    /// Nobody has answered yet and there is time left.
    Waiting,
    /// The right number was chosen on the person's phone: the method is proven.
    Approved,
    /// Not approved: denied, the wrong number, no answer in time, or no request at all. The
    /// portal is never told which (an unknown account's flow ends the same way).
    NotApproved,
}

/// `GET /api/v1/reset/flows/{flow}/methods/{method}/approval`: the portal's wait.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalStatus {
    pub state: ApprovalState,
    /// Seconds until the request times out (0 once it is decided).
    pub seconds_left: u64,
}

/// One request waiting on the device (`GET /api/v1/authenticator/requests`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalRequest {
    /// Its id in `POST /api/v1/authenticator/requests/{id}`.
    pub request_id: String,
    /// The account whose password someone is resetting.
    pub user_id: String,
    /// The address the reset was asked from, as the server saw it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub client_ip: Option<String>,
    /// The browser it was asked from, shortened ("Firefox on Windows").
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub browser: Option<String>,
    /// When it was asked (Unix seconds).
    pub requested_at: u64,
    /// Three numbers, one of them the one the portal shows; choose it to approve.
    pub numbers: Vec<u8>,
    pub seconds_left: u64,
}

/// The device's pending requests, newest first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ApprovalRequests {
    pub requests: Vec<ApprovalRequest>,
}

/// What the person decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Decision {
    /// It is me: with the number the portal shows.
    Approve,
    /// Not now.
    Deny,
    /// I did not ask for this: their owner is told by e-mail and further prompts to this
    /// device are stopped until a password reset or an administrator.
    Report,
}

/// `POST /api/v1/authenticator/requests/{id}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(deny_unknown_fields)]
pub struct DecideRequest {
    pub decision: Decision,
    /// The number chosen (needed to approve).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u8>,
}

/// The answer to a decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Decided {
    /// `approved` when the right number approved it; `not_approved` otherwise (a wrong
    /// number counts as a failed try on the account, as a wrong code does).
    pub state: ApprovalState,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_signed_string_is_five_lines() {
        assert_eq!(
            signed_string(
                "post",
                "/api/v1/authenticator/requests/ab",
                1_800_000_000,
                "E3B0C442"
            ),
            "sspr-device\nPOST\n/api/v1/authenticator/requests/ab\n1800000000\ne3b0c442"
        );
    }

    #[test]
    fn decisions_and_states_are_snake_case() {
        let body: DecideRequest =
            serde_json::from_str(r#"{"decision":"approve","number":47}"#).unwrap();
        assert_eq!(body.decision, Decision::Approve);
        assert_eq!(body.number, Some(47));
        assert_eq!(
            serde_json::to_value(ApprovalState::NotApproved).unwrap(),
            "not_approved"
        );
        let subscription: PushSubscription = serde_json::from_str(
            r#"{"endpoint":"https://push.example/x","expirationTime":null,"keys":{"p256dh":"a","auth":"b"}}"#,
        )
        .unwrap();
        assert_eq!(subscription.keys.auth, "b");
    }
}
