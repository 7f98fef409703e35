//! Failure counting and slow-downs, as plain arithmetic with no database in it
//! (docs/SECURITY.md, "Limits that cannot be turned into a weapon").
//!
//! A [`Counter`] counts the failed proofs of one scope: an account (or one recognised
//! browser of that account), or one method kind of it. The rules:
//!
//! - Every `threshold` consecutive failures pause the scope for `lock_seconds`; for an
//!   account the pause doubles each time (growing delays, 15 min, 30 min, 1 h, ... up to
//!   a day), so guessing slows down instead of ending in a lock only an administrator can
//!   lift.
//! - At most [`DAILY_FAILURES`] failures count in any day-long window: the 100th pauses the
//!   scope until the window ends (NIST SP 800-63B's bound of 100 consecutive failures,
//!   applied per day, lifting by itself).
//! - Success clears the consecutive count and the pause, not the day's window.
//! - The owner is told once a day at most that someone is failing against the account
//!   ([`Counter::should_notify`]).
//!
//! An attacker fills the counters of the account's anonymous scope only: a browser that
//! completed a reset before has a scope of its own (see `reset::device`), so the owner can
//! still reset while the account is under attack.

/// Seconds in the window of [`SendWindow`]: codes are counted per hour.
pub const HOUR: i64 = 3600;

/// Seconds in the window of [`DAILY_FAILURES`].
pub const DAY: i64 = 86_400;

/// Failures that count in one window; the last one pauses the scope until it ends.
pub const DAILY_FAILURES: i64 = 100;

/// `locked_until` of a pause that lasts until a password reset or an administrator lifts
/// it (a reported app notification), never by itself.
pub const UNTIL_LIFTED: i64 = i64::MAX;

/// The wait a pause [`UNTIL_LIFTED`] gives at `now`: the time to the next midnight (UTC),
/// where it begins again. Said like any pause (at most a day, counting down), so whoever
/// is refused cannot tell it from the daily failure limit, which decoys reach too: a
/// pause with no end would show that the account is real and its owner reported
/// (docs/SECURITY.md R1).
pub fn until_lifted_shown(now: i64) -> u64 {
    (DAY - now.rem_euclid(DAY)) as u64
}

/// A pause in force.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Locked {
    /// Seconds until it ends. Always known now; `None` stays in the contract for a lock
    /// that only the help desk can lift (none is made any more).
    pub retry_after: Option<u64>,
}

/// How a scope counts: pause for `lock_seconds` every `threshold` consecutive failures,
/// doubling each time when `growing`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit {
    pub threshold: i64,
    pub lock_seconds: i64,
    pub growing: bool,
}

/// The state of one scope's counter.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counter {
    /// Consecutive failures (cleared by success).
    pub failures: i64,
    /// No try is taken before this time.
    pub locked_until: i64,
    /// Start of the current day-long window, and the failures counted in it.
    pub window_start: i64,
    pub window_failures: i64,
    /// When the owner was last told of failures against the account.
    pub notified_at: i64,
}

impl Counter {
    /// The pause in force at `now`, if any.
    pub fn lock(&self, now: i64) -> Option<Locked> {
        (self.locked_until > now).then(|| Locked {
            retry_after: Some(if self.locked_until == UNTIL_LIFTED {
                until_lifted_shown(now)
            } else {
                (self.locked_until - now) as u64
            }),
        })
    }

    /// Pauses the scope until a reset or an administrator lifts it.
    pub fn lock_until_lifted(&mut self) {
        self.locked_until = UNTIL_LIFTED;
    }

