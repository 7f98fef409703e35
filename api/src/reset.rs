//! The reset flow (README, The reset API): start with a user ID and a CAPTCHA solution, prove
//! one or two methods, then set the new password.
//!
//! Until a secret has been proven every answer looks the same whether the account exists
//! or not: unknown accounts get a stable decoy flow with believable methods.

use crate::MethodKind;
use crate::captcha::CaptchaSolution;
use serde::{Deserialize, Serialize};

/// The longest user ID accepted (longer input is refused as `invalid_request`).
pub const MAX_USER_ID_LENGTH: usize = 256;

/// `POST /api/v1/reset/flows`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct StartReset {
    pub user_id: String,
    pub captcha: CaptchaSolution,
}

/// The longest a flow can live, extensions included (seconds).
pub const MAX_FLOW_SECONDS: u64 = 60 * 60;

/// The request header that carries a flow's secret on every request about the flow
/// (`GET` the flow, send, verify, set the password). Without the right secret, a flow id is
/// answered as if it did not exist.
pub const FLOW_SECRET_HEADER: &str = "x-flow-secret";

/// A reset flow as the app sees it: answer of start, of `GET .../flows/{id}` and of verify.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetFlow {
    /// Opaque and unguessable (128 bits); names the flow in URLs, which may be logged, so
    /// it is not enough to act on the flow: see `flow_secret`.
    pub flow_id: String,
    /// Only in the answer that starts the flow: the secret (128 bits) that binds the flow
    /// to this browser. Send it in the [`FLOW_SECRET_HEADER`] header with every request
    /// about the flow; keep it in the tab's `sessionStorage`, never in a URL or a cookie.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub flow_secret: Option<String>,
    /// Seconds until the flow expires and the person has to start again.
    pub expires_in_seconds: u64,
    /// How many different methods must be proven before the password can be set.
    pub methods_required: u8,
    /// The methods to offer, in the order to show them.
    pub methods: Vec<OfferedMethod>,
    /// Ids of the methods proven so far.
    pub verified: Vec<String>,
    /// Whether `POST .../flows/{id}/extend` can give the flow more time (a flow lives at
    /// most [`MAX_FLOW_SECONDS`] in all).
    pub can_extend: bool,
    /// Seconds until the account's pause ends, when too many wrong tries paused it: no
    /// method can be used until then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_for_seconds: Option<u64>,
    /// Once enough methods are proven: the person's directory account is locked out and
    /// the organisation lets them unlock it keeping their password (`POST .../unlock`,
    /// [`crate::paths::reset_unlock`]) instead of choosing a new one.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlock_offered: bool,
}

impl ResetFlow {
    /// Whether enough methods are proven to set the new password.
    pub fn ready_for_password(&self) -> bool {
        self.verified.len() >= usize::from(self.methods_required)
    }
}

/// One method the person can prove, with masked contact data only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct OfferedMethod {
    /// Stable within the flow; used in the method's URLs.
    pub id: String,
    pub kind: MethodKind,
    /// Masked contact data (`a•••@example.com`, `•••• 12`); none for app codes and questions.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
    /// Seconds until the method can be used again, when too many wrong tries paused it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub locked_for_seconds: Option<u64>,
}

/// Body of `POST .../methods/{method}/challenge`: `{}`, or for a mobile phone the channel
/// chosen among the policy's (`PublicConfig.phone_channels`; the first when absent).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ChallengeRequest {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<crate::method::PhoneChannel>,
}

/// Answer of `POST .../methods/{method}/challenge`: a code was sent, or the questions to
/// answer, or (app codes) nothing to send.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Challenge {
    /// Seconds until the code sent expires (e-mail, text and voice codes).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_expires_in_seconds: Option<u64>,
    /// Seconds before another code can be sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resend_in_seconds: Option<u64>,
    /// Digits in the code to type.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub code_length: Option<u32>,
    /// Ids of the security questions to answer (see [`crate::questions`]).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
    /// How a mobile phone's code was sent.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub channel: Option<crate::method::PhoneChannel>,
    /// Office phone: the call is on its way; it waits this many seconds for the person to
    /// answer and press #. The method shows as verified in the flow (`GET` the flow) once
    /// they did; nothing else about the call is told (an unknown account's flow "calls"
    /// the same way), so when the time is up without it, offer to call again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_seconds: Option<u64>,
    /// App notification: show "Open your authenticator and choose {number_to_choose}"; the
    /// phone offers it among three numbers. Then wait for the answer with
    /// `GET .../methods/{method}/approval`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number_to_choose: Option<u8>,
    /// App notification: seconds the request waits for the person's answer.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wait_seconds: Option<u64>,
}

/// Body of `POST .../methods/{method}/verify`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum Proof {
    /// `{"code": "123456"}`: a code from e-mail, text, voice or an authenticator app.
    Code(String),
    /// `{"answers": [{"question": "...", "answer": "..."}]}`.
    Answers(Vec<Answer>),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct Answer {
    pub question: String,
    pub answer: String,
}

/// Body of `POST .../password`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct NewPassword {
    pub password: String,
}

/// Answer of `POST .../password`: what happened, for the confirmation page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct ResetDone {
    /// A notification to the person's addresses is on its way.
    pub notification_sent: bool,
    /// Every other session of the account was signed out.
    pub sessions_signed_out: bool,
    /// The account was unlocked and its password kept (`POST .../unlock`): no password
    /// was set.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub unlocked: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn proofs_are_one_key_objects() {
        let code = serde_json::to_value(Proof::Code("123456".into())).unwrap();
        assert_eq!(code, serde_json::json!({"code": "123456"}));
        let answers: Proof =
            serde_json::from_str(r#"{"answers":[{"question":"first_pet","answer":"Rex"}]}"#)
                .unwrap();
        assert_eq!(
            answers,
            Proof::Answers(vec![Answer {
                question: "first_pet".into(),
                answer: "Rex".into()
            }])
        );
    }

    #[test]
    fn ready_once_enough_methods_are_verified() {
        let mut flow = ResetFlow {
            flow_id: "f".into(),
            flow_secret: None,
            expires_in_seconds: 60,
            methods_required: 2,
            methods: vec![],
            verified: vec!["m1".into()],
            can_extend: false,
            locked_for_seconds: None,
            unlock_offered: false,
        };
        assert!(!flow.ready_for_password());
        flow.verified.push("m2".into());
        assert!(flow.ready_for_password());
    }
}
