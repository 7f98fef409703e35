//! Failure counters, per account and per method, keyed by the flow's subject (as in
//! `store/sqlite/counters.rs`); the arithmetic is in [`crate::limits`].
//!
//! Whoever changes an account's counters or sends first takes [`lock_subject`]: a
//! transaction-level advisory lock on the account's subject, shared by the subjects of its
//! recognised browsers (`subject:tag`). It covers counters that have no row yet, so two
//! wrong proofs at once both count, and a cleared account cannot be half cleared.

use super::{GenericClient, PgStore, StoreError, audit_at, exec, opt, read_tx};
use crate::limits::{Counter, Limit, Locked};
use crate::store::records::{ACCOUNT, Pauses};

/// Holds the counters and sends of the account of `subject` until the transaction ends.
pub(super) async fn lock_subject<C: GenericClient>(
    conn: &C,
    subject: &str,
) -> Result<(), StoreError> {
    let account = subject.split(':').next().unwrap_or(subject);
    exec(
        conn,
        "SELECT pg_advisory_xact_lock(hashtextextended('sspr-subject:' || $1::text, 0))",
        &[&account],
    )
    .await?;
    Ok(())
}

pub(super) async fn load<C: GenericClient>(
    conn: &C,
    subject: &str,
    scope: &str,
) -> Result<Counter, StoreError> {
    let row = opt(
        conn,
        "SELECT failures, locked_until, window_start, window_failures, notified_at
         FROM failure_counters WHERE subject = $1 AND scope = $2",
        &[&subject, &scope],
    )
    .await?;
    let Some(row) = row else {
        return Ok(Counter::default());
    };
    Ok(Counter {
        failures: row.try_get(0)?,
        locked_until: row.try_get(1)?,
        window_start: row.try_get(2)?,
        window_failures: row.try_get(3)?,
        notified_at: row.try_get(4)?,
    })
}

pub(super) async fn save<C: GenericClient>(
    conn: &C,
    subject: &str,
    scope: &str,
    counter: Counter,
    now: i64,
) -> Result<(), StoreError> {
    // `updated_at` lets the retention purge drop counters idle for a day.
    exec(
        conn,
        "INSERT INTO failure_counters (subject, scope, failures, locked_until, updated_at,
                                       window_start, window_failures, notified_at)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
         ON CONFLICT (subject, scope) DO UPDATE SET failures = $3, locked_until = $4,
           updated_at = $5, window_start = $6, window_failures = $7, notified_at = $8",
        &[
            &subject,
            &scope,
            &counter.failures,
            &counter.locked_until,
            &now,
            &counter.window_start,
            &counter.window_failures,
            &counter.notified_at,
        ],
    )
    .await?;
    Ok(())
}

/// Forgets the failures of a scope (after a success, or an administrator's unlock).
pub(super) async fn reset<C: GenericClient>(
    conn: &C,
    subject: &str,
    scope: Option<&str>,
) -> Result<(), StoreError> {
    match scope {
        Some(scope) => {
            exec(
                conn,
                "DELETE FROM failure_counters WHERE subject = $1 AND scope = $2",
                &[&subject, &scope],
            )
            .await?
        }
        // The account's scopes and those of its recognised browsers (`subject:tag`): in
        // bytewise order, exactly the subjects from "subject:" to before "subject;".
        None => {
            exec(
                conn,
                "DELETE FROM failure_counters WHERE subject = $1
                   OR (subject >= ($1::text || ':') COLLATE \"C\"
                       AND subject < ($1::text || ';') COLLATE \"C\")",
                &[&subject],
            )
            .await?
        }
    };
    Ok(())
}

impl PgStore {
    /// The pauses in force on the account of `subject` and on each of `kinds`, read
    /// alike for real and decoy subjects.
    pub async fn pauses(
        &self,
        subject: String,
        kinds: Vec<sspr_api::MethodKind>,
        now: u64,
    ) -> Result<Pauses, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = read_tx(&mut client).await?;
            let now = now as i64;
            let account = load(&tx, &subject, ACCOUNT).await?.lock(now);
            let mut methods = Vec::with_capacity(kinds.len());
            for kind in &kinds {
                methods.push(load(&tx, &subject, kind.as_str()).await?.lock(now));
            }
            tx.commit().await?;
            Ok(Pauses { account, methods })
        })
        .await
    }

    /// The lock on the account of `subject`, if one is in force.
    pub async fn account_lock(
        &self,
        subject: String,
        now: u64,
    ) -> Result<Option<Locked>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            Ok(load(&client, &subject, ACCOUNT).await?.lock(now as i64))
        })
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
    ) -> Result<Option<Locked>, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            lock_subject(&tx, &subject).await?;
            let mut counter = load(&tx, &subject, ACCOUNT).await?;
            let lock = counter.fail(limit, now as i64);
            save(&tx, &subject, ACCOUNT, counter, now as i64).await?;
            audit_at(&tx, now, event, Some(&subject), None).await?;
            tx.commit().await?;
            Ok(lock)
        })
        .await
    }
}
