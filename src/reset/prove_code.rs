//! Step 3 for code methods: a code sent by e-mail, by text, WhatsApp or voice call to a
//! mobile phone (on the channel chosen), or a code from an authenticator app.
//! The code is asked for on arrival; a new one can be sent after a countdown; a wrong
//! code keeps what was typed and says how many tries are left. Out of codes for the
//! hour, or paused after too many wrong tries, the page says so once, plainly, with the
//! time left and the help desk, and offers no form that cannot work.

use super::step_heading::StepHeading;
use super::wizard::Step;
use super::{OtherMethodLink, Portal};
use crate::api::{self, ApiError};
use crate::components::code_input::clean_code;
use crate::components::countdown::run_countdown;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{
    CodeInput, ErrorSummary, FieldError, HelpdeskLink, SentenceWithDuration, duration_text,
};
use crate::i18n::*;
use crate::page_title::LocalText;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::method::PhoneChannel;
use sspr_api::reset::Proof;
use sspr_api::{ErrorCode, MethodKind};

const FIELD: &str = "code";

/// Digits in an authenticator app's codes (RFC 6238 as the server applies it).
const APP_CODE_DIGITS: usize = 6;

/// Where a failed call leaves the person: most errors stay on the page; a flow that is
/// gone sends them back to the start.
pub fn ends_the_flow(error: &ApiError) -> bool {
    matches!(
        error.code(),
        Some(ErrorCode::FlowNotFound | ErrorCode::FlowCompleted)
    )
}

