//! Signing in to the security-info page, and its sessions (docs/SECURITY.md, "Sessions").
//!
//! Sign-in takes a user ID and a password. It answers alike for an unknown user ID, a wrong
//! password and a disabled account: the same argon2id work (a dummy hash when there is
//! none), the same failure counted against the same per-account limit as reset (a keyed
//! hash of the user ID, so unknown IDs count too), the same answer. A session id is 256
//! random bits in a `__Host-` cookie, stored only as its SHA-256; a new sign-in from a
//! browser ends that browser's previous session (rotation). A session ends after the
//! policy's idle time without a request and its absolute time after sign-in, at sign-out,
//! and with every other session of the person when their password is reset.
//!
//! A session made with the password alone has `proven_at: None`: proving a registered
//! method (or, for a person with none, a code to a contact the directory holds or an
//! administrator's one-time pass) is the next step of sign-in, and what changes methods
//! will ask for a recent one.

pub mod cookie;
pub mod devices;
pub mod notices;
pub mod pass;
pub mod registration;
pub mod reports;
pub mod status;

use crate::clock::Clock;
use crate::crypto::keys::ServerKeys;
use crate::crypto::passwords::{HashError, PasswordHasher};
use crate::people::People;
use crate::policy::Policy;
use crate::reset::{FlowKey, ResetError, ResetService, decoy};
use crate::store::records::{Account, ChangeNotice};
use crate::store::records::{NewSession, SessionRecord};
use crate::store::{DirectoryStore, ResetStore, SessionStore, Store, StoreError};
use sspr_api::MethodKind;
use sspr_api::reset::ResetFlow;
use sspr_api::session::ReportedChange;
use sspr_api::session::{MethodList, RegisteredMethod};
use std::sync::Arc;

/// Why signing in or reading a session failed.
#[derive(Debug, thiserror::Error)]
pub enum SessionError {
    /// Unknown user ID, wrong password or disabled account: one answer for all three.
    #[error("the user ID or the password is not right")]
    SignInFailed,
    /// Too many failures on this account; `None`: only the help desk can unlock it.
    #[error("too many failed sign-ins")]
    AccountLocked { retry_after: Option<u64> },
    /// No session, or it ended.
    #[error("not signed in")]
    NotSignedIn,
    /// No method proven in this session within `recent_proof_minutes`: prove one again.
    #[error("a recent method proof is needed")]
    ProofNeeded,
    /// The person has no method with this id.
    #[error("no such method")]
    MethodNotFound,
    /// The method is needed for the person's reset.
    #[error("the method is needed to reset")]
    MethodNeeded,
    /// The person reported a change as not theirs: the page stays closed to them until a
    /// reset or an administrator restores it.
    #[error("the account's methods are blocked after a report")]
    AccountBlocked,
    /// No such live report link.
    #[error("no such report link")]
    ReportNotFound,
    /// The current password given for a change is not right.
    #[error("the current password is not right")]
    PasswordIncorrect,
    #[error("the user ID is empty or too long")]
    InvalidUserId,
    /// The policy does not let people register this kind.
    #[error("this kind of method is not enabled")]
    MethodDisabled,
    /// Administrators never register security questions.
    #[error("administrators cannot register security questions")]
    MethodNotForAdmins,
    /// No such registration of this session, or it expired or ran out of tries.
    #[error("no such registration")]
    RegistrationNotFound,
    #[error("not an e-mail address")]
    InvalidAddress,
    #[error("not a valid phone number")]
    InvalidPhoneNumber,
    /// An enrolment's key, name or push subscription cannot be used (the reason).
    #[error("{0}")]
    InvalidDevice(String),
    /// A device request without a valid signature of an enrolled device, or signed too far
    /// from the server's time.
    #[error("the device is not recognised")]
    DeviceNotRecognised,
    #[error(transparent)]
    Answers(#[from] crate::methods::questions::AnswersProblem),
    /// The one-time pass is wrong, used or expired.
    #[error("the one-time pass is not accepted")]
    PassInvalid,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    /// The method proof's flow said no (not found, not proven, paused...).
    #[error(transparent)]
    Proof(#[from] crate::reset::ResetError),
}

impl From<crate::limits::Locked> for SessionError {
    fn from(lock: crate::limits::Locked) -> SessionError {
        SessionError::AccountLocked {
            retry_after: lock.retry_after,
        }
    }
}

/// A live session as the page sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub user: i64,
    pub user_id: String,
    pub display_name: String,
    /// Seconds until the session ends whatever the use.
    pub ends_in: u64,
    /// Seconds without a request that end it.
    pub idle_timeout: u64,
    /// When a method was last proven in it; `None`: the password only.
    pub proven_at: Option<u64>,
}

/// Sign-in and sessions over the server's services.
#[derive(Clone)]
pub struct SessionService<S: ResetStore = Store> {
    pub store: S,
    /// The method proof of sign-in runs as a flow of the reset service's.
    pub reset: ResetService<S>,
    pub keys: Arc<ServerKeys>,
    pub clock: Clock,
    pub hasher: PasswordHasher,
    pub policy: Arc<Policy>,
    /// The portal's origin, for the links in notices (`https://sspr.contoso.com`).
    pub public_base: Arc<str>,
    /// The region a phone number typed without a country code is read in (`[phone]`).
    pub phone_region: phonenumber::country::Id,
}

impl<S: SessionStore + DirectoryStore + ResetStore> SessionService<S> {
    pub(crate) fn idle_seconds(&self) -> u64 {
        u64::from(self.policy.sessions.idle_minutes) * 60
    }