    /// One more failure at `now`; returns the pause it causes, if any.
    pub fn fail(&mut self, limit: Limit, now: i64) -> Option<Locked> {
        if self.window_failures == 0 || now >= self.window_start + DAY {
            self.window_start = now;
            self.window_failures = 0;
        }
        self.failures += 1;
        self.window_failures += 1;
        let threshold = limit.threshold.max(1);
        if self.locked_until == UNTIL_LIFTED {
            // Stays until lifted, whatever else happens.
        } else if self.window_failures >= DAILY_FAILURES {
            self.locked_until = self.locked_until.max(self.window_start + DAY);
        } else if self.failures % threshold == 0 {
            let pause = if limit.growing {
                // 1, 2, 4, ... times the lock time, at most a day.
                let doublings = (self.failures / threshold - 1).clamp(0, 16) as u32;
                limit.lock_seconds.saturating_mul(1 << doublings).min(DAY)
            } else {
                limit.lock_seconds
            };
            self.locked_until = now + pause;
        }
        self.lock(now)
    }

    /// Tries left before the next pause.
    pub fn left(&self, limit: Limit) -> i64 {
        let threshold = limit.threshold.max(1);
        let to_pause = threshold - self.failures % threshold;
        to_pause.min(DAILY_FAILURES - self.window_failures).max(0)
    }

    /// A proof succeeded: the consecutive count and the pause are cleared; the day's
    /// window keeps counting.
    pub fn succeed(&mut self) {
        self.failures = 0;
        self.locked_until = 0;
    }

    /// Whether to tell the owner now that someone is failing against the account: true
    /// at most once a day; records that they were told.
    pub fn should_notify(&mut self, now: i64) -> bool {
        if self.notified_at != 0 && now < self.notified_at + DAY {
            return false;
        }
        self.notified_at = now;
        true
    }
}

/// The limits a send or a proof is held to (from the policy).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub account: Limit,
    pub method: Limit,
    /// Wrong tries per code.
    pub code_attempts: i64,
    /// Codes (or calls, or notifications) sent per account and channel per `send_window`.
    pub sends_per_window: i64,
    /// Seconds the send allowance counts over (an hour for codes).
    pub send_window: i64,
    /// Seconds between two codes for the same challenge.
    pub resend_interval: i64,
    /// Whether `resend_interval` holds across the account's flows too (calls and app
    /// notifications: one at a time per account, however many flows are started).
    pub resend_per_account: bool,
}

/// What one wrong proof leads to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The account (or the method) is paused from now.
    Paused { account: bool, lock: Locked },
    /// Not paused: tries left before the next pause (or before the code dies).
    Wrong { attempts_left: u32 },
}

/// One wrong proof, counted on the account and on the method at `now`. `code_tries` is
/// the code's wrong tries so far, this one included, when the proof was a sent code.
/// Returns what follows, and whether to tell the owner now (the account starts pausing,
/// once a day at most).
pub fn wrong_proof(
    account: &mut Counter,
    method: &mut Counter,
    code_tries: Option<i64>,
    limits: Limits,
    now: i64,
) -> (Failure, bool) {
    let account_lock = account.fail(limits.account, now);
    let method_lock = method.fail(limits.method, now);
    let notify = account_lock.is_some() && account.should_notify(now);
    let failure = match (account_lock, method_lock) {
        (Some(lock), _) => Failure::Paused {
            account: true,
            lock,
        },
        (None, Some(lock)) => Failure::Paused {
            account: false,
            lock,
        },
        (None, None) => {
            let mut left = account.left(limits.account).min(method.left(limits.method));
            if let Some(tries) = code_tries {
                left = left.min(limits.code_attempts - tries);
            }
            Failure::Wrong {
                attempts_left: left.max(0) as u32,
            }
        }
    };
    (failure, notify)
}

/// The codes sent to one account's channel in the hour before now.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SendWindow {
    pub count: i64,
    /// When the oldest of them was sent.
    pub oldest: Option<i64>,
    /// When the newest of them was sent (any flow's).
    pub newest: Option<i64>,
}

/// Whether a code may be sent now.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SendCheck {
    Allowed,
    /// A code went out for this method moments ago: seconds until another may.
    ResendWait(u64),
    /// The hour's codes to this channel are used up: seconds until the next one may.
    HourUsedUp(u64),
}

