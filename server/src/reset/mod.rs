//! The reset flow (docs/SECURITY.md): start with a user ID and a CAPTCHA, prove one
//! or two methods, set the new password. Enumeration-safe: until a secret is proven, an
//! unknown, disabled, out-of-scope or method-less account gets a decoy flow that behaves
//! like a real one, down to its failure counters.

mod approvals;
pub mod decoy;
pub mod device;
mod error;
pub(crate) mod messages;
mod unlock;
mod writeback;

pub use error::ResetError;

use crate::captcha;
use crate::clock::Clock;
use crate::crypto::keys::ServerKeys;
use crate::crypto::passwords::PasswordHasher;
use crate::crypto::random_bytes;
use crate::limits::{Limit, Locked};
use crate::methods::{
    self, Proving, app_code, app_notification, mobile_phone, office_phone, proving, questions,
    sent_code,
};
use crate::people::People;
use crate::phone::messages as phone_messages;
use crate::phone::provider::BoxFuture;
use crate::phone::{CallConfirmation, CallSink};
use crate::policy::Policy;
use crate::seeded::hex;
use crate::store::interface::ProofChecker;
use crate::store::records::{
    Account, ChallengeOutcome, Completion, CompletionOutcome, FlowMethod, FlowPurpose, FlowRecord,
    Limits, NewApproval, NewChallenge, NewMessage, PasswordChange, ProofAttempt, ProofCheck,
    ProofOutcome,
};
use crate::store::{ResetStore, Store};
use crate::texts::Language;
use sha2::{Digest, Sha256};
use sspr_api::reset::{
    Challenge, ChallengeRequest, MAX_FLOW_SECONDS, OfferedMethod, Proof, ResetDone, ResetFlow,
    StartReset,
};
use sspr_api::{MethodKind, password};
use std::sync::Arc;
use subtle::ConstantTimeEq;
use tokio::sync::Notify;

/// Seconds between two codes sent for the same method of a flow.
pub const RESEND_INTERVAL_SECONDS: u64 = 30;
/// Where a decoy's code is addressed: it is sealed like a real message, then never sent.
const DECOY_RECIPIENT: &str = "decoy@invalid";
/// Retired passwords that may not be used again (besides the current one).
pub const RECENT_PASSWORDS: u32 = 2;

/// A method a real account can offer: kind, masked hint, method row, question pool.
type OfferCandidate = (MethodKind, Option<String>, Option<i64>, Vec<String>);

/// The reset flow's logic over a store (SQLite by default).
#[derive(Clone)]
pub struct ResetService<S: ResetStore = Store> {
    store: S,
    keys: Arc<ServerKeys>,
    clock: Clock,
    policy: Arc<Policy>,
    hasher: PasswordHasher,
    organisation: Arc<str>,
    /// Woken when messages are queued, so the outbox delivers at once.
    outbox: Arc<Notify>,
    /// Wakes the portal's waits for an app notification when this instance settles one
    /// (`approvals.rs`); answers given to another instance are read at the next poll.
    approvals: Arc<Notify>,
    /// Where people and their passwords are (the embedded directory, or LDAP).
    people: People,
}

impl<S: ResetStore> ResetService<S> {
    pub fn new(
        store: S,
        keys: Arc<ServerKeys>,
        clock: Clock,
        policy: Arc<Policy>,
        hasher: PasswordHasher,
        organisation: &str,
        outbox: Arc<Notify>,
    ) -> ResetService<S> {
        ResetService {
            store,
            keys,
            clock,
            policy,
            hasher,
            organisation: organisation.into(),
            outbox,
            approvals: Arc::new(Notify::new()),
            people: People::Embedded,
        }
    }

    /// The same service over the people of `people` (an LDAP directory).
    pub fn with_people(mut self, people: People) -> ResetService<S> {
        self.people = people;
        self
    }

    pub(crate) fn people(&self) -> &People {
        &self.people
    }

    /// The organisation's name, as its messages and authenticator apps show it.
    pub(crate) fn organisation(&self) -> &str {
        &self.organisation
    }

    /// Wakes the outbox worker after messages were queued.
    pub(crate) fn wake_outbox(&self) {
        self.outbox.notify_one();
    }

    /// The policy's limits on codes, sends and failures.
    pub(crate) fn limits(&self) -> Limits {
        let lockout = &self.policy.lockout;
        let lock_seconds = i64::from(lockout.lockout_minutes) * 60;
        Limits {
            account: lockout.account_limit(),
            method: Limit {
                threshold: i64::from(self.policy.codes.max_attempts),
                lock_seconds,
                growing: false,
            },
            code_attempts: i64::from(self.policy.codes.max_attempts),
            sends_per_window: i64::from(lockout.sends_per_hour),
            send_window: crate::limits::HOUR,
            resend_per_account: false,
            resend_interval: RESEND_INTERVAL_SECONDS as i64,
        }
    }

