//! The SSPR JSON API contract.
//!
//! Every JSON shape that crosses the wire between the web app and the server is defined
//! here, once. The crate builds for `wasm32-unknown-unknown` (the app) and natively (the
//! server), so the two sides cannot drift apart.
//!
//! With the `openapi` feature (the server's, never the app's: it would cost wasm size)
//! every type also derives `utoipa::ToSchema`, from which the server builds the OpenAPI
//! document it serves at `/api/v1/openapi.json`.

pub mod authenticator;
pub mod captcha;
pub mod config;
pub mod dev;
pub mod health;
pub mod method;
pub mod password;
pub mod problem;
pub mod questions;
pub mod reset;
pub mod return_url;
pub mod session;
pub mod text;

pub use config::{LocaleTag, PublicConfig};
pub use health::Health;
pub use method::MethodKind;
pub use problem::{ErrorCode, Problem};

/// Every endpoint lives under this prefix; a breaking change gets a new version.
pub const API_PREFIX: &str = "/api/v1";

/// Paths of the endpoints, relative to the server's origin.
pub mod paths {
    /// `GET`: liveness and database reachability.
    pub const HEALTH: &str = "/api/v1/health";
    /// `GET`: the organisation's public configuration (name, locales, help desk).
    pub const CONFIG: &str = "/api/v1/config";
    /// `GET`: a fresh proof-of-work CAPTCHA challenge.
    pub const CAPTCHA: &str = "/api/v1/captcha";
    /// `GET` (demo mode only): the newest messages queued, newest first.
    pub const DEV_OUTBOX: &str = "/api/v1/dev/outbox";
    /// `GET`: the list of common passwords as text, sorted, one per line (a static file of
    /// the web app, copied from `api/data/` at build time).
    pub const COMMON_PASSWORDS: &str = "/common-passwords.txt";
    /// `POST`: start a reset flow ([`crate::reset::StartReset`] -> [`crate::reset::ResetFlow`]).
    pub const RESET_FLOWS: &str = "/api/v1/reset/flows";
    /// `POST`: sign in to the security-info page ([`crate::session::SignIn`] ->
    /// [`crate::session::SessionInfo`], with the session cookie); `GET`: the session;
    /// `DELETE`: sign out.
    pub const SESSION: &str = "/api/v1/session";
    /// `POST`: the second step of sign-in ([`crate::session::SessionProof`]).
    pub const SESSION_PROOF: &str = "/api/v1/session/proof";
    /// `POST` (empty JSON object): a new proof flow, when the last proof is too old.
    pub const SESSION_NEW_PROOF: &str = "/api/v1/session/proof/new";
    /// `POST`: change the password ([`crate::session::ChangePassword`]).
    pub const SESSION_PASSWORD: &str = "/api/v1/session/password";
    /// `GET`: the signed-in person's methods ([`crate::session::MethodList`]).
    pub const SESSION_METHODS: &str = "/api/v1/session/methods";

    /// `POST`: start adding or changing a method ([`crate::session::NewMethod`] ->
    /// [`crate::session::PendingMethod`]).
    pub const SESSION_REGISTRATIONS: &str = "/api/v1/session/registrations";
    /// `GET`: the questions to choose from ([`crate::session::QuestionChoice`]); `POST`:
    /// register answers ([`crate::session::SecurityAnswers`]).
    pub const SESSION_QUESTIONS: &str = "/api/v1/session/security-questions";
    /// `POST` (empty JSON object): the person confirms their methods are still right
    /// (reconfirmation) -> [`crate::session::SessionInfo`].
    pub const SESSION_RECONFIRM: &str = "/api/v1/session/reconfirm";
    /// `POST`: prove the session with an administrator's one-time pass
    /// ([`crate::session::OneTimePass`]).
    pub const SESSION_PASS: &str = "/api/v1/session/proof/pass";
    /// `POST` (empty JSON object): send a code to the address the directory holds, for a
    /// person with no method ([`crate::session::PendingMethod`]).
    pub const SESSION_CONTACT_PROOF: &str = "/api/v1/session/proof/contact";

