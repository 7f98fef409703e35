//! Reset flows in the store: the account as the flow sees it, flows and their per-method
//! challenges, sends and their limits, proofs with their counters, and the completing
//! transaction. Each operation is one SQLite transaction, so concurrent requests on the
//! same flow are serialised and a counter is never skipped.

use super::counters;
use super::outbox;
use super::{SqliteStore, audit_at};
use crate::limits::Locked;
use crate::limits::{self, Failure, SendCheck, SendWindow};
use crate::store::StoreError;
use crate::store::records::ACCOUNT;
use crate::store::records::*;
use crate::store::records::{account_scope, numbers_text};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sspr_api::MethodKind;

fn load_flow(conn: &Connection, id: &str) -> Result<Option<FlowRecord>, StoreError> {
    let row = conn
        .query_row(
            "SELECT subject, user_id, methods_required, offered, created_at, expires_at,
                    completed_at, secret_hash, purpose
             FROM reset_flows WHERE id = ?1",
            [id],
            |row| {
                Ok((
                    row.get::<_, String>(0)?,
                    row.get::<_, Option<i64>>(1)?,
                    row.get::<_, u8>(2)?,
                    row.get::<_, String>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, i64>(5)?,
                    row.get::<_, Option<i64>>(6)?,
                    row.get::<_, Vec<u8>>(7)?,
                    row.get::<_, String>(8)?,
                ))
            },
        )
        .optional()?;
    let Some((
        subject,
        user,
        methods_required,
        offered,
        created_at,
        expires_at,
        completed_at,
        secret_hash,
        purpose,
    )) = row
    else {
        return Ok(None);
    };
    let purpose = FlowPurpose::parse(&purpose)
        .ok_or_else(|| StoreError::Corrupt(format!("reset_flows.purpose {purpose:?}")))?;
    let methods: Vec<FlowMethod> = serde_json::from_str(&offered)
        .map_err(|err| StoreError::Corrupt(format!("reset_flows.offered of a flow: {err}")))?;
    let mut stmt = conn.prepare_cached(
        "SELECT method FROM reset_challenges WHERE flow_id = ?1 AND verified_at IS NOT NULL",
    )?;
    let verified = stmt
        .query_map([id], |row| row.get(0))?
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
        verified,
        purpose,
    }))
}

/// The flow, if it exists, has not expired and is not completed.
fn live_flow(conn: &Connection, id: &str, now: u64) -> Result<Option<FlowRecord>, StoreError> {
    Ok(load_flow(conn, id)?.filter(|f| f.expires_at > now && f.completed_at.is_none()))
}

/// The first lock in force on the account or the method.
fn lock_in_force(
    conn: &Connection,
    subject: &str,
    kind: MethodKind,
    now: i64,
) -> rusqlite::Result<Option<(bool, Locked)>> {
    if let Some(lock) = counters::load(conn, subject, ACCOUNT)?.lock(now) {
        return Ok(Some((true, lock)));
    }
    Ok(counters::load(conn, subject, kind.as_str())?
        .lock(now)
        .map(|lock| (false, lock)))
}