    /// `POST /reset/flows`. `device` is the browser's recognition cookie, if it sent one.
    pub async fn start(
        &self,
        request: StartReset,
        device: Option<&str>,
    ) -> Result<ResetFlow, ResetError> {
        let user_id = request.user_id.trim();
        if user_id.is_empty() || user_id.chars().count() > sspr_api::reset::MAX_USER_ID_LENGTH {
            return Err(ResetError::InvalidUserId);
        }
        let solved = captcha::verify_and_spend(
            &self.store,
            &self.keys.captcha,
            self.clock.now(),
            &request.captcha,
        )
        .await?;
        if solved.is_err() {
            return Err(ResetError::CaptchaInvalid);
        }
        let now = self.clock.now();
        let subject = decoy::subject(&self.keys.decoy, user_id);
        // A browser that completed a reset for this account counts in its own scope.
        let tag = device.and_then(|cookie| device::recognise(&self.keys.decoy, &subject, cookie));
        let subject = device::scoped_subject(&subject, tag.as_deref());
        // With a directory, this server's row is brought up to date from it first; an ID
        // the directory does not have is unknown, whatever rows this server kept.
        // The row is then the directory's person's (found by their stable id and named
        // with their user ID as the directory gives it, which may differ from what was
        // typed, e.g. another value of a multi-valued `mail`).
        let person = self.people.refresh(&self.store, user_id, now).await?;
        let lookup = person
            .as_ref()
            .map_or(user_id, |person| person.user_id.as_str());
        let account = self.store.account(lookup).await?;
        let account = account.filter(|_| self.people.is_embedded() || person.is_some());
        // Read for every flow, real or not (equal work); decoys draw their hints from it.
        let domains = self.store.email_domains().await?;
        let real = account
            .as_ref()
            .and_then(|account| self.offer(account, &subject, None));
        let (user, methods_required, methods) = match (account, real) {
            (Some(account), Some((required, methods))) => (Some(account.id), required, methods),
            _ => {
                let requirement = self
                    .policy
                    .requirement(decoy::looks_like_admin(&self.keys.decoy, user_id));
                let allowed: Vec<MethodKind> = requirement
                    .allowed
                    .iter()
                    .copied()
                    .filter(|kind| proving(*kind).is_some())
                    .collect();
                let methods = decoy::methods(
                    &self.keys.decoy,
                    user_id,
                    &allowed,
                    usize::from(requirement.methods_required),
                    usize::from(self.policy.security_questions.register),
                    &self.policy.security_questions.ids(),
                    &domains,
                );
                (None, requirement.methods_required, methods)
            }
        };
        let offer = (user, methods_required, methods);
        self.create(FlowPurpose::Reset, subject, offer, now).await
    }

    /// Creates a flow and answers with it, its secret included (only in this answer). The
    /// secret binds the flow to this browser (docs/SECURITY.md, flow binding): the id
    /// travels in URLs, which proxies log; the secret only in a request header.
    async fn create(
        &self,
        purpose: FlowPurpose,
        subject: String,
        (user, methods_required, methods): (Option<i64>, u8, Vec<FlowMethod>),
        now: u64,
    ) -> Result<ResetFlow, ResetError> {
        let secret = hex(&random_bytes::<16>());
        let flow = FlowRecord {
            id: hex(&random_bytes::<16>()),
            secret_hash: secret_hash(&secret),
            subject,
            user,
            methods_required,
            methods,
            created_at: now,
            expires_at: now + self.lifetime(),
            completed_at: None,
            verified: Vec::new(),
            purpose,
        };
        let mut answer = self.view(&flow, now).await?;
        answer.flow_secret = Some(secret);
        self.store.create_flow(flow).await?;
        Ok(answer)
    }

    /// The methods a real account can use under the policy, or `None` when it cannot
    /// reset (disabled, out of scope, too few methods): then it gets a decoy. `required`
    /// overrides how many different methods must be proven (a sign-in's proof needs one).
    fn offer(
        &self,
        account: &Account,
        subject: &str,
        required: Option<u8>,
    ) -> Option<(u8, Vec<FlowMethod>)> {
        if !account.enabled || !self.policy.in_scope(&account.groups) {
            return None;
        }
        let mut requirement = self.policy.requirement(account.is_admin);
        if let Some(required) = required {
            requirement.methods_required = required;
        }
        let usable =
            |kind: MethodKind| requirement.allowed.contains(&kind) && proving(kind).is_some();
        let mut methods = Vec::new();
        for record in &account.methods {
            if !usable(record.kind) || record.kind == MethodKind::SecurityQuestions {
                continue;
            }
            // One method per kind (the first registered): two addresses of one kind never
            // count as two methods.
            if methods.iter().any(|m: &OfferCandidate| m.0 == record.kind) {
                continue;
            }
            let hint = methods::hint(record.kind, record.contact.as_deref().unwrap_or(""));
            methods.push((record.kind, hint, Some(record.id), Vec::new()));
        }
        // As many questions to draw from as a decoy has (the policy's `register`), a
        // stable choice among those registered: the questions asked never tell a real
        // account from a decoy.
        let register = usize::from(self.policy.security_questions.register);
        if usable(MethodKind::SecurityQuestions) && account.questions.len() >= register {
            let pool = decoy::registered_pool(
                &self.keys.decoy,
                device::account_subject(subject),
                &account.questions,
                register,
            );
            methods.push((MethodKind::SecurityQuestions, None, None, pool));
        }
        // In the order of kinds, as decoys list them, whatever the order of registration.
        methods.sort_by_key(|m| m.0);
        let kinds: std::collections::BTreeSet<MethodKind> = methods.iter().map(|m| m.0).collect();
        let without_questions = kinds
            .iter()
            .filter(|k| **k != MethodKind::SecurityQuestions)
            .count();
        // Enough different kinds, and questions never the only proof.
        if kinds.len() < usize::from(requirement.methods_required) || without_questions == 0 {
            return None;
        }
        let methods = methods
            .into_iter()
            .enumerate()
            .map(|(index, (kind, hint, record, questions))| FlowMethod {
                id: format!("m{}", index + 1),
                kind,
                hint,
                record,
                questions,
            })
            .collect();
        Some((requirement.methods_required, methods))
    }

