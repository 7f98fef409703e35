//! Reset flows (as `store/sqlite/reset.rs` does them over SQLite): the account as the flow sees it,
//! flows and their per-method challenges, sends and their limits, proofs with their
//! counters, and the completing transaction (the `ResetStore` trait, through
//! `implement_store_traits!`).
//!
//! Each operation is one transaction that locks the flow's row first, then the account's
//! counters ([`lock_subject`]), so concurrent requests on one flow or one account are
//! serialised and a counter is never skipped.

use super::counters::{self, lock_subject};
use super::outbox_store;
use super::{GenericClient, PgStore, StoreError, all, audit_at, exec, narrow, one, opt, read_tx};
use crate::limits::Locked;
use crate::limits::{self, Failure, SendCheck, SendWindow};
use crate::store::records::{ACCOUNT, FlowPurpose, PasswordChange};
use crate::store::records::{
    Account, ChallengeOutcome, Completion, CompletionOutcome, FaultPoint, FlowMethod, FlowRecord,
    Limits, MethodRecord, NewChallenge, NewMessage, ProofAttempt, ProofCheck, ProofInput,
    ProofOutcome, ProofSource,
};
use crate::store::records::{ApprovalInput, NewApproval, account_scope, numbers_text};
use sspr_api::MethodKind;

/// The row id decoys read with: no row has it, so a decoy runs the same queries as a real
/// account and finds nothing (docs/SECURITY.md, equal work).
const NO_ROW: i64 = -1;

/// Records an approval request (with its challenge's code), ending any other open one of
/// the same method: one open request per flow method. The flow's row is locked.
async fn insert_approval<C: GenericClient>(
    tx: &C,
    challenge: &NewChallenge,
    approval: &NewApproval,
) -> Result<(), StoreError> {
    let now = challenge.now as i64;
    exec(
        tx,
        "UPDATE approval_requests SET settled_at = $3
         WHERE flow_id = $1 AND method = $2 AND settled_at IS NULL",
        &[&challenge.flow_id, &challenge.method_id, &now],
    )
    .await?;
    exec(
        tx,
        "INSERT INTO approval_requests
         (id, flow_id, method, user_id, device, numbers, number, client_ip, browser,
          created_at, expires_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)",
        &[
            &approval.id,
            &challenge.flow_id,
            &challenge.method_id,
            &approval.user,
            &approval.device,
            &numbers_text(&approval.numbers),
            &i64::from(approval.number),
            &approval.client_ip,
            &approval.browser,
            &now,
            &(approval.expires_at as i64),
        ],
    )
    .await?;
    Ok(())
}

/// The open approval request of a flow's method.
async fn open_approval<C: GenericClient>(
    tx: &C,
    flow_id: &str,
    method_id: &str,
) -> Result<Option<ApprovalInput>, StoreError> {
    let row = opt(
        tx,
        "SELECT id, device, number, expires_at FROM approval_requests
         WHERE flow_id = $1 AND method = $2 AND settled_at IS NULL
         ORDER BY created_at DESC LIMIT 1",
        &[&flow_id, &method_id],
    )
    .await?;
    let Some(row) = row else {
        return Ok(None);
    };
    Ok(Some(ApprovalInput {
        request: row.try_get(0)?,
        device: row.try_get(1)?,
        number: narrow(row.try_get(2)?, "approval_requests.number")?,
        expires_at: row.try_get::<_, i64>(3)? as u64,
    }))
}

/// Whether another code may go to `subject`'s `channel` now (the last one for this method
/// went out at `last_sent`): the hour's sends are counted and, when allowed, this one is
/// recorded. Call it with the subject locked ([`lock_subject`]). Sends older than the hour
/// are dropped here (rows other transactions hold are left for the next one).
pub(super) async fn send_allowed<C: GenericClient>(
    tx: &C,
    subject: &str,
    channel: &str,
    last_sent: Option<i64>,
    limits: Limits,
    now: i64,
) -> Result<SendCheck, StoreError> {
    let window_start = now - limits.send_window;
    // Sends older than the longest window count for nobody.
    let stale = now - limits::HOUR.max(limits.send_window);
    exec(
        tx,
        "DELETE FROM sends WHERE ctid = ANY(ARRAY(
           SELECT ctid FROM sends WHERE at <= $1 FOR UPDATE SKIP LOCKED))",
        &[&stale],
    )
    .await?;
    let row = one(
        tx,
        "SELECT count(*), min(at), max(at) FROM sends
         WHERE subject = $1 AND channel = $2 AND at > $3",
        &[&subject, &channel, &window_start],
    )
    .await?;
    let window = SendWindow {
        count: row.try_get(0)?,
        oldest: row.try_get(1)?,
        newest: row.try_get(2)?,
    };
    let check = limits::may_send(last_sent, window, limits, now);
    if check == SendCheck::Allowed {
        exec(
            tx,
            "INSERT INTO sends (subject, channel, at) VALUES ($1, $2, $3)",
            &[&subject, &channel, &now],
        )
        .await?;
    }
    Ok(check)
}

