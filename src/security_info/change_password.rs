//! Changing the password while signed in: the current one, and a new one (twice) under
//! the reset's rules, checked here first and by the server again. Every other session is
//! signed out and the person is told at their addresses.

use super::SecurityInfo;
use super::form_buttons::FormButtons;
use crate::api::{self, ApiError};
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, PasswordInput, error_text};
use crate::i18n::*;
use crate::reset::new_password::{CONFIRM, NEW, form_errors, problem_text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::ErrorCode;

const CURRENT: &str = "current-password";

#[component]
pub fn ChangePassword(done: Callback<()>, cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let context: Vec<String> = page
            .session
            .get_untracked()
            .map(|s| vec![s.user_id, s.display_name])
            .unwrap_or_default();
        let (old, typed, again) = (
            current.get_untracked(),
            new.get_untracked(),
            confirm.get_untracked(),
        );
        let mut found = form_errors(&typed, &again, &context, None);
        if old.is_empty() {
            found.insert(
                0,
                FieldError::new(CURRENT, |l| {
                    td_string!(l, security_info.sign_in.password_empty).to_owned()
                }),
            );
        }
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        errors.set(Vec::new());
        busy.set(true);
        spawn_local(async move {
            let result = api::change_password(old, typed).await;
            busy.try_set(false);
            match result {
                Ok(_) => done.run(()),
                Err(error) => {
                    if page.ended_by(&error) || page.reproves(&error) {
                        return;
                    }
                    errors.try_set(server_errors(error));
                }
            }
        });
    };
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.password.title))}</h1>
        <form novalidate on:submit=submit>
            <PasswordInput id=CURRENT
                label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.password.current).to_owned())
                value=current error=field_error(errors, CURRENT) current=true />
            <PasswordInput id=NEW
                label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.password.new_password).to_owned())
                value=new error=field_error(errors, NEW) />
            <PasswordInput id=CONFIRM
                label=Signal::derive(move || td_string!(i18n.get_locale(), reset.password.confirm_label).to_owned())
                value=confirm error=field_error(errors, CONFIRM) />
            <FormButtons label=|l| td_string!(l, security_info.password.submit) busy cancel />
        </form>
    }
}

/// The server's refusal, on the field it is about.
fn server_errors(error: ApiError) -> Vec<FieldError> {
    match error.code() {
        Some(ErrorCode::PasswordIncorrect | ErrorCode::AccountLocked) => {
            vec![FieldError::new(CURRENT, move |l| error_text(l, &error))]
        }
        Some(ErrorCode::PasswordRejected) => {
            let problems = error
                .problem()
                .map(|p| p.password_problems.clone())
                .unwrap_or_default();
            match problems.first().copied() {
                Some(problem) => vec![FieldError::new(NEW, move |l| {
                    problem_text(l, problem).to_owned()
                })],
                None => vec![FieldError::new(NEW, move |l| error_text(l, &error))],
            }
        }
        _ => vec![FieldError::new(CURRENT, move |l| error_text(l, &error))],
    }
}