    /// Whether `account`'s methods let them reset under the policy, and how many different
    /// ones their reset needs.
    pub fn reset_readiness(&self, account: &Account) -> (bool, u8) {
        let subject = decoy::subject(&self.keys.decoy, &account.user_id);
        let required = self.policy.requirement(account.is_admin).methods_required;
        (self.offer(account, &subject, None).is_some(), required)
    }

    /// The method proof of a sign-in to the security-info page: a flow for `account`
    /// (whose password was just checked) in which one method is to be proven, through the
    /// same challenge and verify steps, counters and pauses as a reset; `None` when the
    /// person has no method they could prove (they then register with a one-time pass or
    /// a code to a contact the directory holds). `subject` is the account's counters'.
    pub async fn start_proof(
        &self,
        account: &Account,
        subject: String,
    ) -> Result<Option<ResetFlow>, ResetError> {
        let Some((methods_required, methods)) = self.offer(account, &subject, Some(1)) else {
            return Ok(None);
        };
        let offer = (Some(account.id), methods_required, methods);
        let now = self.clock.now();
        Ok(Some(
            self.create(FlowPurpose::SignIn, subject, offer, now)
                .await?,
        ))
    }

    /// Uses up a sign-in's proof: the flow must be a live sign-in proof of `user` with a
    /// method proven. Anyone else's flow, a reset's, or a finished one is not found.
    pub async fn finish_proof(&self, key: FlowKey<'_>, user: i64) -> Result<(), ResetError> {
        let flow = self.live_flow(key).await?;
        if flow.purpose != FlowPurpose::SignIn || flow.user != Some(user) {
            return Err(ResetError::FlowNotFound);
        }
        if flow.verified.is_empty() {
            return Err(ResetError::NotVerified);
        }
        if !self.store.complete_flow(&flow.id, self.clock.now()).await? {
            return Err(ResetError::FlowCompleted);
        }
        Ok(())
    }

    /// The language of a code or call to the person: the portal's (`asked`, from the
    /// request), else their account's (`preferred_locale`), else English. A decoy reads
    /// "its" account like a real flow (equal work) and writes in English.
    async fn language(
        &self,
        asked: Option<Language>,
        user: Option<i64>,
    ) -> Result<Language, ResetError> {
        if let Some(language) = asked {
            return Ok(language);
        }
        let account = self.store.account_by_id(user.unwrap_or(-1)).await?;
        Ok(Language::of(
            account.and_then(|a| a.preferred_locale).as_deref(),
        ))
    }

    /// Seconds a flow lives from its start, and each extension adds from now.
    fn lifetime(&self) -> u64 {
        u64::from(self.policy.flow_lifetime_seconds)
    }

    /// The flow as the app sees it, with the pauses in force on the account and on each
    /// method (read alike for decoys, whose counters fill like real ones).
    async fn view(&self, flow: &FlowRecord, now: u64) -> Result<ResetFlow, ResetError> {
        let kinds = flow.methods.iter().map(|m| m.kind).collect();
        let pauses = self.store.pauses(flow.subject.clone(), kinds, now).await?;
        let seconds = |lock: &Option<Locked>| lock.and_then(|l| l.retry_after);
        Ok(ResetFlow {
            flow_id: flow.id.clone(),
            flow_secret: None,
            expires_in_seconds: flow.expires_at.saturating_sub(now),
            methods_required: flow.methods_required,
            methods: flow
                .methods
                .iter()
                .zip(&pauses.methods)
                .map(|(m, lock)| OfferedMethod {
                    id: m.id.clone(),
                    kind: m.kind,
                    hint: m.hint.clone(),
                    locked_for_seconds: seconds(lock),
                })
                .collect(),
            verified: flow.verified.clone(),
            // Room left before the hour is up: an extension would give more time.
            can_extend: flow.expires_at < flow.created_at + MAX_FLOW_SECONDS,
            locked_for_seconds: seconds(&pauses.account),
            unlock_offered: self.unlock_offered(flow, now).await,
        })
    }

    /// Where an extension asked for at `now` would move the flow's end: a full lifetime
    /// from now, never past [`MAX_FLOW_SECONDS`] after its start.
    fn extended_end(&self, flow: &FlowRecord, now: u64) -> u64 {
        (now + self.lifetime()).min(flow.created_at + MAX_FLOW_SECONDS)
    }