    fn absolute_seconds(&self) -> u64 {
        u64::from(self.policy.sessions.absolute_hours) * 3600
    }

    /// Whether `candidate` is `user_id`'s current password, refused while the account of
    /// `subject` is paused (see [`SessionService::check_password`]).
    async fn password_matches(
        &self,
        user_id: &str,
        subject: &str,
        candidate: &str,
        now: u64,
    ) -> Result<bool, SessionError> {
        Ok(self
            .check_password(user_id, subject, candidate, now)
            .await?
            .0)
    }

    /// Whether `candidate` is `user_id`'s current password, refused while the account of
    /// `subject` is paused, and the user ID their row goes by. With no account or no
    /// password the dummy hash is checked, so the work is the same. With an LDAP
    /// directory, this server's row of the person is brought up to date and the password
    /// checked by binding as them (never stored); an unknown or disabled person gets a
    /// bind that fails. The row's user ID is then the directory's, which may differ from
    /// what was typed (another value of a multi-valued attribute).
    async fn check_password(
        &self,
        user_id: &str,
        subject: &str,
        candidate: &str,
        now: u64,
    ) -> Result<(bool, Option<String>), SessionError> {
        if let Some(lock) = self.store.account_lock(subject.to_owned(), now).await? {
            return Err(lock.into());
        }
        if let People::Ldap(directory) = self.reset.people() {
            let person = self
                .reset
                .people()
                .refresh(&self.store, user_id, now)
                .await
                .map_err(ResetError::from)?;
            let checked = match &person {
                Some(person) if person.enabled => {
                    directory.check_password(&person.dn, candidate).await
                }
                _ => directory.check_nobody(candidate).await,
            };
            let matched = checked.map_err(ResetError::from)?;
            return Ok((matched, person.map(|person| person.user_id)));
        }
        let hash = match self.store.password_hash_of(user_id).await {
            Ok(hash) => hash,
            Err(StoreError::NoSuchUser(_)) => None,
            Err(error) => return Err(error.into()),
        };
        let matched = self
            .hasher
            .verify(hash.as_deref(), &sspr_api::password::normalize(candidate))
            .await?;
        Ok((matched, None))
    }

    /// Counts a wrong password against the account's limit (the one reset counts
    /// against): the error to answer, `wrong` or, once that pauses it, `AccountLocked`.
    pub(crate) async fn failed(
        &self,
        subject: String,
        now: u64,
        event: &'static str,
        wrong: SessionError,
    ) -> Result<SessionError, SessionError> {
        let limit = self.policy.lockout.account_limit();
        let locked = self
            .store
            .count_account_failure(subject, limit, now, event)
            .await?;
        Ok(locked.map_or(wrong, SessionError::from))
    }

