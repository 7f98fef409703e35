//! Rows of people an LDAP directory holds, kept up to date from it (as
//! `store/sqlite/directory_sync.rs` over SQLite).

use super::{GenericClient, PgStore, StoreError, audit_at, exec, one, opt};
use crate::store::records::{DirectoryEntry, NewMessage};

impl PgStore {
    pub async fn sync_directory_entry(
        &self,
        user_id: String,
        entry: Option<DirectoryEntry>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            match &entry {
                None => {
                    // Gone from the directory: no reset, and signed out everywhere.
                    exec(
                        &tx,
                        "DELETE FROM sessions WHERE user_id IN
                         (SELECT id FROM users
                          WHERE lower(user_id) = lower($1::text COLLATE \"C\")
                            AND directory_id IS NOT NULL)",
                        &[&user_id],
                    )
                    .await?;
                    exec(
                        &tx,
                        "UPDATE users SET enabled = FALSE
                         WHERE lower(user_id) = lower($1::text COLLATE \"C\")
                           AND directory_id IS NOT NULL AND enabled",
                        &[&user_id],
                    )
                    .await?;
                }
                Some(entry) => sync(&tx, entry, now).await?,
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn mark_writeback(
        &self,
        flow_id: String,
        sent: bool,
        now: u64,
    ) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let before: Option<i64> = match opt(
                &tx,
                "SELECT writeback_at FROM reset_flows WHERE id = $1 FOR UPDATE",
                &[&flow_id],
            )
            .await?
            {
                Some(row) => row.try_get(0)?,
                None => None,
            };
            let marked = sent.then_some(now as i64);
            exec(
                &tx,
                "UPDATE reset_flows SET writeback_at = $2 WHERE id = $1",
                &[&flow_id, &marked],
            )
            .await?;
            tx.commit().await?;
            Ok(before.is_some())
        })
        .await
    }
}

impl PgStore {
    pub async fn complete_unlock(
        &self,
        flow_id: String,
        now: u64,
        messages: Vec<NewMessage>,
    ) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let done = opt(
                &tx,
                "UPDATE reset_flows SET completed_at = $2
                 WHERE id = $1 AND completed_at IS NULL AND expires_at > $2
                 RETURNING subject",
                &[&flow_id, &(now as i64)],
            )
            .await?;
            let Some(row) = done else {
                return Ok(false);
            };
            let subject: String = row.try_get(0)?;
            for message in &messages {
                super::outbox_store::insert(&tx, message, now).await?;
            }
            audit_at(&tx, now, "account_unlocked", Some(&subject), None).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }
}

async fn sync<C: GenericClient>(
    conn: &C,
    entry: &DirectoryEntry,
    now: u64,
) -> Result<(), StoreError> {
    let known: Option<i64> = match opt(
        conn,
        "SELECT id FROM users WHERE directory_id = $1 FOR NO KEY UPDATE",
        &[&entry.stable_id],
    )
    .await?
    {
        Some(row) => Some(row.try_get(0)?),
        None => None,
    };
    let holder: Option<(i64, Option<String>)> = match opt(
        conn,
        "SELECT id, directory_id FROM users
         WHERE lower(user_id) = lower($1::text COLLATE \"C\") FOR NO KEY UPDATE",
        &[&entry.user_id],
    )
    .await?
    {
        Some(row) => Some((row.try_get(0)?, row.try_get(1)?)),
        None => None,
    };
    let id = match (known, holder) {
        (Some(id), Some((holder, _))) if holder != id => {
            set_aside(conn, holder).await?;
            id
        }
        (Some(id), _) => id,
        (None, Some((holder, None))) => {
            exec(
                conn,
                "UPDATE users SET directory_id = $2, password_hash = NULL WHERE id = $1",
                &[&holder, &entry.stable_id],
            )
            .await?;
            audit_at(
                conn,
                now,
                "directory_person_linked",
                Some(&entry.user_id),
                None,
            )
            .await?;
            holder
        }
        (None, holder) => {
            if let Some((holder, _)) = holder {
                set_aside(conn, holder).await?;
            }
            // Another instance may be adding the same person right now: its row wins.
            let inserted = opt(
                conn,
                "INSERT INTO users (user_id, display_name, email, enabled, is_admin, created_at, directory_id)
                 VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING RETURNING id",
                &[
                    &entry.user_id,
                    &entry.display_name,
                    &entry.email,
                    &entry.enabled,
                    &entry.is_admin,
                    &(now as i64),
                    &entry.stable_id,
                ],
            )
            .await?;
            match inserted {
                Some(row) => {
                    audit_at(
                        conn,
                        now,
                        "directory_person_added",
                        Some(&entry.user_id),
                        None,
                    )
                    .await?;
                    row.try_get(0)?
                }
                None => one(
                    conn,
                    "SELECT id FROM users WHERE directory_id = $1 FOR NO KEY UPDATE",
                    &[&entry.stable_id],
                )
                .await?
                .try_get(0)?,
            }
        }
    };
    let renamed_from: String = one(conn, "SELECT user_id FROM users WHERE id = $1", &[&id])
        .await?
        .try_get(0)?;
    exec(
        conn,
        "UPDATE users SET user_id = $2, display_name = $3, email = $4, enabled = $5, is_admin = $6
         WHERE id = $1",
        &[
            &id,
            &entry.user_id,
            &entry.display_name,
            &entry.email,
            &entry.enabled,
            &entry.is_admin,
        ],
    )
    .await?;
    if renamed_from != entry.user_id {
        audit_at(
            conn,
            now,
            "directory_person_renamed",
            Some(&renamed_from),
            Some(&entry.user_id),
        )
        .await?;
    }
    if !entry.enabled {
        // Disabled in the directory: signed out everywhere, as `user disable` does.
        exec(conn, "DELETE FROM sessions WHERE user_id = $1", &[&id]).await?;
    }
    exec(conn, "DELETE FROM group_members WHERE user_id = $1", &[&id]).await?;
    for group in &entry.groups {
        exec(
            conn,
            "INSERT INTO groups (name) VALUES ($1) ON CONFLICT ((lower(name))) DO NOTHING",
            &[group],
        )
        .await?;
        exec(
            conn,
            "INSERT INTO group_members (group_id, user_id)
             SELECT id, $2 FROM groups WHERE lower(name) = lower($1::text COLLATE \"C\")
             ON CONFLICT DO NOTHING",
            &[group, &id],
        )
        .await?;
    }
    Ok(())
}

/// Moves a row off a user ID the directory now gives someone else (see SQLite's).
async fn set_aside<C: GenericClient>(conn: &C, id: i64) -> Result<(), StoreError> {
    exec(
        conn,
        "UPDATE users SET user_id = user_id || '#' || id::text, enabled = FALSE WHERE id = $1",
        &[&id],
    )
    .await?;
    exec(conn, "DELETE FROM sessions WHERE user_id = $1", &[&id]).await?;
    Ok(())
}
