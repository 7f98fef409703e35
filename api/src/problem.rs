//! Errors on the wire: RFC 9457 problem details (`application/problem+json`) carrying a
//! stable machine `code`. The app maps the code to translated text; the server never puts
//! internals (stack traces, SQL, paths) in a problem.

use crate::password::PasswordProblem;
use serde::{Deserialize, Serialize};

/// The media type of every error response.
pub const PROBLEM_CONTENT_TYPE: &str = "application/problem+json";

/// Stable, machine-readable error codes. Once published a code keeps its meaning; new
/// codes may be added, so clients must handle [`ErrorCode::Unknown`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum ErrorCode {
    /// No such endpoint or page.
    NotFound,
    /// The endpoint exists but not with this HTTP method.
    MethodNotAllowed,
    /// The request body or parameters are malformed.
    InvalidRequest,
    /// A state-changing request was not `application/json`.
    UnsupportedMediaType,
    /// A state-changing request came from another origin.
    ForbiddenOrigin,
    /// Too many requests; see `Retry-After`.
    RateLimited,
    /// The server cannot reach its database or another dependency; try again later.
    ServiceUnavailable,
    /// Something failed on the server; details are in its log, never in the response.
    Internal,
    /// The CAPTCHA solution is wrong, expired or already used: get a new challenge.
    CaptchaInvalid,
    /// No such reset flow, or it expired: start again.
    FlowNotFound,
    /// The flow does not offer this method.
    MethodNotOffered,
    /// The code is wrong; `attempts_left` says how many tries remain for it.
    CodeIncorrect,
    /// The code expired, or none was sent yet: send a new one.
    CodeExpired,
    /// One or more answers are wrong; `attempts_left` says how many tries remain.
    AnswersIncorrect,
    /// Too many wrong tries with this method; `retry_after_seconds` says when it reopens.
    MethodLocked,
    /// Too many wrong tries on this account; `retry_after_seconds` says when it reopens
    /// (absent: only the help desk can unlock it).
    AccountLocked,
    /// Not enough methods are proven yet to set the password.
    NotVerified,
    /// The new password breaks a rule; `password_problems` says which.
    PasswordRejected,
    /// The password was already reset with this flow.
    FlowCompleted,
    /// Too many codes were sent to this method's address or number within the hour;
    /// `retry_after_seconds` says when another can be sent. Other methods may still work.
    TooManyCodes,
    /// Signing in failed: the user ID or the password is not right (one answer for an
    /// unknown user ID, a wrong password and a disabled account).
    SignInFailed,
    /// No session, or it ended (idle, too old, signed out, password reset): sign in again.
    NotSignedIn,
    /// This needs a method proven in the last minutes (the policy's
    /// `recent_proof_minutes`): prove one again (`POST /api/v1/session/proof/new`).
    ProofNeeded,
    /// The current password given is not right.
    PasswordIncorrect,
    /// The signed-in person has no method with this id.
    MethodNotFound,
    /// Removing this method would leave fewer methods than a reset needs: add another
    /// first.
    MethodNeeded,
    /// The policy does not let people register this kind of method.
    MethodDisabled,
    /// Administrators cannot register security questions (their reset needs stronger
    /// methods).
    MethodNotForAdmins,
    /// No such method registration of this session, or it expired or used up its tries:
    /// start the registration again.
    RegistrationNotFound,
    /// The one-time pass is wrong, used or expired: ask the help desk for a new one.
    PassInvalid,
    /// No such "this wasn't me" link, or it expired (reports work for 7 days).
    ReportNotFound,
    /// The person reported a change as not theirs: their methods are blocked on the
    /// security-info page until a password reset, or an administrator, restores them.
    AccountBlocked,
    /// The phone number given is not a valid number (read in the organisation's default
    /// region when it has no country code).
    InvalidPhoneNumber,
    /// The authenticator page's request is not signed by an enrolled device, or was signed
    /// more than 120 s away from the server's clock: enrol again, or set the clock.
    DeviceNotRecognised,
    /// No such open approval request of this device: it was answered already, timed out,
    /// or is another device's.
    ApprovalNotFound,
    /// A code this client does not know yet (sent by a newer server).
    #[serde(other)]
    Unknown,
}

