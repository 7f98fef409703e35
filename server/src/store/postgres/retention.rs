//! Retention (as `store/sqlite/retention.rs` over SQLite): what anyone can make the server write
//! is deleted once it no longer decides anything. Every server instance purges hourly; an
//! advisory lock makes their purges follow one another instead of racing over the same rows.

use super::{PgStore, StoreError, exec};
use crate::store::records::PurgeReport;
use crate::store::records::{COUNTERS_KEPT_IDLE, FLOWS_KEPT_AFTER_EXPIRY, SENDS_KEPT};
use std::time::Duration;

/// ("SSPR", 2) in the two-key advisory lock space (1 is the migrations').
const PURGE_LOCK: (i32, i32) = (0x5353_5052, 2);

impl PgStore {
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
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            exec(
                &tx,
                "SELECT pg_advisory_xact_lock($1, $2)",
                &[&PURGE_LOCK.0, &PURGE_LOCK.1],
            )
            .await?;
            let count = |n: u64| n as usize;
            let report = PurgeReport {
                audit_events: count(
                    exec(&tx, "DELETE FROM audit_log WHERE at < $1", &[&audit_before]).await?,
                ),
                spent_captchas: count(
                    exec(
                        &tx,
                        "DELETE FROM captcha_spent WHERE expires_at <= $1",
                        &[&now_i],
                    )
                    .await?,
                ),
                sends: count(exec(&tx, "DELETE FROM sends WHERE at < $1", &[&sends_before]).await?),
                reset_flows: count(
                    exec(
                        &tx,
                        "DELETE FROM reset_flows WHERE expires_at < $1",
                        &[&flows_before],
                    )
                    .await?,
                ),
                failure_counters: count(
                    exec(
                        &tx,
                        "DELETE FROM failure_counters
                         WHERE locked_until <= $1 AND updated_at < $2",
                        &[&now_i, &counters_before],
                    )
                    .await?,
                ),
                sessions: count(
                    exec(
                        &tx,
                        "DELETE FROM sessions WHERE expires_at <= $1",
                        &[&now_i],
                    )
                    .await?,
                ),
                registrations: count(
                    exec(
                        &tx,
                        "DELETE FROM method_registrations WHERE expires_at <= $1",
                        &[&now_i],
                    )
                    .await?
                        + exec(
                            &tx,
                            "DELETE FROM one_time_passes WHERE expires_at <= $1",
                            &[&now_i],
                        )
                        .await?,
                ),
            };
            tx.commit().await?;
            Ok(report)
        })
        .await
    }
}
