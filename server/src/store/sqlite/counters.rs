//! Failure counters in the store, per account and per method, keyed by the flow's subject
//! (a keyed hash of the user ID, with a recognised browser's tag when there is one) so that
//! unknown accounts count exactly like real ones. The arithmetic is in [`crate::limits`].

use rusqlite::{Connection, OptionalExtension, params};

use super::SqliteStore;
use crate::limits::{Counter, Limit, Locked};
use crate::store::records::{ACCOUNT, Pauses};

pub fn load(conn: &Connection, subject: &str, scope: &str) -> rusqlite::Result<Counter> {
    Ok(conn
        .query_row(
            "SELECT failures, locked_until, window_start, window_failures, notified_at
             FROM failure_counters WHERE subject = ?1 AND scope = ?2",
            params![subject, scope],
            |row| {
                Ok(Counter {
                    failures: row.get(0)?,
                    locked_until: row.get(1)?,
                    window_start: row.get(2)?,
                    window_failures: row.get(3)?,
                    notified_at: row.get(4)?,
                })
            },
        )
        .optional()?
        .unwrap_or_default())
}

pub fn save(
    conn: &Connection,
    subject: &str,
    scope: &str,
    counter: Counter,
    now: i64,
) -> rusqlite::Result<()> {
    // `updated_at` lets the retention purge drop counters idle for a day.
    conn.execute(
        "INSERT INTO failure_counters (subject, scope, failures, locked_until, updated_at,
                                       window_start, window_failures, notified_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (subject, scope) DO UPDATE SET failures = ?3, locked_until = ?4,
           updated_at = ?5, window_start = ?6, window_failures = ?7, notified_at = ?8",
        params![
            subject,
            scope,
            counter.failures,
            counter.locked_until,
            now,
            counter.window_start,
            counter.window_failures,
            counter.notified_at
        ],
    )?;
    Ok(())
}

/// Forgets the failures of a scope (after a success, or an administrator's unlock).
pub fn reset(conn: &Connection, subject: &str, scope: Option<&str>) -> rusqlite::Result<()> {
    match scope {
        Some(scope) => conn.execute(
            "DELETE FROM failure_counters WHERE subject = ?1 AND scope = ?2",
            params![subject, scope],
        )?,
        // The account's scopes and those of its recognised browsers (`subject:tag`).
        None => conn.execute(
            "DELETE FROM failure_counters WHERE subject = ?1 OR subject LIKE ?1 || ':%'",
            [subject],
        )?,
    };
    Ok(())
}

impl SqliteStore {
    /// The pauses in force on the account of `subject` and on each of `kinds`, read
    /// alike for real and decoy subjects.
    pub async fn pauses(
        &self,
        subject: String,
        kinds: Vec<sspr_api::MethodKind>,
        now: u64,
    ) -> Result<Pauses, crate::store::StoreError> {
        self.call(move |conn| {
            let now = now as i64;
            let account = load(conn, &subject, ACCOUNT)?.lock(now);
            let methods = kinds
                .iter()
                .map(|kind| Ok(load(conn, &subject, kind.as_str())?.lock(now)))
                .collect::<rusqlite::Result<Vec<_>>>()?;
            Ok(Pauses { account, methods })
        })
        .await
    }

    /// The lock on the account of `subject`, if one is in force.
    pub async fn account_lock(
        &self,
        subject: String,
        now: u64,
    ) -> Result<Option<Locked>, crate::store::StoreError> {
        self.call(move |conn| Ok(load(conn, &subject, ACCOUNT)?.lock(now as i64)))
            .await
    }

    /// One more failure on the account of `subject` (audited as `event`); returns the lock
    /// it causes, if any.
    pub async fn count_account_failure(
        &self,
        subject: String,
        limit: Limit,
        now: u64,
        event: &'static str,
    ) -> Result<Option<Locked>, crate::store::StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let mut counter = load(&tx, &subject, ACCOUNT)?;
            let lock = counter.fail(limit, now as i64);
            save(&tx, &subject, ACCOUNT, counter, now as i64)?;
            super::audit_at(&tx, now, event, Some(&subject), None)?;
            tx.commit()?;
            Ok(lock)
        })
        .await
    }
}
