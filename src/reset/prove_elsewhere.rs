//! Step 3 for the methods proven on another device, with nothing to type here:
//!
//! - an office phone: "We're calling •••• 12. Answer and press #"; the page reads the
//!   flow every two seconds and moves on once the method shows as proven;
//! - app notifications: "Open your authenticator and choose 47"; the page waits on the
//!   server, which holds each wait until the answer changes, so an approval shows within
//!   a second.
//!
//! Both count the prompt's time down; when it ends without the proof (declined, the wrong
//! number, no answer, or a decoy's phone that never rang) the page says it was not
//! confirmed and offers to try again, never more: an unknown account's flow behaves the
//! same way (docs/SECURITY.md, enumeration). One component for both keeps the portal's
//! wasm small.

use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use super::{OtherMethodLink, Portal};
use crate::api::{self, FlowKey};
use crate::components::countdown::run_countdown;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, HelpdeskLink, SentenceWithDuration};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::authenticator::ApprovalState;
use sspr_api::reset::ResetFlow;
use sspr_api::{ErrorCode, MethodKind};

/// Milliseconds between two reads of the flow while a call is on.
const CALL_POLL_MS: i32 = 2000;

/// The texts of one kind of prompt.
struct Texts {
    heading: fn(Locale) -> &'static str,
    waiting: fn(Locale) -> &'static str,
    time_left: fn(Locale) -> &'static str,
    ended: fn(Locale) -> &'static str,
    again: fn(Locale) -> &'static str,
    too_many: fn(Locale) -> &'static str,
}

const CALL: Texts = Texts {
    heading: |l| td_string!(l, reset.call.heading),
    waiting: |l| td_string!(l, reset.call.calling),
    time_left: |l| td_string!(l, reset.call.time_left),
    ended: |l| td_string!(l, reset.call.not_confirmed),
    again: |l| td_string!(l, reset.call.again),
    too_many: |l| td_string!(l, reset.call.too_many),
};

const NOTIFICATION: Texts = Texts {
    heading: |l| td_string!(l, reset.notification.heading),
    waiting: |l| td_string!(l, reset.notification.waiting),
    time_left: |l| td_string!(l, reset.notification.time_left),
    ended: |l| td_string!(l, reset.notification.not_approved),
    again: |l| td_string!(l, reset.notification.again),
    too_many: |l| td_string!(l, reset.notification.too_many),
};

