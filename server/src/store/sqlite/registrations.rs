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
            let a = &attempt;
            let now = a.now as i64;
            let row: Option<RegistrationRow> = tx
                .query_row(
                    "SELECT r.kind, r.purpose, r.contact, r.secret, r.code_hash,
                            r.code_attempts, r.expires_at, u.user_id
                     FROM method_registrations r JOIN users u ON u.id = r.user_id
                     WHERE r.id = ?1 AND r.session_hash = ?2 AND r.user_id = ?3 AND r.purpose = ?4",
                    params![a.id, a.session, a.user, a.purpose.as_str()],
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
            if now >= expires_at || tries >= i64::from(a.max_attempts) {
                return Ok(RegistrationOutcome::Gone);
            }
            let input = RegistrationInput {
                code_hash,
                sealed_secret: secret,
            };
            let RegistrationCheck::Right { totp_step, seal } = check(&input) else {
                let tries = tries + 1;
                let left = (i64::from(a.max_attempts) - tries).max(0) as u32;
                // Out of tries it stays until it expires (it still holds the resend wait)
                // but is never confirmed.
                tx.execute(
                    "UPDATE method_registrations SET code_attempts = ?2 WHERE id = ?1",
                    params![a.id, tries],
                )?;
                audit_at(
                    &tx,
                    a.now,
                    "registration_code_wrong",
                    Some(&user_id),
                    Some(&kind),
                )?;
                tx.commit()?;
                return Ok(RegistrationOutcome::Wrong {
                    attempts_left: left,
                });
            };
            tx.execute("DELETE FROM method_registrations WHERE id = ?1", [&a.id])?;
            let outcome = match purpose {
                RegistrationPurpose::Contact => {
                    let proven = tx.execute(
                        "UPDATE sessions SET proven_at = ?2 WHERE id_hash = ?1",
                        params![a.session, now],
                    )?;
                    if proven == 0 {
                        return Ok(RegistrationOutcome::Gone);
                    }
                    audit_at(
                        &tx,
                        a.now,
                        "session_proven_by_contact",
                        Some(&user_id),
                        None,
                    )?;
                    RegistrationOutcome::SessionProven
                }
                RegistrationPurpose::Method => {
                    // One method per kind: a registration of a kind the person has
                    // replaces that method's contact or secret, keeping its id.
                    let existing: Option<i64> = tx
                        .query_row(
                            "SELECT id FROM methods WHERE user_id = ?1 AND kind = ?2
                             ORDER BY id LIMIT 1",
                            params![a.user, kind],
                            |row| row.get(0),
                        )
                        .optional()?;
                    let (method, replaced) = match existing {
                        Some(id) => (id, true),
                        None => {
                            let first: bool = tx.query_row(
                                "SELECT count(*) = 0 FROM methods WHERE user_id = ?1",
                                [a.user],
                                |row| row.get(0),
                            )?;
                            tx.execute(
                                "INSERT INTO methods (user_id, kind, is_default, created_at)
                                 VALUES (?1, ?2, ?3, ?4)",
                                params![a.user, kind, first, now],
                            )?;
                            (tx.last_insert_rowid(), false)
                        }
                    };
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
                    for message in &a.messages {
                        outbox::insert(&tx, message, a.now)?;
                    }
                    let event = if replaced {
                        "method_changed"
                    } else {
                        "method_added"
                    };
                    audit_at(&tx, a.now, event, Some(&user_id), Some(&kind))?;
                    RegistrationOutcome::Added { method, replaced }
                }
            };
            tx.commit()?;
            Ok(outcome)
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
