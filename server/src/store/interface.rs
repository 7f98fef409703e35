//! What the server needs from a store, as one trait per concern over backend-neutral
//! records (`records.rs`): the reset flow, the outbox, the directory, administering
//! people, upkeep. SQLite (`sqlite/`) and PostgreSQL (`postgres/`) implement them all;
//! [`super::Store`] is whichever one the configuration names. Each method is one atomic step
//! of the flow: a backend must keep each one a single transaction, because the security
//! rules (counters never skipped, completion all or nothing) depend on it.

use super::StoreError;
use super::records::Pauses;
use super::records::{
    Account, ChallengeOutcome, Completion, CompletionOutcome, FlowRecord, NewChallenge,
    ProofAttempt, ProofCheck, ProofInput, ProofOutcome,
};
use super::records::{ApprovalRecord, DeviceEnrolment, DeviceRecord, PromptsReported};
use super::records::{ChangeNotice, DirectoryEntry, ReportOutcome, ReportRecord};
use super::records::{MessageChannel, MethodListing, NewMessage, PurgeReport, QueuedMessage};
use super::records::{
    NewRegistration, RegistrationAttempt, RegistrationInput, RegistrationOutcome, RegistrationStart,
};
use super::records::{NewSession, PasswordChange, SessionRecord};
use super::{NewUser, UserSummary};
use crate::limits::Limits;
use crate::limits::{Limit, Locked};
use sspr_api::MethodKind;
use std::future::Future;
use std::time::Duration;

/// Decides whether a proof is right, given what the store holds for it (run inside the
/// store's transaction).
pub type ProofChecker = Box<dyn FnOnce(&ProofInput) -> ProofCheck + Send>;

/// Seals a confirmed method's secret for its row id (an app's TOTP secret), or `None`.
pub type Sealer = Box<dyn FnOnce(i64) -> Option<Vec<u8>> + Send>;

/// A registration's verdict: right (with the TOTP step used, and the sealer of the
/// method's secret) or wrong.
pub enum RegistrationCheck {
    Right {
        totp_step: Option<u64>,
        seal: Sealer,
    },
    Wrong,
}

/// Decides whether a registration's code is right, given what the store holds for it
/// (run inside the store's transaction).
pub type RegistrationChecker = Box<dyn FnOnce(&RegistrationInput) -> RegistrationCheck + Send>;