/// A stored challenge: code hash, code expiry, wrong tries, questions asked.
type ChallengeRow = (Option<Vec<u8>>, Option<i64>, i64, Option<String>);

/// Whether a flow is read to be changed (its row locked until the transaction ends).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    Read,
    Change,
}

async fn load_flow<C: GenericClient>(
    conn: &C,
    id: &str,
    intent: Intent,
) -> Result<Option<FlowRecord>, StoreError> {
    let sql = match intent {
        Intent::Read => {
            "SELECT subject, user_id, methods_required, offered, created_at, expires_at,
                    completed_at, secret_hash, purpose
             FROM reset_flows WHERE id = $1"
        }
        Intent::Change => {
            "SELECT subject, user_id, methods_required, offered, created_at, expires_at,
                    completed_at, secret_hash, purpose
             FROM reset_flows WHERE id = $1 FOR UPDATE"
        }
    };
    let Some(row) = opt(conn, sql, &[&id]).await? else {
        return Ok(None);
    };
    let subject: String = row.try_get(0)?;
    let user: Option<i64> = row.try_get(1)?;
    let methods_required: u8 = narrow(row.try_get(2)?, "reset_flows.methods_required")?;
    let offered: String = row.try_get(3)?;
    let created_at: i64 = row.try_get(4)?;
    let expires_at: i64 = row.try_get(5)?;
    let completed_at: Option<i64> = row.try_get(6)?;
    let secret_hash: Vec<u8> = row.try_get(7)?;
    let purpose: String = row.try_get(8)?;
    let purpose = FlowPurpose::parse(&purpose)
        .ok_or_else(|| StoreError::Corrupt(format!("reset_flows.purpose {purpose:?}")))?;
    let methods: Vec<FlowMethod> = serde_json::from_str(&offered)
        .map_err(|err| StoreError::Corrupt(format!("reset_flows.offered of a flow: {err}")))?;
    let verified = all(
        conn,
        "SELECT method FROM reset_challenges WHERE flow_id = $1 AND verified_at IS NOT NULL",
        &[&id],
    )
    .await?
    .iter()
    .map(|row| row.try_get(0))
    .collect::<Result<Vec<String>, _>>()?;
    // Keep the offered order.
    let verified = methods
        .iter()
        .filter(|m| verified.contains(&m.id))
        .map(|m| m.id.clone())
        .collect();
    Ok(Some(FlowRecord {
        id: id.to_owned(),
        secret_hash,
        subject,
        user,
        methods_required,
        methods,
        created_at: created_at as u64,
        expires_at: expires_at as u64,
        completed_at: completed_at.map(|t| t as u64),
        purpose,
        verified,
    }))
}

/// The flow, if it exists, has not expired and is not completed; its row stays locked.
async fn live_flow<C: GenericClient>(
    conn: &C,
    id: &str,
    now: u64,
) -> Result<Option<FlowRecord>, StoreError> {
    Ok(load_flow(conn, id, Intent::Change)
        .await?
        .filter(|f| f.expires_at > now && f.completed_at.is_none()))
}

/// The first lock in force on the account or the method.
async fn lock_in_force<C: GenericClient>(
    conn: &C,
    subject: &str,
    kind: MethodKind,
    now: i64,
) -> Result<Option<(bool, Locked)>, StoreError> {
    if let Some(lock) = counters::load(conn, subject, ACCOUNT).await?.lock(now) {
        return Ok(Some((true, lock)));
    }
    Ok(counters::load(conn, subject, kind.as_str())
        .await?
        .lock(now)
        .map(|lock| (false, lock)))
}

/// How an account is looked up.
enum AccountKey<'a> {
    /// The user ID, in any case.
    UserId(&'a str),
    Id(i64),
}

