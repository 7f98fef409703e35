//! The records the reset flow reads and writes, whatever the backend: accounts with their
//! methods, flows, challenges, proofs and the completing change. Backends (SQLite today,
//! PostgreSQL next) turn them into rows; nothing here knows a database.

use crate::limits::Locked;
use serde::{Deserialize, Serialize};
use sspr_api::MethodKind;

/// An account as the reset flow needs it.
#[derive(Debug, Clone)]
pub struct Account {
    pub id: i64,
    pub user_id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub enabled: bool,
    pub is_admin: bool,
    /// When the person last confirmed their methods were right (reconfirmation);
    /// `None`: never, beyond registering them.
    pub methods_confirmed_at: Option<u64>,
    /// The language the person's notices are written in (the app's, at their last
    /// sign-in).
    pub preferred_locale: Option<String>,
    /// They reported a change as not theirs: the security-info page is closed to them
    /// until a reset or an administrator restores it.
    pub methods_blocked: bool,
    pub groups: Vec<String>,
    pub methods: Vec<MethodRecord>,
    /// Question ids the person registered answers for.
    pub questions: Vec<String>,
}

/// What an LDAP directory says of a person, as this server's row of them keeps it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryEntry {
    /// The directory's id of the person, which never changes (entryUUID, objectGUID).
    pub stable_id: String,
    pub user_id: String,
    pub display_name: String,
    pub email: Option<String>,
    pub enabled: bool,
    pub is_admin: bool,
    pub groups: Vec<String>,
}

/// A registered method, without its secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodRecord {
    pub id: i64,
    pub kind: MethodKind,
    pub contact: Option<String>,
    pub is_default: bool,
    /// When it was registered or last changed (Unix seconds).
    pub registered_at: u64,
    /// When it was last proven in a reset or a sign-in; `None`: never.
    pub last_used_at: Option<u64>,
    /// An app notification's phone: when it last made a signed request (its enrolment
    /// counts); `None` for other kinds.
    pub device_seen_at: Option<u64>,
    /// An app notification's phone whose push service said its subscription is gone.
    pub push_gone: bool,
}

/// A method as offered in a flow.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct FlowMethod {
    pub id: String,
    pub kind: MethodKind,
    pub hint: Option<String>,
    /// The registered method behind it; `None` in a decoy flow.
    pub record: Option<i64>,
    /// Security questions: the registered question ids the ones asked are drawn from.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub questions: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FlowRecord {
    pub id: String,
    /// SHA-256 of the secret that binds the flow to the browser that started it.
    pub secret_hash: Vec<u8>,
    pub subject: String,
    /// The account; `None` for a decoy flow.
    pub user: Option<i64>,
    pub methods_required: u8,
    pub methods: Vec<FlowMethod>,
    pub created_at: u64,
    pub expires_at: u64,
    pub completed_at: Option<u64>,
    /// Ids of the methods proven so far.
    pub verified: Vec<String>,
    pub purpose: FlowPurpose,
}

/// What a flow is for: a password reset, or the method proof of a sign-in to the
/// security-info page (which can never set a password).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FlowPurpose {
    Reset,
    SignIn,
}

impl FlowPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            FlowPurpose::Reset => "reset",
            FlowPurpose::SignIn => "sign_in",
        }
    }

    pub fn parse(text: &str) -> Option<FlowPurpose> {
        [FlowPurpose::Reset, FlowPurpose::SignIn]
            .into_iter()
            .find(|purpose| purpose.as_str() == text)
    }

    /// The audit event of a flow's start.
    pub fn started_event(self) -> &'static str {
        match self {
            FlowPurpose::Reset => "reset_flow_started",
            FlowPurpose::SignIn => "sign_in_proof_started",
        }
    }
}

impl FlowRecord {
    pub fn method(&self, id: &str) -> Option<&FlowMethod> {
        self.methods.iter().find(|m| m.id == id)
    }
}

pub use crate::limits::Limits;

/// A new code (or set of questions) for a challenge.
pub struct NewChallenge {
    pub flow_id: String,
    pub method_id: String,
    pub subject: String,
    pub kind: MethodKind,
    /// What the send limits count this send under (`email`, `mobile_phone:sms`, ...).
    pub send_channel: String,
    pub now: u64,
    /// Keyed hash of the code and when it expires; `None` for methods without codes.
    pub code: Option<(Vec<u8>, u64)>,
    pub questions: Vec<String>,
    /// The message carrying the code (sealed for decoys too, to a placeholder address).
    pub message: Option<NewMessage>,
    /// Whether the message goes out; false in a decoy flow (or when the method's owner
    /// changed), where it is written and removed again.
    pub deliver: bool,
    /// An app notification's approval request, recorded with the send (decoys' too).
    pub approval: Option<NewApproval>,
}

