//! The reset portal: a wizard, one component per step, one file each. This module holds
//! what the steps share ([`Portal`]: the flow, the step, the browser history) and shows
//! the current step.

pub mod choose_method;
pub mod done;
pub mod early_input;
pub mod identify;
pub mod new_password;
pub mod paused;
pub mod prove_code;
pub mod prove_elsewhere;
pub mod prove_questions;
pub mod start;
pub mod step_frame;
pub mod step_heading;
pub mod timeout_warning;
pub mod wizard;

use crate::api::{ApiError, FlowKey};
use crate::components::text;
use crate::components::{FieldError, Message, error_text, message};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::method::PhoneChannel;
use sspr_api::reset::{Challenge, ResetDone, ResetFlow};
use sspr_api::{ErrorCode, MethodKind};
use wizard::{Step, Wizard};

/// The `sessionStorage` key holding the flow id, so a reload resumes the reset.
pub const FLOW_KEY: &str = "sspr.reset.flow";
/// The `sessionStorage` key holding the flow's secret: it binds the flow to this tab and
/// goes only in a request header, never in a URL or a cookie (docs/SECURITY.md).
pub const FLOW_SECRET_KEY: &str = "sspr.reset.flow_secret";
/// The `sessionStorage` key holding the user ID of that flow (for the password rules).
pub const USER_KEY: &str = "sspr.reset.user";
/// The `sessionStorage` key the first step's bundle sets when it hands the flow it started
/// to the wizard's bundle ([`start`]), to the number of history entries it pushed: the
/// wizard then moves focus as at any step change, and Back goes back through them.
pub const HANDED_OVER_KEY: &str = "sspr.reset.handed_over";

/// What every step can reach: the wizard's state and the way between steps.
#[derive(Debug, Clone, Copy)]
pub struct Portal {
    pub wizard: RwSignal<Wizard>,
    pub step: RwSignal<Step>,
    /// The user ID typed on the first page (pre-filled from `?user=`, or `?user_id=`).
    pub user_id: RwSignal<String>,
    /// A message for the first page, e.g. "your reset session ended".
    pub notice: RwSignal<Option<Message>>,
    /// Whether the person has moved between steps (then each step's heading takes focus).
    pub navigated: RwSignal<bool>,
    /// The last challenge answered for each method of the flow (code length, expiry), so
    /// that coming back to a method's page within the resend wait still knows them.
    pub sent: RwSignal<Vec<(String, Challenge)>>,
    /// A reload is fetching the flow back: nothing to show yet.
    pub resuming: RwSignal<bool>,
    /// The portal's clock: whole seconds of the browser's clock, updated every second.
    /// Time left, pauses and the timeout warning count down against it.
    pub now: RwSignal<u64>,
    /// History entries this page pushed: the Back link goes back through them, and
    /// only when there are none does it replace the entry instead.
    pub pushed: RwSignal<u32>,
    /// How the person chose to get a mobile phone's code (text, WhatsApp, voice); `None`
    /// for the policy's first.
    pub phone_channel: RwSignal<Option<PhoneChannel>>,
}

/// The browser's clock in whole seconds.
pub fn clock_now() -> u64 {
    (js_sys::Date::now() / 1000.0) as u64
}

impl Portal {
    /// A portal at the first step, with the user ID the link may carry (`?user=`).
    pub fn at_first_step() -> Portal {
        Portal {
            wizard: RwSignal::new(Wizard::default()),
            step: RwSignal::new(Step::Identify),
            user_id: RwSignal::new(
                query_param("user")
                    .or_else(|| query_param("user_id"))
                    .unwrap_or_default(),
            ),
            notice: RwSignal::new(None),
            navigated: RwSignal::new(false),
            sent: RwSignal::new(Vec::new()),
            resuming: RwSignal::new(false),
            now: RwSignal::new(clock_now()),
            pushed: RwSignal::new(0),
            phone_channel: RwSignal::new(None),
        }
    }

    /// Moves to `step`, as a new entry in the browser's history.
    pub fn go(&self, step: Step) {
        push_history(&step);
        self.pushed.update(|n| *n += 1);
        self.show(step);
    }

    /// Moves to `step` in place of the current history entry (the step just finished
    /// cannot be gone back to, so Back skips it).
    pub fn replace(&self, step: Step) {
        replace_history(&step);
        self.show(step);
    }

    fn show(&self, step: Step) {
        self.navigated.set(true);
        self.step.set(step);
        crate::embed::announce(crate::embed::STEP);
    }

    /// Keeps the server's newest view of the flow, counting its times from now.
    pub fn keep_flow(&self, flow: ResetFlow) {
        remember_flow(&flow, &self.user_id.get_untracked());
        let now = clock_now();
        self.now.set(now);
        self.wizard.update(|w| {
            w.flow = Some(flow);
            w.received_at = now;
        });
    }