#[component]
pub fn ProveCode(method_id: String, kind: MethodKind) -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let here = Step::Prove(method_id.clone());
    let method = portal
        .wizard
        .with_untracked(|w| w.method(&method_id).cloned());
    let hint = method.and_then(|m| m.hint).unwrap_or_default();
    let flow_key = portal.flow_key().unwrap_or_default();
    let is_email = kind == MethodKind::Email;
    // Sent codes (e-mail, mobile phone) can be sent again; an app's cannot.
    let is_sent = is_email || kind == MethodKind::MobilePhone;
    let channel = (kind == MethodKind::MobilePhone)
        .then(|| portal.phone_channel.get_untracked())
        .flatten();

    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // What the server said when it sent the code (remembered across Back and Forward).
    let challenge = RwSignal::new(portal.sent_for(&method_id));
    // A code was sent earlier (a reload within the resend wait): no details, but it works.
    let sent_earlier = RwSignal::new(false);
    let sending = RwSignal::new(false);
    let checking = RwSignal::new(false);
    let resent = RwSignal::new(false);
    let resend_left = RwSignal::new(0u64);
    run_countdown(resend_left);
    // The hour's codes are used up: seconds until another can be sent.
    let out_of_codes = RwSignal::new(0u64);
    run_countdown(out_of_codes);
    // Whole parts of the page change only when these do, not with every second counted.
    let is_out_of_codes = Memo::new(move |_| out_of_codes.get() > 0);
    // This method paused after too many wrong tries (the flow says for how long).
    let paused = {
        let method_id = method_id.clone();
        Signal::derive(move || {
            let now = portal.now.get();
            portal.wizard.with(|w| {
                w.method(&method_id)
                    .and_then(|m| w.method_paused(m, now))
                    .or_else(|| w.account_paused(now))
            })
        })
    };

    let fail = move |error: ApiError| {
        let wait = error.problem().and_then(|p| p.retry_after_seconds);
        match error.code() {
            Some(ErrorCode::TooManyCodes) => {
                out_of_codes.try_set(wait.unwrap_or(3600));
                errors.try_set(Vec::new());
                return;
            }
            // A pause: the portal reads the flow again (show_error).
            Some(ErrorCode::MethodLocked | ErrorCode::AccountLocked) => {}
            _ => {
                if let Some(seconds) = wait {
                    resend_left.try_set(seconds);
                }
            }
        }
        portal.show_error(errors, FIELD, &error);
    };

    let send = {
        let flow_key = flow_key.clone();
        let method_id = method_id.clone();
        let here = here.clone();
        move |again: bool| {
            if sending.get_untracked() || (again && resend_left.get_untracked() > 0) {
                return;
            }
            sending.set(true);
            let flow_key = flow_key.clone();
            let method_id = method_id.clone();
            let here = here.clone();
            spawn_local(async move {
                let result = api::send_challenge(&flow_key, &method_id, channel).await;
                if !portal.still_on(&here) {
                    return;
                }
                sending.try_set(false);
                match result {
                    Ok(sent) => {
                        resend_left.try_set(sent.resend_in_seconds.unwrap_or(0));
                        portal.remember_sent(&method_id, &sent);
                        challenge.try_set(Some(sent));
                        resent.try_set(again);
                        errors.try_set(Vec::new());
                    }
                    // Back, or a reload, within the resend wait: the code sent before is
                    // still the one to type; only the wait is news.
                    Err(error) if !again && error.code() == Some(ErrorCode::RateLimited) => {
                        let wait = error.problem().and_then(|p| p.retry_after_seconds);
                        resend_left.try_set(wait.unwrap_or(0));
                        sent_earlier.try_set(true);
                    }
                    Err(error) => fail(error),
                }
            });
        }
    };
    send(false);

    // The code's length when known; app codes always have six digits.
    let length = move || {
        challenge
            .with(|c| c.as_ref().and_then(|c| c.code_length))
            .map(|n| n as usize)
            .or((!is_sent).then_some(APP_CODE_DIGITS))
    };
    let submit = {
        let flow_key = flow_key.clone();
        let method_id = method_id.clone();
        let here = here.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if checking.get_untracked() {
                return;
            }
            let typed = code.get_untracked();
            let expected = length();
            let Some(clean) = clean_code(&typed, expected) else {
                let empty = typed.trim().is_empty();
                errors.set(vec![FieldError::new(FIELD, move |l| match expected {
                    _ if empty => td_string!(l, reset.code.empty).to_owned(),
                    Some(length) => td_string!(l, reset.code.format, count = length),
                    None => td_string!(l, reset.code.format_any).to_owned(),
                })]);
                return;
            };
            checking.set(true);
            let flow_key = flow_key.clone();
            let method_id = method_id.clone();
            let here = here.clone();
            spawn_local(async move {
                let result = api::verify(&flow_key, &method_id, &Proof::Code(clean)).await;
                if !portal.still_on(&here) {
                    return;
                }
                checking.try_set(false);
                match result {
                    Ok(flow) => portal.flow_changed(flow),
                    Err(error) => fail(error),
                }
            });
        }
    };

    // The heading (and the page title) says what the page is now.
    let heading_text = Signal::derive(move || -> LocalText {
        if is_out_of_codes.get() {
            |l| td_string!(l, reset.code.too_many_heading)
        } else if is_email {
            |l| td_string!(l, reset.code.email_heading)
        } else if is_sent {
            |l| td_string!(l, reset.code.phone_heading)
        } else {
            |l| td_string!(l, reset.code.app_heading)
        }
    });
    let lead = move || {
        let locale = i18n.get_locale();
        if !is_sent {
            return Some(
                td_string!(locale, reset.code.app_hint, length = APP_CODE_DIGITS).to_string(),
            );
        }
        let hint = hint.clone();
        match challenge.get() {
            Some(sent) => {
                let wait = duration_text(locale, sent.code_expires_in_seconds.unwrap_or(600));
                Some(match (is_email, sent.channel) {
                    (true, _) => td_string!(locale, reset.code.email_sent, hint, wait).to_string(),
                    (false, Some(PhoneChannel::Whatsapp)) => {
                        td_string!(locale, reset.code.whatsapp_sent, hint, wait).to_string()
                    }
                    (false, Some(PhoneChannel::Voice)) => {
                        td_string!(locale, reset.code.voice_sent, hint, wait).to_string()
                    }
                    (false, _) => td_string!(locale, reset.code.sms_sent, hint, wait).to_string(),
                })
            }
            None if sent_earlier.get() && is_email => {
                Some(td_string!(locale, reset.code.email_sent_earlier, hint).to_string())
            }
            None if sent_earlier.get() => {
                Some(td_string!(locale, reset.code.phone_sent_earlier, hint).to_string())
            }
            None => None,
        }
    };
    let code_hint = Signal::derive(move || {
        let locale = i18n.get_locale();
        match length() {
            Some(length) => td_string!(locale, reset.code.hint, count = length),
            None => td_string!(locale, reset.code.hint_newest).to_owned(),
        }
    });
    let field_error = field_error(errors, FIELD);
    let send_again = send.clone();

    let is_paused = Memo::new(move |_| paused.with(Option::is_some));
    // Another method to turn to (then the messages say so).
    let others = portal.wizard.with_untracked(|w| w.remaining().len() > 1);
    // Nothing to type while the method cannot be used.
    // A memo, so the form below is rebuilt only when this changes (a plain closure rather
    // than <Show>, which costs about 2 KB of wasm).
    let usable = Memo::new(move |_| !is_out_of_codes.get() && !is_paused.get());

    // While the method is paused its notice says so, once: the error that paused it is
    // not repeated above it.
    let shown_errors = Signal::derive(move || {
        if is_paused.get() {
            Vec::new()
        } else {
            errors.get()
        }
    });

    view! {
        <ErrorSummary errors=shown_errors />
        <StepHeading text=heading_text />
        <p class="status" role="status" aria-live="polite">
            {move || {
                if sending.get() {
                    Some(view! {
                        <span class="spinner" aria-hidden="true"></span>
                        {text(|l| td_string!(l, reset.code.sending))}
                    }.into_any())
                } else if resent.get() && usable.get() {
                    Some(view! { {text(|l| td_string!(l, reset.code.resent))} }.into_any())
                } else {
                    None
                }
            }}
        </p>
        {move || is_out_of_codes.get().then(|| view! {
            <div class="notification notification--warning" id="out-of-codes">
                <p class="body">
                    {if others {
                        view! { <SentenceWithDuration text=|l| td_string!(l, reset.code.too_many_or_other) seconds=out_of_codes /> }.into_any()
                    } else {
                        view! { <SentenceWithDuration text=|l| td_string!(l, reset.code.too_many) seconds=out_of_codes /> }.into_any()
                    }}
                </p>
                <HelpdeskLink />
            </div>
        })}
        {move || (!is_out_of_codes.get() && is_paused.get()).then(|| {
            let seconds = Signal::derive(move || paused.get().unwrap_or(0));
            view! {
                <div class="notification notification--warning" id="method-paused">
                    <p class="body">
                        <SentenceWithDuration text=|l| td_string!(l, reset.code.paused) seconds />
                    </p>
                    <HelpdeskLink />
                </div>
            }
        })}
        {move || usable.get().then(|| view! {
            <p class="body">{lead.clone()}</p>
            <form novalidate on:submit=submit.clone()>
                <CodeInput
                    id=FIELD
                    label=Signal::derive(move || td_string!(i18n.get_locale(), reset.code.label).to_owned())
                    hint=code_hint
                    value=code
                    error=field_error
                />
                <button type="submit" class="button" aria-disabled=move || checking.get().then_some("true")>
                    {text(|l| td_string!(l, reset.next))}
                </button>
            </form>
            {is_sent.then(|| {
                let send_again = send_again.clone();
                view! {
                    // The button stays in place while the wait runs, so keyboard focus is
                    // never lost; the wait is said beside it.
                    <p class="body resend">
                        <button
                            type="button"
                            class="link-button"
                            aria-disabled=move || (resend_left.get() > 0).then_some("true")
                            aria-describedby="resend-wait"
                            on:click=move |_| send_again(true)
                        >
                            {text(|l| td_string!(l, reset.code.resend))}
                        </button>
                        " "
                        <span class="hint" id="resend-wait">
                            {move || (resend_left.get() > 0).then(|| view! {
                                <SentenceWithDuration text=|l| td_string!(l, reset.code.resend_wait) seconds=resend_left />
                            })}
                        </span>
                    </p>
                    <p class="hint not-received">{text(|l| td_string!(l, reset.code.not_received))}</p>
                }
            })}
        })}
        <OtherMethodLink />
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sspr_api::Problem;

    #[test]
    fn only_a_gone_or_finished_flow_ends_the_page() {
        let problem = |code| ApiError::Problem(Box::new(Problem::new(code)));
        assert!(ends_the_flow(&problem(ErrorCode::FlowNotFound)));
        assert!(ends_the_flow(&problem(ErrorCode::FlowCompleted)));
        assert!(!ends_the_flow(&problem(ErrorCode::CodeIncorrect)));
        assert!(!ends_the_flow(&problem(ErrorCode::MethodLocked)));
        assert!(!ends_the_flow(&ApiError::Network));
    }
}
