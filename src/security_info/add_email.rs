//! Adding (or changing) the e-mail address for codes: the address, then the code sent
//! to it. A changed address is used only once its code is typed.

use super::form_buttons::FormButtons;
use super::registration::Registration;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::session::{MethodList, NewMethod};

const ADDRESS: &str = "email-address";
const CODE: &str = "email-code";

#[component]
pub fn AddEmail(done: Callback<MethodList>, cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let registration = Registration::new();
    let Registration {
        pending,
        errors,
        busy,
        ..
    } = registration;
    let address = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = address.get_untracked().trim().to_owned();
        if sspr_api::method::email_address(&typed).is_none() {
            errors.set(vec![FieldError::new(ADDRESS, |l| {
                td_string!(l, security_info.add_email.invalid).to_owned()
            })]);
            return;
        }
        registration.start(NewMethod::Email { address: typed }, ADDRESS);
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        registration.confirm(code.get_untracked(), CODE, done);
    };
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.add_email.title))}</h1>
        {move || match pending.get() {
            None => view! {
                <form novalidate on:submit=send>
                    <TextField id=ADDRESS
                        label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_email.address).to_owned())
                        hint=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_email.hint).to_owned())
                        value=address
                        error=field_error(errors, ADDRESS)
                        kind=InputKind::EMAIL
                    />
                    <FormButtons label=|l| td_string!(l, security_info.add_email.send) busy cancel />
                </form>
            }.into_any(),
            Some(started) => {
                let to = started.sent_to.unwrap_or_default();
                view! {
                    <form novalidate on:submit=confirm>
                        <TextField id=CODE
                            label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.prove.code).to_owned())
                            hint=Signal::derive(move || td_string!(i18n.get_locale(), security_info.first_proof.sent_to, to = to.clone()).to_string())
                            value=code
                            error=field_error(errors, CODE)
                            kind=InputKind::ONE_TIME_CODE
                        />
                        <FormButtons label=|l| td_string!(l, security_info.add.confirm) busy cancel />
                    </form>
                }.into_any()
            }
        }}
    }
}