impl ErrorCode {
    /// The HTTP status that goes with this code.
    pub fn status(self) -> u16 {
        match self {
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::InvalidRequest => 400,
            ErrorCode::UnsupportedMediaType => 415,
            ErrorCode::ForbiddenOrigin => 403,
            ErrorCode::RateLimited => 429,
            ErrorCode::ServiceUnavailable => 503,
            ErrorCode::Internal | ErrorCode::Unknown => 500,
            ErrorCode::CaptchaInvalid
            | ErrorCode::CodeIncorrect
            | ErrorCode::CodeExpired
            | ErrorCode::AnswersIncorrect => 400,
            ErrorCode::FlowNotFound | ErrorCode::MethodNotOffered => 404,
            ErrorCode::MethodLocked | ErrorCode::AccountLocked | ErrorCode::TooManyCodes => 429,
            ErrorCode::NotVerified => 403,
            ErrorCode::PasswordRejected => 422,
            ErrorCode::FlowCompleted => 409,
            ErrorCode::SignInFailed | ErrorCode::NotSignedIn => 401,
            ErrorCode::ProofNeeded | ErrorCode::PasswordIncorrect => 403,
            ErrorCode::MethodNotFound => 404,
            ErrorCode::MethodNeeded => 409,
            ErrorCode::MethodDisabled | ErrorCode::MethodNotForAdmins => 403,
            ErrorCode::RegistrationNotFound => 404,
            ErrorCode::InvalidPhoneNumber => 400,
            ErrorCode::PassInvalid => 400,
            ErrorCode::ReportNotFound => 404,
            ErrorCode::AccountBlocked => 403,
            ErrorCode::DeviceNotRecognised => 401,
            ErrorCode::ApprovalNotFound => 404,
        }
    }

    /// A short English summary for logs and for the problem's `title`; the app shows its
    /// own translated text instead.
    pub fn title(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "Not found",
            ErrorCode::MethodNotAllowed => "Method not allowed",
            ErrorCode::InvalidRequest => "Invalid request",
            ErrorCode::UnsupportedMediaType => "Requests must be JSON",
            ErrorCode::ForbiddenOrigin => "Cross-origin request refused",
            ErrorCode::RateLimited => "Too many requests",
            ErrorCode::ServiceUnavailable => "Service unavailable",
            ErrorCode::Internal | ErrorCode::Unknown => "Internal error",
            ErrorCode::CaptchaInvalid => "CAPTCHA not solved",
            ErrorCode::FlowNotFound => "Reset not found or expired",
            ErrorCode::MethodNotOffered => "Method not offered",
            ErrorCode::CodeIncorrect => "Wrong code",
            ErrorCode::CodeExpired => "Code expired",
            ErrorCode::AnswersIncorrect => "Wrong answers",
            ErrorCode::MethodLocked => "Method locked",
            ErrorCode::AccountLocked => "Account locked",
            ErrorCode::NotVerified => "Identity not verified yet",
            ErrorCode::PasswordRejected => "Password not accepted",
            ErrorCode::FlowCompleted => "Password already reset",
            ErrorCode::TooManyCodes => "Too many codes sent",
            ErrorCode::SignInFailed => "Sign-in failed",
            ErrorCode::NotSignedIn => "Not signed in",
            ErrorCode::ProofNeeded => "A recent proof is needed",
            ErrorCode::PasswordIncorrect => "Current password not right",
            ErrorCode::MethodNotFound => "No such method",
            ErrorCode::MethodNeeded => "Method needed for reset",
            ErrorCode::MethodDisabled => "Method not enabled",
            ErrorCode::MethodNotForAdmins => "Method not allowed for administrators",
            ErrorCode::RegistrationNotFound => "Registration not found or expired",
            ErrorCode::PassInvalid => "One-time pass not accepted",
            ErrorCode::ReportNotFound => "Report link not found or expired",
            ErrorCode::AccountBlocked => "Methods blocked after a report",
            ErrorCode::InvalidPhoneNumber => "Not a phone number",
            ErrorCode::DeviceNotRecognised => "Device not recognised",
            ErrorCode::ApprovalNotFound => "Approval request not found or answered",
        }
    }

    /// The snake_case name used on the wire.
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "not_found",
            ErrorCode::MethodNotAllowed => "method_not_allowed",
            ErrorCode::InvalidRequest => "invalid_request",
            ErrorCode::UnsupportedMediaType => "unsupported_media_type",
            ErrorCode::ForbiddenOrigin => "forbidden_origin",
            ErrorCode::RateLimited => "rate_limited",
            ErrorCode::ServiceUnavailable => "service_unavailable",
            ErrorCode::Internal => "internal",
            ErrorCode::Unknown => "unknown",
            ErrorCode::CaptchaInvalid => "captcha_invalid",
            ErrorCode::FlowNotFound => "flow_not_found",
            ErrorCode::MethodNotOffered => "method_not_offered",
            ErrorCode::CodeIncorrect => "code_incorrect",
            ErrorCode::CodeExpired => "code_expired",
            ErrorCode::AnswersIncorrect => "answers_incorrect",
            ErrorCode::MethodLocked => "method_locked",
            ErrorCode::AccountLocked => "account_locked",
            ErrorCode::NotVerified => "not_verified",
            ErrorCode::PasswordRejected => "password_rejected",
            ErrorCode::FlowCompleted => "flow_completed",
            ErrorCode::TooManyCodes => "too_many_codes",
            ErrorCode::SignInFailed => "sign_in_failed",
            ErrorCode::NotSignedIn => "not_signed_in",
            ErrorCode::ProofNeeded => "proof_needed",
            ErrorCode::PasswordIncorrect => "password_incorrect",
            ErrorCode::MethodNotFound => "method_not_found",
            ErrorCode::MethodNeeded => "method_needed",
            ErrorCode::MethodDisabled => "method_disabled",
            ErrorCode::MethodNotForAdmins => "method_not_for_admins",
            ErrorCode::RegistrationNotFound => "registration_not_found",
            ErrorCode::PassInvalid => "pass_invalid",
            ErrorCode::ReportNotFound => "report_not_found",
            ErrorCode::AccountBlocked => "account_blocked",
            ErrorCode::InvalidPhoneNumber => "invalid_phone_number",
            ErrorCode::DeviceNotRecognised => "device_not_recognised",
            ErrorCode::ApprovalNotFound => "approval_not_found",
        }
    }
}

