//! Retention: what anyone can make the server write (audit events, failure counters, sends,
//! spent CAPTCHAs and reset flows, all keyed by user IDs the caller chooses) is deleted
//! once it no longer decides anything, so the database cannot be grown without limit.
//! The server runs [`SqliteStore::purge`] every hour.

use super::SqliteStore;
use crate::store::StoreError;
use std::time::Duration;

use crate::store::records::{COUNTERS_KEPT_IDLE, FLOWS_KEPT_AFTER_EXPIRY, PurgeReport, SENDS_KEPT};

impl SqliteStore {
    /// Deletes, as of `now` (seconds since the epoch), audit events older than
    /// `audit_retention`, spent CAPTCHAs past their expiry, sends older than an hour, reset
    /// flows (with their challenges) expired more than a day ago, and failure counters that
    /// are not locked and have not changed for a day, sessions past their end, and method
    /// registrations and one-time passes past their expiry. One transaction: all or nothing.
    pub async fn purge(
        &self,
        now: u64,
        audit_retention: Duration,
    ) -> Result<PurgeReport, StoreError> {
        let at = |age: u64| now.saturating_sub(age).min(i64::MAX as u64) as i64;
        let audit_before = at(audit_retention.as_secs());
        let now_i = at(0);
        let sends_before = at(SENDS_KEPT);
        let flows_before = at(FLOWS_KEPT_AFTER_EXPIRY);
        let counters_before = at(COUNTERS_KEPT_IDLE);
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let report = PurgeReport {
                audit_events: tx.execute("DELETE FROM audit_log WHERE at < ?1", [audit_before])?,
                spent_captchas: tx
                    .execute("DELETE FROM captcha_spent WHERE expires_at <= ?1", [now_i])?,
                sends: tx.execute("DELETE FROM sends WHERE at < ?1", [sends_before])?,
                reset_flows: tx.execute(
                    "DELETE FROM reset_flows WHERE expires_at < ?1",
                    [flows_before],
                )?,
                failure_counters: tx.execute(
                    "DELETE FROM failure_counters
                     WHERE locked_until <= ?1 AND updated_at < ?2",
                    rusqlite::params![now_i, counters_before],
                )?,
                sessions: tx.execute("DELETE FROM sessions WHERE expires_at <= ?1", [now_i])?,
                registrations: tx.execute(
                    "DELETE FROM method_registrations WHERE expires_at <= ?1",
                    [now_i],
                )? + tx.execute(
                    "DELETE FROM one_time_passes WHERE expires_at <= ?1",
                    [now_i],
                )?,
            };
            tx.commit()?;
            Ok(report)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;
    use rusqlite::params;

    const NOW: u64 = 1_800_000_000;
    const DAY: u64 = 24 * 60 * 60;

    async fn count(store: &SqliteStore, table: &'static str) -> i64 {
        store
            .call(move |conn| {
                Ok(
                    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |row| {
                        row.get(0)
                    })?,
                )
            })
            .await
            .unwrap()
    }

    async fn remaining(store: &SqliteStore, sql: &'static str) -> Vec<String> {
        store
            .call(move |conn| {
                let mut stmt = conn.prepare(sql)?;
                let rows = stmt.query_map([], |row| row.get(0))?;
                Ok(rows.collect::<Result<Vec<String>, _>>()?)
            })
            .await
            .unwrap()
    }

