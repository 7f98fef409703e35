//! Failure counters and lockouts (DESIGN.md section 5.2), per account and per method,
//! keyed by the flow's subject (a keyed hash of the user ID) so that unknown accounts lock
//! exactly like real ones.
//!
//! A counter counts consecutive failures; it is reset by success only, never by a resend
//! or a new flow. Every `threshold` failures lock the scope for the lockout time; at
//! [`HARD_LIMIT`] failures the scope stays locked until an administrator unlocks it
//! (NIST SP 800-63B: no more than 100 consecutive failures).

use rusqlite::{Connection, OptionalExtension, params};

/// Consecutive failures after which only an administrator can unlock.
pub const HARD_LIMIT: i64 = 100;

/// `locked_until` of a scope locked until an administrator unlocks it.
const FOREVER: i64 = i64::MAX;

/// The scope of the per-account counter; per-method counters use the method kind.
pub const ACCOUNT: &str = "account";

/// A lock in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    /// Seconds until it opens; `None` when only an administrator can unlock.
    pub retry_after: Option<u64>,
}

/// How a scope counts: lock for `lock_seconds` every `threshold` consecutive failures.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub threshold: i64,
    pub lock_seconds: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    pub failures: i64,
    pub locked_until: i64,
}

impl Counter {
    pub fn lock(&self, now: i64) -> Option<Locked> {
        if self.locked_until == FOREVER || self.failures >= HARD_LIMIT {
            Some(Locked { retry_after: None })
        } else if self.locked_until > now {
            Some(Locked {
                retry_after: Some((self.locked_until - now) as u64),
            })
        } else {
            None
        }
    }

    /// One more failure; returns the lock it causes, if any.
    pub fn fail(&mut self, limit: Limit, now: i64) -> Option<Locked> {
        self.failures += 1;
        if self.failures >= HARD_LIMIT {
            self.locked_until = FOREVER;
        } else if self.failures % limit.threshold.max(1) == 0 {
            self.locked_until = now + limit.lock_seconds;
        }
        self.lock(now)
    }

    /// Tries left before the next lock.
    pub fn left(&self, limit: Limit) -> i64 {
        let threshold = limit.threshold.max(1);
        let to_lock = threshold - self.failures % threshold;
        to_lock.min(HARD_LIMIT - self.failures).max(0)
    }
}

pub fn load(conn: &Connection, subject: &str, scope: &str) -> rusqlite::Result<Counter> {
    Ok(conn
        .query_row(
            "SELECT failures, locked_until FROM failure_counters WHERE subject = ?1 AND scope = ?2",
            params![subject, scope],
            |row| {
                Ok(Counter {
                    failures: row.get(0)?,
                    locked_until: row.get(1)?,
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
        "INSERT INTO failure_counters (subject, scope, failures, locked_until, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (subject, scope) DO UPDATE SET failures = ?3, locked_until = ?4,
           updated_at = ?5",
        params![subject, scope, counter.failures, counter.locked_until, now],
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
        None => conn.execute("DELETE FROM failure_counters WHERE subject = ?1", [subject])?,
    };
    Ok(())
}

impl super::SqliteStore {
    /// The lock on the account of `subject`, if one is in force.
    pub async fn account_lock(
        &self,
        subject: String,
        now: u64,
    ) -> Result<Option<Locked>, super::StoreError> {
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
    ) -> Result<Option<Locked>, super::StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let mut counter = load(&tx, &subject, ACCOUNT)?;
            let lock = counter.fail(limit, now as i64);
            save(&tx, &subject, ACCOUNT, counter, now as i64)?;
            super::sqlite::audit_at(&tx, now, event, Some(&subject), None)?;
            tx.commit()?;
            Ok(lock)
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LIMIT: Limit = Limit {
        threshold: 5,
        lock_seconds: 900,
    };

    #[test]
    fn every_threshold_failures_lock_for_the_lockout_time() {
        let mut counter = Counter::default();
        for _ in 0..4 {
            assert_eq!(counter.fail(LIMIT, 1000), None);
        }
        assert_eq!(counter.left(LIMIT), 1);
        assert_eq!(
            counter.fail(LIMIT, 1000),
            Some(Locked {
                retry_after: Some(900)
            })
        );
        assert_eq!(
            counter.lock(1899),
            Some(Locked {
                retry_after: Some(1)
            })
        );
        assert_eq!(counter.lock(1900), None);
        // The count goes on after the lock ends: five more failures lock again.
        assert_eq!(counter.left(LIMIT), 5);
        for _ in 0..4 {
            assert_eq!(counter.fail(LIMIT, 2000), None);
        }
        assert!(counter.fail(LIMIT, 2000).is_some());
    }

    #[test]
    fn a_hundred_consecutive_failures_lock_until_an_administrator_unlocks() {
        let mut counter = Counter::default();
        let limit = Limit {
            threshold: 100,
            lock_seconds: 60,
        };
        for _ in 0..99 {
            assert_eq!(counter.fail(limit, 0), None);
        }
        assert_eq!(counter.fail(limit, 0), Some(Locked { retry_after: None }));
        assert_eq!(
            counter.lock(i64::MAX - 1),
            Some(Locked { retry_after: None })
        );
        assert_eq!(counter.left(limit), 0);
    }
}
