//! Step 3 for code methods: a code sent by e-mail, or a code from an authenticator app.
//! The code is asked for on arrival; a new one can be sent after a countdown; a wrong
//! code keeps what was typed and says how many tries are left.

use super::{OtherMethodLink, Portal, focus_heading_on_mount};
use crate::api::{self, ApiError};
use crate::components::code_input::clean_code;
use crate::components::countdown::{minutes_rounded_up, run_countdown};
use crate::components::{CodeInput, ErrorSummary, FieldError};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::reset::Proof;
use sspr_api::{ErrorCode, MethodKind};

const FIELD: &str = "code";

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
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_heading_on_mount(heading);
    let method = portal
        .wizard
        .with_untracked(|w| w.method(&method_id).cloned());
    let hint = method.and_then(|m| m.hint).unwrap_or_default();
    let flow_id = portal.flow_id().unwrap_or_default();

    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let challenge = RwSignal::new(portal.sent_for(&method_id));
    let sending = RwSignal::new(false);
    let checking = RwSignal::new(false);
    let resent = RwSignal::new(false);
    let resend_left = RwSignal::new(0u64);
    run_countdown(resend_left);

    let fail = move |error: ApiError| {
        if let Some(seconds) = error.problem().and_then(|p| p.retry_after_seconds) {
            resend_left.set(seconds);
        }
        portal.show_error(i18n.get_locale_untracked(), errors, FIELD, &error);
    };

    let send = {
        let flow_id = flow_id.clone();
        let method_id = method_id.clone();
        move |again: bool| {
            if sending.get_untracked() {
                return;
            }
            sending.set(true);
            let flow_id = flow_id.clone();
            let method_id = method_id.clone();
            spawn_local(async move {
                let result = api::send_challenge(&flow_id, &method_id).await;
                sending.set(false);
                match result {
                    Ok(sent) => {
                        resend_left.set(sent.resend_in_seconds.unwrap_or(0));
                        portal.remember_sent(&method_id, &sent);
                        challenge.set(Some(sent));
                        resent.set(again);
                        errors.set(Vec::new());
                    }
                    // Back on the page within the resend wait: the code sent before is
                    // still the one to type; only the wait is news.
                    Err(error)
                        if !again
                            && error.code() == Some(ErrorCode::RateLimited)
                            && challenge.with_untracked(Option::is_some) =>
                    {
                        let wait = error.problem().and_then(|p| p.retry_after_seconds);
                        resend_left.set(wait.unwrap_or(0));
                    }
                    Err(error) => fail(error),
                }
            });
        }
    };
    send(false);

    let length =
        move || challenge.with(|c| c.as_ref().and_then(|c| c.code_length).unwrap_or(6)) as usize;
    let submit = {
        let flow_id = flow_id.clone();
        let method_id = method_id.clone();
        move |ev: leptos::ev::SubmitEvent| {
            ev.prevent_default();
            if checking.get_untracked() {
                return;
            }
            let locale = i18n.get_locale_untracked();
            let typed = code.get_untracked();
            let length = length();
            let Some(clean) = clean_code(&typed, length) else {
                let message = if typed.trim().is_empty() {
                    td_string!(locale, reset.code.empty).to_owned()
                } else {
                    td_string!(locale, reset.code.format, length).to_string()
                };
                errors.set(vec![FieldError::new(FIELD, message)]);
                return;
            };
            checking.set(true);
            let flow_id = flow_id.clone();
            let method_id = method_id.clone();
            spawn_local(async move {
                let result = api::verify(&flow_id, &method_id, &Proof::Code(clean)).await;
                checking.set(false);
                match result {
                    Ok(flow) => portal.flow_changed(flow),
                    Err(error) => fail(error),
                }
            });
        }
    };

    let is_email = kind == MethodKind::Email;
    let heading_text = move || {
        if is_email {
            td_string!(i18n.get_locale(), reset.code.email_heading)
        } else {
            td_string!(i18n.get_locale(), reset.code.app_heading)
        }
    };
    let lead = {
        let hint = hint.clone();
        move || {
            let locale = i18n.get_locale();
            let length = length();
            if is_email {
                let minutes = challenge.with(|c| {
                    minutes_rounded_up(
                        c.as_ref()
                            .and_then(|c| c.code_expires_in_seconds)
                            .unwrap_or(600),
                    )
                });
                challenge.with(Option::is_some).then(|| {
                    td_string!(locale, reset.code.email_sent, hint = hint.clone(), minutes)
                        .to_string()
                })
            } else {
                Some(td_string!(locale, reset.code.app_hint, length).to_string())
            }
        }
    };
    let field_error = Signal::derive(move || {
        errors.with(|e| crate::components::error_summary::message_for(e, FIELD))
    });
    let send_again = send.clone();

    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl" tabindex="-1" node_ref=heading>{heading_text}</h1>
        <p class="status" role="status" aria-live="polite">
            {move || {
                if sending.get() {
                    Some(view! {
                        <span class="spinner" aria-hidden="true"></span>
                        {t!(i18n, reset.code.sending)}
                    }.into_any())
                } else if resent.get() {
                    Some(view! { {t!(i18n, reset.code.resent)} }.into_any())
                } else {
                    None
                }
            }}
        </p>
        <p class="body">{lead}</p>
        <form novalidate on:submit=submit>
            <CodeInput
                id=FIELD
                label=Signal::derive(move || td_string!(i18n.get_locale(), reset.code.label).to_owned())
                hint=Signal::derive(move || td_string!(i18n.get_locale(), reset.code.hint, length = length()).to_string())
                value=code
                error=field_error
            />
            <button type="submit" class="button" aria-disabled=move || checking.get().then_some("true")>
                {t!(i18n, reset.next)}
            </button>
        </form>
        {is_email.then(|| view! {
            <p class="body">
                {move || {
                    let left = resend_left.get();
                    if left > 0 {
                        td_string!(i18n.get_locale(), reset.code.resend_wait, seconds = left).to_string().into_any()
                    } else {
                        let send_again = send_again.clone();
                        view! {
                            <button type="button" class="link-button" on:click=move |_| send_again(true)>
                                {t!(i18n, reset.code.resend)}
                            </button>
                        }.into_any()
                    }
                }}
            </p>
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
