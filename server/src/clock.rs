//! The time, injectable: the server uses the system clock; tests move a manual one to
//! check expiry, lockouts and rate limits without waiting.

use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

#[derive(Clone)]
pub struct Clock(Source);

#[derive(Clone)]
enum Source {
    System,
    Manual(Arc<AtomicU64>),
}

impl Clock {
    pub fn system() -> Clock {
        Clock(Source::System)
    }

    /// A clock that stands still at `start` until moved with [`Clock::advance`].
    pub fn manual(start: u64) -> Clock {
        Clock(Source::Manual(Arc::new(AtomicU64::new(start))))
    }

    /// Unix time in seconds.
    pub fn now(&self) -> u64 {
        match &self.0 {
            Source::System => SystemTime::now()
                .duration_since(UNIX_EPOCH)
                .map(|d| d.as_secs())
                .unwrap_or(0),
            Source::Manual(now) => now.load(Ordering::SeqCst),
        }
    }

    /// Moves a manual clock forward (no effect on the system clock).
    pub fn advance(&self, seconds: u64) {
        if let Source::Manual(now) = &self.0 {
            now.fetch_add(seconds, Ordering::SeqCst);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn manual_clock_moves_only_when_told() {
        let clock = Clock::manual(100);
        let copy = clock.clone();
        assert_eq!(clock.now(), 100);
        copy.advance(30);
        assert_eq!(clock.now(), 130);
    }

    #[test]
    fn system_clock_is_after_2025() {
        assert!(Clock::system().now() > 1_735_689_600);
    }
}
