//! The store the configuration names, as one type: every part of the server holds a
//! [`Store`] and reaches storage through the traits in [`super::interface`], whichever
//! backend is behind it. A new backend is a module implementing those traits, a variant
//! here and an arm in `on_backend!`.

use super::interface::{
    AdminStore, DirectoryStore, OutboxStore, ProofChecker, ResetStore, UpkeepStore,
};
use super::postgres::PgStore;
use super::records::Pauses;
use super::records::{
    Account, ChallengeOutcome, Completion, CompletionOutcome, FlowRecord, MethodListing,
    NewChallenge, NewMessage, ProofAttempt, ProofOutcome, PurgeReport, QueuedMessage,
};
use super::{NewUser, SqliteStore, StoreError, UserSummary};
use crate::limits::Limits;
use crate::limits::{Limit, Locked};
use sspr_api::MethodKind;
use std::time::Duration;

/// The server's store: one of the backends. Cheap to clone.
#[derive(Clone)]
pub enum Store {
    /// One file on this machine (the default).
    Sqlite(SqliteStore),
    /// A PostgreSQL database, which several instances can share.
    Postgres(PgStore),
}

impl From<SqliteStore> for Store {
    fn from(store: SqliteStore) -> Store {
        Store::Sqlite(store)
    }
}

/// Runs `$body` with `$store` bound to the backend behind `$self`.
macro_rules! on_backend {
    ($self:expr, $store:ident => $body:expr) => {
        match $self {
            Store::Sqlite($store) => $body,
            Store::Postgres($store) => $body,
        }
    };
}

impl ResetStore for Store {
    async fn account(&self, user_id: &str) -> Result<Option<Account>, StoreError> {
        on_backend!(self, store => ResetStore::account(store, user_id).await)
    }
    async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        on_backend!(self, store => ResetStore::account_by_id(store, id).await)
    }
    async fn method_contact(
        &self,
        user: Option<i64>,
        method: Option<i64>,
    ) -> Result<Option<String>, StoreError> {
        on_backend!(self, store => ResetStore::method_contact(store, user, method).await)
    }
    async fn email_domains(&self) -> Result<Vec<(String, u64)>, StoreError> {
        on_backend!(self, store => ResetStore::email_domains(store).await)
    }
    async fn create_flow(&self, flow: FlowRecord) -> Result<(), StoreError> {
        on_backend!(self, store => ResetStore::create_flow(store, flow).await)
    }
    async fn flow(&self, id: &str) -> Result<Option<FlowRecord>, StoreError> {
        on_backend!(self, store => ResetStore::flow(store, id).await)
    }
    async fn extend_flow(&self, id: &str, expires_at: u64, now: u64) -> Result<bool, StoreError> {
        on_backend!(self, store => ResetStore::extend_flow(store, id, expires_at, now).await)
    }
    async fn begin_challenge(
        &self,
        challenge: NewChallenge,
        limits: Limits,
    ) -> Result<ChallengeOutcome, StoreError> {
        on_backend!(self, store => ResetStore::begin_challenge(store, challenge, limits).await)
    }
    async fn attempt_proof(
        &self,
        attempt: ProofAttempt,
        limits: Limits,
        check: ProofChecker,
        notice: Vec<NewMessage>,
    ) -> Result<ProofOutcome, StoreError> {
        on_backend!(self, store => ResetStore::attempt_proof(store, attempt, limits, check, notice).await)
    }
    async fn password_hashes(&self, user: i64, recent: u32) -> Result<Vec<String>, StoreError> {
        on_backend!(self, store => ResetStore::password_hashes(store, user, recent).await)
    }
    async fn other_admin_emails(&self, except: i64) -> Result<Vec<String>, StoreError> {
        on_backend!(self, store => ResetStore::other_admin_emails(store, except).await)
    }
    async fn complete_reset(
        &self,
        completion: Completion,
    ) -> Result<CompletionOutcome, StoreError> {
        on_backend!(self, store => ResetStore::complete_reset(store, completion).await)
    }
    async fn account_lock(&self, subject: String, now: u64) -> Result<Option<Locked>, StoreError> {
        on_backend!(self, store => ResetStore::account_lock(store, subject, now).await)
    }
    async fn pauses(
        &self,
        subject: String,
        kinds: Vec<MethodKind>,
        now: u64,
    ) -> Result<Pauses, StoreError> {
        on_backend!(self, store => ResetStore::pauses(store, subject, kinds, now).await)
    }
    async fn count_account_failure(
        &self,
        subject: String,
        limit: Limit,
        now: u64,
        event: &'static str,
    ) -> Result<Option<Locked>, StoreError> {
        on_backend!(self, store => ResetStore::count_account_failure(store, subject, limit, now, event).await)
    }
    async fn spend_captcha(
        &self,
        challenge: String,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        on_backend!(self, store => ResetStore::spend_captcha(store, challenge, expires_at, now).await)
    }
}