    /// Signs in with a user ID and a password: the new session's id (for the cookie), the
    /// session, and the flow in which to prove a method next (none when the person has no
    /// method they could prove). `previous` is the browser's current session id, ended by
    /// this one.
    pub async fn sign_in(
        &self,
        user_id: &str,
        password: &str,
        locale: Option<&str>,
        previous: Option<&str>,
    ) -> Result<(String, Session, Option<ResetFlow>), SessionError> {
        let user_id = user_id.trim();
        if user_id.is_empty() || user_id.chars().count() > sspr_api::reset::MAX_USER_ID_LENGTH {
            return Err(SessionError::InvalidUserId);
        }
        let now = self.clock.now();
        let subject = decoy::subject(&self.keys.decoy, user_id);
        // The same work whoever asks: the hash (or the dummy's), the account (or none).
        let (matched, directory_user_id) = self
            .check_password(user_id, &subject, password, now)
            .await?;
        let lookup = directory_user_id.as_deref().unwrap_or(user_id);
        let account = match DirectoryStore::account(&self.store, lookup).await? {
            Some(account) if matched && account.enabled => account,
            _ => {
                let wrong = SessionError::SignInFailed;
                return Err(self.failed(subject, now, "sign_in_failed", wrong).await?);
            }
        };
        if account.methods_blocked {
            return Err(SessionError::AccountBlocked);
        }
        let id = cookie::new_id();
        let expires_at = now + self.absolute_seconds();
        self.store
            .create_session(NewSession {
                id_hash: cookie::id_hash(&id),
                user: account.id,
                now,
                expires_at,
                proven_at: None,
                replaces: previous.map(cookie::id_hash),
                user_id: account.user_id.clone(),
                // A tag like `fr` or `pt-BR`; anything else is not kept.
                locale: locale
                    .filter(|tag| {
                        (2..=16).contains(&tag.len())
                            && tag.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                    })
                    .map(str::to_owned),
            })
            .await?;
        let proof = self.reset.start_proof(&account, subject).await?;
        let session = Session {
            user: account.id,
            user_id: account.user_id,
            display_name: account.display_name,
            ends_in: expires_at - now,
            idle_timeout: self.idle_seconds(),
            proven_at: None,
        };
        Ok((id, session, proof))
    }

    /// The second step of sign-in: the session's person proved a method in the flow
    /// `proof` (one of theirs, from their sign-in), which is then used up.
    pub async fn prove(&self, id: &str, proof: FlowKey<'_>) -> Result<Session, SessionError> {
        let mut session = self.session(id).await?;
        self.reset.finish_proof(proof, session.user).await?;
        let now = self.clock.now();
        if !self.store.prove_session(cookie::id_hash(id), now).await? {
            return Err(SessionError::NotSignedIn);
        }
        session.proven_at = Some(now);
        Ok(session)
    }

    /// The live session with this id, counting this request as a use; a session past its
    /// idle or absolute time is ended here and is `NotSignedIn`.
    pub async fn session(&self, id: &str) -> Result<Session, SessionError> {
        let now = self.clock.now();
        let hash = cookie::id_hash(id);
        let record: SessionRecord = self
            .store
            .session(hash.clone())
            .await?
            .ok_or(SessionError::NotSignedIn)?;
        let idle_end = record.last_seen_at.saturating_add(self.idle_seconds());
        if now >= record.expires_at || now >= idle_end {
            self.store.end_session(hash, now).await?;
            return Err(SessionError::NotSignedIn);
        }
        self.store.touch_session(hash, now).await?;
        Ok(Session {
            user: record.user,
            user_id: record.user_id,
            display_name: record.display_name,
            ends_in: record.expires_at - now,
            idle_timeout: self.idle_seconds(),
            proven_at: record.proven_at,
        })
    }

    /// A new flow in which to prove a method again, for a sensitive action after the last
    /// proof grew old; `None` when the person has no method to prove.
    pub async fn new_proof(&self, id: &str) -> Result<Option<ResetFlow>, SessionError> {
        let session = self.session(id).await?;
        let account = self.account_of(session.user).await?;
        let subject = decoy::subject(&self.keys.decoy, &account.user_id);
        Ok(self.reset.start_proof(&account, subject).await?)
    }

    /// Changes the password of the session's person: a method proven within the policy's
    /// `recent_proof_minutes`, the current password, and a new one that meets the rules.
    /// Every other session of theirs ends; this one stays. (Sessions ended, notified.)
    pub async fn change_password(
        &self,
        id: &str,
        current: &str,
        new: &str,
    ) -> Result<(u64, bool), SessionError> {
        let session = self.session(id).await?;
        let now = self.clock.now();
        if !self.recently_proven(&session) {
            return Err(SessionError::ProofNeeded);
        }
        let subject = decoy::subject(&self.keys.decoy, &session.user_id);
        if !self
            .password_matches(&session.user_id, &subject, current, now)
            .await?
        {
            let wrong = SessionError::PasswordIncorrect;
            return Err(self
                .failed(subject, now, "password_change_failed", wrong)
                .await?);
        }
        let notify = self.policy.notifications.notify_user;
        let notice = |account: &Account| {
            if notify {
                self.notice(account, ReportedChange::PasswordChanged, None, None)
            } else {
                ChangeNotice::default()
            }
        };
        Ok(self
            .reset
            .change_signed_in(session.user, cookie::id_hash(id), current, new, notice)
            .await?)
    }