async fn load_account<C: GenericClient>(
    conn: &C,
    key: AccountKey<'_>,
) -> Result<Option<Account>, StoreError> {
    let row =
        match key {
            AccountKey::UserId(user_id) => opt(
                conn,
                "SELECT id, user_id, display_name, email, enabled, is_admin, methods_confirmed_at,
                        preferred_locale, methods_blocked_at IS NOT NULL
                 FROM users
                 WHERE lower(user_id) = lower($1::text COLLATE \"C\")",
                &[&user_id],
            )
            .await?,
            AccountKey::Id(id) => opt(
                conn,
                "SELECT id, user_id, display_name, email, enabled, is_admin, methods_confirmed_at,
                        preferred_locale, methods_blocked_at IS NOT NULL
                 FROM users
                 WHERE id = $1",
                &[&id],
            )
            .await?,
        };
    // An unknown user ID runs the same follow-up queries as an account (equal work).
    let (found, mut account) = match row {
        Some(row) => (
            true,
            Account {
                id: row.try_get(0)?,
                user_id: row.try_get(1)?,
                display_name: row.try_get(2)?,
                email: row.try_get(3)?,
                enabled: row.try_get(4)?,
                is_admin: row.try_get(5)?,
                methods_confirmed_at: row.try_get::<_, Option<i64>>(6)?.map(|at| at as u64),
                preferred_locale: row.try_get(7)?,
                methods_blocked: row.try_get(8)?,
                groups: Vec::new(),
                methods: Vec::new(),
                questions: Vec::new(),
            },
        ),
        None => (
            false,
            Account {
                id: NO_ROW,
                user_id: String::new(),
                display_name: String::new(),
                email: None,
                enabled: false,
                is_admin: false,
                methods_confirmed_at: None,
                preferred_locale: None,
                methods_blocked: false,
                groups: Vec::new(),
                methods: Vec::new(),
                questions: Vec::new(),
            },
        ),
    };
    // By name without case, as SQLite orders its NOCASE column.
    account.groups = all(
        conn,
        "SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id = $1 ORDER BY lower(g.name)",
        &[&account.id],
    )
    .await?
    .iter()
    .map(|row| row.try_get(0))
    .collect::<Result<_, _>>()?;
    let methods = all(
        conn,
        "SELECT id, kind, contact, is_default, created_at, last_used_at, device_seen_at,
                push_gone_at IS NOT NULL
         FROM methods
         WHERE user_id = $1 AND suspended_at IS NULL ORDER BY is_default DESC, id",
        &[&account.id],
    )
    .await?;
    for row in &methods {
        let kind: String = row.try_get(1)?;
        // A kind this server does not know (written by a newer one) is skipped.
        if let Some(kind) = MethodKind::parse(&kind) {
            account.methods.push(MethodRecord {
                id: row.try_get(0)?,
                kind,
                contact: row.try_get(2)?,
                is_default: row.try_get(3)?,
                registered_at: row.try_get::<_, i64>(4)? as u64,
                last_used_at: row.try_get::<_, Option<i64>>(5)?.map(|at| at as u64),
                device_seen_at: row.try_get::<_, Option<i64>>(6)?.map(|at| at as u64),
                push_gone: row.try_get(7)?,
            });
        }
    }
    account.questions = all(
        conn,
        "SELECT question FROM security_answers WHERE user_id = $1
           AND NOT EXISTS (SELECT 1 FROM methods WHERE user_id = $1
                           AND kind = 'security_questions' AND suspended_at IS NOT NULL)
         ORDER BY question",
        &[&account.id],
    )
    .await?
    .iter()
    .map(|row| row.try_get(0))
    .collect::<Result<_, _>>()?;
    Ok(found.then_some(account))
}

impl PgStore {
    /// The account with this user ID (any case), with its methods and registered questions.
    pub async fn account(&self, user_id: &str) -> Result<Option<Account>, StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = read_tx(&mut client).await?;
            let account = load_account(&tx, AccountKey::UserId(&user_id)).await?;
            tx.commit().await?;
            Ok(account)
        })
        .await
    }

    /// The account with this row id.
    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = read_tx(&mut client).await?;
            let account = load_account(&tx, AccountKey::Id(id)).await?;
            tx.commit().await?;
            Ok(account)
        })
        .await
    }

    /// The contact (address or number) of a registered method, read only through its
    /// owner (method ids can be reused once methods are deleted). A decoy asks with no
    /// owner and no method and gets `None` after the same query.
    pub async fn method_contact(
        &self,
        user: Option<i64>,
        method: Option<i64>,
    ) -> Result<Option<String>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let row = opt(
                &client,
                "SELECT contact FROM methods
                 WHERE id = $1 AND user_id = $2 AND suspended_at IS NULL",
                &[&method.unwrap_or(NO_ROW), &user.unwrap_or(NO_ROW)],
            )
            .await?;
            Ok(match row {
                Some(row) => row.try_get(0)?,
                None => None,
            })
        })
        .await
    }

    /// The domains of the e-mail addresses registered as methods (lower case), with how
    /// many addresses each: what decoy hints are drawn from.
    pub async fn email_domains(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.run(|store| async move {
            let client = store.client().await?;
            let rows = all(
                &client,
                "SELECT lower(substr(contact, strpos(contact, '@') + 1)) AS domain, count(*)
                 FROM methods WHERE kind = 'email' AND strpos(contact, '@') > 0
                 GROUP BY domain ORDER BY domain",
                &[],
            )
            .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get::<_, i64>(1)? as u64)))
                .collect()
        })
        .await
    }

    /// Moves a live flow's end to `expires_at`; false when the flow is gone or finished.
    pub async fn extend_flow(
        &self,
        id: &str,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(move |store| async move {
            let client = store.client().await?;
            let changed = exec(
                &client,
                "UPDATE reset_flows SET expires_at = $2
                 WHERE id = $1 AND expires_at > $3 AND completed_at IS NULL",
                &[&id, &(expires_at as i64), &(now as i64)],
            )
            .await?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn change_password(&self, change: PasswordChange) -> Result<u64, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            // The user's row first, as every password change takes it.
            opt(
                &tx,
                "SELECT id FROM users WHERE id = $1 FOR UPDATE",
                &[&change.user],
            )
            .await?;
            replace_password_hash(&tx, change.user, change.new_hash.as_deref(), change.now).await?;
            let ended = exec(
                &tx,
                "DELETE FROM sessions WHERE user_id = $1 AND id_hash <> $2",
                &[&change.user, &change.keep_session],
            )
            .await?;
            super::registrations::queue_notice(&tx, change.user, &change.notice, None, change.now)
                .await?;
            audit_at(
                &tx,
                change.now,
                "password_changed",
                Some(&change.user_id),
                None,
            )
            .await?;
            tx.commit().await?;
            Ok(ended)
        })
        .await
    }

    pub async fn complete_flow(&self, id: &str, now: u64) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.run(move |store| async move {
            let client = store.client().await?;
            let now = now as i64;
            let changed = exec(
                &client,
                "UPDATE reset_flows SET completed_at = $2
                 WHERE id = $1 AND completed_at IS NULL AND expires_at > $2",
                &[&id, &now],
            )
            .await?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn create_flow(&self, flow: FlowRecord) -> Result<(), StoreError> {
        let offered = serde_json::to_string(&flow.methods)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            // Expired flows are of no use to anyone; drop them on the way (those another
            // transaction holds are left to it).
            exec(
                &tx,
                "DELETE FROM reset_flows WHERE id IN
                 (SELECT id FROM reset_flows WHERE expires_at < $1 FOR UPDATE SKIP LOCKED)",
                &[&(flow.created_at as i64 - 86_400)],
            )
            .await?;
            exec(
                &tx,
                "INSERT INTO reset_flows
                 (id, subject, user_id, methods_required, offered, created_at, expires_at,
                  secret_hash, purpose)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
                &[
                    &flow.id,
                    &flow.subject,
                    &flow.user,
                    &i64::from(flow.methods_required),
                    &offered,
                    &(flow.created_at as i64),
                    &(flow.expires_at as i64),
                    &flow.secret_hash,
                    &flow.purpose.as_str(),
                ],
            )
            .await?;
            // Whether the flow is a decoy is for administrators' eyes only.
            let kind = if flow.user.is_some() {
                "account"
            } else {
                "decoy"
            };
            audit_at(
                &tx,
                flow.created_at,
                flow.purpose.started_event(),
                Some(&flow.subject),
                Some(kind),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// The flow whatever its state (expired and completed ones too).
    pub async fn flow(&self, id: &str) -> Result<Option<FlowRecord>, StoreError> {
        let id = id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = read_tx(&mut client).await?;
            let flow = load_flow(&tx, &id, Intent::Read).await?;
            tx.commit().await?;
            Ok(flow)
        })
        .await
    }

    /// Records a new code (or questions) for a method of a flow, holding sends to the
    /// limits; queues the message carrying the code.
    pub async fn begin_challenge(
        &self,
        challenge: NewChallenge,
        limits: Limits,
    ) -> Result<ChallengeOutcome, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let now = challenge.now as i64;
            if live_flow(&tx, &challenge.flow_id, challenge.now)
                .await?
                .is_none()
            {
                return Ok(ChallengeOutcome::FlowGone);
            }
            // The account's counters and sends, until this transaction ends.
            lock_subject(&tx, &challenge.subject).await?;
            if let Some((account, lock)) =
                lock_in_force(&tx, &challenge.subject, challenge.kind, now).await?
            {
                return Ok(ChallengeOutcome::Locked { account, lock });
            }
            let existing = opt(
                &tx,
                "SELECT sent_at, verified_at FROM reset_challenges
                 WHERE flow_id = $1 AND method = $2 FOR UPDATE",
                &[&challenge.flow_id, &challenge.method_id],
            )
            .await?;
            let existing: Option<(Option<i64>, Option<i64>)> = match existing {
                Some(row) => Some((row.try_get(0)?, row.try_get(1)?)),
                None => None,
            };
            if let Some((_, Some(_))) = existing {
                // Already proven: nothing to send.
                return Ok(ChallengeOutcome::Ready { resend_in: None });
            }
            let mut resend_in = None;
            if let Some((hash, expires_at)) = &challenge.code {
                let channel = challenge.send_channel.as_str();
                let last_sent = existing.and_then(|(sent_at, _)| sent_at);
                match send_allowed(&tx, &challenge.subject, channel, last_sent, limits, now).await?
                {
                    SendCheck::Allowed => {}
                    SendCheck::ResendWait(retry_after) => {
                        return Ok(ChallengeOutcome::RateLimited { retry_after });
                    }
                    SendCheck::HourUsedUp(retry_after) => {
                        // Flooding or bombing someone's inbox is a security event.
                        audit_at(
                            &tx,
                            challenge.now,
                            "reset_send_limit_reached",
                            Some(&challenge.subject),
                            Some(channel),
                        )
                        .await?;
                        tx.commit().await?;
                        return Ok(ChallengeOutcome::TooManySends { retry_after });
                    }
                }
                // A new code replaces the old one with fresh per-code tries; the account
                // and method counters are untouched.
                exec(
                    &tx,
                    "INSERT INTO reset_challenges
                     (flow_id, method, code_hash, code_expires_at, code_attempts, sent_at)
                     VALUES ($1, $2, $3, $4, 0, $5)
                     ON CONFLICT (flow_id, method) DO UPDATE SET
                       code_hash = $3, code_expires_at = $4, code_attempts = 0, sent_at = $5",
                    &[
                        &challenge.flow_id,
                        &challenge.method_id,
                        hash,
                        &(*expires_at as i64),
                        &now,
                    ],
                )
                .await?;
                if let Some(approval) = &challenge.approval {
                    insert_approval(&tx, &challenge, approval).await?;
                }
                if let Some(message) = &challenge.message {
                    outbox_store::insert(&tx, message, challenge.now).await?;
                    // A decoy's message is written like any other and taken back in the
                    // same transaction: nothing is ever sent. A real one runs the same
                    // statement, which then matches nothing: the same work either way.
                    exec(
                        &tx,
                        "DELETE FROM outbox WHERE dedupe_key = $1 AND NOT $2",
                        &[&message.dedupe_key, &challenge.deliver],
                    )
                    .await?;
                }
                resend_in = Some(limits.resend_interval as u64);
            } else {
                let questions = serde_json::to_string(&challenge.questions)
                    .map_err(|err| StoreError::Corrupt(err.to_string()))?;
                exec(
                    &tx,
                    "INSERT INTO reset_challenges (flow_id, method, questions)
                     VALUES ($1, $2, $3)
                     ON CONFLICT (flow_id, method) DO UPDATE SET questions = $3",
                    &[&challenge.flow_id, &challenge.method_id, &questions],
                )
                .await?;
            }
            audit_at(
                &tx,
                challenge.now,
                "reset_challenge",
                Some(&challenge.subject),
                Some(challenge.kind.as_str()),
            )
            .await?;
            tx.commit().await?;
            Ok(ChallengeOutcome::Ready { resend_in })
        })
        .await
    }

    /// Checks a proof inside one transaction: locks, the live code, the method's `check`,
    /// then the counters. `check` gets what the proof is compared against.
    pub async fn attempt_proof(
        &self,
        attempt: ProofAttempt,
        limits: Limits,
        check: impl FnOnce(&ProofInput) -> ProofCheck + Send + 'static,
        notice: Vec<NewMessage>,
    ) -> Result<ProofOutcome, StoreError> {
        let ProofAttempt {
            flow_id,
            method_id,
            source,
            now,
        } = attempt;
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let Some(flow) = live_flow(&tx, &flow_id, now).await? else {
                return Ok(ProofOutcome::FlowGone);
            };
            let Some(method) = flow.method(&method_id).cloned() else {
                return Ok(ProofOutcome::FlowGone);
            };
            if flow.verified.contains(&method_id) {
                return Ok(ProofOutcome::Verified);
            }
            let now_i = now as i64;
            // The account's counters, until this transaction ends: a try that another
            // one's failure has just paused is refused, and every failure counts.
            lock_subject(&tx, &flow.subject).await?;
            if let Some((account, lock)) =
                lock_in_force(&tx, &flow.subject, method.kind, now_i).await?
            {
                return Ok(ProofOutcome::Locked { account, lock });
            }
            let challenge = opt(
                &tx,
                "SELECT code_hash, code_expires_at, code_attempts, questions
                 FROM reset_challenges WHERE flow_id = $1 AND method = $2 FOR UPDATE",
                &[&flow_id, &method_id],
            )
            .await?;
            let challenge: Option<ChallengeRow> = match challenge {
                Some(row) => Some((
                    row.try_get(0)?,
                    row.try_get(1)?,
                    row.try_get(2)?,
                    row.try_get(3)?,
                )),
                None => None,
            };
            let mut input = ProofInput::default();
            let mut code_attempts = 0;
            // What the proof is checked against is the caller's to say (methods/): the
            // store only knows which rows each source is in.
            match source {
                ProofSource::Totp => {
                    // Through the owner; a decoy runs the same query and finds nothing. The
                    // row stays locked: its last used step decides replays.
                    let row = opt(
                        &tx,
                        "SELECT secret, last_used_step FROM methods
                         WHERE id = $1 AND user_id = $2 AND suspended_at IS NULL FOR UPDATE",
                        &[
                            &method.record.unwrap_or(NO_ROW),
                            &flow.user.unwrap_or(NO_ROW),
                        ],
                    )
                    .await?;
                    if let Some(row) = row {
                        input.totp_secret = row.try_get(0)?;
                        input.last_used_step = row.try_get::<_, Option<i64>>(1)?.map(|s| s as u64);
                    }
                }
                ProofSource::Questions => {
                    let Some((_, _, _, Some(questions))) = challenge else {
                        return Ok(ProofOutcome::CodeExpired);
                    };
                    input.questions = serde_json::from_str(&questions)
                        .map_err(|err| StoreError::Corrupt(err.to_string()))?;
                    input.answers = all(
                        &tx,
                        "SELECT question, answer_hash FROM security_answers WHERE user_id = $1
                         AND NOT EXISTS (SELECT 1 FROM methods WHERE user_id = $1
                                         AND kind = 'security_questions' AND suspended_at IS NOT NULL)
                         ORDER BY question",
                        &[&flow.user.unwrap_or(NO_ROW)],
                    )
                    .await?
                    .iter()
                    .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                    .collect::<Result<_, StoreError>>()?;
                }
                ProofSource::Approval => {
                    // The open request of the method: decided once, by this try (the flow's
                    // row lock guards it, as it guards the challenge).
                    let Some(open) = open_approval(&tx, &flow_id, &method_id).await? else {
                        return Ok(ProofOutcome::CodeExpired);
                    };
                    input.approval = Some(open);
                }
                ProofSource::SentCode => {
                    let Some((Some(hash), Some(expires_at), attempts, _)) = challenge else {
                        return Ok(ProofOutcome::CodeExpired);
                    };
                    if expires_at <= now_i || attempts >= limits.code_attempts {
                        return Ok(ProofOutcome::CodeExpired);
                    }
                    input.code_hash = Some(hash);
                    code_attempts = attempts;
                }
            }
            let verdict = check(&input);
            if let (Some(open), ProofCheck::Right { .. } | ProofCheck::Wrong) =
                (&input.approval, verdict)
            {
                let approved = matches!(verdict, ProofCheck::Right { .. });
                exec(
                    &tx,
                    "UPDATE approval_requests SET settled_at = $2, approved = $3 WHERE id = $1",
                    &[&open.request, &now_i, &approved],
                )
                .await?;
            }
            let outcome = match verdict {
                // Not a try: nothing written (the transaction is dropped).
                ProofCheck::Refused => return Ok(ProofOutcome::CodeExpired),
                ProofCheck::Right { totp_step } => {
                    exec(
                        &tx,
                        "INSERT INTO reset_challenges (flow_id, method, verified_at)
                         VALUES ($1, $2, $3)
                         ON CONFLICT (flow_id, method) DO UPDATE SET
                           verified_at = $3, code_hash = NULL",
                        &[&flow_id, &method_id, &now_i],
                    )
                    .await?;
                    if let (Some(record), Some(user)) = (method.record, flow.user) {
                        let step = totp_step.map(|step| step as i64);
                        exec(
                            &tx,
                            "UPDATE methods SET last_used_at = $2,
                               last_used_step = coalesce($4, last_used_step)
                             WHERE id = $1 AND user_id = $3",
                            &[&record, &now_i, &user, &step],
                        )
                        .await?;
                    }
                    counters::reset(&tx, &flow.subject, Some(method.kind.as_str())).await?;
                    audit_at(
                        &tx,
                        now,
                        "reset_method_verified",
                        Some(&flow.subject),
                        Some(method.kind.as_str()),
                    )
                    .await?;
                    ProofOutcome::Verified
                }
                ProofCheck::Wrong => {
                    // The arithmetic is the limits' (plain Rust); the store loads and saves.
                    let code_tries = match input.code_hash {
                        Some(_) => {
                            code_attempts += 1;
                            exec(
                                &tx,
                                "UPDATE reset_challenges SET code_attempts = $3
                                 WHERE flow_id = $1 AND method = $2",
                                &[&flow_id, &method_id, &code_attempts],
                            )
                            .await?;
                            Some(code_attempts)
                        }
                        None => None,
                    };
                    let scope = method.kind.as_str();
                    let mut account = counters::load(&tx, &flow.subject, ACCOUNT).await?;
                    let mut per_method = counters::load(&tx, &flow.subject, scope).await?;
                    let (failure, notify) = limits::wrong_proof(
                        &mut account,
                        &mut per_method,
                        code_tries,
                        limits,
                        now_i,
                    );
                    if notify {
                        for message in &notice {
                            outbox_store::insert(&tx, message, now).await?;
                        }
                        if !notice.is_empty() {
                            audit_at(&tx, now, "reset_owner_warned", Some(&flow.subject), None)
                                .await?;
                        }
                    }
                    counters::save(&tx, &flow.subject, ACCOUNT, account, now_i).await?;
                    counters::save(&tx, &flow.subject, scope, per_method, now_i).await?;
                    audit_at(
                        &tx,
                        now,
                        "reset_proof_failed",
                        Some(&flow.subject),
                        Some(scope),
                    )
                    .await?;
                    match failure {
                        Failure::Paused {
                            account: true,
                            lock,
                        } => {
                            audit_at(&tx, now, "reset_account_locked", Some(&flow.subject), None)
                                .await?;
                            ProofOutcome::Locked {
                                account: true,
                                lock,
                            }
                        }
                        Failure::Paused {
                            account: false,
                            lock,
                        } => {
                            audit_at(
                                &tx,
                                now,
                                "reset_method_locked",
                                Some(&flow.subject),
                                Some(scope),
                            )
                            .await?;
                            ProofOutcome::Locked {
                                account: false,
                                lock,
                            }
                        }
                        Failure::Wrong { attempts_left } => ProofOutcome::Wrong { attempts_left },
                    }
                }
            };
            tx.commit().await?;
            Ok(outcome)
        })
        .await
    }

    /// The current password hash and the most recent retired ones, newest first.
    pub async fn password_hashes(&self, user: i64, recent: u32) -> Result<Vec<String>, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = read_tx(&mut client).await?;
            let mut hashes = Vec::new();
            if let Some(row) = opt(
                &tx,
                "SELECT password_hash FROM users WHERE id = $1",
                &[&user],
            )
            .await?
                && let Some(current) = row.try_get::<_, Option<String>>(0)?
            {
                hashes.push(current);
            }
            for row in all(
                &tx,
                "SELECT password_hash FROM password_history WHERE user_id = $1
                 ORDER BY id DESC LIMIT $2",
                &[&user, &i64::from(recent)],
            )
            .await?
            {
                hashes.push(row.try_get(0)?);
            }
            tx.commit().await?;
            Ok(hashes)
        })
        .await
    }

    /// E-mail addresses of the enabled administrators other than `except`: their own
    /// address and the ones they registered as a method, each with its account's
    /// `preferred_locale`.
    pub async fn other_admin_emails(
        &self,
        except: i64,
    ) -> Result<Vec<(String, Option<String>)>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let rows = all(
                &client,
                "SELECT email, preferred_locale FROM users
                 WHERE is_admin AND enabled AND id <> $1 AND email IS NOT NULL
                 UNION
                 SELECT m.contact, u.preferred_locale FROM methods m JOIN users u ON u.id = m.user_id
                 WHERE u.is_admin AND u.enabled AND u.id <> $1 AND m.kind = 'email'
                   AND m.contact IS NOT NULL
                 ORDER BY 1, 2",
                &[&except],
            )
            .await?;
            rows.iter()
                .map(|row| Ok((row.try_get(0)?, row.try_get(1)?)))
                .collect::<Result<_, StoreError>>()
        })
        .await
    }

    /// The password change, in one transaction: the flow is consumed, the hash written
    /// (the old one kept in the history), the credential version bumped, every session
    /// revoked, the counters cleared and the notifications queued.
    pub async fn complete_reset(
        &self,
        completion: Completion,
    ) -> Result<CompletionOutcome, StoreError> {
        let fault = self.armed_fault();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let Some(flow) = load_flow(&tx, &completion.flow_id, Intent::Change).await? else {
                return Ok(CompletionOutcome::FlowGone);
            };
            if flow.completed_at.is_some() {
                return Ok(CompletionOutcome::AlreadyCompleted);
            }
            if flow.expires_at <= completion.now || flow.user != Some(completion.user) {
                return Ok(CompletionOutcome::FlowGone);
            }
            // Disabled (or removed) while the flow was under way: no reset. The row stays
            // locked, so it cannot be disabled between this check and the change.
            let enabled: Option<bool> = match opt(
                &tx,
                "SELECT enabled FROM users WHERE id = $1 FOR NO KEY UPDATE",
                &[&completion.user],
            )
            .await?
            {
                Some(row) => Some(row.try_get(0)?),
                None => None,
            };
            if enabled != Some(true) {
                return Ok(CompletionOutcome::FlowGone);
            }
            if flow.verified.len() < usize::from(flow.methods_required) {
                return Ok(CompletionOutcome::NotReady);
            }
            let now = completion.now as i64;
            exec(
                &tx,
                "UPDATE reset_flows SET completed_at = $2 WHERE id = $1 AND completed_at IS NULL",
                &[&completion.flow_id, &now],
            )
            .await?;
            replace_password_hash(
                &tx,
                completion.user,
                completion.new_hash.as_deref(),
                completion.now,
            )
            .await?;
            // Keep the history short: it only serves the "not a recent password" rule.
            exec(
                &tx,
                "DELETE FROM password_history WHERE user_id = $1 AND id NOT IN
                 (SELECT id FROM password_history WHERE user_id = $1 ORDER BY id DESC LIMIT 5)",
                &[&completion.user],
            )
            .await?;
            inject(fault, FaultPoint::AfterPasswordWritten)?;
            let revoked = exec(
                &tx,
                "DELETE FROM sessions WHERE user_id = $1",
                &[&completion.user],
            )
            .await?;
            // A reset with the methods a report left them restores the security-info page;
            // the methods the reported change added or changed were not theirs.
            exec(
                &tx,
                "DELETE FROM methods WHERE user_id = $1 AND suspended_at IS NOT NULL",
                &[&completion.user],
            )
            .await?;
            exec(
                &tx,
                "UPDATE users SET methods_blocked_at = NULL WHERE id = $1",
                &[&completion.user],
            )
            .await?;
            inject(fault, FaultPoint::AfterSessionsRevoked)?;
            lock_subject(&tx, &flow.subject).await?;
            counters::reset(&tx, &flow.subject, None).await?;
            // A reported app notification's pause lifts with any reset of the account,
            // from a recognised browser too.
            counters::reset(
                &tx,
                account_scope(&flow.subject),
                Some(MethodKind::AppNotification.as_str()),
            )
            .await?;
            for message in &completion.messages {
                outbox_store::insert(&tx, message, completion.now).await?;
            }
            inject(fault, FaultPoint::AfterMessagesQueued)?;
            audit_at(
                &tx,
                completion.now,
                "password_reset",
                Some(&flow.subject),
                None,
            )
            .await?;
            tx.commit().await?;
            Ok(CompletionOutcome::Done {
                sessions_revoked: revoked as usize,
            })
        })
        .await
    }
}

/// Writes a new password hash: the old one retired to the history, the credential
/// version bumped (so anything bound to the old password stops working). The caller holds
/// the user's row.
pub(super) async fn replace_password_hash<C: GenericClient>(
    conn: &C,
    user: i64,
    hash: Option<&str>,
    now: u64,
) -> Result<(), StoreError> {
    let now = now as i64;
    exec(
        conn,
        "INSERT INTO password_history (user_id, password_hash, retired_at)
         SELECT id, password_hash, $2 FROM users WHERE id = $1 AND password_hash IS NOT NULL",
        &[&user, &now],
    )
    .await?;
    exec(
        conn,
        "UPDATE users SET password_hash = $2, credential_version = credential_version + 1,
         password_changed_at = $3 WHERE id = $1",
        &[&user, &hash, &now],
    )
    .await?;
    Ok(())
}

/// Fails the transaction at `here` when a test armed that point; dropping the transaction
/// rolls it back.
fn inject(armed: Option<FaultPoint>, here: FaultPoint) -> Result<(), StoreError> {
    if armed == Some(here) {
        return Err(StoreError::Injected(format!("{here:?}")));
    }
    Ok(())
}