/// Waits `ms` milliseconds (the browser's timer).
async fn sleep(ms: i32) {
    let promise = js_sys::Promise::new(&mut |resolve, _| {
        let _ = window().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = wasm_bindgen_futures::JsFuture::from(promise).await;
}

/// The flow with the method proven, when it got proven before the prompt's time (`left`)
/// ran out.
async fn proven(
    kind: MethodKind,
    key: &FlowKey,
    method_id: &str,
    left: RwSignal<u64>,
) -> Option<ResetFlow> {
    if kind == MethodKind::AppNotification {
        loop {
            match api::approval(key, method_id).await.map(|s| s.state) {
                Ok(ApprovalState::Waiting) => continue,
                Ok(ApprovalState::Approved) => return api::reset_flow(key).await.ok(),
                Ok(ApprovalState::NotApproved) | Err(_) => return None,
            }
        }
    }
    while left.try_get_untracked().unwrap_or(0) > 0 {
        sleep(CALL_POLL_MS).await;
        if let Ok(flow) = api::reset_flow(key).await
            && flow.verified.iter().any(|id| id == method_id)
        {
            return Some(flow);
        }
    }
    None
}

#[component]
pub fn ProveElsewhere(method_id: String, kind: MethodKind) -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let texts = if kind == MethodKind::AppNotification {
        &NOTIFICATION
    } else {
        &CALL
    };
    let here = Step::Prove(method_id.clone());
    let hint = portal
        .wizard
        .with_untracked(|w| w.method(&method_id).and_then(|m| m.hint.clone()))
        .unwrap_or_default();
    let flow_key = portal.flow_key().unwrap_or_default();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let sending = RwSignal::new(false);
    // The number to choose on the phone (app notifications).
    let number = RwSignal::new(None::<u8>);
    // Seconds the prompt still waits; 0 once it is over (or before it went out).
    let left = RwSignal::new(0u64);
    run_countdown(left);
    // Whether a prompt went out from this page and ended without the proof.
    let ended = RwSignal::new(false);
    // Seconds until another prompt may be sent.
    let again_in = RwSignal::new(0u64);
    run_countdown(again_in);
    // The prompts allowed for now are used up: seconds until another.
    let used_up = RwSignal::new(0u64);
    run_countdown(used_up);
    let is_used_up = Memo::new(move |_| used_up.get() > 0);

    let send = move || {
        if sending.get_untracked() || again_in.get_untracked() > 0 {
            return;
        }
        sending.set(true);
        let key = flow_key.clone();
        let method_id = method_id.clone();
        let here = here.clone();
        spawn_local(async move {
            let result = api::send_challenge(&key, &method_id, None).await;
            if !portal.still_on(&here) {
                return;
            }
            sending.try_set(false);
            let seconds = match result {
                Ok(sent) => {
                    number.try_set(sent.number_to_choose);
                    let seconds = sent.call_seconds.or(sent.wait_seconds).unwrap_or(60);
                    again_in.try_set(sent.resend_in_seconds.unwrap_or(seconds));
                    seconds
                }
                Err(error) => {
                    let wait = error.problem().and_then(|p| p.retry_after_seconds);
                    match error.code() {
                        // Back, or a reload, while the prompt is out: it still is.
                        Some(ErrorCode::RateLimited) if kind == MethodKind::OfficePhone => {
                            again_in.try_set(wait.unwrap_or(0));
                            wait.unwrap_or(0)
                        }
                        Some(ErrorCode::TooManyCodes) => {
                            used_up.try_set(wait.unwrap_or(900));
                            return;
                        }
                        _ => {
                            portal.show_error(errors, "prompt", &error);
                            return;
                        }
                    }
                }
            };
            left.try_set(seconds);
            ended.try_set(false);
            errors.try_set(Vec::new());
            if let Some(flow) = proven(kind, &key, &method_id, left).await {
                if portal.still_on(&here) {
                    portal.flow_changed(flow);
                }
                return;
            }
            left.try_set(0);
            ended.try_set(true);
        });
    };
    send();
    let send_again = send.clone();
    let waiting = Memo::new(move |_| left.get() > 0);

    let lead = move || {
        let locale = i18n.get_locale();
        match number.get() {
            Some(_) => td_string!(locale, reset.notification.choose).to_owned(),
            // Out of calls: nothing is calling.
            None if kind == MethodKind::OfficePhone && !is_used_up.get() => {
                td_string!(locale, reset.call.lead, hint = hint.clone()).to_string()
            }
            None => String::new(),
        }
    };
    let status = move || {
        let locale = i18n.get_locale();
        if sending.get() || waiting.get() {
            (texts.waiting)(locale)
        } else if ended.get() && !is_used_up.get() {
            (texts.ended)(locale)
        } else {
            ""
        }
    };
    view! {
        <ErrorSummary errors />
        <StepHeading text=fixed(texts.heading) />
        <p class="body">{lead}</p>
        {move || number.get().map(|n| view! {
            <p class="number-to-choose" id="number-to-choose" dir="ltr">{n.to_string()}</p>
        })}
        <p class="status prompt-status" role="status" aria-live="polite">{status}</p>
        {move || waiting.get().then(|| view! {
            <p class="hint prompt-time">
                <SentenceWithDuration text=texts.time_left seconds=left />
            </p>
        })}
        {move || is_used_up.get().then(|| view! {
            <div class="notification notification--warning" id="prompts-used-up">
                <p class="body"><SentenceWithDuration text=texts.too_many seconds=used_up /></p>
                <HelpdeskLink />
            </div>
        })}
        {move || (ended.get() && !is_used_up.get()).then(|| {
            let send_again = send_again.clone();
            view! {
                <p class="body">
                    <button
                        type="button"
                        class="button prompt-again"
                        aria-disabled=move || (again_in.get() > 0 || sending.get()).then_some("true")
                        on:click=move |_| send_again()
                    >
                        {text(texts.again)}
                    </button>
                </p>
            }
        })}
        <OtherMethodLink />
    }
}