impl OutboxStore for Store {
    async fn due_messages(&self, now: u64, limit: u32) -> Result<Vec<QueuedMessage>, StoreError> {
        on_backend!(self, store => OutboxStore::due_messages(store, now, limit).await)
    }
    async fn next_message_due(&self) -> Result<Option<u64>, StoreError> {
        on_backend!(self, store => OutboxStore::next_message_due(store).await)
    }
    async fn claim_message(&self, id: i64, now: u64, lease_until: u64) -> Result<bool, StoreError> {
        on_backend!(self, store => OutboxStore::claim_message(store, id, now, lease_until).await)
    }
    async fn mark_sent(&self, id: i64, now: u64) -> Result<(), StoreError> {
        on_backend!(self, store => OutboxStore::mark_sent(store, id, now).await)
    }
    async fn mark_failed_attempt(
        &self,
        id: i64,
        now: u64,
        error: String,
        retry_at: Option<u64>,
    ) -> Result<(), StoreError> {
        on_backend!(self, store => OutboxStore::mark_failed_attempt(store, id, now, error, retry_at).await)
    }
}

impl DirectoryStore for Store {
    async fn account(&self, user_id: &str) -> Result<Option<Account>, StoreError> {
        on_backend!(self, store => DirectoryStore::account(store, user_id).await)
    }
    async fn set_password_hash(
        &self,
        user_id: &str,
        hash: String,
        now: u64,
    ) -> Result<(), StoreError> {
        on_backend!(self, store => DirectoryStore::set_password_hash(store, user_id, hash, now).await)
    }
    async fn password_hash_of(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        on_backend!(self, store => DirectoryStore::password_hash_of(store, user_id).await)
    }
    async fn add_method(
        &self,
        user_id: &str,
        kind: MethodKind,
        contact: Option<String>,
        now: u64,
        seal: impl FnOnce(i64) -> Option<Vec<u8>> + Send + 'static,
    ) -> Result<i64, StoreError> {
        on_backend!(self, store => DirectoryStore::add_method(store, user_id, kind, contact, now, seal).await)
    }
    async fn set_security_answers(
        &self,
        user_id: &str,
        user: i64,
        hashed: Vec<(String, Vec<u8>)>,
        now: u64,
    ) -> Result<(), StoreError> {
        on_backend!(self, store => DirectoryStore::set_security_answers(store, user_id, user, hashed, now).await)
    }
    async fn unlock(&self, user_id: &str, subject: String, now: u64) -> Result<(), StoreError> {
        on_backend!(self, store => DirectoryStore::unlock(store, user_id, subject, now).await)
    }
}

impl AdminStore for Store {
    async fn create_user_if_missing(&self, user: &NewUser<'_>) -> Result<bool, StoreError> {
        on_backend!(self, store => AdminStore::create_user_if_missing(store, user).await)
    }
    async fn list_users(&self) -> Result<Vec<UserSummary>, StoreError> {
        on_backend!(self, store => AdminStore::list_users(store).await)
    }
    async fn set_enabled(&self, user_id: &str, enabled: bool, now: u64) -> Result<(), StoreError> {
        on_backend!(self, store => AdminStore::set_enabled(store, user_id, enabled, now).await)
    }
    async fn add_to_group(&self, user_id: &str, group: &str, now: u64) -> Result<(), StoreError> {
        on_backend!(self, store => AdminStore::add_to_group(store, user_id, group, now).await)
    }
    async fn list_methods(&self, user_id: &str) -> Result<Vec<MethodListing>, StoreError> {
        on_backend!(self, store => AdminStore::list_methods(store, user_id).await)
    }
    async fn rename_user(
        &self,
        user_id: &str,
        new_user_id: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        on_backend!(self, store => AdminStore::rename_user(store, user_id, new_user_id, now).await)
    }
}

impl UpkeepStore for Store {
    async fn ping(&self) -> Result<(), StoreError> {
        on_backend!(self, store => UpkeepStore::ping(store).await)
    }
    async fn purge(&self, now: u64, audit_retention: Duration) -> Result<PurgeReport, StoreError> {
        on_backend!(self, store => UpkeepStore::purge(store, now, audit_retention).await)
    }
    async fn recent_messages(&self, limit: u32) -> Result<Vec<QueuedMessage>, StoreError> {
        on_backend!(self, store => UpkeepStore::recent_messages(store, limit).await)
    }
    async fn recent_audit_events(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        on_backend!(self, store => UpkeepStore::recent_audit_events(store, limit).await)
    }
}

impl Store {
    /// Opens the store at `location`, bringing its schema up to date.
    pub async fn open(location: &super::DatabaseLocation) -> Result<Store, StoreError> {
        match location {
            super::DatabaseLocation::Sqlite(path) => Ok(Store::Sqlite(SqliteStore::open(path)?)),
            super::DatabaseLocation::Postgres(url) => {
                Ok(Store::Postgres(PgStore::connect(url).await?))
            }
        }
    }
}

impl Store {
    /// Makes the completing transaction fail at `point` (tests of "nothing half done").
    pub fn arm_fault(&self, point: Option<super::records::FaultPoint>) {
        on_backend!(self, store => store.arm_fault(point))
    }
}