/// An RFC 9457 problem details object with the SSPR `code` extension member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Problem {
    /// A URI reference naming the problem type: `urn:sspr:problem:<code>`.
    #[serde(rename = "type")]
    pub type_uri: String,
    pub title: String,
    pub status: u16,
    /// Human-readable detail safe to show (never internals).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    pub code: ErrorCode,
    /// Seconds to wait before retrying, for `rate_limited` and lockouts.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub retry_after_seconds: Option<u64>,
    /// Tries left before the code or method locks, for `code_incorrect` and
    /// `answers_incorrect`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub attempts_left: Option<u32>,
    /// What is wrong with a rejected password, for `password_rejected`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub password_problems: Vec<PasswordProblem>,
}

impl Problem {
    pub fn new(code: ErrorCode) -> Self {
        Problem {
            type_uri: format!("urn:sspr:problem:{}", code.as_str()),
            title: code.title().to_owned(),
            status: code.status(),
            detail: None,
            code,
            retry_after_seconds: None,
            attempts_left: None,
            password_problems: Vec::new(),
        }
    }

    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [ErrorCode; 35] = [
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::InvalidRequest,
        ErrorCode::UnsupportedMediaType,
        ErrorCode::ForbiddenOrigin,
        ErrorCode::RateLimited,
        ErrorCode::ServiceUnavailable,
        ErrorCode::Internal,
        ErrorCode::CaptchaInvalid,
        ErrorCode::FlowNotFound,
        ErrorCode::MethodNotOffered,
        ErrorCode::CodeIncorrect,
        ErrorCode::CodeExpired,
        ErrorCode::AnswersIncorrect,
        ErrorCode::MethodLocked,
        ErrorCode::AccountLocked,
        ErrorCode::NotVerified,
        ErrorCode::PasswordRejected,
        ErrorCode::FlowCompleted,
        ErrorCode::TooManyCodes,
        ErrorCode::SignInFailed,
        ErrorCode::NotSignedIn,
        ErrorCode::ProofNeeded,
        ErrorCode::PasswordIncorrect,
        ErrorCode::MethodNotFound,
        ErrorCode::MethodNeeded,
        ErrorCode::MethodDisabled,
        ErrorCode::MethodNotForAdmins,
        ErrorCode::RegistrationNotFound,
        ErrorCode::PassInvalid,
        ErrorCode::ReportNotFound,
        ErrorCode::AccountBlocked,
        ErrorCode::InvalidPhoneNumber,
        ErrorCode::DeviceNotRecognised,
        ErrorCode::ApprovalNotFound,
    ];

    #[test]
    fn wire_names_match_serde() {
        for code in ALL {
            let json = serde_json::to_value(code).unwrap();
            assert_eq!(json, code.as_str(), "{code:?}");
        }
    }

    #[test]
    fn problem_has_rfc9457_members_and_code() {
        let problem = Problem::new(ErrorCode::ForbiddenOrigin).with_detail("no");
        let json = serde_json::to_value(&problem).unwrap();
        assert_eq!(json["type"], "urn:sspr:problem:forbidden_origin");
        assert_eq!(json["status"], 403);
        assert_eq!(json["title"], "Cross-origin request refused");
        assert_eq!(json["code"], "forbidden_origin");
        assert_eq!(json["detail"], "no");
        assert!(json.get("retry_after_seconds").is_none());
    }

    /// The OpenAPI schema lists every code, and `unknown`, which is what serde writes for
    /// the catch-all; a code added to the enum without `rename_all` reaching it fails here.
    #[cfg(feature = "openapi")]
    #[test]
    fn the_openapi_schema_lists_every_code() {
        use utoipa::PartialSchema;
        let schema = serde_json::to_value(ErrorCode::schema()).unwrap();
        let mut listed: Vec<&str> = schema["enum"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_str().unwrap())
            .collect();
        let mut expected: Vec<&str> = ALL.iter().map(|code| code.as_str()).collect();
        expected.push(ErrorCode::Unknown.as_str());
        listed.sort_unstable();
        expected.sort_unstable();
        assert_eq!(listed, expected);
    }

    #[test]
    fn unknown_codes_from_a_newer_server_are_tolerated() {
        let problem: Problem = serde_json::from_str(
            r#"{"type":"urn:sspr:problem:x","title":"X","status":418,"code":"brand_new"}"#,
        )
        .unwrap();
        assert_eq!(problem.code, ErrorCode::Unknown);
    }
}
