//! For a person with no method yet: their password alone cannot plant one. They prove it
//! is them with a code sent to the address the directory holds for them, or with a
//! one-time pass from their help desk.

use super::SecurityInfo;
use crate::api::{self, ApiError};
use crate::components::code_input::without_separators;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, HelpdeskLink, InputKind, TextField, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::session::PendingMethod;

const PASS: &str = "pass";
const CODE: &str = "contact-code";

#[component]
pub fn FirstProof() -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let pass = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(None::<PendingMethod>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    // Only when the directory holds an address for them (the server says).
    let contact = page
        .session
        .get_untracked()
        .is_some_and(|s| s.registration.contact_proof);
    let fail = move |field: &'static str, error: ApiError| {
        if !page.ended_by(&error) {
            errors.try_set(vec![FieldError::new(field, move |l| error_text(l, &error))]);
        }
    };

    let send_code = move |_| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::send_contact_code().await;
            busy.try_set(false);
            match result {
                Ok(sent) => {
                    errors.try_set(Vec::new());
                    pending.try_set(Some(sent));
                }
                Err(error) => fail(CODE, error),
            }
        });
    };
    let submit_code = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(sent) = pending.get_untracked() else {
            return;
        };
        let typed = without_separators(&code.get_untracked());
        busy.set(true);
        spawn_local(async move {
            let result = api::prove_with_contact(&sent.registration_id, typed).await;
            busy.try_set(false);
            match result {
                Ok(session) => page.signed_in(session),
                Err(error) => fail(CODE, error),
            }
        });
    };
    let submit_pass = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = pass.get_untracked();
        if typed.trim().is_empty() {
            errors.set(vec![FieldError::new(PASS, |l| {
                td_string!(l, security_info.first_proof.pass_empty).to_owned()
            })]);
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::prove_with_pass(typed).await;
            busy.try_set(false);
            match result {
                Ok(session) => page.signed_in(session),
                Err(error) => fail(PASS, error),
            }
        });
    };

    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.first_proof.title))}</h1>
        <p class="body-lead">{text(|l| td_string!(l, security_info.first_proof.lead))}</p>
        {move || contact.then(|| view! {
        <h2 class="heading-m">{text(|l| td_string!(l, security_info.first_proof.code_heading))}</h2>
            {move || match pending.get() {
                None => view! {
                    <p class="body">{text(|l| td_string!(l, security_info.first_proof.code_body))}</p>
                    <p class="body">
                        <button type="button" class="button button--secondary" id="send-contact-code" on:click=send_code>
                            {text(|l| td_string!(l, security_info.first_proof.send))}
                        </button>
                    </p>
                }.into_any(),
                Some(sent) => {
                    let to = sent.sent_to.unwrap_or_default();
                    view! {
                        <form novalidate on:submit=submit_code>
                            <TextField id=CODE
                                label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.prove.code).to_owned())
                                hint=Signal::derive(move || td_string!(i18n.get_locale(), security_info.first_proof.sent_to, to = to.clone()).to_string())
                                value=code
                                error=field_error(errors, CODE)
                                kind=InputKind::ONE_TIME_CODE
                            />
                            <button type="submit" class="button">{text(|l| td_string!(l, security_info.prove.submit))}</button>
                        </form>
                    }.into_any()
                }
            }}
        })}
        <h2 class="heading-m">{text(|l| td_string!(l, security_info.first_proof.pass_heading))}</h2>
        <form novalidate on:submit=submit_pass>
            <TextField id=PASS
                label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.first_proof.pass).to_owned())
                hint=Signal::derive(move || td_string!(i18n.get_locale(), security_info.first_proof.pass_hint).to_owned())
                value=pass
                error=field_error(errors, PASS)
                kind=InputKind::ANSWER
            />
            <button type="submit" class="button">{text(|l| td_string!(l, security_info.prove.submit))}</button>
        </form>
        <HelpdeskLink />
    }
}
