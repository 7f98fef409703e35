//! What the reset flow needs from a store, as a trait: SQLite implements it today
//! ([`SqliteStore`]); a PostgreSQL backend (several server instances over one database) or a
//! directory write-back backend implements the same methods. Each method is one atomic step
//! of the flow: a backend must keep each one a single transaction, because the security
//! rules (counters never skipped, completion all or nothing) depend on it.

use super::StoreError;
use super::counters::{Limit, Locked, Pauses};
use super::outbox::NewMessage;
use super::reset::{
    Account, ChallengeOutcome, Completion, CompletionOutcome, FlowRecord, Limits, NewChallenge,
    ProofCheck, ProofInput, ProofOutcome,
};
use super::sqlite::SqliteStore;
use sspr_api::MethodKind;
use std::future::Future;

/// Decides whether a proof is right, given what the store holds for it (run inside the
/// store's transaction).
pub type ProofChecker = Box<dyn FnOnce(&ProofInput) -> ProofCheck + Send>;

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
        flow_id: &str,
        method_id: &str,
        now: u64,
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
    fn other_admin_emails(
        &self,
        except: i64,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send;
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
    /// Marks a CAPTCHA challenge used; false when it was used before.
    fn spend_captcha(
        &self,
        challenge: String,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send;
}

impl ResetStore for SqliteStore {
    fn account(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send {
        SqliteStore::account(self, user_id)
    }
    fn account_by_id(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send {
        SqliteStore::account_by_id(self, id)
    }
    fn method_contact(
        &self,
        user: Option<i64>,
        method: Option<i64>,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send {
        SqliteStore::method_contact(self, user, method)
    }
    fn email_domains(&self) -> impl Future<Output = Result<Vec<(String, u64)>, StoreError>> + Send {
        SqliteStore::email_domains(self)
    }
    fn create_flow(&self, flow: FlowRecord) -> impl Future<Output = Result<(), StoreError>> + Send {
        SqliteStore::create_flow(self, flow)
    }
    fn flow(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<FlowRecord>, StoreError>> + Send {
        SqliteStore::flow(self, id)
    }
    fn extend_flow(
        &self,
        id: &str,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        SqliteStore::extend_flow(self, id, expires_at, now)
    }
    fn begin_challenge(
        &self,
        challenge: NewChallenge,
        limits: Limits,
    ) -> impl Future<Output = Result<ChallengeOutcome, StoreError>> + Send {
        SqliteStore::begin_challenge(self, challenge, limits)
    }
    fn attempt_proof(
        &self,
        flow_id: &str,
        method_id: &str,
        now: u64,
        limits: Limits,
        check: ProofChecker,
        notice: Vec<NewMessage>,
    ) -> impl Future<Output = Result<ProofOutcome, StoreError>> + Send {
        SqliteStore::attempt_proof(self, flow_id, method_id, now, limits, check, notice)
    }
    fn password_hashes(
        &self,
        user: i64,
        recent: u32,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send {
        SqliteStore::password_hashes(self, user, recent)
    }
    fn other_admin_emails(
        &self,
        except: i64,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send {
        SqliteStore::other_admin_emails(self, except)
    }
    fn complete_reset(
        &self,
        completion: Completion,
    ) -> impl Future<Output = Result<CompletionOutcome, StoreError>> + Send {
        SqliteStore::complete_reset(self, completion)
    }
    fn account_lock(
        &self,
        subject: String,
        now: u64,
    ) -> impl Future<Output = Result<Option<Locked>, StoreError>> + Send {
        SqliteStore::account_lock(self, subject, now)
    }
    fn pauses(
        &self,
        subject: String,
        kinds: Vec<MethodKind>,
        now: u64,
    ) -> impl Future<Output = Result<Pauses, StoreError>> + Send {
        SqliteStore::pauses(self, subject, kinds, now)
    }
    fn count_account_failure(
        &self,
        subject: String,
        limit: Limit,
        now: u64,
        event: &'static str,
    ) -> impl Future<Output = Result<Option<Locked>, StoreError>> + Send {
        SqliteStore::count_account_failure(self, subject, limit, now, event)
    }
    fn spend_captcha(
        &self,
        challenge: String,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        SqliteStore::spend_captcha(self, challenge, expires_at, now)
    }
}
