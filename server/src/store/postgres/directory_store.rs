//! Administering the directory (as `store/sqlite/directory.rs` over SQLite): passwords,
//! enabled state, groups, renames, methods, security answers and unlocking, every change
//! audited. The traits reach them through `implement_store_traits!` (`mod.rs`).

use super::counters::{self, lock_subject};
use super::reset_store::replace_password_hash;
use super::{GenericClient, PgStore, StoreError, all, audit_at, exec, one, opt};
use crate::store::records::{ChangeNotice, MethodListing};
use sspr_api::MethodKind;

/// Whether a user's row is read to be changed (locked until the transaction ends, so two
/// changes to one user follow each other).
#[derive(Clone, Copy, PartialEq, Eq)]
enum Intent {
    Read,
    Change,
}

/// The row id of the user with this user ID (any case).
async fn user_row<C: GenericClient>(
    conn: &C,
    user_id: &str,
    intent: Intent,
) -> Result<i64, StoreError> {
    let sql = match intent {
        Intent::Read => "SELECT id FROM users WHERE lower(user_id) = lower($1::text COLLATE \"C\")",
        Intent::Change => {
            "SELECT id FROM users WHERE lower(user_id) = lower($1::text COLLATE \"C\")
             FOR NO KEY UPDATE"
        }
    };
    match opt(conn, sql, &[&user_id]).await? {
        Some(row) => Ok(row.try_get(0)?),
        None => Err(StoreError::NoSuchUser(user_id.to_owned())),
    }
}

/// The row id of the user with this user ID, locked until the transaction ends.
pub(super) async fn user_row_for_change<C: GenericClient>(
    conn: &C,
    user_id: &str,
) -> Result<i64, StoreError> {
    user_row(conn, user_id, Intent::Change).await
}

/// The kind of `user`'s method `method` and their user ID, with the person's row locked so
/// that two changes to one person's methods follow each other; `None` when the method is
/// not theirs.
async fn owned_method<C: GenericClient>(
    conn: &C,
    user: i64,
    method: i64,
) -> Result<Option<(String, String)>, StoreError> {
    let row = opt(
        conn,
        "SELECT m.kind, u.user_id FROM methods m JOIN users u ON u.id = m.user_id
         WHERE m.id = $1 AND m.user_id = $2 FOR UPDATE OF u",
        &[&method, &user],
    )
    .await?;
    match row {
        Some(row) => Ok(Some((row.try_get(0)?, row.try_get(1)?))),
        None => Ok(None),
    }
}

