//! The proof-of-work CAPTCHA, solved in the browser with no puzzle for the person: the
//! search runs in short slices, handing control back to the browser between them, so the
//! page stays responsive and the "checking you're not a robot" state can show.

use sspr_api::captcha::{CaptchaChallenge, CaptchaSolution, search};

/// Numbers tried per slice (a few milliseconds on a phone).
const SLICE: u64 = 4_000;

/// The solution, or `None` when the challenge has no number in its range (a bad challenge).
pub async fn solve(challenge: &CaptchaChallenge) -> Option<CaptchaSolution> {
    let mut from = 0u64;
    while from <= challenge.max_number {
        let to = from.saturating_add(SLICE - 1);
        if let Some(number) = search(challenge, from, to) {
            return Some(CaptchaSolution::new(challenge, number));
        }
        from = to.saturating_add(1);
        yield_to_browser().await;
    }
    None
}

/// Lets the browser render and handle input (a macrotask, not a microtask).
async fn yield_to_browser() {
    let promise = js_sys::Promise::new(&mut |resolve, _reject| {
        if let Some(window) = web_sys::window() {
            let _ = window.set_timeout_with_callback(&resolve);
        }
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}