/// An app notification's approval request: the number the portal shows among the three the
/// phone offers, for the device of the flow's method. Its id's keyed hash stands as the
/// challenge's code (its expiry, the send limits), as an office call's reference does.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApproval {
    pub id: String,
    /// The flow's account; `None` for a decoy.
    pub user: Option<i64>,
    /// The method row of the person's phone; `None` for a decoy.
    pub device: Option<i64>,
    /// In the order the phone shows them.
    pub numbers: [u8; 3],
    pub number: u8,
    /// Where the reset was asked from, for the phone to show.
    pub client_ip: Option<String>,
    pub browser: Option<String>,
    pub expires_at: u64,
}

/// An approval request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalRecord {
    pub id: String,
    pub flow_id: String,
    pub method_id: String,
    pub user: Option<i64>,
    pub device: Option<i64>,
    /// The user ID of the flow's account (read for the phone's list; `None` for decoys).
    pub user_id: Option<String>,
    pub numbers: Vec<u8>,
    pub number: u8,
    pub client_ip: Option<String>,
    pub browser: Option<String>,
    pub created_at: u64,
    pub expires_at: u64,
    /// When it was answered, or its timeout counted; `None`: still open.
    pub settled_at: Option<u64>,
    pub approved: bool,
}

/// An approval request as a proof checks it (the open one of the flow's method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApprovalInput {
    pub request: String,
    pub device: Option<i64>,
    pub number: u8,
    pub expires_at: u64,
}

/// A "this wasn't me" on an approval request: `subject`'s prompts of `kind` stop until a
/// password reset or an administrator lifts it, and the owner is told.
#[derive(Debug, Clone)]
pub struct PromptsReported {
    pub subject: String,
    pub kind: MethodKind,
    /// The e-mails to the owner.
    pub messages: Vec<NewMessage>,
    /// For the audit.
    pub user_id: String,
    pub now: u64,
}

/// An authenticator page's device, as its signed requests are checked against.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceRecord {
    /// The method row (kind `app_notification`) it is.
    pub method: i64,
    pub user: i64,
    pub device_id: String,
    /// The uncompressed P-256 public key (65 bytes).
    pub public_key: Vec<u8>,
}

/// An authenticator page that enrolled with a registration's one-time token: it becomes
/// the person's `app_notification` method (replacing theirs), with its notices.
pub struct DeviceEnrolment {
    /// The SHA-256 of the token.
    pub token_hash: Vec<u8>,
    /// The registration's person, as read before (it must still be theirs).
    pub user: i64,
    pub device_id: String,
    pub public_key: Vec<u8>,
    /// What the person called the phone: the method's contact.
    pub name: String,
    /// The push subscription, as JSON.
    pub subscription: Option<String>,
    pub now: u64,
    /// The session that made the link must have been used after this (its idle time):
    /// the link ends with the session, signed out, expired or idle.
    pub session_seen_after: u64,
    pub notice: NoticeFor,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChallengeOutcome {
    Ready {
        resend_in: Option<u64>,
    },
    FlowGone,
    Locked {
        account: bool,
        lock: Locked,
    },
    /// A code was sent for this method moments ago; seconds until another may be.
    RateLimited {
        retry_after: u64,
    },
    /// The hour's codes to this channel are used up; seconds until the next one is allowed.
    TooManySends {
        retry_after: u64,
    },
}

/// What a proof is checked against, loaded inside the transaction.
#[derive(Debug, Clone, Default)]
pub struct ProofInput {
    pub code_hash: Option<Vec<u8>>,
    /// Sealed TOTP secret and the last step used.
    pub totp_secret: Option<Vec<u8>>,
    pub last_used_step: Option<u64>,
    /// The questions asked, and the stored answer hashes of this account.
    pub questions: Vec<String>,
    pub answers: Vec<(String, Vec<u8>)>,
    /// The open approval request of the flow's method (app notifications).
    pub approval: Option<ApprovalInput>,
}

/// The verdict of the method's check.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofCheck {
    Right {
        totp_step: Option<u64>,
    },
    Wrong,
    /// Not a try at all (an approval that is not the open one, or too late): nothing is
    /// counted or changed, and the store answers [`ProofOutcome::CodeExpired`].
    Refused,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ProofOutcome {
    Verified,
    Wrong {
        attempts_left: u32,
    },
    /// The wrong try that locked a scope, or a try while locked.
    Locked {
        account: bool,
        lock: Locked,
    },
    /// No live code: none sent, expired or used up.
    CodeExpired,
    FlowGone,
}

/// The completing transaction's inputs.
pub struct Completion {
    pub flow_id: String,
    pub user: i64,
    /// `None` when the password lives in an LDAP directory, which took it before.
    pub new_hash: Option<String>,
    pub now: u64,
    pub messages: Vec<NewMessage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CompletionOutcome {
    Done { sessions_revoked: usize },
    AlreadyCompleted,
    NotReady,
    FlowGone,
}

/// Where the completing transaction can be made to fail, to prove it leaves nothing half
/// done (tests only).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultPoint {
    AfterPasswordWritten,
    AfterSessionsRevoked,
    AfterMessagesQueued,
}

/// What a proof is checked against, for the store to load: a live sent code, an
/// authenticator app's secret, or the answers to the questions asked. The method kinds
/// map onto these in `methods::proving`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ProofSource {
    SentCode,
    Totp,
    Questions,
    /// An app notification's open approval request: settled (approved or not) by the try.
    Approval,
}