    /// The server's newest view of the flow after a step was finished (started, or a
    /// method proven): keep it and move to where it leads.
    pub fn flow_changed(&self, flow: ResetFlow) {
        self.keep_flow(flow);
        let next = self.wizard.with(|w| w.next(clock_now()));
        match next {
            // Methods left to prove, but none the person can use: say so, start again.
            Step::Identify => self.restart(Some(message(|l| {
                td_string!(l, reset.choose.none_left).to_owned()
            }))),
            // A proven method's page is not a place to go back to: back to the choice it
            // was opened from, or on in its place.
            next if matches!(self.step.get_untracked(), Step::Prove(_)) => {
                if next == Step::ChooseMethod && self.pushed.get_untracked() > 0 {
                    self.back_in_history();
                } else {
                    self.replace(next);
                }
            }
            next => self.go(next),
        }
    }

    /// Reads the flow again (after a pause began, or when one ended) and moves to or
    /// from the pause page when that changed.
    pub fn refresh(&self) {
        let Some(key) = self.flow_key() else {
            return;
        };
        let portal = *self;
        leptos::task::spawn_local(async move {
            match crate::api::reset_flow(&key).await {
                Ok(flow) => {
                    portal.keep_flow(flow);
                    // A method's page stays to say its pause; with nothing left to use,
                    // the pause page says when to come back. When a pause ends there.
                    let here = portal.step.get_untracked();
                    let allowed = portal.wizard.with(|w| w.allow(here.clone(), clock_now()));
                    if allowed != here && (allowed == Step::Paused || here == Step::Paused) {
                        portal.replace(allowed);
                    }
                }
                Err(error) if prove_code::ends_the_flow(&error) => {
                    portal.restart(Some(message(move |l| error_text(l, &error))));
                }
                // Offline or server trouble: the page stays as it is.
                Err(_) => {}
            }
        });
    }

    /// The Back link of the current step: back through this page's own history when it
    /// has some (so it does what the browser's Back does), else to where Back leads.
    pub fn back(&self) {
        if self.pushed.get_untracked() > 0 {
            self.back_in_history();
            return;
        }
        let here = self.step.get_untracked();
        let target = self.wizard.with_untracked(|w| w.back_from(&here));
        self.replace(target);
    }

    /// The browser's own Back: the popstate listener shows the step it leads to.
    fn back_in_history(&self) {
        if let Ok(history) = window().history() {
            self.pushed.update(|n| *n = n.saturating_sub(1));
            let _ = history.back();
        }
    }

    /// Cancel: the flow is forgotten here (its secret with it, so nobody can use it from
    /// this browser), and the first page says nothing changed.
    pub fn cancel(&self) {
        self.restart(Some(message(|l| td_string!(l, reset.cancelled).to_owned())));
        crate::embed::announce(crate::embed::CANCELLED);
    }

    /// Whether the person is still on `step` (an answer that arrives after they moved on
    /// must not act on the step they are on now).
    pub fn still_on(&self, step: &Step) -> bool {
        self.step
            .try_with_untracked(|current| current == step)
            .unwrap_or(false)
    }

    /// The password was changed: nothing of the flow is kept.
    pub fn finished(&self, done: ResetDone) {
        forget_flow();
        self.wizard.update(|w| w.done = Some(done));
        self.replace(Step::Done);
        crate::embed::announce(crate::embed::COMPLETED);
    }

    /// Back to the first page, forgetting the flow, with `notice` shown there. The user
    /// ID stays filled in.
    pub fn restart(&self, notice: Option<Message>) {
        forget_flow();
        self.wizard.set(Wizard::default());
        self.sent.set(Vec::new());
        self.notice.set(notice);
        self.go(Step::Identify);
    }

    /// Shows a failed call's error on `field`, or, when the flow is gone or finished,
    /// starts again with the error as the notice. A new pause also reads the flow again.
    pub fn show_error(
        &self,
        errors: RwSignal<Vec<FieldError>>,
        field: &'static str,
        error: &ApiError,
    ) {
        let error = error.clone();
        if prove_code::ends_the_flow(&error) {
            self.restart(Some(message(move |l| error_text(l, &error))));
            return;
        }
        // A pause began: the flow, read again, says which methods are paused, and the
        // portal moves on to the pause page when nothing else can be used.
        if matches!(
            error.code(),
            Some(ErrorCode::MethodLocked | ErrorCode::AccountLocked)
        ) {
            self.refresh();
        }
        errors.try_set(vec![FieldError::new(field, move |l| error_text(l, &error))]);
    }