/// Another code for a method whose last one went out at `last_sent` (if any), with
/// `window` the channel's sends in the last hour.
pub fn may_send(last_sent: Option<i64>, window: SendWindow, limits: Limits, now: i64) -> SendCheck {
    let last_sent = if limits.resend_per_account {
        last_sent.max(window.newest)
    } else {
        last_sent
    };
    if let Some(sent) = last_sent {
        let wait = sent + limits.resend_interval - now;
        if wait > 0 {
            return SendCheck::ResendWait(wait as u64);
        }
    }
    if window.count >= limits.sends_per_window {
        let retry_after = window
            .oldest
            .map_or(limits.send_window, |oldest| {
                oldest + limits.send_window - now
            })
            .max(1);
        return SendCheck::HourUsedUp(retry_after as u64);
    }
    SendCheck::Allowed
}

#[cfg(test)]
mod tests {
    use super::*;

    const METHOD: Limit = Limit {
        threshold: 5,
        lock_seconds: 900,
        growing: false,
    };
    const ACCOUNT: Limit = Limit {
        threshold: 10,
        lock_seconds: 900,
        growing: true,
    };

    #[test]
    fn a_pause_until_lifted_says_a_wait_like_any_pause_and_never_ends() {
        let mut counter = Counter::default();
        counter.lock_until_lifted();
        let midnight = 20 * DAY;
        for (now, shown) in [
            (midnight - 1, 1),
            (midnight, DAY),
            (midnight + 3600, DAY - 3600),
            (midnight + 400 * DAY + 10, DAY - 10),
        ] {
            assert_eq!(
                counter.lock(now),
                Some(Locked {
                    retry_after: Some(shown as u64)
                })
            );
        }
        // Failures do not end it; only a reset or an administrator does.
        assert!(counter.fail(METHOD, midnight).is_some());
        assert_eq!(counter.locked_until, UNTIL_LIFTED);
    }

