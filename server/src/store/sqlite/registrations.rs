//! Self-service registration over SQLite: method registrations waiting for their code
//! (confirmed into a method, or into a proven session, in one transaction) and
//! administrators' one-time passes. A registration is never a method: resets read
//! `methods` only.

use super::reset::send_allowed;
use super::{SqliteStore, audit_at, outbox};
use crate::limits::{Limits, SendCheck};
use crate::store::StoreError;
use crate::store::interface::{RegistrationCheck, RegistrationChecker};
use crate::store::records::{
    ChangeNotice, ReportOutcome, ReportRecord, change_name, parse_change, stored_kind,
};
use crate::store::records::{
    NewRegistration, RegistrationAttempt, RegistrationInput, RegistrationOutcome,
    RegistrationPurpose, RegistrationStart,
};
use rusqlite::{OptionalExtension, TransactionBehavior, params};

/// A registration as confirming reads it: kind, purpose, contact, sealed secret, code
/// hash, wrong tries, expiry, and its person's user ID.
type RegistrationRow = (
    String,
    String,
    Option<String>,
    Option<Vec<u8>>,
    Option<Vec<u8>>,
    i64,
    i64,
    String,
);

/// Queues a change's notices and records its report link (about `method`, when the
/// change made or changed one), inside the change's transaction.
pub(super) fn queue_notice(
    tx: &rusqlite::Connection,
    user: i64,
    notice: &ChangeNotice,
    method: Option<i64>,
    now: u64,
) -> Result<(), StoreError> {
    for message in &notice.messages {
        outbox::insert(tx, message, now)?;
    }
    if let Some(report) = &notice.report {
        tx.execute(
            "INSERT INTO change_reports
             (token_hash, user_id, change, method_kind, method_id, created_at, expires_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            params![
                report.token_hash,
                user,
                change_name(report.change),
                report.method_kind.map(|kind| kind.as_str()),
                report.method.or(method),
                report.now as i64,
                report.expires_at as i64
            ],
        )?;
    }
    Ok(())
}

/// The person's method of `kind`, made when they have none: one method per kind, so a
/// registration of a kind the person has replaces that method's contact or secret, keeping
/// its id. Whether it was there already.
pub(super) fn method_of_kind(
    tx: &rusqlite::Connection,
    user: i64,
    kind: &str,
    now: i64,
) -> Result<(i64, bool), StoreError> {
    let existing: Option<i64> = tx
        .query_row(
            "SELECT id FROM methods WHERE user_id = ?1 AND kind = ?2 ORDER BY id LIMIT 1",
            params![user, kind],
            |row| row.get(0),
        )
        .optional()?;
    if let Some(id) = existing {
        return Ok((id, true));
    }
    let first: bool = tx.query_row(
        "SELECT count(*) = 0 FROM methods WHERE user_id = ?1",
        [user],
        |row| row.get(0),
    )?;
    tx.execute(
        "INSERT INTO methods (user_id, kind, is_default, created_at) VALUES (?1, ?2, ?3, ?4)",
        params![user, kind, first, now],
    )?;
    Ok((tx.last_insert_rowid(), false))
}

/// A report link as its page reads it: the person's row, the change, the method kind,
/// when, when reported, the person's language.
type ReportRow = (
    i64,
    String,
    Option<String>,
    i64,
    Option<i64>,
    Option<String>,
);

impl SqliteStore {
    /// See [`crate::store::SessionStore::begin_registration`].
    pub async fn begin_registration(
        &self,
        registration: NewRegistration,
        limits: Limits,
    ) -> Result<RegistrationStart, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let r = &registration;
            let now = r.now as i64;
            let kind = r.kind.as_str();
            let purpose = r.purpose.as_str();
            let last_sent: Option<i64> = tx
                .query_row(
                    "SELECT max(created_at) FROM method_registrations
                     WHERE session_hash = ?1 AND kind = ?2 AND purpose = ?3
                       AND code_hash IS NOT NULL",
                    params![r.session, kind, purpose],
                    |row| row.get(0),
                )
                .optional()?
                .flatten();
            if r.code_hash.is_some() {
                match send_allowed(&tx, &r.subject, kind, last_sent, limits, now)? {
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
                        )?;
                        tx.commit()?;
                        return Ok(RegistrationStart::TooManySends { retry_after });
                    }
                }
            }
            // One live registration per session, kind and purpose: the newest.
            tx.execute(
                "DELETE FROM method_registrations
                 WHERE session_hash = ?1 AND kind = ?2 AND purpose = ?3",
                params![r.session, kind, purpose],
            )?;
            tx.execute(
                "INSERT INTO method_registrations
                 (id, session_hash, user_id, kind, purpose, contact, secret, code_hash,
                  created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
                params![
                    r.id,
                    r.session,
                    r.user,
                    kind,
                    purpose,
                    r.contact,
                    r.sealed_secret,
                    r.code_hash,
                    now,
                    r.expires_at as i64
                ],
            )?;
            if let Some(message) = &r.message {
                outbox::insert(&tx, message, r.now)?;
            }
            audit_at(
                &tx,
                r.now,
                "registration_started",
                Some(&r.user_id),
                Some(&format!("{kind} ({purpose})")),
            )?;
            tx.commit()?;
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
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let notice = attempt.notice;
            let now = attempt.now as i64;
            let row: Option<RegistrationRow> = tx
                .query_row(
                    "SELECT r.kind, r.purpose, r.contact, r.secret, r.code_hash,
                            r.code_attempts, r.expires_at, u.user_id
                     FROM method_registrations r JOIN users u ON u.id = r.user_id
                     WHERE r.id = ?1 AND r.session_hash = ?2 AND r.user_id = ?3 AND r.purpose = ?4",
                    params![
                        attempt.id,
                        attempt.session,
                        attempt.user,
                        attempt.purpose.as_str()
                    ],
                    |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                            row.get(6)?,
                            row.get(7)?,
                        ))
                    },
                )
                .optional()?;
            let Some((kind, purpose, contact, secret, code_hash, tries, expires_at, user_id)) = row
            else {
                return Ok(RegistrationOutcome::Gone);
            };
            let purpose = RegistrationPurpose::parse(&purpose)
                .ok_or_else(|| StoreError::Corrupt(format!("registration purpose {purpose:?}")))?;
            if now >= expires_at || tries >= i64::from(attempt.max_attempts) {
                return Ok(RegistrationOutcome::Gone);
            }
            let input = RegistrationInput {
                code_hash,
                sealed_secret: secret,
            };
            let RegistrationCheck::Right { totp_step, seal } = check(&input) else {
                let tries = tries + 1;
                let left = (i64::from(attempt.max_attempts) - tries).max(0) as u32;
                // Out of tries it stays until it expires (it still holds the resend wait)
                // but is never confirmed.
                tx.execute(
                    "UPDATE method_registrations SET code_attempts = ?2 WHERE id = ?1",
                    params![attempt.id, tries],
                )?;
                audit_at(
                    &tx,
                    attempt.now,
                    "registration_code_wrong",
                    Some(&user_id),
                    Some(&kind),
                )?;
                tx.commit()?;
                return Ok(RegistrationOutcome::Wrong {
                    attempts_left: left,
                });
            };
            tx.execute(
                "DELETE FROM method_registrations WHERE id = ?1",
                [&attempt.id],
            )?;
            let outcome = match purpose {
                RegistrationPurpose::Contact => {
                    let proven = tx.execute(
                        "UPDATE sessions SET proven_at = ?2 WHERE id_hash = ?1",
                        params![attempt.session, now],
                    )?;
                    if proven == 0 {
                        return Ok(RegistrationOutcome::Gone);
                    }
                    audit_at(
                        &tx,
                        attempt.now,
                        "session_proven_by_contact",
                        Some(&user_id),
                        None,
                    )?;
                    RegistrationOutcome::SessionProven
                }
                RegistrationPurpose::Method => {
                    let (method, replaced) = method_of_kind(&tx, attempt.user, &kind, now)?;
                    tx.execute(
                        "UPDATE methods SET contact = ?2, secret = ?3, last_used_step = ?4,
                           created_at = ?5, last_used_at = NULL
                         WHERE id = ?1",
                        params![
                            method,
                            contact,
                            seal(method),
                            totp_step.map(|step| step as i64),
                            now
                        ],
                    )?;
                    let notice = notice(stored_kind(&kind)?, replaced, contact.as_deref());
                    queue_notice(&tx, attempt.user, &notice, Some(method), attempt.now)?;
                    let event = if replaced {
                        "method_changed"
                    } else {
                        "method_added"
                    };
                    audit_at(&tx, attempt.now, event, Some(&user_id), Some(&kind))?;
                    RegistrationOutcome::Added { method, replaced }
                }
            };
            tx.commit()?;
            Ok(outcome)
        })
        .await
    }

    /// See [`crate::store::SessionStore::change_report`].
    pub async fn change_report(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> Result<Option<ReportRecord>, StoreError> {
        self.call(move |conn| {
            let row: Option<ReportRow> = conn
                .query_row(
                    "SELECT r.user_id, r.change, r.method_kind, r.created_at, r.reported_at,
                            u.preferred_locale
                     FROM change_reports r JOIN users u ON u.id = r.user_id
                     WHERE r.token_hash = ?1 AND r.expires_at > ?2",
                    params![token_hash, now as i64],
                    |row| {
                        Ok((
                            row.get(0)?,
                            row.get(1)?,
                            row.get(2)?,
                            row.get(3)?,
                            row.get(4)?,
                            row.get(5)?,
                        ))
                    },
                )
                .optional()?;
            let Some((user, change, kind, created_at, reported_at, locale)) = row else {
                return Ok(None);
            };
            let change = parse_change(&change)
                .ok_or_else(|| StoreError::Corrupt(format!("reported change {change:?}")))?;
            Ok(Some(ReportRecord {
                user,
                change,
                method_kind: kind.as_deref().and_then(sspr_api::MethodKind::parse),
                created_at: created_at as u64,
                reported_at: reported_at.map(|at| at as u64),
                locale,
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
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let now_i = now as i64;
            let row: Option<(i64, String, Option<i64>, String)> = tx
                .query_row(
                    "UPDATE change_reports SET reported_at = ?2
                     WHERE token_hash = ?1 AND expires_at > ?2 AND reported_at IS NULL
                     RETURNING user_id, change, method_id,
                               (SELECT user_id FROM users WHERE id = change_reports.user_id)",
                    params![token_hash, now_i],
                    |row| Ok((row.get(0)?, row.get(1)?, row.get(2)?, row.get(3)?)),
                )
                .optional()?;
            let Some((user, change, method, user_id)) = row else {
                return Ok(ReportOutcome::Gone);
            };
            let ended = tx.execute("DELETE FROM sessions WHERE user_id = ?1", [user])?;
            tx.execute(
                "UPDATE users SET methods_blocked_at = ?2 WHERE id = ?1",
                params![user, now_i],
            )?;
            let suspends = matches!(change.as_str(), "method_added" | "method_changed");
            let suspended = match method.filter(|_| suspends) {
                Some(method) => {
                    tx.execute(
                        "UPDATE methods SET suspended_at = ?3
                         WHERE id = ?1 AND user_id = ?2 AND suspended_at IS NULL",
                        params![method, user, now_i],
                    )? > 0
                }
                None => false,
            };
            audit_at(&tx, now, "change_reported", Some(&user_id), Some(&change))?;
            tx.commit()?;
            Ok(ReportOutcome::Filed {
                sessions_ended: ended as u64,
                method_suspended: suspended,
            })
        })
        .await
    }

    /// See [`crate::store::AdminStore::restore_methods`].
    pub async fn restore_methods(&self, user_id: &str, now: u64) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let user = super::directory::user_row(&tx, &user_id)?;
            tx.execute(
                "UPDATE users SET methods_blocked_at = NULL WHERE id = ?1",
                [user],
            )?;
            tx.execute(
                "UPDATE methods SET suspended_at = NULL WHERE user_id = ?1",
                [user],
            )?;
            audit_at(&tx, now, "methods_restored", Some(&user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::SessionStore::confirm_methods`].
    pub async fn confirm_methods(&self, user: i64, now: u64) -> Result<(), StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let user_id: String = tx.query_row(
                "UPDATE users SET methods_confirmed_at = ?2 WHERE id = ?1 RETURNING user_id",
                params![user, now as i64],
                |row| row.get(0),
            )?;
            audit_at(&tx, now, "methods_reconfirmed", Some(&user_id), None)?;
            tx.commit()?;
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
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let spent = tx.execute(
                "DELETE FROM one_time_passes
                 WHERE user_id = ?1 AND pass_hash = ?2 AND expires_at > ?3",
                params![user, pass_hash, now as i64],
            )?;
            let proven = spent > 0
                && tx.execute(
                    "UPDATE sessions SET proven_at = ?3 WHERE id_hash = ?1 AND user_id = ?2",
                    params![id_hash, user, now as i64],
                )? > 0;
            if !proven {
                return Ok(false);
            }
            let user_id: String =
                tx.query_row("SELECT user_id FROM users WHERE id = ?1", [user], |row| {
                    row.get(0)
                })?;
            audit_at(&tx, now, "one_time_pass_used", Some(&user_id), None)?;
            tx.commit()?;
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
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let user = super::directory::user_row(&tx, &user_id)?;
            tx.execute(
                "INSERT INTO one_time_passes (user_id, pass_hash, created_at, expires_at)
                 VALUES (?1, ?2, ?3, ?4)
                 ON CONFLICT (user_id) DO UPDATE SET
                   pass_hash = ?2, created_at = ?3, expires_at = ?4",
                params![user, pass_hash, now as i64, expires_at as i64],
            )?;
            audit_at(&tx, now, "one_time_pass_issued", Some(&user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
