//! A countdown of whole seconds, for "send a new code in 30 seconds" and expiry notices.

use leptos::prelude::*;
use std::time::Duration;

/// Counts `left` down by one every second until it reaches 0; stops with the component.
pub fn run_countdown(left: RwSignal<u64>) {
    let handle = set_interval_with_handle(
        move || {
            left.try_update(|seconds| *seconds = seconds.saturating_sub(1));
        },
        Duration::from_secs(1),
    );
    if let Ok(handle) = handle {
        on_cleanup(move || handle.clear());
    }
}

/// Whole minutes, rounded up, for messages such as "try again in 15 minutes".
pub fn minutes_rounded_up(seconds: u64) -> u64 {
    seconds.div_ceil(60).max(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn minutes_round_up_and_never_say_zero() {
        assert_eq!(minutes_rounded_up(0), 1);
        assert_eq!(minutes_rounded_up(59), 1);
        assert_eq!(minutes_rounded_up(60), 1);
        assert_eq!(minutes_rounded_up(61), 2);
        assert_eq!(minutes_rounded_up(900), 15);
    }
}
