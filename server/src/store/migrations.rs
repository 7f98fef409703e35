//! Schema migrations, applied in order at start. `PRAGMA user_version` records how many
//! have run; each runs in its own transaction, so a crash leaves a consistent schema.

use super::StoreError;
use rusqlite::Connection;

/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the directory and the audit log.
    r#"
    CREATE TABLE users (
        id                 INTEGER PRIMARY KEY,
        user_id            TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name       TEXT NOT NULL,
        email              TEXT,
        enabled            INTEGER NOT NULL DEFAULT 1,
        is_admin           INTEGER NOT NULL DEFAULT 0,
        password_hash      TEXT,
        credential_version INTEGER NOT NULL DEFAULT 0,
        created_at         INTEGER NOT NULL
    );
    CREATE TABLE groups (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
    );
    CREATE TABLE group_members (
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
    );
    CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        event   TEXT NOT NULL,
        subject TEXT,
        detail  TEXT
    );
    "#,
    // 2: CAPTCHA solutions already used, kept until their challenge expires.
    r#"
    CREATE TABLE captcha_spent (
        challenge  TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
    );
    "#,
];

/// The schema version this server writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn apply(conn: &mut Connection) -> Result<i64, StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > LATEST {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied database migration");
    }
    Ok(LATEST)
}
