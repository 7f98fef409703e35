//! Step 3 for an office phone: the server calls, the person answers and presses #; there
//! is nothing to type. The page says "We're calling •••• 12. Answer and press #", counts
//! the call's time down and reads the flow every two seconds: once the method shows as
//! proven it moves on. When the time is up it says the call was not confirmed and offers
//! to call again. It never says more about the call (answered, declined): an unknown
//! account's flow "calls" exactly the same way (docs/SECURITY.md, enumeration).

use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use super::{OtherMethodLink, Portal};
use crate::api::{self, ApiError};
use crate::components::countdown::run_countdown;
use crate::components::text;
use crate::components::{DurationText, ErrorSummary, FieldError, HelpdeskLink};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::ErrorCode;

/// Seconds between two reads of the flow while the call is on.
const POLL_SECONDS: u64 = 2;

#[component]
pub fn ProveCall(method_id: String) -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let here = Step::Prove(method_id.clone());
    let hint = portal
        .wizard
        .with_untracked(|w| w.method(&method_id).and_then(|m| m.hint.clone()))
        .unwrap_or_default();
    let flow_key = portal.flow_key().unwrap_or_default();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let placing = RwSignal::new(false);
    // Seconds the call still waits for #; 0 once it is over (or before it is placed).
    let calling = RwSignal::new(0u64);
    run_countdown(calling);
    // Whether a call was placed from this page (then "not confirmed" once it is over).
    let placed = RwSignal::new(false);
    // Seconds until another call may be placed.
    let again_in = RwSignal::new(0u64);
    run_countdown(again_in);
    // The calls allowed for now are used up: seconds until another.
    let out_of_calls = RwSignal::new(0u64);
    run_countdown(out_of_calls);
    let is_calling = Memo::new(move |_| calling.get() > 0);
    let is_out = Memo::new(move |_| out_of_calls.get() > 0);

    let call = {
        let flow_key = flow_key.clone();
        let method_id = method_id.clone();
        let here = here.clone();
        move || {
            if placing.get_untracked() || again_in.get_untracked() > 0 {
                return;
            }
            placing.set(true);
            let flow_key = flow_key.clone();
            let method_id = method_id.clone();
            let here = here.clone();
            spawn_local(async move {
                let result = api::send_challenge(&flow_key, &method_id, None).await;
                if !portal.still_on(&here) {
                    return;
                }
                placing.try_set(false);
                match result {
                    Ok(sent) => {
                        let seconds = sent.call_seconds.unwrap_or(60);
                        calling.try_set(seconds);
                        again_in.try_set(sent.resend_in_seconds.unwrap_or(seconds));
                        placed.try_set(true);
                        errors.try_set(Vec::new());
                    }
                    Err(error) => {
                        let wait = error.problem().and_then(|p| p.retry_after_seconds);
                        match error.code() {
                            // Back, or a reload, while the call is on: it still is.
                            Some(ErrorCode::RateLimited) => {
                                let wait = wait.unwrap_or(0);
                                calling.try_set(wait);
                                again_in.try_set(wait);
                                placed.try_set(true);
                            }
                            Some(ErrorCode::TooManyCodes) => {
                                out_of_calls.try_set(wait.unwrap_or(900));
                            }
                            _ => portal.show_error(errors, "call", &error),
                        }
                    }
                }
            });
        }
    };
    call();
    let call_again = call.clone();

    // While the call is on, read the flow every few seconds: proven, move on.
    Effect::new({
        let flow_key = flow_key.clone();
        let method_id = method_id.clone();
        let here = here.clone();
        move |_| {
            let left = calling.get();
            if left == 0 || left % POLL_SECONDS != 0 {
                return;
            }
            let flow_key = flow_key.clone();
            let method_id = method_id.clone();
            let here = here.clone();
            spawn_local(async move {
                let result: Result<_, ApiError> = api::reset_flow(&flow_key).await;
                if !portal.still_on(&here) {
                    return;
                }
                if let Ok(flow) = result
                    && flow.verified.contains(&method_id)
                {
                    portal.flow_changed(flow);
                }
            });
        }
    });

    let lead =
        move || td_string!(i18n.get_locale(), reset.call.lead, hint = hint.clone()).to_string();
    view! {
        <ErrorSummary errors />
        <StepHeading text=fixed(|l| td_string!(l, reset.call.heading)) />
        <p class="body">{lead}</p>
        <p class="status call-status" role="status" aria-live="polite">
            {move || {
                if placing.get() {
                    Some(view! {
                        <span class="spinner" aria-hidden="true"></span>
                        {text(|l| td_string!(l, reset.call.placing))}
                    }.into_any())
                } else if is_calling.get() {
                    Some(view! {
                        <span class="spinner" aria-hidden="true"></span>
                        {text(|l| td_string!(l, reset.call.calling))}
                    }.into_any())
                } else if placed.get() && !is_out.get() {
                    Some(view! { {text(|l| td_string!(l, reset.call.not_confirmed))} }.into_any())
                } else {
                    None
                }
            }}
        </p>
        {move || is_calling.get().then(|| view! {
            <p class="hint call-time">
                {text(|l| td_string!(l, reset.call.time_left))} " " <DurationText seconds=calling /> "."
            </p>
        })}
        {move || is_out.get().then(|| view! {
            <div class="notification notification--warning" id="out-of-calls">
                <p class="body">
                    {text(|l| td_string!(l, reset.call.too_many))} " " <DurationText seconds=out_of_calls /> "."
                </p>
                <HelpdeskLink />
            </div>
        })}
        {move || (placed.get() && !is_calling.get() && !is_out.get()).then(|| {
            let call_again = call_again.clone();
            view! {
                <p class="hint">{text(|l| td_string!(l, reset.call.not_confirmed_help))}</p>
                <p class="body">
                    <button
                        type="button"
                        class="button call-again"
                        aria-disabled=move || (again_in.get() > 0 || placing.get()).then_some("true")
                        on:click=move |_| call_again()
                    >
                        {text(|l| td_string!(l, reset.call.again))}
                    </button>
                </p>
            }
        })}
        <OtherMethodLink />
    }
}