    /// A flow that can still be worked on.
    async fn live_flow(&self, key: FlowKey<'_>) -> Result<FlowRecord, ResetError> {
        let now = self.clock.now();
        let flow = self.bound_flow(key).await?;
        if flow.completed_at.is_some() {
            return Err(ResetError::FlowCompleted);
        }
        if flow.expires_at <= now {
            return Err(ResetError::FlowNotFound);
        }
        Ok(flow)
    }

    /// The flow, whatever its state, when the secret is its own; without the right secret
    /// a flow does not exist.
    async fn bound_flow(&self, key: FlowKey<'_>) -> Result<FlowRecord, ResetError> {
        let flow = self
            .store
            .flow(key.id)
            .await?
            .ok_or(ResetError::FlowNotFound)?;
        let right: bool = secret_hash(key.secret)
            .as_slice()
            .ct_eq(&flow.secret_hash)
            .into();
        if !right {
            return Err(ResetError::FlowNotFound);
        }
        Ok(flow)
    }

    /// A live flow, one of its methods, and how that method is proven.
    async fn live_method(
        &self,
        key: FlowKey<'_>,
        method_id: &str,
    ) -> Result<(FlowRecord, FlowMethod, Proving), ResetError> {
        let flow = self.live_flow(key).await?;
        let method = flow
            .method(method_id)
            .ok_or(ResetError::MethodNotOffered)?
            .clone();
        let proving = proving(method.kind).ok_or(ResetError::MethodNotOffered)?;
        Ok((flow, method, proving))
    }

    /// `GET /reset/flows/{flow}`.
    pub async fn get(&self, key: FlowKey<'_>) -> Result<ResetFlow, ResetError> {
        let flow = self.live_flow(key).await?;
        let now = self.clock.now();
        self.settle_flow(&flow, now).await?;
        self.view(&flow, now).await
    }

    /// `POST /reset/flows/{flow}/extend`: a full lifetime from now, up to
    /// [`MAX_FLOW_SECONDS`] in all; what the person proved is kept. At the limit the flow
    /// is answered as it is (`can_extend` false).
    pub async fn extend(&self, key: FlowKey<'_>) -> Result<ResetFlow, ResetError> {
        let mut flow = self.live_flow(key).await?;
        let now = self.clock.now();
        let end = self.extended_end(&flow, now);
        if end > flow.expires_at {
            if !self.store.extend_flow(&flow.id, end, now).await? {
                return Err(ResetError::FlowNotFound);
            }
            flow.expires_at = end;
        }
        self.view(&flow, now).await
    }

    /// `POST .../methods/{method}/challenge`, from nobody in particular.
    pub async fn challenge(
        &self,
        key: FlowKey<'_>,
        method_id: &str,
        request: ChallengeRequest,
    ) -> Result<Challenge, ResetError> {
        self.challenge_from(key, method_id, request, &Requester::default())
            .await
    }

