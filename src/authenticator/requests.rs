//! What waits for this phone: each password reset asked for the account, with who, from
//! where and when, and three numbers; the portal shows one of them. Choosing it approves;
//! "No, it wasn't me" denies; "I didn't ask for this" reports it (the owner is told and
//! prompts to this phone stop). The list is read every few seconds, and at once when a push
//! arrives. A phone the server no longer recognises is forgotten: enrol it again.

use super::{Authenticator, Stage, device};
use crate::api::{self, ApiError};
use crate::components::text;
use crate::components::{SentenceWithDuration, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::authenticator::{ApprovalRequest, ApprovalState, DecideRequest, Decision, Enrolled};
use std::time::Duration;

/// Seconds between two reads of the list while the page is open.
const POLL_SECONDS: u64 = 3;

/// What became of the last decision, for the status line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Approved,
    NotApproved,
    Denied,
    Reported,
}

#[component]
pub fn Requests(enrolled: Enrolled) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<Authenticator>();
    let list = RwSignal::new(Vec::<ApprovalRequest>::new());
    let error = RwSignal::new(None::<ApiError>);
    let outcome = RwSignal::new(None::<Outcome>);
    let busy = RwSignal::new(false);

    let refresh = move || {
        spawn_local(async move {
            match api::approval_requests().await {
                Ok(requests) => {
                    list.try_set(requests.requests);
                    error.try_set(None);
                }
                // The server no longer knows this phone (removed, replaced, or its key
                // lost): forget it and say so.
                Err(error) if error.code() == Some(sspr_api::ErrorCode::DeviceNotRecognised) => {
                    device::forget().await;
                    page.forgotten.try_set(true);
                    page.stage.try_set(Stage::NotSetUp);
                }
                Err(other) => {
                    error.try_set(Some(other));
                }
            }
        });
    };
    refresh();
    // Pushes received while open (shown as `data-pushes`, so a test can tell one arrived).
    let pushes = RwSignal::new(0u32);
    device::on_push(move || {
        pushes.try_update(|n| *n += 1);
        refresh();
    });
    if let Ok(handle) = set_interval_with_handle(refresh, Duration::from_secs(POLL_SECONDS)) {
        on_cleanup(move || handle.clear());
    }

    let decide = move |request: ApprovalRequest, decision: Decision, number: Option<u8>| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let body = DecideRequest { decision, number };
            let result = api::decide(&request.request_id, &body).await;
            busy.try_set(false);
            match result {
                Ok(decided) => {
                    outcome.try_set(Some(match (decision, decided.state) {
                        (Decision::Approve, ApprovalState::Approved) => Outcome::Approved,
                        (Decision::Approve, _) => Outcome::NotApproved,
                        (Decision::Deny, _) => Outcome::Denied,
                        (Decision::Report, _) => Outcome::Reported,
                    }));
                    list.try_update(|list| list.retain(|r| r.request_id != request.request_id));
                }
                Err(other) => {
                    error.try_set(Some(other));
                }
            }
            refresh();
        });
    };

    let organisation = enrolled.organisation_name.clone();
    let account = enrolled.account_hint.clone();
    let status = move || {
        let locale = i18n.get_locale();
        outcome.get().map(|outcome| match outcome {
            Outcome::Approved => td_string!(locale, authenticator.approved).to_owned(),
            Outcome::NotApproved => td_string!(locale, authenticator.not_approved).to_owned(),
            Outcome::Denied => td_string!(locale, authenticator.denied).to_owned(),
            Outcome::Reported => td_string!(locale, authenticator.reported).to_owned(),
        })
    };
    view! {
        <h1 class="heading-xl">{text(|l| td_string!(l, authenticator.title))}</h1>
        <p class="caption" id="device-account" data-pushes=move || pushes.get().to_string()>
            {move || td_string!(i18n.get_locale(), authenticator.for_account, account = account.clone(), organisation = organisation.clone()).to_string()}
        </p>
        <p class="status" role="status" aria-live="polite" id="decision-status">{status}</p>
        {move || error.get().map(|error| view! {
            <div class="notification notification--warning" role="alert">
                <p class="body">{move || error_text(i18n.get_locale(), &error)}</p>
            </div>
        })}
        {move || {
            let requests = list.get();
            if requests.is_empty() {
                return view! {
                    <p class="body" id="no-requests">{text(|l| td_string!(l, authenticator.none))}</p>
                }
                .into_any();
            }
            requests
                .into_iter()
                .map(|request| {
                    let seconds = RwSignal::new(request.seconds_left);
                    crate::components::countdown::run_countdown(seconds);
                    let asked = request.clone();
                    let numbers = request.numbers.clone();
                    let deny = request.clone();
                    let report = request.clone();
                    let from = match (&request.client_ip, &request.browser) {
                        (Some(ip), Some(browser)) => format!("{browser}, {ip}"),
                        (Some(ip), None) => ip.clone(),
                        (None, Some(browser)) => browser.clone(),
                        (None, None) => String::new(),
                    };
                    let requested_at = request.requested_at;
                    let at = move || clock_time(i18n.get_locale(), requested_at);
                    view! {
                        <section class="approval" data-request=request.request_id.clone()>
                            <h2 class="heading-m">{text(|l| td_string!(l, authenticator.request_heading))}</h2>
                            <dl class="summary-list">
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">{text(|l| td_string!(l, authenticator.who))}</dt>
                                    <dd class="summary-list__value" dir="ltr">{request.user_id.clone()}</dd>
                                </div>
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">{text(|l| td_string!(l, authenticator.from))}</dt>
                                    <dd class="summary-list__value" dir="ltr">{from}</dd>
                                </div>
                                <div class="summary-list__row">
                                    <dt class="summary-list__key">{text(|l| td_string!(l, authenticator.when))}</dt>
                                    <dd class="summary-list__value">{at}</dd>
                                </div>
                            </dl>
                            <p class="body">{text(|l| td_string!(l, authenticator.choose))}</p>
                            <div class="number-choice">
                                {numbers
                                    .into_iter()
                                    .map(|number| {
                                        let asked = asked.clone();
                                        view! {
                                            <button
                                                type="button"
                                                class="button button--secondary number-choice__number"
                                                data-number=number.to_string()
                                                on:click=move |_| decide(asked.clone(), Decision::Approve, Some(number))
                                            >
                                                {number.to_string()}
                                            </button>
                                        }
                                    })
                                    .collect_view()}
                            </div>
                            <p class="hint">
                                <SentenceWithDuration text=|l| td_string!(l, authenticator.expires) seconds />
                            </p>
                            <p class="body">
                                <button type="button" class="button button--warning" id="deny" on:click=move |_| decide(deny.clone(), Decision::Deny, None)>
                                    {text(|l| td_string!(l, authenticator.deny))}
                                </button>
                            </p>
                            <p class="body">
                                <button type="button" class="link-button" id="report" on:click=move |_| decide(report.clone(), Decision::Report, None)>
                                    {text(|l| td_string!(l, authenticator.report))}
                                </button>
                            </p>
                        </section>
                    }
                    .into_any()
                })
                .collect_view()
                .into_any()
        }}
    }
}

/// The hour and minute of a Unix time as `locale` writes them, in the phone's own time
/// zone ("14:05", "2:05 PM", "午後2:05").
fn clock_time(locale: Locale, unix_seconds: u64) -> String {
    let date = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
        unix_seconds as f64 * 1000.0,
    ));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"timeStyle".into(), &"short".into());
    String::from(date.to_locale_time_string_with_options(locale.as_str(), &options))
}