    /// Rows on both sides of every limit, as of NOW with a 400-day audit retention.
    async fn seeded() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
        store
            .call(|conn| {
                let now = NOW as i64;
                let day = DAY as i64;
                for (event, at) in [
                    ("old", now - 401 * day),
                    ("kept", now - 399 * day),
                    ("new", now),
                ] {
                    conn.execute(
                        "INSERT INTO audit_log (at, event) VALUES (?1, ?2)",
                        params![at, event],
                    )?;
                }
                for (challenge, expires_at) in [("spent", now), ("live", now + 60)] {
                    conn.execute(
                        "INSERT INTO captcha_spent (challenge, expires_at) VALUES (?1, ?2)",
                        params![challenge, expires_at],
                    )?;
                }
                for (subject, at) in [("old", now - 3601), ("kept", now - 3599)] {
                    conn.execute(
                        "INSERT INTO sends (subject, channel, at) VALUES (?1, 'email', ?2)",
                        params![subject, at],
                    )?;
                }
                for (id, expires_at) in [("old", now - day - 1), ("kept", now - day + 1)] {
                    conn.execute(
                        "INSERT INTO reset_flows
                         (id, subject, methods_required, offered, created_at, expires_at)
                         VALUES (?1, 's', 1, '[]', ?2, ?3)",
                        params![id, expires_at - 1200, expires_at],
                    )?;
                    conn.execute(
                        "INSERT INTO reset_challenges (flow_id, method) VALUES (?1, 'email')",
                        [id],
                    )?;
                }
                for (subject, failures, locked_until, updated_at) in [
                    ("idle", 3, 0, now - day - 1),
                    ("idle-lock-over", 10, now - 10, now - day - 1),
                    ("before-v4", 2, 0, 0),
                    ("recent", 3, 0, now - day + 1),
                    ("locked", 10, now + 60, 0),
                    (
                        "paused-for-the-day",
                        crate::limits::DAILY_FAILURES,
                        now + 3600,
                        0,
                    ),
                ] {
                    conn.execute(
                        "INSERT INTO failure_counters
                         (subject, scope, failures, locked_until, updated_at)
                         VALUES (?1, 'account', ?2, ?3, ?4)",
                        params![subject, failures, locked_until, updated_at],
                    )?;
                }
                Ok(())
            })
            .await
            .unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn purge_deletes_exactly_what_no_longer_decides_anything() {
        let (_dir, store) = seeded().await;
        let report = store
            .purge(NOW, Duration::from_secs(400 * DAY))
            .await
            .unwrap();
        assert_eq!(
            report,
            PurgeReport {
                audit_events: 1,
                spent_captchas: 1,
                sends: 1,
                reset_flows: 1,
                failure_counters: 3,
                sessions: 0,
                registrations: 0,
            }
        );
        assert_eq!(report.total(), 7);
        assert_eq!(
            remaining(&store, "SELECT event FROM audit_log ORDER BY id").await,
            ["kept", "new"]
        );
        assert_eq!(
            remaining(&store, "SELECT challenge FROM captcha_spent").await,
            ["live"]
        );
        assert_eq!(
            remaining(&store, "SELECT subject FROM sends").await,
            ["kept"]
        );
        assert_eq!(
            remaining(&store, "SELECT id FROM reset_flows").await,
            ["kept"]
        );
        assert_eq!(
            remaining(&store, "SELECT flow_id FROM reset_challenges").await,
            ["kept"],
            "a purged flow's challenges go with it"
        );
        assert_eq!(
            remaining(
                &store,
                "SELECT subject FROM failure_counters ORDER BY subject"
            )
            .await,
            ["locked", "paused-for-the-day", "recent"]
        );
    }

    #[tokio::test]
    async fn a_second_purge_at_the_same_time_deletes_nothing_and_later_ones_catch_up() {
        let (_dir, store) = seeded().await;
        let retention = Duration::from_secs(400 * DAY);
        store.purge(NOW, retention).await.unwrap();
        assert_eq!(
            store.purge(NOW, retention).await.unwrap(),
            PurgeReport::default()
        );
        // Two days on: the recent counter, the kept flow and send are old; the locks are
        // over (no pause lasts more than a day) and the counters idle, so they go too.
        store.purge(NOW + 2 * DAY, retention).await.unwrap();
        assert_eq!(count(&store, "failure_counters").await, 0);
        assert_eq!(count(&store, "sends").await, 0);
        assert_eq!(count(&store, "reset_flows").await, 0);
        assert_eq!(count(&store, "captcha_spent").await, 0);
        assert_eq!(
            remaining(&store, "SELECT event FROM audit_log").await,
            ["new"],
            "399 days old two days ago is 401 now"
        );
    }
}