/// One proof to check and count: which method of which flow, what it is checked
/// against, and when.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofAttempt {
    pub flow_id: String,
    pub method_id: String,
    pub source: ProofSource,
    pub now: u64,
}

/// How a queued message leaves: by e-mail (the SMTP relay), or to a phone through the
/// telephony provider (then the recipient is a number in E.164).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MessageChannel {
    Email,
    Phone(crate::phone::OutboundChannel),
    /// A Web Push wake-up of an authenticator page: the recipient is its method row's id,
    /// whose subscription is read when it is sent.
    Push,
}

impl MessageChannel {
    /// The outbox's name for the channel.
    pub fn as_str(self) -> &'static str {
        match self {
            MessageChannel::Email => "email",
            MessageChannel::Phone(channel) => channel.as_str(),
            MessageChannel::Push => "push",
        }
    }

    pub fn parse(name: &str) -> Option<MessageChannel> {
        match name {
            "email" => Some(MessageChannel::Email),
            "push" => Some(MessageChannel::Push),
            other => crate::phone::OutboundChannel::parse(other).map(MessageChannel::Phone),
        }
    }
}

/// A message to queue. `body` is sealed by the caller with the `dedupe_key` as context.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMessage {
    pub dedupe_key: String,
    pub channel: MessageChannel,
    pub recipient: String,
    pub subject: String,
    pub sealed_body: Vec<u8>,
    /// Undelivered after this (unix seconds), it is dropped: an expired code helps nobody.
    pub discard_after: Option<u64>,
}

/// A queued message.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct QueuedMessage {
    pub id: i64,
    pub dedupe_key: String,
    pub channel: MessageChannel,
    pub recipient: String,
    pub subject: String,
    pub sealed_body: Vec<u8>,
    pub created_at: u64,
    pub attempts: u32,
    pub status: DeliveryStatus,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DeliveryStatus {
    Pending,
    Sent,
    /// Undeliverable (permanent error, too many tries, or expired), with the reason.
    Failed(String),
}

/// A registered method as listed by the command line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MethodListing {
    pub id: i64,
    pub kind: String,
    pub contact: Option<String>,
    pub is_default: bool,
    /// A "this wasn't me" report suspended it (never offered until restored).
    pub suspended: bool,
}

/// How many rows a purge deleted, per table.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PurgeReport {
    pub audit_events: usize,
    pub spent_captchas: usize,
    pub sends: usize,
    pub reset_flows: usize,
    pub failure_counters: usize,
    /// Sessions past their absolute end (with their registrations).
    pub sessions: usize,
    /// Method registrations and one-time passes past their expiry.
    pub registrations: usize,
}

impl PurgeReport {
    pub fn total(&self) -> usize {
        self.audit_events
            + self.spent_captchas
            + self.sends
            + self.reset_flows
            + self.failure_counters
            + self.sessions
            + self.registrations
    }
}

/// The scope of the per-account failure counter; per-method counters use the method kind.
pub const ACCOUNT: &str = "account";