    /// `POST .../methods/{method}/challenge` from `from` (an app notification shows the
    /// phone where the reset is asked from).
    pub async fn challenge_from(
        &self,
        key: FlowKey<'_>,
        method_id: &str,
        request: ChallengeRequest,
        from: &Requester,
    ) -> Result<Challenge, ResetError> {
        let (flow, method, proving) = self.live_method(key, method_id).await?;
        let now = self.clock.now();
        // Requests whose wait ended unanswered count before anything else is read or sent.
        self.settle_flow(&flow, now).await?;
        let codes_policy = &self.policy.codes;
        let mut limits = self.limits();
        let mut answer = Challenge {
            code_expires_in_seconds: None,
            resend_in_seconds: None,
            code_length: None,
            questions: Vec::new(),
            channel: None,
            call_seconds: None,
            number_to_choose: None,
            wait_seconds: None,
        };
        let mut challenge = NewChallenge {
            flow_id: flow.id.clone(),
            method_id: method.id.clone(),
            subject: flow.subject.clone(),
            kind: method.kind,
            send_channel: method.kind.as_str().to_owned(),
            now,
            code: None,
            questions: Vec::new(),
            message: None,
            deliver: false,
            approval: None,
        };
        match proving {
            Proving::SentCode => {
                let mut code_policy = codes_policy.clone();
                if method.kind == MethodKind::OfficePhone {
                    code_policy.length = office_phone::REFERENCE_DIGITS;
                    code_policy.lifetime_minutes = 2;
                }
                let code = sent_code::draw(&self.keys, &code_policy, &flow.id, &method.id, now);
                challenge.code = Some((code.hash.clone(), code.expires_at));
                // A decoy draws, hashes and seals a code like any flow, and the store
                // writes it like any other, but it goes nowhere (docs/SECURITY.md, equal
                // work). The address is read through the method's owner.
                let contact = self.store.method_contact(flow.user, method.record).await?;
                challenge.deliver = contact.is_some();
                let dedupe_key = format!(
                    "code:{}:{}:{}",
                    flow.id,
                    method.id,
                    hex(&random_bytes::<8>())
                );
                let language = self.language(from.language, flow.user).await?;
                let outbox = &self.keys.outbox;
                let organisation = &*self.organisation;
                challenge.message = Some(match method.kind {
                    MethodKind::MobilePhone => {
                        let channel = mobile_phone::channel(
                            &self.policy.phone.mobile_channels,
                            request.channel,
                        )
                        .ok_or(ResetError::InvalidProof("this channel is not offered"))?;
                        challenge.send_channel = mobile_phone::send_channel(channel);
                        answer.channel = Some(channel);
                        answer.code_expires_in_seconds = Some(code.lifetime);
                        answer.code_length = Some(codes_policy.length);
                        phone_messages::code(
                            outbox,
                            language,
                            mobile_phone::outbound(channel),
                            organisation,
                            dedupe_key,
                            contact.as_deref().unwrap_or(mobile_phone::DECOY_NUMBER),
                            &code.code,
                            code.expires_at,
                        )
                    }
                    MethodKind::OfficePhone => {
                        challenge.send_channel = office_phone::SEND_CHANNEL.to_owned();
                        // A call at a time, and the prompts' own allowance (anti-bombing).
                        limits.resend_interval = office_phone::CALL_SECONDS as i64;
                        limits.resend_per_account = true;
                        limits.sends_per_window =
                            i64::from(self.policy.phone.prompts_per_15_minutes);
                        limits.send_window = 15 * 60;
                        answer.call_seconds = Some(office_phone::CALL_SECONDS);
                        phone_messages::confirm_call(
                            outbox,
                            language,
                            organisation,
                            dedupe_key,
                            contact.as_deref().unwrap_or(mobile_phone::DECOY_NUMBER),
                            office_phone::reference(&flow.id, &method.id, &code.code),
                            code.expires_at,
                        )
                    }
                    _ => {
                        answer.code_expires_in_seconds = Some(code.lifetime);
                        answer.code_length = Some(codes_policy.length);
                        messages::code(
                            outbox,
                            language,
                            organisation,
                            dedupe_key,
                            contact.as_deref().unwrap_or(DECOY_RECIPIENT),
                            &code.code,
                            codes_policy.lifetime_minutes,
                            code.expires_at,
                        )
                    }
                });
            }
            Proving::Approval => {
                let numbers = app_notification::draw_numbers();
                let id = app_notification::request_id();
                let expires_at = now + app_notification::WAIT_SECONDS;
                challenge.code = Some((
                    app_notification::code_hash(&self.keys.codes, &flow.id, &method.id, &id),
                    expires_at,
                ));
                // The phone, read through its owner; a decoy asks with `None`s (equal
                // work), and its wake-up is written and taken back.
                let device = self.store.method_contact(flow.user, method.record).await?;
                challenge.deliver = device.is_some();
                let device = method.record.filter(|_| challenge.deliver);
                challenge.send_channel = app_notification::SEND_CHANNEL.to_owned();
                // One request at a time, and the prompts' own allowance (anti-bombing).
                limits.resend_interval = app_notification::WAIT_SECONDS as i64;
                limits.resend_per_account = true;
                limits.sends_per_window = i64::from(self.policy.phone.prompts_per_15_minutes);
                limits.send_window = 15 * 60;
                challenge.message = Some(app_notification::wake_up(
                    &self.keys.outbox,
                    format!("approval:{id}"),
                    device,
                    &id,
                    expires_at,
                ));
                challenge.approval = Some(NewApproval {
                    id,
                    user: flow.user,
                    device,
                    numbers: numbers.shown,
                    number: numbers.number,
                    client_ip: from.ip.clone(),
                    browser: from
                        .user_agent
                        .as_deref()
                        .and_then(app_notification::browser),
                    expires_at,
                });
                answer.number_to_choose = Some(numbers.number);
                answer.wait_seconds = Some(app_notification::WAIT_SECONDS);
            }
            Proving::Totp => answer.code_length = Some(app_code::DIGITS),
            Proving::Questions => {
                let asked = questions::asked(
                    &self.keys,
                    &flow.id,
                    &method.questions,
                    self.policy.security_questions.ask,
                );
                challenge.questions = asked.clone();
                answer.questions = asked;
            }
        }
        let queued = challenge.deliver;
        match self.store.begin_challenge(challenge, limits).await? {
            ChallengeOutcome::Ready { resend_in } => {
                if queued {
                    self.outbox.notify_one();
                }
                answer.resend_in_seconds = resend_in;
                Ok(answer)
            }
            ChallengeOutcome::FlowGone => Err(ResetError::FlowNotFound),
            ChallengeOutcome::Locked { account, lock } => Err(locked(account, lock)),
            ChallengeOutcome::RateLimited { retry_after } => {
                Err(ResetError::RateLimited { retry_after })
            }
            ChallengeOutcome::TooManySends { retry_after } => {
                Err(ResetError::TooManyCodes { retry_after })
            }
        }
    }