/// The store operations of the reset flow and its CAPTCHA.
pub trait ResetStore: Clone + Send + Sync + 'static {
    /// The account with this user ID (any case), with its methods and groups.
    fn account(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;
    fn account_by_id(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;
    /// The contact (address, number) of a registered method, read through its owner;
    /// decoys ask with `None`s and do the same work.
    fn method_contact(
        &self,
        user: Option<i64>,
        method: Option<i64>,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// The registered e-mail domains with how many addresses each (decoy hints).
    fn email_domains(&self) -> impl Future<Output = Result<Vec<(String, u64)>, StoreError>> + Send;
    fn create_flow(&self, flow: FlowRecord) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The flow whatever its state (expired and completed ones too).
    fn flow(&self, id: &str)
    -> impl Future<Output = Result<Option<FlowRecord>, StoreError>> + Send;
    /// Moves a live flow's end; false when the flow is gone or finished.
    fn extend_flow(
        &self,
        id: &str,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Records a challenge (a code sent, questions asked) within the send limits.
    fn begin_challenge(
        &self,
        challenge: NewChallenge,
        limits: Limits,
    ) -> impl Future<Output = Result<ChallengeOutcome, StoreError>> + Send;
    /// Checks a proof with `check` and counts the outcome, in one transaction.
    fn attempt_proof(
        &self,
        attempt: ProofAttempt,
        limits: Limits,
        check: ProofChecker,
        notice: Vec<NewMessage>,
    ) -> impl Future<Output = Result<ProofOutcome, StoreError>> + Send;
    /// The current password hash and the `recent` retired ones, newest first.
    fn password_hashes(
        &self,
        user: i64,
        recent: u32,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
    /// The other enabled administrators' e-mail addresses, each with its account's
    /// `preferred_locale` (the language of what they are told).
    fn other_admin_emails(
        &self,
        except: i64,
    ) -> impl Future<Output = Result<Vec<(String, Option<String>)>, StoreError>> + Send;
    /// The password change, all or nothing.
    fn complete_reset(
        &self,
        completion: Completion,
    ) -> impl Future<Output = Result<CompletionOutcome, StoreError>> + Send;
    fn account_lock(
        &self,
        subject: String,
        now: u64,
    ) -> impl Future<Output = Result<Option<Locked>, StoreError>> + Send;
    /// The pauses on the account and on each of `kinds` (same order).
    fn pauses(
        &self,
        subject: String,
        kinds: Vec<MethodKind>,
        now: u64,
    ) -> impl Future<Output = Result<Pauses, StoreError>> + Send;
    fn count_account_failure(
        &self,
        subject: String,
        limit: Limit,
        now: u64,
        event: &'static str,
    ) -> impl Future<Output = Result<Option<Locked>, StoreError>> + Send;
    /// A signed-in person's password change (see [`PasswordChange`]); how many other
    /// sessions it ended.
    fn change_password(
        &self,
        change: PasswordChange,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send;
    /// Marks a live, unfinished flow done without a password (a sign-in's proof, once
    /// used); false when it was already finished or is gone.
    fn complete_flow(
        &self,
        id: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Marks a CAPTCHA challenge used; false when it was used before.
    fn spend_captcha(
        &self,
        challenge: String,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The newest approval request of a flow's method (app notifications), settled or not.
    fn approval(
        &self,
        flow_id: &str,
        method_id: &str,
    ) -> impl Future<Output = Result<Option<ApprovalRecord>, StoreError>> + Send;
    /// The approval request with this id, settled or not.
    fn approval_by_id(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<ApprovalRecord>, StoreError>> + Send;
    /// The open approval requests of the phone of method row `device` that have not timed
    /// out at `now` and whose flow is live, newest first.
    fn device_approvals(
        &self,
        device: i64,
        now: u64,
    ) -> impl Future<Output = Result<Vec<ApprovalRecord>, StoreError>> + Send;
    /// Stops the reported prompts until a reset or an administrator lifts the pause, and
    /// tells the owner, in one transaction.
    fn report_prompts(
        &self,
        report: PromptsReported,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Brings the row of a person an LDAP directory holds up to date (people/mod.rs):
    /// found by the directory's stable id, renamed, its details, state and groups
    /// replaced; created when new. With `None` (the directory has no `user_id`), a
    /// directory row carrying that user ID is disabled. One transaction.
    fn sync_directory_entry(
        &self,
        user_id: String,
        entry: Option<DirectoryEntry>,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Notes (`sent`) or clears that a flow's new password went to the directory, which
    /// may have taken it; whether it was noted before.
    fn mark_writeback(
        &self,
        flow_id: String,
        sent: bool,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Marks a live, unfinished flow done by an unlock (the directory lifted the lockout),
    /// queues `messages` and audits it, in one transaction; false when it was already
    /// finished or is gone.
    fn complete_unlock(
        &self,
        flow_id: String,
        now: u64,
        messages: Vec<NewMessage>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

/// The outbox, as the delivery worker needs it: the messages due, a claim with a lease
/// (so two workers never send one message twice), and the outcome of each try.
pub trait OutboxStore: Clone + Send + Sync + 'static {
    /// Messages due for delivery at `now`, oldest first (expired ones are given up).
    fn due_messages(
        &self,
        now: u64,
        limit: u32,
        channels: Vec<MessageChannel>,
    ) -> impl Future<Output = Result<Vec<QueuedMessage>, StoreError>> + Send;
    /// When the next message on `channels` is due, if any is waiting.
    fn next_message_due(
        &self,
        channels: Vec<MessageChannel>,
    ) -> impl Future<Output = Result<Option<u64>, StoreError>> + Send;
    /// Takes message `id` until `lease_until`; false when another worker holds it.
    fn claim_message(
        &self,
        id: i64,
        now: u64,
        lease_until: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    fn mark_sent(&self, id: i64, now: u64) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// A failed try: again at `retry_at`, or given up when `None`.
    fn mark_failed_attempt(
        &self,
        id: i64,
        now: u64,
        error: String,
        retry_at: Option<u64>,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The push subscription (JSON) of the authenticator page of method row `device`, if
    /// it has one its push service has not given up.
    fn push_subscription(
        &self,
        device: i64,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// The push service said the subscription of `device` is gone: the phone shows as
    /// stale until it enrols again.
    fn push_subscription_gone(
        &self,
        device: i64,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// The directory's store operations used to administer people (passwords, methods,
/// answers, unlocking); each is one transaction.
pub trait DirectoryStore: Clone + Send + Sync + 'static {
    /// The account with this user ID (any case), with its methods and groups.
    fn account(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send;
    fn set_password_hash(
        &self,
        user_id: &str,
        hash: String,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn password_hash_of(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send;
    /// Registers a method; `seal` makes its sealed secret from the new row's id.
    fn add_method(
        &self,
        user_id: &str,
        kind: MethodKind,
        contact: Option<String>,
        now: u64,
        seal: impl FnOnce(i64) -> Option<Vec<u8>> + Send + 'static,
    ) -> impl Future<Output = Result<i64, StoreError>> + Send;
    /// Replaces the account's security answers with these hashes, queueing `notice`.
    fn set_security_answers(
        &self,
        user_id: &str,
        user: i64,
        hashed: Vec<(String, Vec<u8>)>,
        now: u64,
        notice: ChangeNotice,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Removes one of `user`'s methods (with the answers, for security questions), queueing
    /// `notice` with it; false when they have no method with that id.
    fn delete_method(
        &self,
        user: i64,
        method: i64,
        now: u64,
        notice: ChangeNotice,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Makes `method` `user`'s default (and no other); false when they have no such method.
    fn set_default_method(
        &self,
        user: i64,
        method: i64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Clears every failure counter of the account's `subject`.
    fn unlock(
        &self,
        user_id: &str,
        subject: String,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Administering people (the command line, the demo seed): creating, listing, enabling,
/// grouping, listing their methods. Each is one transaction and audited.
pub trait AdminStore: Clone + Send + Sync + 'static {
    /// Creates the user unless one with the same user ID exists; whether it was created.
    fn create_user_if_missing(
        &self,
        user: &NewUser<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Every user with their groups, ordered by user ID.
    fn list_users(&self) -> impl Future<Output = Result<Vec<UserSummary>, StoreError>> + Send;
    fn set_enabled(
        &self,
        user_id: &str,
        enabled: bool,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn add_to_group(
        &self,
        user_id: &str,
        group: &str,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    fn list_methods(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<MethodListing>, StoreError>> + Send;
    /// Gives a person another user ID (their directory renamed them). Everything of theirs
    /// is keyed by their row's id, not by the user ID, so methods, answers, password and
    /// history stay theirs. False when another person already has `new_user_id`.
    fn rename_user(
        &self,
        user_id: &str,
        new_user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Lifts a report's block: the security-info page opens to the person again and the
    /// methods it suspended work again (the administrator judged them the person's).
    fn restore_methods(
        &self,
        user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Gives the person a one-time pass (its hash) valid until `expires_at`, replacing any
    /// earlier one.
    fn issue_pass(
        &self,
        user_id: &str,
        pass_hash: Vec<u8>,
        now: u64,
        expires_at: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Sessions of the security-info page, by the hash of their id (the id itself is never
/// stored). Each is one transaction.
pub trait SessionStore: Clone + Send + Sync + 'static {
    /// Creates a session, ending `replaces` (the browser's previous one) with it.
    fn create_session(
        &self,
        session: NewSession,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// The session and its person, if it exists (whatever its age: the caller decides).
    fn session(
        &self,
        id_hash: Vec<u8>,
    ) -> impl Future<Output = Result<Option<SessionRecord>, StoreError>> + Send;
    /// Records a use at `now` (the idle timeout counts from the last one).
    fn touch_session(
        &self,
        id_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Records that a method was proven in the session at `now`; false when it is gone.
    fn prove_session(
        &self,
        id_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Ends a session (sign-out, or a timeout found); false when there was none.
    fn end_session(
        &self,
        id_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// Starts a method registration (see [`NewRegistration`]) within the send limits,
    /// queueing the message with its code.
    fn begin_registration(
        &self,
        registration: NewRegistration,
        limits: Limits,
    ) -> impl Future<Output = Result<RegistrationStart, StoreError>> + Send;
    /// Checks a registration's code with `check` and, when right, makes the method count
    /// (or proves the session), all in one transaction; a wrong code counts a try.
    fn confirm_registration(
        &self,
        attempt: RegistrationAttempt,
        check: RegistrationChecker,
    ) -> impl Future<Output = Result<RegistrationOutcome, StoreError>> + Send;
    /// The live report link with this token hash, used or not.
    fn change_report(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<Option<ReportRecord>, StoreError>> + Send;
    /// Files a report ("this wasn't me"), once, in one transaction: every session of the
    /// person ended, the security-info page closed to them, the method the change added
    /// or changed suspended.
    fn file_report(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<ReportOutcome, StoreError>> + Send;
    /// Records that `user` confirmed their methods at `now` (reconfirmation).
    fn confirm_methods(
        &self,
        user: i64,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Spends `user`'s live one-time pass with this hash and proves the session with it;
    /// false when there is none (wrong, used, expired) or the session is gone.
    fn prove_with_pass(
        &self,
        id_hash: Vec<u8>,
        user: i64,
        pass_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
    /// The person of the live app-notification registration whose one-time token has this
    /// hash.
    fn device_registration(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> impl Future<Output = Result<Option<i64>, StoreError>> + Send;
    /// Completes an app-notification registration with the device that holds its token
    /// (once: the registration goes), replacing the person's phone, with its notices.
    fn enrol_device(
        &self,
        enrolment: DeviceEnrolment,
    ) -> impl Future<Output = Result<RegistrationOutcome, StoreError>> + Send;
    /// The enrolled device with this id (its method not suspended).
    fn device(
        &self,
        device_id: String,
    ) -> impl Future<Output = Result<Option<DeviceRecord>, StoreError>> + Send;
    /// Records a signed request of the device of method row `method` at `now`.
    fn device_seen(
        &self,
        method: i64,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send;
}

/// Keeping the store healthy and looking into it: the health check, the hourly purge,
/// and the newest messages and audit events (the demo's dev outbox, tests).
pub trait UpkeepStore: Clone + Send + Sync + 'static {
    /// Proves the database answers.
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send;
    /// Deletes what no longer decides anything (see `records::SENDS_KEPT` and the retention times beside it), in one transaction.
    fn purge(
        &self,
        now: u64,
        audit_retention: Duration,
    ) -> impl Future<Output = Result<PurgeReport, StoreError>> + Send;
    /// The newest messages whatever their state, newest first.
    fn recent_messages(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<QueuedMessage>, StoreError>> + Send;
    /// The newest audit events' names, newest first.
    fn recent_audit_events(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
}

/// Implements every store trait above for `$ty` by handing each call to the macro named
/// `call`, as `call!(self, Trait::method(arguments))`: a backend passes it on to its own
/// inherent method of the same name, [`super::Store`] to the backend it holds. The one
/// list of the traits' signatures besides their declarations; the compiler checks that
/// the two agree.
macro_rules! implement_store_traits {
    ($ty:ty, $call:ident) => {
        impl $crate::store::interface::ResetStore for $ty {
            async fn account(
                &self,
                user_id: &str,
            ) -> Result<Option<$crate::store::records::Account>, $crate::store::StoreError> {
                $call!(self, ResetStore::account(user_id))
            }
            async fn account_by_id(
                &self,
                id: i64,
            ) -> Result<Option<$crate::store::records::Account>, $crate::store::StoreError> {
                $call!(self, ResetStore::account_by_id(id))
            }
            async fn method_contact(
                &self,
                user: Option<i64>,
                method: Option<i64>,
            ) -> Result<Option<String>, $crate::store::StoreError> {
                $call!(self, ResetStore::method_contact(user, method))
            }
            async fn email_domains(&self) -> Result<Vec<(String, u64)>, $crate::store::StoreError> {
                $call!(self, ResetStore::email_domains())
            }
            async fn create_flow(
                &self,
                flow: $crate::store::records::FlowRecord,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, ResetStore::create_flow(flow))
            }
            async fn flow(
                &self,
                id: &str,
            ) -> Result<Option<$crate::store::records::FlowRecord>, $crate::store::StoreError> {
                $call!(self, ResetStore::flow(id))
            }
            async fn extend_flow(
                &self,
                id: &str,
                expires_at: u64,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, ResetStore::extend_flow(id, expires_at, now))
            }
            async fn begin_challenge(
                &self,
                challenge: $crate::store::records::NewChallenge,
                limits: $crate::limits::Limits,
            ) -> Result<$crate::store::records::ChallengeOutcome, $crate::store::StoreError> {
                $call!(self, ResetStore::begin_challenge(challenge, limits))
            }
            async fn attempt_proof(
                &self,
                attempt: $crate::store::records::ProofAttempt,
                limits: $crate::limits::Limits,
                check: $crate::store::interface::ProofChecker,
                notice: Vec<$crate::store::records::NewMessage>,
            ) -> Result<$crate::store::records::ProofOutcome, $crate::store::StoreError> {
                $call!(
                    self,
                    ResetStore::attempt_proof(attempt, limits, check, notice)
                )
            }
            async fn password_hashes(
                &self,
                user: i64,
                recent: u32,
            ) -> Result<Vec<String>, $crate::store::StoreError> {
                $call!(self, ResetStore::password_hashes(user, recent))
            }
            async fn other_admin_emails(
                &self,
                except: i64,
            ) -> Result<Vec<(String, Option<String>)>, $crate::store::StoreError> {
                $call!(self, ResetStore::other_admin_emails(except))
            }
            async fn complete_reset(
                &self,
                completion: $crate::store::records::Completion,
            ) -> Result<$crate::store::records::CompletionOutcome, $crate::store::StoreError> {
                $call!(self, ResetStore::complete_reset(completion))
            }
            async fn account_lock(
                &self,
                subject: String,
                now: u64,
            ) -> Result<Option<$crate::limits::Locked>, $crate::store::StoreError> {
                $call!(self, ResetStore::account_lock(subject, now))
            }
            async fn pauses(
                &self,
                subject: String,
                kinds: Vec<sspr_api::MethodKind>,
                now: u64,
            ) -> Result<$crate::store::records::Pauses, $crate::store::StoreError> {
                $call!(self, ResetStore::pauses(subject, kinds, now))
            }
            async fn count_account_failure(
                &self,
                subject: String,
                limit: $crate::limits::Limit,
                now: u64,
                event: &'static str,
            ) -> Result<Option<$crate::limits::Locked>, $crate::store::StoreError> {
                $call!(
                    self,
                    ResetStore::count_account_failure(subject, limit, now, event)
                )
            }
            async fn change_password(
                &self,
                change: $crate::store::records::PasswordChange,
            ) -> Result<u64, $crate::store::StoreError> {
                $call!(self, ResetStore::change_password(change))
            }
            async fn complete_flow(
                &self,
                id: &str,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, ResetStore::complete_flow(id, now))
            }
            async fn spend_captcha(
                &self,
                challenge: String,
                expires_at: u64,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, ResetStore::spend_captcha(challenge, expires_at, now))
            }
            async fn approval(
                &self,
                flow_id: &str,
                method_id: &str,
            ) -> Result<Option<$crate::store::records::ApprovalRecord>, $crate::store::StoreError>
            {
                $call!(self, ResetStore::approval(flow_id, method_id))
            }
            async fn approval_by_id(
                &self,
                id: &str,
            ) -> Result<Option<$crate::store::records::ApprovalRecord>, $crate::store::StoreError>
            {
                $call!(self, ResetStore::approval_by_id(id))
            }
            async fn device_approvals(
                &self,
                device: i64,
                now: u64,
            ) -> Result<Vec<$crate::store::records::ApprovalRecord>, $crate::store::StoreError>
            {
                $call!(self, ResetStore::device_approvals(device, now))
            }
            async fn report_prompts(
                &self,
                report: $crate::store::records::PromptsReported,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, ResetStore::report_prompts(report))
            }
            async fn sync_directory_entry(
                &self,
                user_id: String,
                entry: Option<$crate::store::records::DirectoryEntry>,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, ResetStore::sync_directory_entry(user_id, entry, now))
            }
            async fn mark_writeback(
                &self,
                flow_id: String,
                sent: bool,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, ResetStore::mark_writeback(flow_id, sent, now))
            }
            async fn complete_unlock(
                &self,
                flow_id: String,
                now: u64,
                messages: Vec<$crate::store::records::NewMessage>,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, ResetStore::complete_unlock(flow_id, now, messages))
            }
        }
        impl $crate::store::interface::OutboxStore for $ty {
            async fn due_messages(
                &self,
                now: u64,
                limit: u32,
                channels: Vec<$crate::store::records::MessageChannel>,
            ) -> Result<Vec<$crate::store::records::QueuedMessage>, $crate::store::StoreError> {
                $call!(self, OutboxStore::due_messages(now, limit, channels))
            }
            async fn next_message_due(
                &self,
                channels: Vec<$crate::store::records::MessageChannel>,
            ) -> Result<Option<u64>, $crate::store::StoreError> {
                $call!(self, OutboxStore::next_message_due(channels))
            }
            async fn claim_message(
                &self,
                id: i64,
                now: u64,
                lease_until: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, OutboxStore::claim_message(id, now, lease_until))
            }
            async fn mark_sent(&self, id: i64, now: u64) -> Result<(), $crate::store::StoreError> {
                $call!(self, OutboxStore::mark_sent(id, now))
            }
            async fn mark_failed_attempt(
                &self,
                id: i64,
                now: u64,
                error: String,
                retry_at: Option<u64>,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(
                    self,
                    OutboxStore::mark_failed_attempt(id, now, error, retry_at)
                )
            }
            async fn push_subscription(
                &self,
                device: i64,
            ) -> Result<Option<String>, $crate::store::StoreError> {
                $call!(self, OutboxStore::push_subscription(device))
            }
            async fn push_subscription_gone(
                &self,
                device: i64,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, OutboxStore::push_subscription_gone(device, now))
            }
        }
        impl $crate::store::interface::DirectoryStore for $ty {
            async fn account(
                &self,
                user_id: &str,
            ) -> Result<Option<$crate::store::records::Account>, $crate::store::StoreError> {
                $call!(self, DirectoryStore::account(user_id))
            }
            async fn set_password_hash(
                &self,
                user_id: &str,
                hash: String,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, DirectoryStore::set_password_hash(user_id, hash, now))
            }
            async fn password_hash_of(
                &self,
                user_id: &str,
            ) -> Result<Option<String>, $crate::store::StoreError> {
                $call!(self, DirectoryStore::password_hash_of(user_id))
            }
            async fn add_method(
                &self,
                user_id: &str,
                kind: sspr_api::MethodKind,
                contact: Option<String>,
                now: u64,
                seal: impl FnOnce(i64) -> Option<Vec<u8>> + Send + 'static,
            ) -> Result<i64, $crate::store::StoreError> {
                $call!(
                    self,
                    DirectoryStore::add_method(user_id, kind, contact, now, seal)
                )
            }
            async fn set_security_answers(
                &self,
                user_id: &str,
                user: i64,
                hashed: Vec<(String, Vec<u8>)>,
                now: u64,
                notice: $crate::store::records::ChangeNotice,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(
                    self,
                    DirectoryStore::set_security_answers(user_id, user, hashed, now, notice)
                )
            }
            async fn delete_method(
                &self,
                user: i64,
                method: i64,
                now: u64,
                notice: $crate::store::records::ChangeNotice,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(
                    self,
                    DirectoryStore::delete_method(user, method, now, notice)
                )
            }
            async fn set_default_method(
                &self,
                user: i64,
                method: i64,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, DirectoryStore::set_default_method(user, method, now))
            }
            async fn unlock(
                &self,
                user_id: &str,
                subject: String,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, DirectoryStore::unlock(user_id, subject, now))
            }
        }
        impl $crate::store::interface::AdminStore for $ty {
            async fn create_user_if_missing(
                &self,
                user: &$crate::store::NewUser<'_>,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, AdminStore::create_user_if_missing(user))
            }
            async fn list_users(
                &self,
            ) -> Result<Vec<$crate::store::UserSummary>, $crate::store::StoreError> {
                $call!(self, AdminStore::list_users())
            }
            async fn set_enabled(
                &self,
                user_id: &str,
                enabled: bool,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, AdminStore::set_enabled(user_id, enabled, now))
            }
            async fn add_to_group(
                &self,
                user_id: &str,
                group: &str,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, AdminStore::add_to_group(user_id, group, now))
            }
            async fn list_methods(
                &self,
                user_id: &str,
            ) -> Result<Vec<$crate::store::records::MethodListing>, $crate::store::StoreError> {
                $call!(self, AdminStore::list_methods(user_id))
            }
            async fn rename_user(
                &self,
                user_id: &str,
                new_user_id: &str,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, AdminStore::rename_user(user_id, new_user_id, now))
            }
            async fn restore_methods(
                &self,
                user_id: &str,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, AdminStore::restore_methods(user_id, now))
            }
            async fn issue_pass(
                &self,
                user_id: &str,
                pass_hash: Vec<u8>,
                now: u64,
                expires_at: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(
                    self,
                    AdminStore::issue_pass(user_id, pass_hash, now, expires_at)
                )
            }
        }
        impl $crate::store::interface::SessionStore for $ty {
            async fn create_session(
                &self,
                session: $crate::store::records::NewSession,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, SessionStore::create_session(session))
            }
            async fn session(
                &self,
                id_hash: Vec<u8>,
            ) -> Result<Option<$crate::store::records::SessionRecord>, $crate::store::StoreError>
            {
                $call!(self, SessionStore::session(id_hash))
            }
            async fn touch_session(
                &self,
                id_hash: Vec<u8>,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, SessionStore::touch_session(id_hash, now))
            }
            async fn prove_session(
                &self,
                id_hash: Vec<u8>,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, SessionStore::prove_session(id_hash, now))
            }
            async fn end_session(
                &self,
                id_hash: Vec<u8>,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(self, SessionStore::end_session(id_hash, now))
            }
            async fn begin_registration(
                &self,
                registration: $crate::store::records::NewRegistration,
                limits: $crate::limits::Limits,
            ) -> Result<$crate::store::records::RegistrationStart, $crate::store::StoreError> {
                $call!(self, SessionStore::begin_registration(registration, limits))
            }
            async fn confirm_registration(
                &self,
                attempt: $crate::store::records::RegistrationAttempt,
                check: $crate::store::interface::RegistrationChecker,
            ) -> Result<$crate::store::records::RegistrationOutcome, $crate::store::StoreError>
            {
                $call!(self, SessionStore::confirm_registration(attempt, check))
            }
            async fn change_report(
                &self,
                token_hash: Vec<u8>,
                now: u64,
            ) -> Result<Option<$crate::store::records::ReportRecord>, $crate::store::StoreError>
            {
                $call!(self, SessionStore::change_report(token_hash, now))
            }
            async fn file_report(
                &self,
                token_hash: Vec<u8>,
                now: u64,
            ) -> Result<$crate::store::records::ReportOutcome, $crate::store::StoreError> {
                $call!(self, SessionStore::file_report(token_hash, now))
            }
            async fn confirm_methods(
                &self,
                user: i64,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, SessionStore::confirm_methods(user, now))
            }
            async fn prove_with_pass(
                &self,
                id_hash: Vec<u8>,
                user: i64,
                pass_hash: Vec<u8>,
                now: u64,
            ) -> Result<bool, $crate::store::StoreError> {
                $call!(
                    self,
                    SessionStore::prove_with_pass(id_hash, user, pass_hash, now)
                )
            }
            async fn device_registration(
                &self,
                token_hash: Vec<u8>,
                now: u64,
            ) -> Result<Option<i64>, $crate::store::StoreError> {
                $call!(self, SessionStore::device_registration(token_hash, now))
            }
            async fn enrol_device(
                &self,
                enrolment: $crate::store::records::DeviceEnrolment,
            ) -> Result<$crate::store::records::RegistrationOutcome, $crate::store::StoreError>
            {
                $call!(self, SessionStore::enrol_device(enrolment))
            }
            async fn device(
                &self,
                device_id: String,
            ) -> Result<Option<$crate::store::records::DeviceRecord>, $crate::store::StoreError>
            {
                $call!(self, SessionStore::device(device_id))
            }
            async fn device_seen(
                &self,
                method: i64,
                now: u64,
            ) -> Result<(), $crate::store::StoreError> {
                $call!(self, SessionStore::device_seen(method, now))
            }
        }
        impl $crate::store::interface::UpkeepStore for $ty {
            async fn ping(&self) -> Result<(), $crate::store::StoreError> {
                $call!(self, UpkeepStore::ping())
            }
            async fn purge(
                &self,
                now: u64,
                audit_retention: std::time::Duration,
            ) -> Result<$crate::store::records::PurgeReport, $crate::store::StoreError> {
                $call!(self, UpkeepStore::purge(now, audit_retention))
            }
            async fn recent_messages(
                &self,
                limit: u32,
            ) -> Result<Vec<$crate::store::records::QueuedMessage>, $crate::store::StoreError> {
                $call!(self, UpkeepStore::recent_messages(limit))
            }
            async fn recent_audit_events(
                &self,
                limit: u32,
            ) -> Result<Vec<String>, $crate::store::StoreError> {
                $call!(self, UpkeepStore::recent_audit_events(limit))
            }
        }
    };
}
pub(crate) use implement_store_traits;