/// The account's own subject of a flow's subject, which a recognised browser scopes as
/// `subject:tag` (as `reset::device` makes it).
pub fn account_scope(subject: &str) -> &str {
    subject.split(':').next().unwrap_or(subject)
}

/// An approval's three numbers as stored: `47,12,83`.
pub fn numbers_text(numbers: &[u8]) -> String {
    numbers
        .iter()
        .map(u8::to_string)
        .collect::<Vec<_>>()
        .join(",")
}

/// The numbers of a stored `numbers_text`.
pub fn parse_numbers(text: &str) -> Result<Vec<u8>, super::StoreError> {
    text.split(',')
        .map(|n| n.parse().ok())
        .collect::<Option<Vec<u8>>>()
        .ok_or_else(|| super::StoreError::Corrupt(format!("approval numbers {text:?}")))
}

/// The pauses in force on an account and on some of its method kinds.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Pauses {
    pub account: Option<crate::limits::Locked>,
    /// One entry per kind asked about, in the same order.
    pub methods: Vec<Option<crate::limits::Locked>>,
}

// Retention: how long records that anyone can make the server write are kept (the hourly
// purge of every backend deletes them after this).
/// Sends count against the hourly send limit for an hour; after that they decide nothing.
pub const SENDS_KEPT: u64 = 60 * 60;

/// Reset flows are kept a day past their expiry (a late repeat still gets "expired").
pub const FLOWS_KEPT_AFTER_EXPIRY: u64 = 24 * 60 * 60;

/// A failure counter that is not locked and has not changed for this long is forgotten.
/// Counters written before schema version 4 have no time (0) and count as idle.
pub const COUNTERS_KEPT_IDLE: u64 = 24 * 60 * 60;

/// A session of the security-info page, as the store holds it (its id only hashed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionRecord {
    /// The person's row id.
    pub user: i64,
    pub user_id: String,
    pub display_name: String,
    pub created_at: u64,
    /// The absolute end, whatever the use.
    pub expires_at: u64,
    pub last_seen_at: u64,
    /// When the person last proved a method in this session; `None`: only the password.
    pub proven_at: Option<u64>,
}

/// A session to create.
#[derive(Debug, Clone)]
pub struct NewSession {
    pub id_hash: Vec<u8>,
    pub user: i64,
    pub now: u64,
    pub expires_at: u64,
    /// Set when a method was proven at sign-in.
    pub proven_at: Option<u64>,
    /// The browser's previous session, ended in the same transaction (rotation).
    pub replaces: Option<Vec<u8>>,
    /// Audited with the person's user ID.
    pub user_id: String,
    /// The app's language, kept as the person's notices' language.
    pub locale: Option<String>,
}

/// A signed-in person's password change, all or nothing: the new hash (the old one goes
/// to the history), every other session of theirs ended, the notices queued.
#[derive(Debug, Clone)]
pub struct PasswordChange {
    pub user: i64,
    pub user_id: String,
    /// `None` when the password lives in an LDAP directory, which took it before.
    pub new_hash: Option<String>,
    /// The session the change was made in, which stays.
    pub keep_session: Vec<u8>,
    pub now: u64,
    /// The notices, with their "this wasn't me" link.
    pub notice: ChangeNotice,
}

/// What a method registration does once its code is confirmed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationPurpose {
    /// Adds a method (or replaces the person's method of the same kind).
    Method,
    /// Proves the session of a person with no method: the code went to the address the
    /// directory holds for them. No method is added.
    Contact,
}

impl RegistrationPurpose {
    pub fn as_str(self) -> &'static str {
        match self {
            RegistrationPurpose::Method => "method",
            RegistrationPurpose::Contact => "contact",
        }
    }

    pub fn parse(text: &str) -> Option<RegistrationPurpose> {
        [RegistrationPurpose::Method, RegistrationPurpose::Contact]
            .into_iter()
            .find(|purpose| purpose.as_str() == text)
    }
}