    /// `POST .../methods/{method}/verify`.
    pub async fn verify(
        &self,
        key: FlowKey<'_>,
        method_id: &str,
        proof: Proof,
    ) -> Result<ResetFlow, ResetError> {
        let (flow, method, proving) = self.live_method(key, method_id).await?;
        let now = self.clock.now();
        self.settle_flow(&flow, now).await?;
        let keys = Arc::clone(&self.keys);
        let decoy = flow.user.is_none();
        let user = flow.user.unwrap_or(0);
        if method.kind == MethodKind::OfficePhone {
            return Err(ResetError::InvalidProof(
                "an office phone is confirmed by pressing # on the call",
            ));
        }
        if proving == Proving::Approval {
            return Err(ResetError::InvalidProof(
                "an app notification is approved on the phone; wait with .../approval",
            ));
        }
        let check: ProofChecker = match (proving, proof) {
            (Proving::SentCode, Proof::Code(code)) => {
                sent_code::checker(keys, &flow.id, &method.id, code, decoy)
            }
            (Proving::Totp, Proof::Code(code)) => app_code::checker(keys, method.record, code, now),
            (Proving::Questions, Proof::Answers(answers)) => {
                if questions::any_empty(&answers) {
                    return Err(ResetError::InvalidProof("every question needs an answer"));
                }
                // The slow hash of each answer to a question of the flow's pool (at most
                // five), before the store's transaction; decoys hash theirs too.
                let typed = questions::hash_answers(
                    &self.hasher,
                    &self.keys,
                    user,
                    &method.questions,
                    &answers,
                )
                .await?;
                questions::checker(typed, decoy)
            }
            (Proving::Questions, Proof::Code(_)) => {
                return Err(ResetError::InvalidProof("security questions need answers"));
            }
            (Proving::Approval, _) => {
                return Err(ResetError::InvalidProof(
                    "an app notification takes no code",
                ));
            }
            (_, Proof::Answers(_)) => {
                return Err(ResetError::InvalidProof("this method needs a code"));
            }
        };
        let notice = self.owner_notice(&flow, now).await?;
        let outcome = self
            .store
            .attempt_proof(
                ProofAttempt {
                    flow_id: flow.id.clone(),
                    method_id: method.id.clone(),
                    source: proving,
                    now,
                },
                self.limits(),
                check,
                notice,
            )
            .await?;
        match outcome {
            ProofOutcome::Verified => self.get(key).await,
            ProofOutcome::Wrong { attempts_left } => Err(if proving == Proving::Questions {
                ResetError::AnswersIncorrect { attempts_left }
            } else {
                ResetError::CodeIncorrect { attempts_left }
            }),
            ProofOutcome::Locked { account, lock } => {
                // The owner may have just been told.
                self.outbox.notify_one();
                Err(locked(account, lock))
            }
            ProofOutcome::CodeExpired => Err(ResetError::CodeExpired),
            ProofOutcome::FlowGone => Err(ResetError::FlowNotFound),
        }
    }

    /// What to tell the owner if a failure in `flow` starts pausing the account. A decoy
    /// asks for an account too (none), the same call.
    async fn owner_notice(
        &self,
        flow: &FlowRecord,
        now: u64,
    ) -> Result<Vec<NewMessage>, ResetError> {
        let account = self.store.account_by_id(flow.user.unwrap_or(-1)).await?;
        Ok(match &account {
            Some(account) => addresses(account)
                .iter()
                .map(|address| {
                    messages::under_attack(
                        &self.keys.outbox,
                        Language::of(account.preferred_locale.as_deref()),
                        &self.organisation,
                        address,
                        &account.user_id,
                        now / 86_400,
                    )
                })
                .collect(),
            None => Vec::new(),
        })
    }

    /// A telephony provider's report that the person on an office-phone call pressed #
    /// (its callback was verified by the provider's signature). The reference names the
    /// flow, the method and the call's code; the method is proven only when that is the
    /// live code of that flow's call. A decoy's call was never placed, so nothing can
    /// name it.
    pub async fn confirm_call(&self, reference: &str) -> Result<CallConfirmation, ResetError> {
        let Some((flow_id, method_id, code)) = office_phone::parse_reference(reference) else {
            return Ok(CallConfirmation::Unknown);
        };
        let now = self.clock.now();
        let Some(flow) = self.store.flow(flow_id).await? else {
            return Ok(CallConfirmation::Unknown);
        };
        let live = flow.completed_at.is_none() && flow.expires_at > now;
        let Some(method) = flow.method(method_id).filter(|_| live) else {
            return Ok(CallConfirmation::Unknown);
        };
        if method.kind != MethodKind::OfficePhone || flow.user.is_none() {
            return Ok(CallConfirmation::Unknown);
        }
        if flow.verified.iter().any(|id| id == method_id) {
            return Ok(CallConfirmation::AlreadyUsed);
        }
        // A key press on an earlier call of this method (its code replaced since) is no
        // try at all: it must neither count as a failure nor use up the live code's tries.
        let typed = sent_code::checker(
            Arc::clone(&self.keys),
            flow_id,
            method_id,
            code.to_owned(),
            false,
        );
        let check: ProofChecker = Box::new(move |input| match typed(input) {
            ProofCheck::Wrong => ProofCheck::Refused,
            verdict => verdict,
        });
        let attempt = ProofAttempt {
            flow_id: flow.id.clone(),
            method_id: method.id.clone(),
            source: Proving::SentCode,
            now,
        };
        let outcome = self
            .store
            .attempt_proof(attempt, self.limits(), check, Vec::new())
            .await?;
        Ok(match outcome {
            ProofOutcome::Verified => CallConfirmation::Confirmed,
            _ => CallConfirmation::Unknown,
        })
    }

