//! Administering the directory (the command line and the demo seed): passwords, enabled
//! state, groups, methods, security answers and unlocking. Every change is audited.

use super::counters;
use super::{SqliteStore, audit_at};
use crate::store::StoreError;
use rusqlite::{Connection, OptionalExtension, params};
use sspr_api::MethodKind;

use crate::store::records::{ChangeNotice, MethodListing};

pub(super) fn user_row(conn: &Connection, user_id: &str) -> Result<i64, StoreError> {
    conn.query_row(
        "SELECT id FROM users WHERE user_id = ?1",
        [user_id],
        |row| row.get(0),
    )
    .optional()?
    .ok_or_else(|| StoreError::NoSuchUser(user_id.to_owned()))
}

/// The kind of `user`'s method `method` and their user ID; `None` when it is not theirs.
fn owned_method(
    conn: &Connection,
    user: i64,
    method: i64,
) -> Result<Option<(String, String)>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT m.kind, u.user_id FROM methods m JOIN users u ON u.id = m.user_id
             WHERE m.id = ?1 AND m.user_id = ?2",
            params![method, user],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?)
}

impl SqliteStore {
    /// Sets a password hash as an administrator would: bumps the credential version and
    /// signs every session out.
    pub async fn set_password_hash(
        &self,
        user_id: &str,
        hash: String,
        now: u64,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let id = user_row(&tx, &user_id)?;
            super::reset::replace_password_hash(&tx, id, Some(&hash), now)?;
            tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            audit_at(&tx, now, "password_set_by_admin", Some(&user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// The current password hash of a user, if any.
    pub async fn password_hash_of(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let id = user_row(conn, &user_id)?;
            Ok(conn.query_row(
                "SELECT password_hash FROM users WHERE id = ?1",
                [id],
                |row| row.get(0),
            )?)
        })
        .await
    }

    pub async fn set_enabled(
        &self,
        user_id: &str,
        enabled: bool,
        now: u64,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let id = user_row(&tx, &user_id)?;
            tx.execute(
                "UPDATE users SET enabled = ?2 WHERE id = ?1",
                params![id, enabled],
            )?;
            if !enabled {
                tx.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
            }
            let event = if enabled {
                "user_enabled"
            } else {
                "user_disabled"
            };
            audit_at(&tx, now, event, Some(&user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::AdminStore::rename_user`].
    pub async fn rename_user(
        &self,
        user_id: &str,
        new_user_id: &str,
        now: u64,
    ) -> Result<bool, StoreError> {
        let user_id = user_id.to_owned();
        let new_user_id = new_user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let id = user_row(&tx, &user_id)?;
            let taken: Option<i64> = tx
                .query_row(
                    "SELECT id FROM users WHERE user_id = ?1 AND id <> ?2",
                    params![new_user_id, id],
                    |row| row.get(0),
                )
                .optional()?;
            if taken.is_some() {
                return Ok(false);
            }
            tx.execute(
                "UPDATE users SET user_id = ?2 WHERE id = ?1",
                params![id, new_user_id],
            )?;
            audit_at(&tx, now, "user_renamed", Some(&user_id), Some(&new_user_id))?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    pub async fn add_to_group(
        &self,
        user_id: &str,
        group: &str,
        now: u64,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        let group = group.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let id = user_row(&tx, &user_id)?;
            tx.execute(
                "INSERT INTO groups (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
                [&group],
            )?;
            tx.execute(
                "INSERT INTO group_members (group_id, user_id)
                 SELECT id, ?2 FROM groups WHERE name = ?1 ON CONFLICT DO NOTHING",
                params![group, id],
            )?;
            audit_at(&tx, now, "group_member_added", Some(&user_id), Some(&group))?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// Registers a method. `seal` gets the new method's row id and returns its sealed
    /// secret (TOTP), or `None`.
    pub async fn add_method(
        &self,
        user_id: &str,
        kind: MethodKind,
        contact: Option<String>,
        now: u64,
        seal: impl FnOnce(i64) -> Option<Vec<u8>> + Send + 'static,
    ) -> Result<i64, StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let id = user_row(&tx, &user_id)?;
            let first: bool = tx.query_row(
                "SELECT count(*) = 0 FROM methods WHERE user_id = ?1",
                [id],
                |row| row.get(0),
            )?;
            tx.execute(
                "INSERT INTO methods (user_id, kind, contact, is_default, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5)",
                params![id, kind.as_str(), contact, first, now as i64],
            )?;
            let method = tx.last_insert_rowid();
            if let Some(secret) = seal(method) {
                tx.execute(
                    "UPDATE methods SET secret = ?2 WHERE id = ?1",
                    params![method, secret],
                )?;
            }
            audit_at(
                &tx,
                now,
                "method_added",
                Some(&user_id),
                Some(kind.as_str()),
            )?;
            tx.commit()?;
            Ok(method)
        })
        .await
    }

    /// Replaces the security answers of a user and registers the method if needed.
    /// `hash` gets the user's row id, the question and the normalised answer.
    pub async fn set_security_answers(
        &self,
        user_id: &str,
        user: i64,
        hashed: Vec<(String, Vec<u8>)>,
        now: u64,
        notice: ChangeNotice,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let id = user_row(&tx, &user_id)?;
            // The hashes are salted with the row id they were computed for.
            if id != user {
                return Err(StoreError::NoSuchUser(user_id));
            }
            tx.execute("DELETE FROM security_answers WHERE user_id = ?1", [id])?;
            for (question, hash) in &hashed {
                tx.execute(
                    "INSERT INTO security_answers (user_id, question, answer_hash) VALUES (?1, ?2, ?3)",
                    params![id, question, hash],
                )?;
            }
            let registered: bool = tx.query_row(
                "SELECT count(*) > 0 FROM methods WHERE user_id = ?1 AND kind = 'security_questions'",
                [id],
                |row| row.get(0),
            )?;
            if !registered {
                tx.execute(
                    "INSERT INTO methods (user_id, kind, is_default, created_at)
                     VALUES (?1, 'security_questions', 0, ?2)",
                    params![id, now as i64],
                )?;
            }
            // New answers are a new registration of the method (its date, never used).
            let method: i64 = tx.query_row(
                "UPDATE methods SET created_at = ?2, last_used_at = NULL
                 WHERE user_id = ?1 AND kind = 'security_questions' RETURNING id",
                params![id, now as i64],
                |row| row.get(0),
            )?;
            super::registrations::queue_notice(&tx, id, &notice, Some(method), now)?;
            audit_at(&tx, now, "security_answers_set", Some(&user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    pub async fn list_methods(&self, user_id: &str) -> Result<Vec<MethodListing>, StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let id = user_row(conn, &user_id)?;
            let mut stmt = conn.prepare(
                "SELECT id, kind, contact, is_default, suspended_at IS NOT NULL FROM methods
                 WHERE user_id = ?1 ORDER BY is_default DESC, id",
            )?;
            let rows = stmt.query_map([id], |row| {
                Ok(MethodListing {
                    id: row.get(0)?,
                    kind: row.get(1)?,
                    contact: row.get(2)?,
                    is_default: row.get(3)?,
                    suspended: row.get(4)?,
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// See [`crate::store::DirectoryStore::set_default_method`].
    pub async fn set_default_method(
        &self,
        user: i64,
        method: i64,
        now: u64,
    ) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let Some((kind, user_id)) = owned_method(&tx, user, method)? else {
                return Ok(false);
            };
            tx.execute(
                "UPDATE methods SET is_default = (id = ?2) WHERE user_id = ?1",
                params![user, method],
            )?;
            audit_at(&tx, now, "default_method_set", Some(&user_id), Some(&kind))?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    /// See [`crate::store::DirectoryStore::delete_method`].
    pub async fn delete_method(
        &self,
        user: i64,
        method: i64,
        now: u64,
        notice: ChangeNotice,
    ) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let Some((kind, user_id)) = owned_method(&tx, user, method)? else {
                return Ok(false);
            };
            tx.execute("DELETE FROM methods WHERE id = ?1", [method])?;
            if kind == "security_questions" {
                tx.execute("DELETE FROM security_answers WHERE user_id = ?1", [user])?;
            }
            super::registrations::queue_notice(&tx, user, &notice, None, now)?;
            audit_at(&tx, now, "method_deleted", Some(&user_id), Some(&kind))?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    /// Clears the failure counters and locks of an account (`subject` is its keyed hash).
    pub async fn unlock(&self, user_id: &str, subject: String, now: u64) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.call(move |conn| {
            let tx = conn.transaction()?;
            user_row(&tx, &user_id)?;
            counters::reset(&tx, &subject, None)?;
            audit_at(&tx, now, "account_unlocked", Some(&user_id), None)?;
            tx.commit()?;
            Ok(())
        })
        .await
    }
}
