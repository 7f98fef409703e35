//! Signing in to the security-info page: the user ID and the password. One answer for
//! every wrong sign-in (the server's), shown as the GOV.UK error summary.

use super::SecurityInfo;
use crate::api;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{
    ErrorSummary, FieldError, InputKind, PasswordInput, TextField, error_text,
};
use crate::i18n::*;
use crate::reset::identify::{UserIdProblem, check_user_id};
use leptos::prelude::*;
use leptos::task::spawn_local;

const USER: &str = "user-id";
const PASSWORD: &str = "password";

#[component]
pub fn SignIn() -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let user_id = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if busy.get_untracked() {
            return;
        }
        let id = user_id.get_untracked().trim().to_owned();
        let secret = password.get_untracked();
        let mut problems = Vec::new();
        if let Some(problem) = check_user_id(&id) {
            problems.push(FieldError::new(USER, move |l| match problem {
                UserIdProblem::Empty => td_string!(l, security_info.sign_in.user_empty).to_owned(),
                UserIdProblem::TooLong => td_string!(l, reset.identify.too_long).to_owned(),
            }));
        }
        if secret.is_empty() {
            problems.push(FieldError::new(PASSWORD, |l| {
                td_string!(l, security_info.sign_in.password_empty).to_owned()
            }));
        }
        if !problems.is_empty() {
            errors.set(problems);
            return;
        }
        errors.set(Vec::new());
        page.notice.set(None);
        busy.set(true);
        let locale = i18n.get_locale_untracked().as_str();
        spawn_local(async move {
            let result = api::sign_in(id, secret, locale).await;
            busy.try_set(false);
            match result {
                Ok(session) => {
                    password.try_set(String::new());
                    page.signed_in(session);
                }
                Err(error) => {
                    errors.try_set(vec![FieldError::new(USER, move |l| error_text(l, &error))]);
                }
            }
        });
    };

    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.title))}</h1>
        {move || page.notice.get().map(|notice| view! {
            <div class="notification" role="status"><p>{move || notice(i18n.get_locale())}</p></div>
        })}
        <p class="body-lead">{text(|l| td_string!(l, security_info.sign_in.lead))}</p>
        <form novalidate on:submit=submit>
            <TextField
                id=USER
                label=Signal::derive(move || td_string!(i18n.get_locale(), reset.identify.label).to_owned())
                value=user_id
                error=field_error(errors, USER)
                kind=InputKind::USERNAME
            />
            <PasswordInput
                id=PASSWORD
                label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.sign_in.password).to_owned())
                value=password
                error=field_error(errors, PASSWORD)
                current=true
            />
            <button type="submit" class="button" aria-disabled=move || busy.get().then_some("true")>
                {text(|l| td_string!(l, security_info.sign_in.submit))}
            </button>
        </form>
        <p class="body">
            <a href="/">{text(|l| td_string!(l, security_info.reset_link))}</a>
        </p>
    }
}