    /// `POST .../password`. Safe to repeat: a flow completes once; a repeat with the same
    /// password gets the same answer, anything else `flow_completed`.
    ///
    /// `device` is the browser's recognition cookie, if it sent one; the answer carries
    /// the cookie's new value, which recognises this browser for the account from now on.
    /// `language` is the one the person uses in the portal, for the "your password was
    /// reset" message (else their account's).
    pub async fn set_password(
        &self,
        key: FlowKey<'_>,
        new_password: &str,
        device: Option<&str>,
        language: Option<Language>,
    ) -> Result<PasswordSet, ResetError> {
        let flow = self.bound_flow(key).await?;
        // A sign-in's proof never sets a password: for it, that flow does not exist.
        if flow.purpose != FlowPurpose::Reset {
            return Err(ResetError::FlowNotFound);
        }
        let subject = device::account_subject(&flow.subject).to_owned();
        let done = self.change_password(flow, new_password, language).await?;
        Ok(PasswordSet {
            done,
            device_cookie: device::remember(&self.keys.decoy, &subject, device),
        })
    }

    async fn change_password(
        &self,
        flow: FlowRecord,
        new_password: &str,
        language: Option<Language>,
    ) -> Result<ResetDone, ResetError> {
        let now = self.clock.now();
        // The same checks in the same order for real and decoy flows (docs/SECURITY.md,
        // enumeration): a decoy is never completed and never verified, so it fails at the
        // "not verified" check, exactly where an unproven real flow fails, and only then is
        // anything computed from the password.
        if let (Some(_), Some(user)) = (flow.completed_at, flow.user) {
            return self
                .repeat(
                    &flow,
                    user,
                    &password::normalize(new_password),
                    now,
                    language,
                )
                .await;
        }
        if flow.expires_at <= now {
            return Err(ResetError::FlowNotFound);
        }
        if flow.verified.len() < usize::from(flow.methods_required) {
            return Err(ResetError::NotVerified);
        }
        let Some(user) = flow.user else {
            return Err(ResetError::NotVerified);
        };
        let password = password::normalize(new_password);
        let account = self
            .store
            .account_by_id(user)
            .await?
            .ok_or(ResetError::FlowNotFound)?;
        self.check_new_password(&account, &password).await?;
        let new_hash = self
            .write_reset_password(&flow, &account, &password)
            .await?;
        let messages = self.notifications(&flow, &account, language).await?;
        let notification_sent = !messages.is_empty();
        let outcome = self
            .store
            .complete_reset(Completion {
                flow_id: flow.id.clone(),
                user,
                new_hash,
                now,
                messages,
            })
            .await?;
        match outcome {
            CompletionOutcome::Done { sessions_revoked } => {
                tracing::info!(sessions_revoked, "password reset completed");
                self.outbox.notify_one();
                Ok(ResetDone {
                    notification_sent,
                    sessions_signed_out: true,
                    unlocked: false,
                })
            }
            // Another request completed it while this one was hashing.
            CompletionOutcome::AlreadyCompleted => {
                self.repeat(&flow, user, &password, now, language).await
            }
            CompletionOutcome::NotReady => Err(ResetError::NotVerified),
            CompletionOutcome::FlowGone => Err(ResetError::FlowNotFound),
        }
    }

    /// The rules a new password must meet, as reset and the security-info page check them:
    /// the shared rules with the person's details, and none of their recent passwords.
    /// `password` is normalised.
    async fn check_new_password(
        &self,
        account: &Account,
        password: &str,
    ) -> Result<(), ResetError> {
        let mut details = vec![account.user_id.as_str(), account.display_name.as_str()];
        if let Some(email) = &account.email {
            details.push(email);
        }
        let problems = password::check(password, &password::context_words(&details));
        if !problems.is_empty() {
            return Err(ResetError::PasswordRejected(problems));
        }
        for old in self
            .store
            .password_hashes(account.id, RECENT_PASSWORDS)
            .await?
        {
            if self.hasher.verify(Some(&old), password).await? {
                return Err(ResetError::PasswordRejected(vec![
                    password::PasswordProblem::SameAsCurrent,
                ]));
            }
        }
        Ok(())
    }

    /// A signed-in person's password change (the security-info page checked the session,
    /// its recent proof and the current password): the same rules as a reset, every other
    /// session of theirs ended, a notice to their own addresses. How many sessions ended.
    pub async fn change_signed_in(
        &self,
        user: i64,
        keep_session: Vec<u8>,
        current_password: &str,
        new_password: &str,
        notice: impl FnOnce(&Account) -> crate::store::records::ChangeNotice,
    ) -> Result<(u64, bool), ResetError> {
        let account = self
            .store
            .account_by_id(user)
            .await?
            .ok_or(ResetError::FlowNotFound)?;
        let password = password::normalize(new_password);
        self.check_new_password(&account, &password).await?;
        let new_hash = self
            .write_own_password(&account, current_password, &password)
            .await?;
        let now = self.clock.now();
        let notice = notice(&account);
        let notified = !notice.messages.is_empty();
        let ended = self
            .store
            .change_password(PasswordChange {
                user,
                user_id: account.user_id.clone(),
                new_hash,
                keep_session,
                now,
                notice,
            })
            .await?;
        self.outbox.notify_one();
        Ok((ended, notified))
    }