impl PgStore {
    /// Sets a password hash as an administrator would: bumps the credential version and
    /// signs every session out.
    pub async fn set_password_hash(
        &self,
        user_id: &str,
        hash: String,
        now: u64,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let id = user_row(&tx, &user_id, Intent::Change).await?;
            replace_password_hash(&tx, id, Some(&hash), now).await?;
            exec(&tx, "DELETE FROM sessions WHERE user_id = $1", &[&id]).await?;
            audit_at(&tx, now, "password_set_by_admin", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// The current password hash of a user, if any.
    pub async fn password_hash_of(&self, user_id: &str) -> Result<Option<String>, StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let client = store.client().await?;
            let id = user_row(&client, &user_id, Intent::Read).await?;
            Ok(one(
                &client,
                "SELECT password_hash FROM users WHERE id = $1",
                &[&id],
            )
            .await?
            .try_get(0)?)
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let id = user_row(&tx, &user_id, Intent::Change).await?;
            exec(
                &tx,
                "UPDATE users SET enabled = $2 WHERE id = $1",
                &[&id, &enabled],
            )
            .await?;
            if !enabled {
                exec(&tx, "DELETE FROM sessions WHERE user_id = $1", &[&id]).await?;
            }
            let event = if enabled {
                "user_enabled"
            } else {
                "user_disabled"
            };
            audit_at(&tx, now, event, Some(&user_id), None).await?;
            tx.commit().await?;
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let id = user_row(&tx, &user_id, Intent::Change).await?;
            let taken = opt(
                &tx,
                "SELECT id FROM users
                 WHERE lower(user_id) = lower($1::text COLLATE \"C\") AND id <> $2",
                &[&new_user_id, &id],
            )
            .await?;
            if taken.is_some() {
                return Ok(false);
            }
            exec(
                &tx,
                "UPDATE users SET user_id = $2 WHERE id = $1",
                &[&id, &new_user_id],
            )
            .await?;
            audit_at(&tx, now, "user_renamed", Some(&user_id), Some(&new_user_id)).await?;
            tx.commit().await?;
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let id = user_row(&tx, &user_id, Intent::Read).await?;
            exec(
                &tx,
                "INSERT INTO groups (name) VALUES ($1) ON CONFLICT ((lower(name))) DO NOTHING",
                &[&group],
            )
            .await?;
            exec(
                &tx,
                "INSERT INTO group_members (group_id, user_id)
                 SELECT id, $2 FROM groups WHERE lower(name) = lower($1::text COLLATE \"C\")
                 ON CONFLICT DO NOTHING",
                &[&group, &id],
            )
            .await?;
            audit_at(&tx, now, "group_member_added", Some(&user_id), Some(&group)).await?;
            tx.commit().await?;
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            // Locked: two methods added at once cannot both become the default.
            let id = user_row(&tx, &user_id, Intent::Change).await?;
            let first: bool = one(
                &tx,
                "SELECT count(*) = 0 FROM methods WHERE user_id = $1",
                &[&id],
            )
            .await?
            .try_get(0)?;
            let method: i64 = one(
                &tx,
                "INSERT INTO methods (user_id, kind, contact, is_default, created_at)
                 VALUES ($1, $2, $3, $4, $5) RETURNING id",
                &[&id, &kind.as_str(), &contact, &first, &(now as i64)],
            )
            .await?
            .try_get(0)?;
            if let Some(secret) = seal(method) {
                exec(
                    &tx,
                    "UPDATE methods SET secret = $2 WHERE id = $1",
                    &[&method, &secret],
                )
                .await?;
            }
            audit_at(
                &tx,
                now,
                "method_added",
                Some(&user_id),
                Some(kind.as_str()),
            )
            .await?;
            tx.commit().await?;
            Ok(method)
        })
        .await
    }

    /// Replaces the security answers of a user and registers the method if needed.
    /// The hashes were computed for the user's row id `user`.
    pub async fn set_security_answers(
        &self,
        user_id: &str,
        user: i64,
        hashed: Vec<(String, Vec<u8>)>,
        now: u64,
        notice: ChangeNotice,
    ) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let id = user_row(&tx, &user_id, Intent::Change).await?;
            // The hashes are salted with the row id they were computed for.
            if id != user {
                return Err(StoreError::NoSuchUser(user_id));
            }
            exec(
                &tx,
                "DELETE FROM security_answers WHERE user_id = $1",
                &[&id],
            )
            .await?;
            for (question, hash) in &hashed {
                exec(
                    &tx,
                    "INSERT INTO security_answers (user_id, question, answer_hash)
                     VALUES ($1, $2, $3)",
                    &[&id, question, hash],
                )
                .await?;
            }
            let registered: bool = one(
                &tx,
                "SELECT count(*) > 0 FROM methods WHERE user_id = $1 AND kind = 'security_questions'",
                &[&id],
            )
            .await?
            .try_get(0)?;
            if !registered {
                exec(
                    &tx,
                    "INSERT INTO methods (user_id, kind, is_default, created_at)
                     VALUES ($1, 'security_questions', FALSE, $2)",
                    &[&id, &(now as i64)],
                )
                .await?;
            }
            // New answers are a new registration of the method (its date, never used).
            let method: i64 = one(
                &tx,
                "UPDATE methods SET created_at = $2, last_used_at = NULL
                 WHERE user_id = $1 AND kind = 'security_questions' RETURNING id",
                &[&id, &(now as i64)],
            )
            .await?
            .try_get(0)?;
            super::registrations::queue_notice(&tx, id, &notice, Some(method), now).await?;
            audit_at(&tx, now, "security_answers_set", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn list_methods(&self, user_id: &str) -> Result<Vec<MethodListing>, StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let client = store.client().await?;
            let id = user_row(&client, &user_id, Intent::Read).await?;
            let rows = all(
                &client,
                "SELECT id, kind, contact, is_default, suspended_at IS NOT NULL FROM methods
                 WHERE user_id = $1 ORDER BY is_default DESC, id",
                &[&id],
            )
            .await?;
            rows.iter()
                .map(|row| {
                    Ok(MethodListing {
                        id: row.try_get(0)?,
                        kind: row.try_get(1)?,
                        contact: row.try_get(2)?,
                        is_default: row.try_get(3)?,
                        suspended: row.try_get(4)?,
                    })
                })
                .collect()
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let Some((kind, user_id)) = owned_method(&tx, user, method).await? else {
                return Ok(false);
            };
            exec(
                &tx,
                "UPDATE methods SET is_default = (id = $2) WHERE user_id = $1",
                &[&user, &method],
            )
            .await?;
            audit_at(&tx, now, "default_method_set", Some(&user_id), Some(&kind)).await?;
            tx.commit().await?;
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let Some((kind, user_id)) = owned_method(&tx, user, method).await? else {
                return Ok(false);
            };
            exec(&tx, "DELETE FROM methods WHERE id = $1", &[&method]).await?;
            if kind == "security_questions" {
                exec(
                    &tx,
                    "DELETE FROM security_answers WHERE user_id = $1",
                    &[&user],
                )
                .await?;
            }
            super::registrations::queue_notice(&tx, user, &notice, None, now).await?;
            audit_at(&tx, now, "method_deleted", Some(&user_id), Some(&kind)).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Clears the failure counters and locks of an account (`subject` is its keyed hash).
    pub async fn unlock(&self, user_id: &str, subject: String, now: u64) -> Result<(), StoreError> {
        let user_id = user_id.to_owned();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            user_row(&tx, &user_id, Intent::Read).await?;
            lock_subject(&tx, &subject).await?;
            counters::reset(&tx, &subject, None).await?;
            audit_at(&tx, now, "account_unlocked", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }
}
