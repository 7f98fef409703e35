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