    /// A submission to a completed flow: the same answer when it carries the password
    /// that was set, `flow_completed` otherwise. Only while the flow lasts, and each
    /// mismatch counts as a failure on the account, so a flow id is no password oracle.
    async fn repeat(
        &self,
        flow: &FlowRecord,
        user: i64,
        password: &str,
        now: u64,
        language: Option<Language>,
    ) -> Result<ResetDone, ResetError> {
        if flow.expires_at <= now {
            return Err(ResetError::FlowNotFound);
        }
        if let Some(lock) = self.store.account_lock(flow.subject.clone(), now).await? {
            return Err(locked(true, lock));
        }
        if self.is_current_password(user, password).await? {
            let account = self.store.account_by_id(user).await?;
            let notification_sent = match account {
                Some(account) => !self
                    .notifications(flow, &account, language)
                    .await?
                    .is_empty(),
                None => false,
            };
            return Ok(ResetDone {
                notification_sent,
                sessions_signed_out: true,
                unlocked: false,
            });
        }
        self.store
            .count_account_failure(
                flow.subject.clone(),
                self.limits().account,
                now,
                "reset_repeat_mismatch",
            )
            .await?;
        Err(ResetError::FlowCompleted)
    }

    /// The messages a completed reset queues: to the person's addresses (in `language`,
    /// the portal's, else their account's), and to the other administrators (each in
    /// their own account's) when an administrator reset.
    async fn notifications(
        &self,
        flow: &FlowRecord,
        account: &Account,
        language: Option<Language>,
    ) -> Result<Vec<crate::store::records::NewMessage>, ResetError> {
        let policy = &self.policy.notifications;
        let mut out = Vec::new();
        if policy.notify_user {
            let language =
                language.unwrap_or_else(|| Language::of(account.preferred_locale.as_deref()));
            for address in addresses(account) {
                out.push(messages::reset_done(
                    &self.keys.outbox,
                    language,
                    &self.organisation,
                    &flow.id,
                    &address,
                    &account.user_id,
                ));
            }
        }
        if account.is_admin && policy.notify_admins_on_admin_reset {
            let mut told = std::collections::HashSet::new();
            for (address, locale) in self.store.other_admin_emails(account.id).await? {
                // An address two administrators share is told once.
                if !told.insert(address.clone()) {
                    continue;
                }
                out.push(messages::admin_reset(
                    &self.keys.outbox,
                    Language::of(locale.as_deref()),
                    &self.organisation,
                    &flow.id,
                    &address,
                    &account.user_id,
                ));
            }
        }
        Ok(out)
    }
}

/// The person's own e-mail addresses (the directory's, then their e-mail methods'), each
/// once whatever its case.
pub(crate) fn addresses(account: &Account) -> Vec<String> {
    let mut all: Vec<String> = account.email.iter().cloned().collect();
    for method in &account.methods {
        if method.kind == MethodKind::Email {
            all.extend(method.contact.clone());
        }
    }
    let mut seen = std::collections::HashSet::new();
    all.retain(|address| seen.insert(address.to_lowercase()));
    all
}

fn locked(account: bool, lock: Locked) -> ResetError {
    if account {
        ResetError::AccountLocked {
            retry_after: lock.retry_after,
        }
    } else {
        ResetError::MethodLocked {
            retry_after: lock.retry_after,
        }
    }
}

/// A completed reset: the answer, and the new value of the browser's recognition cookie.
#[derive(Debug, Clone)]
pub struct PasswordSet {
    pub done: ResetDone,
    pub device_cookie: String,
}

impl CallSink for ResetService<Store> {
    fn confirmed<'a>(&'a self, reference: &'a str) -> BoxFuture<'a, CallConfirmation> {
        Box::pin(async move {
            match self.confirm_call(reference).await {
                Ok(confirmation) => {
                    tracing::info!(?confirmation, "office-phone call reported confirmed");
                    confirmation
                }
                Err(error) => {
                    tracing::error!(%error, "cannot record an office-phone confirmation");
                    CallConfirmation::Unknown
                }
            }
        })
    }
}

/// Who asks for a challenge, as the server saw them: shown on the phone an app notification
/// goes to, and the language their code is written in.
#[derive(Debug, Clone, Default)]
pub struct Requester {
    /// The client's address (through trusted proxies only).
    pub ip: Option<String>,
    pub user_agent: Option<String>,
    /// The language the person uses in the portal (the request's `Accept-Language`), for
    /// the code or call it sends; `None`: their account's.
    pub language: Option<Language>,
}

/// Which flow a request is about: its id (from the URL) and its secret (from the
/// [`sspr_api::reset::FLOW_SECRET_HEADER`] header).
#[derive(Debug, Clone, Copy)]
pub struct FlowKey<'a> {
    pub id: &'a str,
    pub secret: &'a str,
}

/// What is stored of a flow's secret.
pub fn secret_hash(secret: &str) -> Vec<u8> {
    Sha256::digest(secret.as_bytes()).to_vec()
}