    /// The challenge last answered for `method_id`, if any.
    pub fn sent_for(&self, method_id: &str) -> Option<Challenge> {
        self.sent.with_untracked(|sent| {
            sent.iter()
                .find(|(id, _)| id == method_id)
                .map(|(_, challenge)| challenge.clone())
        })
    }

    /// Remembers the challenge answered for `method_id`.
    pub fn remember_sent(&self, method_id: &str, challenge: &Challenge) {
        self.sent.update(|sent| {
            sent.retain(|(id, _)| id != method_id);
            sent.push((method_id.to_owned(), challenge.clone()));
        });
    }

    /// The flow's id and secret, when there is a flow.
    pub fn flow_key(&self) -> Option<FlowKey> {
        let id = self
            .wizard
            .with(|w| w.flow.as_ref().map(|f| f.flow_id.clone()))?;
        Some(FlowKey {
            id,
            secret: session_get(FLOW_SECRET_KEY).unwrap_or_default(),
        })
    }
}

/// The portal: the current step, kept in step with the browser's history.
#[component]
pub fn ResetPortal() -> impl IntoView {
    let portal = Portal::at_first_step();
    provide_context(portal);
    resume(portal);
    if let Ok(tick) = set_interval_with_handle(
        move || {
            portal.now.try_set(clock_now());
        },
        std::time::Duration::from_secs(1),
    ) {
        on_cleanup(move || tick.clear());
    }

    // Back and Forward: show the step the URL names, if the flow allows it.
    let listener = window_event_listener(leptos::ev::popstate, move |_| {
        let wanted = query_param("step")
            .and_then(|p| Step::from_param(&p))
            .unwrap_or(Step::Identify);
        let allowed = portal.wizard.with(|w| w.allow(wanted.clone(), clock_now()));
        if allowed != wanted {
            replace_history(&allowed);
        }
        if allowed == Step::Identify && portal.wizard.with_untracked(|w| w.done.is_some()) {
            // Back from the done page: a fresh start.
            portal.wizard.set(Wizard::default());
        }
        // The same step again (e.g. an in-page link changed the fragment): keep it as it
        // is, with what the person typed.
        if portal.step.get_untracked() != allowed {
            portal.navigated.set(true);
            portal.step.set(allowed);
            crate::embed::announce(crate::embed::STEP);
        }
    });
    on_cleanup(move || listener.remove());

    let page = move || match portal.step.get() {
        _ if portal.resuming.get() => view! {
            <p class="status" role="status">
                <span class="spinner" aria-hidden="true"></span>
                {text(|l| td_string!(l, app.loading))}
            </p>
        }
        .into_any(),
        Step::Identify => view! { <identify::Identify /> }.into_any(),
        Step::ChooseMethod => view! { <choose_method::ChooseMethod /> }.into_any(),
        Step::Prove(id) => {
            // Untracked: a newer view of the same flow (a pause begun, more time) must not
            // mount the step afresh and lose what it shows.
            let kind = portal
                .wizard
                .with_untracked(|w| w.method(&id).map(|m| m.kind));
            match kind {
                Some(MethodKind::SecurityQuestions) => {
                    view! { <prove_questions::ProveQuestions method_id=id /> }.into_any()
                }
                Some(kind @ (MethodKind::OfficePhone | MethodKind::AppNotification)) => {
                    view! { <prove_elsewhere::ProveElsewhere method_id=id kind /> }.into_any()
                }
                Some(kind) => view! { <prove_code::ProveCode method_id=id kind /> }.into_any(),
                None => view! { <identify::Identify /> }.into_any(),
            }
        }
        Step::Paused => view! { <paused::Paused /> }.into_any(),
        Step::NewPassword => view! { <new_password::NewPassword /> }.into_any(),
        Step::Done => view! { <done::Done /> }.into_any(),
    };
    // Every step of a live flow: the Back link and whose account it is above, the time
    // left and Cancel below, and the warning before the time runs out.
    let in_flow = move || !portal.resuming.get() && portal.step.with(step_frame::in_flow);
    view! {
        {move || in_flow().then(|| view! { <step_frame::StepTop /> })}
        {page}
        {move || in_flow().then(|| view! { <step_frame::StepBottom /> })}
        <timeout_warning::TimeoutWarning />
    }
}

