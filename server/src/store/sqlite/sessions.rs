//! Sessions of the security-info page over SQLite: created (ending the browser's previous
//! one), read with their person, touched, ended. Only the hash of a session id is stored.

use super::{SqliteStore, audit_at};
use crate::store::StoreError;
use crate::store::records::{NewSession, SessionRecord};
use rusqlite::{OptionalExtension, params};

impl SqliteStore {
    pub async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            if let Some(old) = &session.replaces {
                tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [old])?;
            }
            tx.execute(
                "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at,
                                       proven_at)
                 VALUES (?1, ?2, ?3, ?4, ?3, ?5)",
                params![
                    session.id_hash,
                    session.user,
                    session.now as i64,
                    session.expires_at as i64,
                    session.proven_at.map(|at| at as i64),
                ],
            )?;
            if let Some(locale) = &session.locale {
                tx.execute(
                    "UPDATE users SET preferred_locale = ?2 WHERE id = ?1",
                    params![session.user, locale],
                )?;
            }
            audit_at(&tx, session.now, "signed_in", Some(&session.user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn session(&self, id_hash: Vec<u8>) -> Result<Option<SessionRecord>, StoreError> {
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT s.user_id, u.user_id, u.display_name, s.created_at, s.expires_at,
                            s.last_seen_at, s.proven_at
                     FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.id_hash = ?1",
                    [id_hash],
                    |row| {
                        Ok(SessionRecord {
                            user: row.get(0)?,
                            user_id: row.get(1)?,
                            display_name: row.get(2)?,
                            created_at: row.get::<_, i64>(3)? as u64,
                            expires_at: row.get::<_, i64>(4)? as u64,
                            last_seen_at: row.get::<_, i64>(5)? as u64,
                            proven_at: row.get::<_, Option<i64>>(6)?.map(|at| at as u64),
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    pub async fn touch_session(&self, id_hash: Vec<u8>, now: u64) -> Result<(), StoreError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE sessions SET last_seen_at = ?2 WHERE id_hash = ?1",
                params![id_hash, now as i64],
            )?;
            Ok(())
        })
        .await
    }

    pub async fn prove_session(&self, id_hash: Vec<u8>, now: u64) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let changed = conn.execute(
                "UPDATE sessions SET proven_at = ?2, last_seen_at = ?2 WHERE id_hash = ?1",
                params![id_hash, now as i64],
            )?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn end_session(&self, id_hash: Vec<u8>, now: u64) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let user_id: Option<String> = tx
                .query_row(
                    "SELECT u.user_id FROM sessions s JOIN users u ON u.id = s.user_id
                     WHERE s.id_hash = ?1",
                    [&id_hash],
                    |row| row.get(0),
                )
                .optional()?;
            let Some(user_id) = user_id else {
                return Ok(false);
            };
            tx.execute("DELETE FROM sessions WHERE id_hash = ?1", [&id_hash])?;
            audit_at(&tx, now, "signed_out", Some(&user_id), None)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}