/// A method registration to start: pending until its code is confirmed, it is never a
/// method (a reset never sees it). Starting one ends the session's earlier one of the
/// same kind and purpose.
#[derive(Debug, Clone)]
pub struct NewRegistration {
    pub id: String,
    /// The hash of the session that started it: only that session can confirm it.
    pub session: Vec<u8>,
    pub user: i64,
    /// For the audit.
    pub user_id: String,
    /// The account's keyed hash: codes sent count against its hourly send limit.
    pub subject: String,
    pub kind: MethodKind,
    pub purpose: RegistrationPurpose,
    /// The address the code goes to (e-mail).
    pub contact: Option<String>,
    /// An authenticator app's secret, sealed for this registration.
    pub sealed_secret: Option<Vec<u8>>,
    /// The keyed hash of the code sent (e-mail); `None` for an app.
    pub code_hash: Option<Vec<u8>>,
    pub now: u64,
    pub expires_at: u64,
    /// The message carrying the code.
    pub message: Option<NewMessage>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationStart {
    Started,
    /// A code went to this session's registration of the kind moments ago.
    RateLimited {
        retry_after: u64,
    },
    /// The hour's codes to this channel are used up.
    TooManySends {
        retry_after: u64,
    },
}

/// What a registration's code is checked against, loaded inside the transaction.
#[derive(Debug, Clone)]
pub struct RegistrationInput {
    pub code_hash: Option<Vec<u8>>,
    pub sealed_secret: Option<Vec<u8>>,
}

/// The notices of a confirmed registration, made once the store knows what it did: the
/// method's kind, whether it replaced one, and its new contact.
pub type NoticeFor = Box<dyn FnOnce(MethodKind, bool, Option<&str>) -> ChangeNotice + Send>;

/// One confirmation to check and count.
pub struct RegistrationAttempt {
    pub id: String,
    pub session: Vec<u8>,
    pub user: i64,
    /// What the caller confirms: a registration of another purpose is `Gone` to it.
    pub purpose: RegistrationPurpose,
    pub now: u64,
    /// Wrong codes after which the registration is dead (the policy's
    /// `codes.max_attempts`).
    pub max_attempts: u32,
    /// Notices of the change (to the person's other addresses), queued with it.
    pub notice: NoticeFor,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RegistrationOutcome {
    /// The method now counts; `replaced`: it took the place of the person's method of the
    /// same kind (same id, new contact or secret).
    Added {
        method: i64,
        replaced: bool,
    },
    /// A `Contact` registration proved the session.
    SessionProven,
    Wrong {
        attempts_left: u32,
    },
    /// No such registration of this session and person, expired, or out of tries.
    Gone,
}

/// A change's notices and the "this wasn't me" link they carry, queued with the change.
#[derive(Debug, Clone, Default)]
pub struct ChangeNotice {
    pub messages: Vec<NewMessage>,
    pub report: Option<NewReport>,
}

/// A "this wasn't me" link to record (its token only hashed). The method it is about is
/// filled in by the store when the change creates it.
#[derive(Debug, Clone)]
pub struct NewReport {
    pub token_hash: Vec<u8>,
    pub change: sspr_api::session::ReportedChange,
    pub method_kind: Option<MethodKind>,
    pub method: Option<i64>,
    pub now: u64,
    pub expires_at: u64,
}

/// A report link as its page shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportRecord {
    pub user: i64,
    pub change: sspr_api::session::ReportedChange,
    pub method_kind: Option<MethodKind>,
    pub created_at: u64,
    pub reported_at: Option<u64>,
    /// The person's notice language, for the page.
    pub locale: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReportOutcome {
    /// Every session ended, the page closed to the person, the changed method suspended.
    Filed {
        sessions_ended: u64,
        method_suspended: bool,
    },
    /// No such live, unused report.
    Gone,
}

/// The wire name of a reported change (the `change_reports.change` column).
pub fn change_name(change: sspr_api::session::ReportedChange) -> &'static str {
    use sspr_api::session::ReportedChange as C;
    match change {
        C::MethodAdded => "method_added",
        C::MethodChanged => "method_changed",
        C::MethodRemoved => "method_removed",
        C::PasswordChanged => "password_changed",
    }
}

/// The change a `change_reports.change` value names.
pub fn parse_change(text: &str) -> Option<sspr_api::session::ReportedChange> {
    use sspr_api::session::ReportedChange as C;
    [
        C::MethodAdded,
        C::MethodChanged,
        C::MethodRemoved,
        C::PasswordChanged,
    ]
    .into_iter()
    .find(|&change| change_name(change) == text)
}

/// The kind a stored row names; a name this version does not know is a corrupt row.
pub fn stored_kind(name: &str) -> Result<MethodKind, super::StoreError> {
    MethodKind::parse(name)
        .ok_or_else(|| super::StoreError::Corrupt(format!("method kind {name:?}")))
}