/// After a reload: the flow in `sessionStorage`, if the server still has it, at the step
/// the URL names (when allowed); otherwise a clean start, saying why.
fn resume(portal: Portal) {
    let wanted = query_param("step").and_then(|p| Step::from_param(&p));
    let (Some(id), Some(secret)) = (session_get(FLOW_KEY), session_get(FLOW_SECRET_KEY)) else {
        if wanted.is_some_and(|step| step != Step::Identify) {
            replace_history(&Step::Identify);
        }
        return;
    };
    if wanted.is_none() || wanted == Some(Step::Identify) {
        // A fresh visit to the portal starts a fresh reset.
        forget_flow();
        return;
    }
    if let Some(user_id) = session_get(USER_KEY) {
        portal.user_id.set(user_id);
    }
    portal.resuming.set(true);
    leptos::task::spawn_local(async move {
        let result = crate::api::reset_flow(&FlowKey { id, secret }).await;
        portal.resuming.set(false);
        match result {
            Ok(flow) => {
                portal.keep_flow(flow);
                // Handed over by the first step's bundle: a step change, with the history
                // entries that bundle pushed (so Back goes back through them).
                if let Some(pushed) = session_take(HANDED_OVER_KEY) {
                    portal.navigated.set(true);
                    portal.pushed.set(pushed.parse().unwrap_or(0));
                }
                let step = portal
                    .wizard
                    .with(|w| w.allow(wanted.unwrap_or(Step::Identify), clock_now()));
                replace_history(&step);
                portal.step.set(step);
            }
            Err(error) => {
                replace_history(&Step::Identify);
                let gone = prove_code::ends_the_flow(&error);
                if gone {
                    forget_flow();
                }
                // Gone: say so. Otherwise (offline, server trouble) the flow is kept, so
                // reloading once the trouble is over picks it up again.
                portal.notice.set(Some(if gone {
                    message(|l| td_string!(l, reset.session_ended).to_owned())
                } else {
                    message(move |l| error_text(l, &error))
                }));
            }
        }
    });
}

/// Whether this page load continues a reset (a reload, or the first step's bundle handing
/// over): the URL names a later step and this tab holds a flow.
pub fn continues_a_flow() -> bool {
    let wanted = query_param("step").and_then(|p| Step::from_param(&p));
    wanted.is_some_and(|step| step != Step::Identify)
        && session_get(FLOW_KEY).is_some()
        && session_get(FLOW_SECRET_KEY).is_some()
}

/// A parameter of the page's URL.
pub fn query_param(name: &str) -> Option<String> {
    let search = window().location().search().ok()?;
    web_sys::UrlSearchParams::new_with_str(&search)
        .ok()?
        .get(name)
}

/// The page's URL with `step` set to `step` (other parameters kept).
fn url_for(step: &Step) -> Option<String> {
    let location = window().location();
    let params = web_sys::UrlSearchParams::new_with_str(&location.search().ok()?).ok()?;
    params.set("step", &step.param());
    let query: String = params.to_string().into();
    Some(format!("{}?{query}", location.pathname().ok()?))
}

fn push_history(step: &Step) {
    if let (Ok(history), Some(url)) = (window().history(), url_for(step)) {
        let _ = history.push_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

fn replace_history(step: &Step) {
    if let (Ok(history), Some(url)) = (window().history(), url_for(step)) {
        let _ = history.replace_state_with_url(&wasm_bindgen::JsValue::NULL, "", Some(&url));
    }
}

/// This tab's `sessionStorage`, where the browser has one.
pub(super) fn session() -> Option<web_sys::Storage> {
    window().session_storage().ok().flatten()
}

fn session_get(key: &str) -> Option<String> {
    session()?.get_item(key).ok().flatten()
}

/// The value of `key` in `sessionStorage`, removed.
fn session_take(key: &str) -> Option<String> {
    let storage = session()?;
    let value = storage.get_item(key).ok().flatten();
    let _ = storage.remove_item(key);
    value
}

/// Keeps the flow id, its secret (given only when the flow starts) and the user ID typed
/// for it, for a reload.
fn remember_flow(flow: &ResetFlow, user_id: &str) {
    if let Some(storage) = session() {
        let _ = storage.set_item(FLOW_KEY, &flow.flow_id);
        if let Some(secret) = &flow.flow_secret {
            let _ = storage.set_item(FLOW_SECRET_KEY, secret);
        }
        let _ = storage.set_item(USER_KEY, user_id);
    }
}

/// Forgets the flow (finished, gone, or a fresh start).
fn forget_flow() {
    if let Some(storage) = session() {
        let _ = storage.remove_item(FLOW_KEY);
        let _ = storage.remove_item(FLOW_SECRET_KEY);
        let _ = storage.remove_item(USER_KEY);
    }
}

/// "Use another method", when the flow has more than one method left to prove.
#[component]
pub fn OtherMethodLink() -> impl IntoView {
    let portal = expect_context::<Portal>();
    let others = portal.wizard.with_untracked(|w| w.remaining().len() > 1);
    others.then(|| {
        view! {
            <p class="body">
                <button type="button" class="link-button other-method" on:click=move |_| portal.go(Step::ChooseMethod)>
                    {text(|l| td_string!(l, reset.code.other_method))}
                </button>
            </p>
        }
    })
}
