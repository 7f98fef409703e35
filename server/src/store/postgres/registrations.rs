//! Self-service registration (as `store/sqlite/registrations.rs` over SQLite): method
//! registrations waiting for their code, confirmed into a method or a proven session in
//! one transaction, and administrators' one-time passes. A registration is never a
//! method: resets read `methods` only.

use super::counters::lock_subject;
use super::reset_store::send_allowed;
use super::{GenericClient, PgStore, StoreError, audit_at, exec, one, opt, outbox_store};
use crate::limits::{Limits, SendCheck};
use crate::store::interface::{RegistrationCheck, RegistrationChecker};
use crate::store::records::{
    ChangeNotice, ReportOutcome, ReportRecord, change_name, parse_change, stored_kind,
};
use crate::store::records::{
    NewRegistration, RegistrationAttempt, RegistrationInput, RegistrationOutcome,
    RegistrationPurpose, RegistrationStart,
};

/// Queues a change's notices and records its report link (about `method`, when the
/// change made or changed one), inside the change's transaction.
pub(super) async fn queue_notice<C: GenericClient>(
    tx: &C,
    user: i64,
    notice: &ChangeNotice,
    method: Option<i64>,
    now: u64,
) -> Result<(), StoreError> {
    for message in &notice.messages {
        outbox_store::insert(tx, message, now).await?;
    }
    if let Some(report) = &notice.report {
        exec(
            tx,
            "INSERT INTO change_reports
             (token_hash, user_id, change, method_kind, method_id, created_at, expires_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)",
            &[
                &report.token_hash,
                &user,
                &change_name(report.change),
                &report.method_kind.map(|kind| kind.as_str()),
                &report.method.or(method),
                &(report.now as i64),
                &(report.expires_at as i64),
            ],
        )
        .await?;
    }
    Ok(())
}

/// The person's method of `kind` (their row locked first), made when they have none: one
/// method per kind, so a registration of a kind the person has replaces that method's
/// contact or secret, keeping its id. Whether it was there already.
pub(super) async fn method_of_kind<C: GenericClient>(
    tx: &C,
    user: i64,
    kind: &str,
    now: i64,
) -> Result<(i64, bool), StoreError> {
    exec(
        tx,
        "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE",
        &[&user],
    )
    .await?;
    let existing = opt(
        tx,
        "SELECT id FROM methods WHERE user_id = $1 AND kind = $2 ORDER BY id LIMIT 1",
        &[&user, &kind],
    )
    .await?;
    if let Some(row) = existing {
        return Ok((row.try_get::<_, i64>(0)?, true));
    }
    let first: bool = one(
        tx,
        "SELECT count(*) = 0 FROM methods WHERE user_id = $1",
        &[&user],
    )
    .await?
    .try_get(0)?;
    let id: i64 = one(
        tx,
        "INSERT INTO methods (user_id, kind, is_default, created_at)
         VALUES ($1, $2, $3, $4) RETURNING id",
        &[&user, &kind, &first, &now],
    )
    .await?
    .try_get(0)?;
    Ok((id, false))
}

