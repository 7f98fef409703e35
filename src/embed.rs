//! What the portal tells an embedding login page (README, "Embedding"): plain DOM events
//! on `window` (`sspr:step` after each step change, `sspr:completed`, `sspr:cancelled`),
//! which `public/boot.js` passes on to the host page with `postMessage` when the portal is
//! embedded by an allowed origin; otherwise nobody listens.

/// A step change: the step is the URL's `step` parameter.
pub const STEP: &str = "sspr:step";
/// The password was changed.
pub const COMPLETED: &str = "sspr:completed";
/// The person cancelled the reset.
pub const CANCELLED: &str = "sspr:cancelled";

/// Fires `event` on `window`.
pub fn announce(event: &str) {
    if let Ok(event) = web_sys::Event::new(event) {
        let _ = leptos::prelude::window().dispatch_event(&event);
    }
}