fn load_account(
    conn: &Connection,
    condition: &str,
    key: &dyn rusqlite::ToSql,
) -> Result<Option<Account>, StoreError> {
    let row = conn
        .query_row(
            &format!(
                "SELECT id, user_id, display_name, email, enabled, is_admin, methods_confirmed_at,
                        preferred_locale, methods_blocked_at IS NOT NULL
                 FROM users WHERE {condition}"
            ),
            [key],
            |row| {
                Ok(Account {
                    id: row.get(0)?,
                    user_id: row.get(1)?,
                    display_name: row.get(2)?,
                    email: row.get(3)?,
                    enabled: row.get(4)?,
                    is_admin: row.get(5)?,
                    methods_confirmed_at: row.get::<_, Option<i64>>(6)?.map(|at| at as u64),
                    preferred_locale: row.get(7)?,
                    methods_blocked: row.get(8)?,
                    groups: Vec::new(),
                    methods: Vec::new(),
                    questions: Vec::new(),
                })
            },
        )
        .optional()?;
    // An unknown user ID runs the same follow-up queries as an account (equal work).
    let (found, mut account) = match row {
        Some(account) => (true, account),
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
    let mut stmt = conn.prepare_cached(
        "SELECT g.name FROM group_members m JOIN groups g ON g.id = m.group_id
         WHERE m.user_id = ?1 ORDER BY g.name",
    )?;
    account.groups = stmt
        .query_map([account.id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    let mut stmt = conn.prepare_cached(
        "SELECT id, kind, contact, is_default, created_at, last_used_at, device_seen_at,
                push_gone_at IS NOT NULL
         FROM methods
         WHERE user_id = ?1 AND suspended_at IS NULL ORDER BY is_default DESC, id",
    )?;
    let methods = stmt
        .query_map([account.id], |row| {
            Ok((
                row.get::<_, String>(1)?,
                (
                    row.get::<_, i64>(0)?,
                    row.get::<_, Option<String>>(2)?,
                    row.get::<_, bool>(3)?,
                    row.get::<_, i64>(4)?,
                    row.get::<_, Option<i64>>(5)?,
                ),
                (row.get::<_, Option<i64>>(6)?, row.get::<_, bool>(7)?),
            ))
        })?
        .collect::<Result<Vec<_>, _>>()?;
    account.methods = methods
        .into_iter()
        .filter_map(
            |(kind, (id, contact, is_default, created_at, last_used_at), (seen, gone))| {
                // A kind this server does not know (written by a newer one) is skipped.
                MethodKind::parse(&kind).map(|kind| MethodRecord {
                    id,
                    kind,
                    contact,
                    is_default,
                    registered_at: created_at as u64,
                    last_used_at: last_used_at.map(|at| at as u64),
                    device_seen_at: seen.map(|at| at as u64),
                    push_gone: gone,
                })
            },
        )
        .collect();
    let mut stmt = conn.prepare_cached(
        "SELECT question FROM security_answers WHERE user_id = ?1
           AND NOT EXISTS (SELECT 1 FROM methods WHERE user_id = ?1
                           AND kind = 'security_questions' AND suspended_at IS NOT NULL)
         ORDER BY question",
    )?;
    account.questions = stmt
        .query_map([account.id], |row| row.get(0))?
        .collect::<Result<_, _>>()?;
    Ok(found.then_some(account))
}

/// Whether another code may go to `subject`'s `channel` now (the last one for this method
/// went out at `last_sent`): the hour's sends are counted and, when allowed, this one is
/// recorded. Sends older than the hour are dropped here, so the table stays small.
pub(super) fn send_allowed(
    tx: &Connection,
    subject: &str,
    channel: &str,
    last_sent: Option<i64>,
    limits: Limits,
    now: i64,
) -> Result<SendCheck, StoreError> {
    let window_start = now - limits.send_window;
    // Sends older than the longest window count for nobody.
    tx.execute(
        "DELETE FROM sends WHERE at <= ?1",
        [now - limits::HOUR.max(limits.send_window)],
    )?;
    let window = tx.query_row(
        "SELECT count(*), min(at), max(at) FROM sends
         WHERE subject = ?1 AND channel = ?2 AND at > ?3",
        params![subject, channel, window_start],
        |row| {
            Ok(SendWindow {
                count: row.get(0)?,
                oldest: row.get(1)?,
                newest: row.get(2)?,
            })
        },
    )?;
    let check = limits::may_send(last_sent, window, limits, now);
    if check == SendCheck::Allowed {
        tx.execute(
            "INSERT INTO sends (subject, channel, at) VALUES (?1, ?2, ?3)",
            params![subject, channel, now],
        )?;
    }
    Ok(check)
}

/// The row id decoys read with: no row has it, so a decoy runs the same queries as a real
/// account and finds nothing (docs/SECURITY.md, equal work).
const NO_ROW: i64 = -1;

/// Records an approval request (with its challenge's code), ending any other open one of
/// the same method: one open request per flow method.
fn insert_approval(
    tx: &Connection,
    challenge: &NewChallenge,
    approval: &NewApproval,
) -> Result<(), StoreError> {
    let now = challenge.now as i64;
    tx.execute(
        "UPDATE approval_requests SET settled_at = ?3
         WHERE flow_id = ?1 AND method = ?2 AND settled_at IS NULL",
        params![challenge.flow_id, challenge.method_id, now],
    )?;
    tx.execute(
        "INSERT INTO approval_requests
         (id, flow_id, method, user_id, device, numbers, number, client_ip, browser,
          created_at, expires_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
        params![
            approval.id,
            challenge.flow_id,
            challenge.method_id,
            approval.user,
            approval.device,
            numbers_text(&approval.numbers),
            approval.number,
            approval.client_ip,
            approval.browser,
            now,
            approval.expires_at as i64
        ],
    )?;
    Ok(())
}

/// The open approval request of a flow's method.
fn open_approval(
    tx: &Connection,
    flow_id: &str,
    method_id: &str,
) -> Result<Option<ApprovalInput>, StoreError> {
    let row: Option<(String, Option<i64>, i64, i64)> = tx
        .query_row(
            "SELECT id, device, number, expires_at FROM approval_requests
             WHERE flow_id = ?1 AND method = ?2 AND settled_at IS NULL
             ORDER BY created_at DESC LIMIT 1",
            params![flow_id, method_id],
            |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
        )
        .optional()?;
    row.map(|(request, device, number, expires_at)| {
        Ok(ApprovalInput {
            request,
            device,
            number: u8::try_from(number)
                .map_err(|_| StoreError::Corrupt(format!("approval number {number}")))?,
            expires_at: expires_at as u64,
        })
    })
    .transpose()
}

/// A stored challenge: code hash, code expiry, wrong tries, questions asked.
type ChallengeRow = (Option<Vec<u8>>, Option<i64>, i64, Option<String>);

impl SqliteStore {
    /// The account with this user ID (any case), with its methods and registered questions.
    pub async fn account(&self, user_id: &str) -> Result<Option<Account>, StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| load_account(conn, "user_id = ?1", &user_id))
            .await
    }

    /// The account with this row id.
    pub async fn account_by_id(&self, id: i64) -> Result<Option<Account>, StoreError> {
        self.call(move |conn| load_account(conn, "id = ?1", &id))
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
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT contact FROM methods
                     WHERE id = ?1 AND user_id = ?2 AND suspended_at IS NULL",
                    params![method.unwrap_or(NO_ROW), user.unwrap_or(NO_ROW)],
                    |row| row.get(0),
                )
                .optional()?
                .flatten())
        })
        .await
    }

    /// The domains of the e-mail addresses registered as methods (lower case), with how
    /// many addresses each: what decoy hints are drawn from.
    pub async fn email_domains(&self) -> Result<Vec<(String, u64)>, StoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT lower(substr(contact, instr(contact, '@') + 1)) AS domain, count(*)
                 FROM methods WHERE kind = 'email' AND instr(contact, '@') > 0
                 GROUP BY domain ORDER BY domain",
            )?;
            let rows = stmt.query_map([], |row| Ok((row.get(0)?, row.get::<_, i64>(1)? as u64)))?;
            Ok(rows.collect::<Result<_, _>>()?)
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
        self.call(move |conn| {
            let changed = conn.execute(
                "UPDATE reset_flows SET expires_at = ?2
                 WHERE id = ?1 AND expires_at > ?3 AND completed_at IS NULL",
                params![id, expires_at as i64, now as i64],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn change_password(&self, change: PasswordChange) -> Result<u64, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            replace_password_hash(&tx, change.user, change.new_hash.as_deref(), change.now)?;
            let ended = tx.execute(
                "DELETE FROM sessions WHERE user_id = ?1 AND id_hash <> ?2",
                params![change.user, change.keep_session],
            )?;
            super::registrations::queue_notice(&tx, change.user, &change.notice, None, change.now)?;
            audit_at(
                &tx,
                change.now,
                "password_changed",
                Some(&change.user_id),
                None,
            )?;
            tx.commit()?;
            Ok(ended as u64)
        })
        .await
    }

    pub async fn complete_flow(&self, id: &str, now: u64) -> Result<bool, StoreError> {
        let id = id.to_owned();
        self.call(move |conn| {
            let changed = conn.execute(
                "UPDATE reset_flows SET completed_at = ?2
                 WHERE id = ?1 AND completed_at IS NULL AND expires_at > ?2",
                params![id, now as i64],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn create_flow(&self, flow: FlowRecord) -> Result<(), StoreError> {
        let offered = serde_json::to_string(&flow.methods)
            .map_err(|err| StoreError::Corrupt(err.to_string()))?;
        self.call(move |conn| {
            let tx = conn.transaction()?;
            // Expired flows are of no use to anyone; drop them on the way.
            tx.execute(
                "DELETE FROM reset_flows WHERE expires_at < ?1",
                [flow.created_at as i64 - 86_400],
            )?;
            tx.execute(
                "INSERT INTO reset_flows
                 (id, subject, user_id, methods_required, offered, created_at, expires_at,
                  secret_hash, purpose)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                params![
                    flow.id,
                    flow.subject,
                    flow.user,
                    flow.methods_required,
                    offered,
                    flow.created_at as i64,
                    flow.expires_at as i64,
                    flow.secret_hash,
                    flow.purpose.as_str()
                ],
            )?;
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
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The flow whatever its state (expired and completed ones too).
    pub async fn flow(&self, id: &str) -> Result<Option<FlowRecord>, StoreError> {
        let id = id.to_owned();
        self.call(move |conn| load_flow(conn, &id)).await
    }

    /// Records a new code (or questions) for a method of a flow, holding sends to the
    /// limits; queues the message carrying the code.
    pub async fn begin_challenge(
        &self,
        challenge: NewChallenge,
        limits: Limits,
    ) -> Result<ChallengeOutcome, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now = challenge.now as i64;
            if live_flow(&tx, &challenge.flow_id, challenge.now)?.is_none() {
                return Ok(ChallengeOutcome::FlowGone);
            }
            if let Some((account, lock)) =
                lock_in_force(&tx, &challenge.subject, challenge.kind, now)?
            {
                return Ok(ChallengeOutcome::Locked { account, lock });
            }
            let existing: Option<(Option<i64>, Option<i64>)> = tx
                .query_row(
                    "SELECT sent_at, verified_at FROM reset_challenges
                     WHERE flow_id = ?1 AND method = ?2",
                    params![challenge.flow_id, challenge.method_id],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            if let Some((_, Some(_))) = existing {
                // Already proven: nothing to send.
                return Ok(ChallengeOutcome::Ready { resend_in: None });
            }
            let mut resend_in = None;
            if let Some((hash, expires_at)) = &challenge.code {
                let channel = challenge.send_channel.as_str();
                let last_sent = existing.and_then(|(sent_at, _)| sent_at);
                match send_allowed(&tx, &challenge.subject, channel, last_sent, limits, now)? {
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
                        )?;
                        tx.commit()?;
                        return Ok(ChallengeOutcome::TooManySends { retry_after });
                    }
                }
                // A new code replaces the old one with fresh per-code tries; the account
                // and method counters are untouched.
                tx.execute(
                    "INSERT INTO reset_challenges
                     (flow_id, method, code_hash, code_expires_at, code_attempts, sent_at)
                     VALUES (?1, ?2, ?3, ?4, 0, ?5)
                     ON CONFLICT (flow_id, method) DO UPDATE SET
                       code_hash = ?3, code_expires_at = ?4, code_attempts = 0, sent_at = ?5",
                    params![
                        challenge.flow_id,
                        challenge.method_id,
                        hash,
                        *expires_at as i64,
                        now
                    ],
                )?;
                if let Some(approval) = &challenge.approval {
                    insert_approval(&tx, &challenge, approval)?;
                }
                if let Some(message) = &challenge.message {
                    outbox::insert(&tx, message, challenge.now)?;
                    // A decoy's message is written like any other and taken back in the
                    // same transaction: nothing is ever sent. A real one runs the same
                    // statement, which then matches nothing: the same work either way
                    // (the benchmark measured the decoy's send slower without it).
                    tx.execute(
                        "DELETE FROM outbox WHERE dedupe_key = ?1 AND NOT ?2",
                        params![message.dedupe_key, challenge.deliver],
                    )?;
                }
                resend_in = Some(limits.resend_interval as u64);
            } else {
                let questions = serde_json::to_string(&challenge.questions)
                    .map_err(|err| StoreError::Corrupt(err.to_string()))?;
                tx.execute(
                    "INSERT INTO reset_challenges (flow_id, method, questions)
                     VALUES (?1, ?2, ?3)
                     ON CONFLICT (flow_id, method) DO UPDATE SET questions = ?3",
                    params![challenge.flow_id, challenge.method_id, questions],
                )?;
            }
            audit_at(
                &tx,
                challenge.now,
                "reset_challenge",
                Some(&challenge.subject),
                Some(challenge.kind.as_str()),
            )?;
            tx.commit()?;
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
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(flow) = live_flow(&tx, &flow_id, now)? else {
                return Ok(ProofOutcome::FlowGone);
            };
            let Some(method) = flow.method(&method_id).cloned() else {
                return Ok(ProofOutcome::FlowGone);
            };
            if flow.verified.contains(&method_id) {
                return Ok(ProofOutcome::Verified);
            }
            let now_i = now as i64;
            if let Some((account, lock)) = lock_in_force(&tx, &flow.subject, method.kind, now_i)? {
                return Ok(ProofOutcome::Locked { account, lock });
            }
            let challenge: Option<ChallengeRow> = tx
                .query_row(
                    "SELECT code_hash, code_expires_at, code_attempts, questions
                     FROM reset_challenges WHERE flow_id = ?1 AND method = ?2",
                    params![flow_id, method_id],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let mut input = ProofInput::default();
            let mut code_attempts = 0;
            // What the proof is checked against is the caller's to say (methods/): the
            // store only knows which rows each source is in.
            match source {
                ProofSource::Totp => {
                    // Through the owner; a decoy runs the same query and finds nothing.
                    let row: Option<(Option<Vec<u8>>, Option<i64>)> = tx
                        .query_row(
                            "SELECT secret, last_used_step FROM methods
                             WHERE id = ?1 AND user_id = ?2 AND suspended_at IS NULL",
                            params![method.record.unwrap_or(NO_ROW), flow.user.unwrap_or(NO_ROW)],
                            |row| Ok((row.get(0)?, row.get(1)?)),
                        )
                        .optional()?;
                    if let Some((secret, step)) = row {
                        input.totp_secret = secret;
                        input.last_used_step = step.map(|s| s as u64);
                    }
                }
                ProofSource::Questions => {
                    let Some((_, _, _, Some(questions))) = challenge else {
                        return Ok(ProofOutcome::CodeExpired);
                    };
                    input.questions = serde_json::from_str(&questions)
                        .map_err(|err| StoreError::Corrupt(err.to_string()))?;
                    let mut stmt = tx.prepare_cached(
                        "SELECT question, answer_hash FROM security_answers WHERE user_id = ?1
                         AND NOT EXISTS (SELECT 1 FROM methods WHERE user_id = ?1
                                         AND kind = 'security_questions' AND suspended_at IS NOT NULL)",
                    )?;
                    input.answers = stmt
                        .query_map([flow.user.unwrap_or(NO_ROW)], |row| {
                            Ok((row.get(0)?, row.get(1)?))
                        })?
                        .collect::<Result<_, _>>()?;
                }
                ProofSource::Approval => {
                    // The open request of the method: decided once, by this try.
                    let Some(open) = open_approval(&tx, &flow_id, &method_id)? else {
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
                tx.execute(
                    "UPDATE approval_requests SET settled_at = ?2, approved = ?3 WHERE id = ?1",
                    params![
                        open.request,
                        now_i,
                        matches!(verdict, ProofCheck::Right { .. })
                    ],
                )?;
            }
            let outcome = match verdict {
                // Not a try: nothing written (the transaction is dropped).
                ProofCheck::Refused => return Ok(ProofOutcome::CodeExpired),
                ProofCheck::Right { totp_step } => {
                    tx.execute(
                        "INSERT INTO reset_challenges (flow_id, method, verified_at)
                         VALUES (?1, ?2, ?3)
                         ON CONFLICT (flow_id, method) DO UPDATE SET
                           verified_at = ?3, code_hash = NULL",
                        params![flow_id, method_id, now_i],
                    )?;
                    if let (Some(record), Some(user)) = (method.record, flow.user) {
                        tx.execute(
                            "UPDATE methods SET last_used_at = ?2,
                               last_used_step = coalesce(?4, last_used_step)
                             WHERE id = ?1 AND user_id = ?3",
                            params![record, now_i, user, totp_step.map(|step| step as i64)],
                        )?;
                    }
                    counters::reset(&tx, &flow.subject, Some(method.kind.as_str()))?;
                    audit_at(
                        &tx,
                        now,
                        "reset_method_verified",
                        Some(&flow.subject),
                        Some(method.kind.as_str()),
                    )?;
                    ProofOutcome::Verified
                }
                ProofCheck::Wrong => {
                    // The arithmetic is the limits' (plain Rust); the store loads and saves.
                    let code_tries = match input.code_hash {
                        Some(_) => {
                            code_attempts += 1;
                            tx.execute(
                                "UPDATE reset_challenges SET code_attempts = ?3
                                 WHERE flow_id = ?1 AND method = ?2",
                                params![flow_id, method_id, code_attempts],
                            )?;
                            Some(code_attempts)
                        }
                        None => None,
                    };
                    let scope = method.kind.as_str();
                    let mut account = counters::load(&tx, &flow.subject, ACCOUNT)?;
                    let mut per_method = counters::load(&tx, &flow.subject, scope)?;
                    let (failure, notify) = limits::wrong_proof(
                        &mut account,
                        &mut per_method,
                        code_tries,
                        limits,
                        now_i,
                    );
                    if notify {
                        for message in &notice {
                            outbox::insert(&tx, message, now)?;
                        }
                        if !notice.is_empty() {
                            audit_at(&tx, now, "reset_owner_warned", Some(&flow.subject), None)?;
                        }
                    }
                    counters::save(&tx, &flow.subject, ACCOUNT, account, now_i)?;
                    counters::save(&tx, &flow.subject, scope, per_method, now_i)?;
                    audit_at(
                        &tx,
                        now,
                        "reset_proof_failed",
                        Some(&flow.subject),
                        Some(scope),
                    )?;
                    match failure {
                        Failure::Paused {
                            account: true,
                            lock,
                        } => {
                            audit_at(&tx, now, "reset_account_locked", Some(&flow.subject), None)?;
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
                            )?;
                            ProofOutcome::Locked {
                                account: false,
                                lock,
                            }
                        }
                        Failure::Wrong { attempts_left } => ProofOutcome::Wrong { attempts_left },
                    }
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// The current password hash and the most recent retired ones, newest first.
    pub async fn password_hashes(&self, user: i64, recent: u32) -> Result<Vec<String>, StoreError> {
        self.call(move |conn| {
            let mut hashes = Vec::new();
            if let Some(current) = conn
                .query_row(
                    "SELECT password_hash FROM users WHERE id = ?1",
                    [user],
                    |row| row.get::<_, Option<String>>(0),
                )
                .optional()?
                .flatten()
            {
                hashes.push(current);
            }
            let mut stmt = conn.prepare_cached(
                "SELECT password_hash FROM password_history WHERE user_id = ?1
                 ORDER BY id DESC LIMIT ?2",
            )?;
            for hash in stmt.query_map(params![user, recent], |row| row.get(0))? {
                hashes.push(hash?);
            }
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
        self.call(move |conn| {
            let mut stmt = conn.prepare_cached(
                "SELECT email, preferred_locale FROM users
                 WHERE is_admin = 1 AND enabled = 1 AND id != ?1 AND email IS NOT NULL
                 UNION
                 SELECT m.contact, u.preferred_locale FROM methods m JOIN users u ON u.id = m.user_id
                 WHERE u.is_admin = 1 AND u.enabled = 1 AND u.id != ?1 AND m.kind = 'email'
                   AND m.contact IS NOT NULL
                 ORDER BY 1, 2",
            )?;
            let rows = stmt.query_map([except], |row| Ok((row.get(0)?, row.get(1)?)))?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
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
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let Some(flow) = load_flow(&tx, &completion.flow_id)? else {
                return Ok(CompletionOutcome::FlowGone);
            };
            if flow.completed_at.is_some() {
                return Ok(CompletionOutcome::AlreadyCompleted);
            }
            if flow.expires_at <= completion.now || flow.user != Some(completion.user) {
                return Ok(CompletionOutcome::FlowGone);
            }
            // Disabled (or removed) while the flow was under way: no reset.
            let enabled: Option<bool> = tx
                .query_row(
                    "SELECT enabled FROM users WHERE id = ?1",
                    [completion.user],
                    |row| row.get(0),
                )
                .optional()?;
            if enabled != Some(true) {
                return Ok(CompletionOutcome::FlowGone);
            }
            if flow.verified.len() < usize::from(flow.methods_required) {
                return Ok(CompletionOutcome::NotReady);
            }
            let now = completion.now as i64;
            tx.execute(
                "UPDATE reset_flows SET completed_at = ?2 WHERE id = ?1 AND completed_at IS NULL",
                params![completion.flow_id, now],
            )?;
            replace_password_hash(
                &tx,
                completion.user,
                completion.new_hash.as_deref(),
                completion.now,
            )?;
            // Keep the history short: it only serves the "not a recent password" rule.
            tx.execute(
                "DELETE FROM password_history WHERE user_id = ?1 AND id NOT IN
                 (SELECT id FROM password_history WHERE user_id = ?1 ORDER BY id DESC LIMIT 5)",
                [completion.user],
            )?;
            inject(fault, FaultPoint::AfterPasswordWritten)?;
            let revoked =
                tx.execute("DELETE FROM sessions WHERE user_id = ?1", [completion.user])?;
            // A reset with the methods a report left them restores the security-info page;
            // the methods the reported change added or changed were not theirs.
            tx.execute(
                "DELETE FROM methods WHERE user_id = ?1 AND suspended_at IS NOT NULL",
                [completion.user],
            )?;
            tx.execute(
                "UPDATE users SET methods_blocked_at = NULL WHERE id = ?1",
                [completion.user],
            )?;
            inject(fault, FaultPoint::AfterSessionsRevoked)?;
            counters::reset(&tx, &flow.subject, None)?;
            // A reported app notification's pause lifts with any reset of the account,
            // from a recognised browser too.
            counters::reset(
                &tx,
                account_scope(&flow.subject),
                Some(MethodKind::AppNotification.as_str()),
            )?;
            for message in &completion.messages {
                outbox::insert(&tx, message, completion.now)?;
            }
            inject(fault, FaultPoint::AfterMessagesQueued)?;
            audit_at(
                &tx,
                completion.now,
                "password_reset",
                Some(&flow.subject),
                None,
            )?;
            tx.commit()?;
            Ok(CompletionOutcome::Done {
                sessions_revoked: revoked,
            })
        })
        .await
    }
}

/// Writes a new password hash: the old one retired to the history, the credential
/// version bumped (so anything bound to the old password stops working). `None` for a
/// person of an LDAP directory: no hash is kept, the version is still bumped.
pub(super) fn replace_password_hash(
    conn: &Connection,
    user: i64,
    hash: Option<&str>,
    now: u64,
) -> rusqlite::Result<()> {
    let now = now as i64;
    conn.execute(
        "INSERT INTO password_history (user_id, password_hash, retired_at)
         SELECT id, password_hash, ?2 FROM users WHERE id = ?1 AND password_hash IS NOT NULL",
        params![user, now],
    )?;
    conn.execute(
        "UPDATE users SET password_hash = ?2, credential_version = credential_version + 1,
         password_changed_at = ?3 WHERE id = ?1",
        params![user, hash, now],
    )?;
    Ok(())
}

fn inject(armed: Option<FaultPoint>, here: FaultPoint) -> Result<(), StoreError> {
    if armed == Some(here) {
        return Err(StoreError::Injected(format!("{here:?}")));
    }
    Ok(())
}
