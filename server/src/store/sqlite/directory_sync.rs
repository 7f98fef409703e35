//! Rows of people an LDAP directory holds, kept up to date from it (`people/mod.rs`): found
//! by the directory's stable id, so a rename there renames the row and keeps everything
//! hanging off it. And the note that a flow's password went to the directory.

use super::{SqliteStore, audit_at};
use crate::store::StoreError;
use crate::store::records::{DirectoryEntry, NewMessage};
use rusqlite::{Connection, OptionalExtension, params};

impl SqliteStore {
    pub async fn sync_directory_entry(
        &self,
        user_id: String,
        entry: Option<DirectoryEntry>,
        now: u64,
    ) -> Result<(), StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            match entry {
                None => {
                    // Gone from the directory: no reset, and signed out everywhere.
                    tx.execute(
                        "DELETE FROM sessions WHERE user_id IN
                         (SELECT id FROM users WHERE user_id = ?1 AND directory_id IS NOT NULL)",
                        [&user_id],
                    )?;
                    tx.execute(
                        "UPDATE users SET enabled = 0
                         WHERE user_id = ?1 AND directory_id IS NOT NULL AND enabled = 1",
                        [&user_id],
                    )?;
                }
                Some(entry) => sync(&tx, &entry, now)?,
            }
            tx.commit()?;
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
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let before: Option<Option<i64>> = tx
                .query_row(
                    "SELECT writeback_at FROM reset_flows WHERE id = ?1",
                    [&flow_id],
                    |row| row.get(0),
                )
                .optional()?;
            let marked = sent.then_some(now as i64);
            tx.execute(
                "UPDATE reset_flows SET writeback_at = ?2 WHERE id = ?1",
                params![flow_id, marked],
            )?;
            tx.commit()?;
            Ok(before.flatten().is_some())
        })
        .await
    }
}

impl SqliteStore {
    pub async fn complete_unlock(
        &self,
        flow_id: String,
        now: u64,
        messages: Vec<NewMessage>,
    ) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE reset_flows SET completed_at = ?2
                 WHERE id = ?1 AND completed_at IS NULL AND expires_at > ?2",
                params![flow_id, now as i64],
            )?;
            if changed == 0 {
                return Ok(false);
            }
            for message in &messages {
                super::outbox::insert(&tx, message, now)?;
            }
            let subject: String = tx.query_row(
                "SELECT subject FROM reset_flows WHERE id = ?1",
                [&flow_id],
                |row| row.get(0),
            )?;
            audit_at(&tx, now, "account_unlocked", Some(&subject), None)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }
}

fn sync(conn: &Connection, entry: &DirectoryEntry, now: u64) -> Result<(), StoreError> {
    let known: Option<(i64, String)> = conn
        .query_row(
            "SELECT id, user_id FROM users WHERE directory_id = ?1",
            [&entry.stable_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    // Another row with this user ID: an embedded person of the same ID is taken over
    // (switching to a directory keeps their methods); one of another directory person
    // (renamed or gone there) is moved aside and disabled.
    let holder: Option<(i64, Option<String>)> = conn
        .query_row(
            "SELECT id, directory_id FROM users WHERE user_id = ?1",
            [&entry.user_id],
            |row| Ok((row.get(0)?, row.get(1)?)),
        )
        .optional()?;
    let id = match (known, holder) {
        (Some((id, _)), Some((holder, _))) if holder != id => {
            set_aside(conn, holder)?;
            id
        }
        (Some((id, _)), _) => id,
        (None, Some((holder, None))) => {
            conn.execute(
                "UPDATE users SET directory_id = ?2, password_hash = NULL WHERE id = ?1",
                params![holder, entry.stable_id],
            )?;
            audit_at(
                conn,
                now,
                "directory_person_linked",
                Some(&entry.user_id),
                None,
            )?;
            holder
        }
        (None, holder) => {
            if let Some((holder, _)) = holder {
                set_aside(conn, holder)?;
            }
            conn.execute(
                "INSERT INTO users (user_id, display_name, email, enabled, is_admin, created_at, directory_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    entry.user_id,
                    entry.display_name,
                    entry.email,
                    entry.enabled,
                    entry.is_admin,
                    now as i64,
                    entry.stable_id
                ],
            )?;
            let id = conn.last_insert_rowid();
            audit_at(
                conn,
                now,
                "directory_person_added",
                Some(&entry.user_id),
                None,
            )?;
            id
        }
    };
    let renamed_from: String =
        conn.query_row("SELECT user_id FROM users WHERE id = ?1", [id], |row| {
            row.get(0)
        })?;
    conn.execute(
        "UPDATE users SET user_id = ?2, display_name = ?3, email = ?4, enabled = ?5, is_admin = ?6
         WHERE id = ?1",
        params![
            id,
            entry.user_id,
            entry.display_name,
            entry.email,
            entry.enabled,
            entry.is_admin
        ],
    )?;
    if renamed_from != entry.user_id {
        audit_at(
            conn,
            now,
            "directory_person_renamed",
            Some(&renamed_from),
            Some(&entry.user_id),
        )?;
    }
    if !entry.enabled {
        // Disabled in the directory: signed out everywhere, as `user disable` does.
        conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    }
    conn.execute("DELETE FROM group_members WHERE user_id = ?1", [id])?;
    for group in &entry.groups {
        conn.execute(
            "INSERT INTO groups (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
            [group],
        )?;
        conn.execute(
            "INSERT INTO group_members (group_id, user_id)
             SELECT id, ?2 FROM groups WHERE name = ?1 ON CONFLICT DO NOTHING",
            params![group, id],
        )?;
    }
    Ok(())
}

/// Moves a row off a user ID the directory now gives someone else: renamed to
/// `<user ID>#<row id>` (no one types that) and disabled, its records kept for the audit.
fn set_aside(conn: &Connection, id: i64) -> Result<(), StoreError> {
    conn.execute(
        "UPDATE users SET user_id = user_id || '#' || id, enabled = 0 WHERE id = ?1",
        [id],
    )?;
    conn.execute("DELETE FROM sessions WHERE user_id = ?1", [id])?;
    Ok(())
}