    /// `POST` a [`crate::session::ConfirmCode`]: the code that makes the method count.
    pub fn session_registration_confirm(registration_id: &str) -> String {
        format!("{SESSION_REGISTRATIONS}/{registration_id}/confirm")
    }

    /// `POST` a [`crate::session::ConfirmCode`]: the code sent to the directory's address.
    pub fn session_contact_proof(registration_id: &str) -> String {
        format!("{SESSION_CONTACT_PROOF}/{registration_id}")
    }

    /// `DELETE`: remove one of the signed-in person's methods; `{...}/default` (`POST`,
    /// empty JSON object): make it their default.
    pub fn session_method(method_id: &str) -> String {
        format!("{SESSION_METHODS}/{method_id}")
    }

    /// `GET`: what a notice's "this wasn't me" link is about ([`crate::session::ChangeReport`]);
    /// `POST` (empty JSON object): report it ([`crate::session::ReportDone`]).
    pub fn report(token: &str) -> String {
        format!("/api/v1/reports/{token}")
    }

    /// The app's page a notice's "this wasn't me" link opens (it asks before reporting).
    pub fn report_page(token: &str) -> String {
        format!("/report/{token}")
    }

    /// `GET`: the flow's state ([`crate::reset::ResetFlow`]).
    pub fn reset_flow(flow_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}")
    }

    /// `POST` (empty JSON object): send a code, or get the questions to answer.
    pub fn reset_challenge(flow_id: &str, method_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}/methods/{method_id}/challenge")
    }

    /// `POST` a [`crate::reset::Proof`]: check a code or answers.
    pub fn reset_verify(flow_id: &str, method_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}/methods/{method_id}/verify")
    }

    /// `POST` (empty JSON object): more time for the flow, up to an hour in all.
    pub fn reset_extend(flow_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}/extend")
    }

    /// `POST` a [`crate::reset::NewPassword`] once enough methods are proven.
    pub fn reset_password(flow_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}/password")
    }

    /// `POST` (empty JSON object) once enough methods are proven and the flow offers it
    /// (`ResetFlow.unlock_offered`): unlocks the directory account, keeping its password.
    pub fn reset_unlock(flow_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}/unlock")
    }

    /// `GET`: waits (up to 25 s, or `?wait=` seconds) for the person to answer an app
    /// notification ([`crate::authenticator::ApprovalStatus`]).
    pub fn reset_approval(flow_id: &str, method_id: &str) -> String {
        format!("{RESET_FLOWS}/{flow_id}/methods/{method_id}/approval")
    }

    /// `GET`: the authenticator page's configuration
    /// ([`crate::authenticator::AuthenticatorConfig`]).
    pub const AUTHENTICATOR_CONFIG: &str = "/api/v1/authenticator/config";
    /// `POST`: enrol the page's key with the enrol link's token
    /// ([`crate::authenticator::Enrol`] -> [`crate::authenticator::Enrolled`]).
    pub const AUTHENTICATOR_ENROL: &str = "/api/v1/authenticator/enrol";
    /// `GET` (device-signed): the requests waiting for this device
    /// ([`crate::authenticator::ApprovalRequests`]).
    pub const AUTHENTICATOR_REQUESTS: &str = "/api/v1/authenticator/requests";

    /// `POST` (device-signed) a [`crate::authenticator::DecideRequest`]: approve, deny or
    /// report a request.
    pub fn authenticator_request(request_id: &str) -> String {
        format!("{AUTHENTICATOR_REQUESTS}/{request_id}")
    }

    /// The page the enrol link opens; the token travels in the fragment, which never
    /// reaches a server's log.
    pub const AUTHENTICATOR_PAGE: &str = "/authenticator";
}