    /// A session whose person proved a method at sign-in (the page's own content needs it),
    /// with their account.
    pub(crate) async fn signed_in(&self, id: &str) -> Result<(Session, Account), SessionError> {
        let session = self.session(id).await?;
        if session.proven_at.is_none() {
            return Err(SessionError::ProofNeeded);
        }
        let account = self.account_of(session.user).await?;
        Ok((session, account))
    }

    /// The signed-in person's account (gone: they are signed out).
    pub(crate) async fn account_of(&self, user: i64) -> Result<Account, SessionError> {
        self.store
            .account_by_id(user)
            .await?
            .ok_or(SessionError::NotSignedIn)
    }

    /// Whether the session's proof is recent enough for a sensitive action.
    pub(crate) fn recently_proven(&self, session: &Session) -> bool {
        let recent = u64::from(self.policy.sessions.recent_proof_minutes) * 60;
        session
            .proven_at
            .is_some_and(|at| self.clock.now() < at + recent)
    }

    /// The person's methods, masked, and whether they can reset with them.
    pub async fn methods(&self, id: &str) -> Result<MethodList, SessionError> {
        let (_, account) = self.signed_in(id).await?;
        Ok(self.list(&account))
    }

    pub(crate) fn list(&self, account: &Account) -> MethodList {
        let (can_reset, methods_required) = self.reset.reset_readiness(account);
        let now = self.clock.now();
        // The default first, then in the order they were registered.
        let mut methods: Vec<_> = account.methods.iter().collect();
        methods.sort_by_key(|m| (!m.is_default, m.id));
        MethodList {
            methods: methods
                .into_iter()
                .map(|method| RegisteredMethod {
                    id: method.id.to_string(),
                    kind: method.kind,
                    detail: match method.kind {
                        // The name the person gave their phone.
                        MethodKind::AppNotification => method.contact.clone(),
                        kind => crate::methods::hint(kind, method.contact.as_deref().unwrap_or("")),
                    },
                    is_default: method.is_default,
                    registered_at: method.registered_at,
                    last_used_at: method.last_used_at,
                    stale: method.kind == MethodKind::AppNotification
                        && crate::methods::app_notification::is_stale(method, now),
                })
                .collect(),
            methods_required,
            can_reset,
            may_add: self
                .policy
                .methods
                .iter()
                .copied()
                .filter(|&kind| self.may_register(account, kind).is_ok())
                .collect(),
        }
    }

    /// Removes one of the person's methods (a recent proof needed), unless their reset
    /// needs it; the methods left.
    pub async fn delete_method(&self, id: &str, method: &str) -> Result<MethodList, SessionError> {
        let (session, account) = self.signed_in(id).await?;
        if !self.recently_proven(&session) {
            return Err(SessionError::ProofNeeded);
        }
        let method: i64 = method.parse().map_err(|_| SessionError::MethodNotFound)?;
        if !account.methods.iter().any(|m| m.id == method) {
            return Err(SessionError::MethodNotFound);
        }
        let mut after = account.clone();
        after.methods.retain(|m| m.id != method);
        if after
            .methods
            .iter()
            .all(|m| m.kind != sspr_api::MethodKind::SecurityQuestions)
        {
            after.questions.clear();
        }
        let (could, _) = self.reset.reset_readiness(&account);
        let (can, _) = self.reset.reset_readiness(&after);
        if could && !can {
            return Err(SessionError::MethodNeeded);
        }
        let kind = account
            .methods
            .iter()
            .find(|m| m.id == method)
            .map(|m| m.kind);
        let notice = self.notice(&account, ReportedChange::MethodRemoved, kind, None);
        if !self
            .store
            .delete_method(account.id, method, self.clock.now(), notice)
            .await?
        {
            return Err(SessionError::MethodNotFound);
        }
        Ok(self.list(&after))
    }

    /// Makes one of the person's methods their default; the methods.
    pub async fn set_default(&self, id: &str, method: &str) -> Result<MethodList, SessionError> {
        let (_, account) = self.signed_in(id).await?;
        let method: i64 = method.parse().map_err(|_| SessionError::MethodNotFound)?;
        if !self
            .store
            .set_default_method(account.id, method, self.clock.now())
            .await?
        {
            return Err(SessionError::MethodNotFound);
        }
        let mut after = account;
        for record in &mut after.methods {
            record.is_default = record.id == method;
        }
        Ok(self.list(&after))
    }

    /// Signs out; false when there was no such session.
    pub async fn sign_out(&self, id: &str) -> Result<bool, SessionError> {
        Ok(self
            .store
            .end_session(cookie::id_hash(id), self.clock.now())
            .await?)
    }
}