impl PgStore {
    /// See [`crate::store::SessionStore::begin_registration`].
    pub async fn begin_registration(
        &self,
        registration: NewRegistration,
        limits: Limits,
    ) -> Result<RegistrationStart, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let r = &registration;
            let now = r.now as i64;
            let kind = r.kind.as_str();
            let purpose = r.purpose.as_str();
            // The account's sends, until this transaction ends.
            lock_subject(&tx, &r.subject).await?;
            let last_sent: Option<i64> = one(
                &tx,
                "SELECT max(created_at) FROM method_registrations
                 WHERE session_hash = $1 AND kind = $2 AND purpose = $3
                   AND code_hash IS NOT NULL",
                &[&r.session, &kind, &purpose],
            )
            .await?
            .try_get(0)?;
            if r.code_hash.is_some() {
                match send_allowed(&tx, &r.subject, kind, last_sent, limits, now).await? {
                    SendCheck::Allowed => {}
                    SendCheck::ResendWait(retry_after) => {
                        return Ok(RegistrationStart::RateLimited { retry_after });
                    }
                    SendCheck::HourUsedUp(retry_after) => {
                        audit_at(
                            &tx,
                            r.now,
                            "registration_send_limit_reached",
                            Some(&r.user_id),
                            Some(kind),
                        )
                        .await?;
                        tx.commit().await?;
                        return Ok(RegistrationStart::TooManySends { retry_after });
                    }
                }
            }
            // One live registration per session, kind and purpose: the newest.
            exec(
                &tx,
                "DELETE FROM method_registrations
                 WHERE session_hash = $1 AND kind = $2 AND purpose = $3",
                &[&r.session, &kind, &purpose],
            )
            .await?;
            exec(
                &tx,
                "INSERT INTO method_registrations
                 (id, session_hash, user_id, kind, purpose, contact, secret, code_hash,
                  created_at, expires_at)
                 VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
                &[
                    &r.id,
                    &r.session,
                    &r.user,
                    &kind,
                    &purpose,
                    &r.contact,
                    &r.sealed_secret,
                    &r.code_hash,
                    &now,
                    &(r.expires_at as i64),
                ],
            )
            .await?;
            if let Some(message) = &r.message {
                outbox_store::insert(&tx, message, r.now).await?;
            }
            let detail = format!("{kind} ({purpose})");
            audit_at(
                &tx,
                r.now,
                "registration_started",
                Some(&r.user_id),
                Some(&detail),
            )
            .await?;
            tx.commit().await?;
            Ok(RegistrationStart::Started)
        })
        .await
    }

    /// See [`crate::store::SessionStore::confirm_registration`].
    pub async fn confirm_registration(
        &self,
        attempt: RegistrationAttempt,
        check: RegistrationChecker,
    ) -> Result<RegistrationOutcome, StoreError> {
        self.run(move |store| {
            async move {
                let mut client = store.client().await?;
                let tx = client.transaction().await?;
                let notice = attempt.notice;
                let now = attempt.now as i64;
                // The registration and its person, locked: two changes to one person's
                // methods follow each other.
                let row = opt(
                    &tx,
                    "SELECT r.kind, r.purpose, r.contact, r.secret, r.code_hash,
                            r.code_attempts, r.expires_at, u.user_id
                     FROM method_registrations r JOIN users u ON u.id = r.user_id
                     WHERE r.id = $1 AND r.session_hash = $2 AND r.user_id = $3
                       AND r.purpose = $4
                     FOR UPDATE",
                    &[
                        &attempt.id,
                        &attempt.session,
                        &attempt.user,
                        &attempt.purpose.as_str(),
                    ],
                )
                .await?;
                let Some(row) = row else {
                    return Ok(RegistrationOutcome::Gone);
                };
                let kind: String = row.try_get(0)?;
                let purpose: String = row.try_get(1)?;
                let contact: Option<String> = row.try_get(2)?;
                let tries: i32 = row.try_get(5)?;
                let expires_at: i64 = row.try_get(6)?;
                let user_id: String = row.try_get(7)?;
                let purpose = RegistrationPurpose::parse(&purpose).ok_or_else(|| {
                    StoreError::Corrupt(format!("registration purpose {purpose:?}"))
                })?;
                let tries = i64::from(tries);
                if now >= expires_at || tries >= i64::from(attempt.max_attempts) {
                    return Ok(RegistrationOutcome::Gone);
                }
                let input = RegistrationInput {
                    sealed_secret: row.try_get(3)?,
                    code_hash: row.try_get(4)?,
                };
                let RegistrationCheck::Right { totp_step, seal } = check(&input) else {
                    let tries = tries + 1;
                    let left = (i64::from(attempt.max_attempts) - tries).max(0) as u32;
                    // Out of tries it stays until it expires (it still holds the resend
                    // wait) but is never confirmed.
                    exec(
                        &tx,
                        "UPDATE method_registrations SET code_attempts = $2 WHERE id = $1",
                        &[&attempt.id, &(tries as i32)],
                    )
                    .await?;
                    audit_at(
                        &tx,
                        attempt.now,
                        "registration_code_wrong",
                        Some(&user_id),
                        Some(&kind),
                    )
                    .await?;
                    tx.commit().await?;
                    return Ok(RegistrationOutcome::Wrong {
                        attempts_left: left,
                    });
                };
                exec(
                    &tx,
                    "DELETE FROM method_registrations WHERE id = $1",
                    &[&attempt.id],
                )
                .await?;
                let outcome = match purpose {
                    RegistrationPurpose::Contact => {
                        let proven = exec(
                            &tx,
                            "UPDATE sessions SET proven_at = $2 WHERE id_hash = $1",
                            &[&attempt.session, &now],
                        )
                        .await?;
                        if proven == 0 {
                            return Ok(RegistrationOutcome::Gone);
                        }
                        audit_at(
                            &tx,
                            attempt.now,
                            "session_proven_by_contact",
                            Some(&user_id),
                            None,
                        )
                        .await?;
                        RegistrationOutcome::SessionProven
                    }
                    RegistrationPurpose::Method => {
                        let (method, replaced) =
                            method_of_kind(&tx, attempt.user, &kind, now).await?;
                        let secret = seal(method);
                        let step = totp_step.map(|step| step as i64);
                        exec(
                            &tx,
                            "UPDATE methods SET contact = $2, secret = $3, last_used_step = $4,
                               created_at = $5, last_used_at = NULL
                             WHERE id = $1",
                            &[&method, &contact, &secret, &step, &now],
                        )
                        .await?;
                        let notice = notice(stored_kind(&kind)?, replaced, contact.as_deref());
                        queue_notice(&tx, attempt.user, &notice, Some(method), attempt.now).await?;
                        let event = if replaced {
                            "method_changed"
                        } else {
                            "method_added"
                        };
                        audit_at(&tx, attempt.now, event, Some(&user_id), Some(&kind)).await?;
                        RegistrationOutcome::Added { method, replaced }
                    }
                };
                tx.commit().await?;
                Ok(outcome)
            }
        })
        .await
    }

    /// See [`crate::store::SessionStore::change_report`].
    pub async fn change_report(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> Result<Option<ReportRecord>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let row = opt(
                &client,
                "SELECT r.user_id, r.change, r.method_kind, r.created_at, r.reported_at,
                        u.preferred_locale
                 FROM change_reports r JOIN users u ON u.id = r.user_id
                 WHERE r.token_hash = $1 AND r.expires_at > $2",
                &[&token_hash, &(now as i64)],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            let change: String = row.try_get(1)?;
            let kind: Option<String> = row.try_get(2)?;
            let change = parse_change(&change)
                .ok_or_else(|| StoreError::Corrupt(format!("reported change {change:?}")))?;
            Ok(Some(ReportRecord {
                user: row.try_get(0)?,
                change,
                method_kind: kind.as_deref().and_then(sspr_api::MethodKind::parse),
                created_at: row.try_get::<_, i64>(3)? as u64,
                reported_at: row.try_get::<_, Option<i64>>(4)?.map(|at| at as u64),
                locale: row.try_get(5)?,
            }))
        })
        .await
    }

    /// See [`crate::store::SessionStore::file_report`].
    pub async fn file_report(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> Result<ReportOutcome, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let now_i = now as i64;
            let row = opt(
                &tx,
                "UPDATE change_reports r SET reported_at = $2
                 FROM users u
                 WHERE r.token_hash = $1 AND r.expires_at > $2 AND r.reported_at IS NULL
                   AND u.id = r.user_id
                 RETURNING r.user_id, r.change, r.method_id, u.user_id",
                &[&token_hash, &now_i],
            )
            .await?;
            let Some(row) = row else {
                return Ok(ReportOutcome::Gone);
            };
            let user: i64 = row.try_get(0)?;
            let change: String = row.try_get(1)?;
            let method: Option<i64> = row.try_get(2)?;
            let user_id: String = row.try_get(3)?;
            exec(
                &tx,
                "SELECT 1 FROM users WHERE id = $1 FOR NO KEY UPDATE",
                &[&user],
            )
            .await?;
            let ended = exec(&tx, "DELETE FROM sessions WHERE user_id = $1", &[&user]).await?;
            exec(
                &tx,
                "UPDATE users SET methods_blocked_at = $2 WHERE id = $1",
                &[&user, &now_i],
            )
            .await?;
            let suspends = matches!(change.as_str(), "method_added" | "method_changed");
            let suspended = match method.filter(|_| suspends) {
                Some(method) => {
                    exec(
                        &tx,
                        "UPDATE methods SET suspended_at = $3
                         WHERE id = $1 AND user_id = $2 AND suspended_at IS NULL",
                        &[&method, &user, &now_i],
                    )
                    .await?
                        > 0
                }
                None => false,
            };
            audit_at(&tx, now, "change_reported", Some(&user_id), Some(&change)).await?;
            tx.commit().await?;
            Ok(ReportOutcome::Filed {
                sessions_ended: ended,
                method_suspended: suspended,
            })
        })
        .await
    }

    /// See [`crate::store::AdminStore::restore_methods`].
    pub async fn restore_methods(&self, user_id: &str, now: u64) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let user = super::directory_store::user_row_for_change(&tx, &user_id).await?;
            exec(
                &tx,
                "UPDATE users SET methods_blocked_at = NULL WHERE id = $1",
                &[&user],
            )
            .await?;
            exec(
                &tx,
                "UPDATE methods SET suspended_at = NULL WHERE user_id = $1",
                &[&user],
            )
            .await?;
            audit_at(&tx, now, "methods_restored", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::SessionStore::confirm_methods`].
    pub async fn confirm_methods(&self, user: i64, now: u64) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let user_id: String = one(
                &tx,
                "UPDATE users SET methods_confirmed_at = $2 WHERE id = $1 RETURNING user_id",
                &[&user, &(now as i64)],
            )
            .await?
            .try_get(0)?;
            audit_at(&tx, now, "methods_reconfirmed", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::SessionStore::prove_with_pass`].
    pub async fn prove_with_pass(
        &self,
        id_hash: Vec<u8>,
        user: i64,
        pass_hash: Vec<u8>,
        now: u64,
    ) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let now = now as i64;
            let spent = exec(
                &tx,
                "DELETE FROM one_time_passes
                 WHERE user_id = $1 AND pass_hash = $2 AND expires_at > $3",
                &[&user, &pass_hash, &now],
            )
            .await?;
            let proven = spent > 0
                && exec(
                    &tx,
                    "UPDATE sessions SET proven_at = $3 WHERE id_hash = $1 AND user_id = $2",
                    &[&id_hash, &user, &now],
                )
                .await?
                    > 0;
            if !proven {
                return Ok(false);
            }
            let user_id: String = one(&tx, "SELECT user_id FROM users WHERE id = $1", &[&user])
                .await?
                .try_get(0)?;
            audit_at(&tx, now as u64, "one_time_pass_used", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// See [`crate::store::AdminStore::issue_pass`].
    pub async fn issue_pass(
        &self,
        user_id: &str,
        pass_hash: Vec<u8>,
        now: u64,
        expires_at: u64,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let user = super::directory_store::user_row_for_change(&tx, &user_id).await?;
            exec(
                &tx,
                "INSERT INTO one_time_passes (user_id, pass_hash, created_at, expires_at)
                 VALUES ($1, $2, $3, $4)
                 ON CONFLICT (user_id) DO UPDATE SET
                   pass_hash = $2, created_at = $3, expires_at = $4",
                &[&user, &pass_hash, &(now as i64), &(expires_at as i64)],
            )
            .await?;
            audit_at(&tx, now, "one_time_pass_issued", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