    #[test]
    fn every_threshold_failures_pause_for_the_lock_time() {
        let mut counter = Counter::default();
        for _ in 0..4 {
            assert_eq!(counter.fail(METHOD, 1000), None);
        }
        assert_eq!(counter.left(METHOD), 1);
        assert_eq!(
            counter.fail(METHOD, 1000),
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
        // The count goes on after the pause: five more failures pause again, as long.
        assert_eq!(counter.left(METHOD), 5);
        for _ in 0..4 {
            assert_eq!(counter.fail(METHOD, 2000), None);
        }
        assert_eq!(counter.fail(METHOD, 2000).unwrap().retry_after, Some(900));
    }

    #[test]
    fn account_pauses_double_each_time_up_to_a_day() {
        let mut counter = Counter::default();
        let mut now = 0;
        let mut pauses = Vec::new();
        while pauses.len() < 8 {
            if let Some(lock) = counter.fail(ACCOUNT, now) {
                let wait = lock.retry_after.unwrap() as i64;
                pauses.push(wait);
                now += wait;
            }
        }
        assert_eq!(
            pauses,
            [900, 1800, 3600, 7200, 14_400, 28_800, 57_600, 86_400]
        );
    }

    #[test]
    fn at_most_a_hundred_failures_count_in_a_day_and_the_pause_lifts_by_itself() {
        let mut counter = Counter::default();
        let limit = Limit {
            threshold: 1000,
            lock_seconds: 60,
            growing: true,
        };
        for i in 0..99 {
            assert_eq!(counter.fail(limit, 10 + i), None, "failure {i}");
        }
        assert_eq!(counter.left(limit), 1);
        let lock = counter.fail(limit, 500).unwrap();
        // Until the window that started with the first failure ends.
        assert_eq!(lock.retry_after, Some((10 + DAY - 500) as u64));
        assert!(counter.lock(10 + DAY - 1).is_some());
        assert_eq!(counter.lock(10 + DAY), None);
        // A new window: failures count again, from zero.
        assert_eq!(counter.fail(limit, 10 + DAY), None);
        assert_eq!(counter.window_failures, 1);
    }

    #[test]
    fn success_clears_the_pause_and_the_streak_not_the_days_count() {
        let mut counter = Counter::default();
        for _ in 0..10 {
            counter.fail(ACCOUNT, 0);
        }
        assert!(counter.lock(0).is_some());
        counter.succeed();
        assert_eq!(counter.lock(0), None);
        assert_eq!(counter.failures, 0);
        assert_eq!(counter.window_failures, 10);
    }

    #[test]
    fn the_owner_is_told_once_a_day_at_most() {
        let mut counter = Counter::default();
        assert!(counter.should_notify(1000));
        assert!(!counter.should_notify(1000 + DAY - 1));
        assert!(counter.should_notify(1000 + DAY));
    }

    const LIMITS: Limits = Limits {
        account: ACCOUNT,
        method: METHOD,
        code_attempts: 5,
        sends_per_window: 5,
        send_window: HOUR,
        resend_per_account: false,
        resend_interval: 30,
    };

    #[test]
    fn a_wrong_proof_counts_on_both_and_says_the_fewest_tries_left() {
        let (mut account, mut method) = (Counter::default(), Counter::default());
        // Three tries left on the code, four on the method, nine on the account.
        let (failure, notify) = wrong_proof(&mut account, &mut method, Some(2), LIMITS, 100);
        assert_eq!(failure, Failure::Wrong { attempts_left: 3 });
        assert!(!notify);
        assert_eq!((account.failures, method.failures), (1, 1));
        // Without a code (app codes, answers): the method's count decides.
        let (failure, _) = wrong_proof(&mut account, &mut method, None, LIMITS, 100);
        assert_eq!(failure, Failure::Wrong { attempts_left: 3 });
    }

    #[test]
    fn the_method_pauses_first_then_the_account_and_the_owner_is_told_then() {
        let (mut account, mut method) = (Counter::default(), Counter::default());
        for _ in 0..4 {
            wrong_proof(&mut account, &mut method, None, LIMITS, 100);
        }
        let (failure, notify) = wrong_proof(&mut account, &mut method, None, LIMITS, 100);
        assert_eq!(
            failure,
            Failure::Paused {
                account: false,
                lock: Locked {
                    retry_after: Some(900)
                }
            }
        );
        assert!(!notify);
        // Five more on another method of the same account: the account pauses.
        let mut other = Counter::default();
        for _ in 0..4 {
            wrong_proof(&mut account, &mut other, None, LIMITS, 2000);
        }
        let (failure, notify) = wrong_proof(&mut account, &mut other, None, LIMITS, 2000);
        assert!(matches!(failure, Failure::Paused { account: true, .. }));
        assert!(notify, "told when the account starts pausing");
    }

    #[test]
    fn codes_wait_between_sends_and_stop_when_the_hour_is_used_up() {
        let none = SendWindow::default();
        assert_eq!(may_send(None, none, LIMITS, 1000), SendCheck::Allowed);
        assert_eq!(
            may_send(Some(990), none, LIMITS, 1000),
            SendCheck::ResendWait(20)
        );
        assert_eq!(may_send(Some(970), none, LIMITS, 1000), SendCheck::Allowed);
        // Calls and notifications: another flow's send 10 s ago counts too.
        let another_flow = SendWindow {
            count: 1,
            oldest: Some(990),
            newest: Some(990),
        };
        assert_eq!(
            may_send(None, another_flow, LIMITS, 1000),
            SendCheck::Allowed
        );
        let per_account = Limits {
            resend_per_account: true,
            ..LIMITS
        };
        assert_eq!(
            may_send(None, another_flow, per_account, 1000),
            SendCheck::ResendWait(20)
        );
        let full = SendWindow {
            count: 5,
            oldest: Some(700),
            newest: Some(900),
        };
        // The oldest of the hour's five was sent 300 s ago: 3300 s to wait.
        assert_eq!(
            may_send(None, full, LIMITS, 1000),
            SendCheck::HourUsedUp(3300)
        );
    }
}
