//! Adding (or changing) the e-mail address for codes: the address, then the code sent
//! to it. A changed address is used only once its code is typed.

use super::SecurityInfo;
use super::form_buttons::FormButtons;
use crate::api::{self, ApiError};
use crate::components::code_input::without_separators;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::session::{MethodList, NewMethod, PendingMethod};

const ADDRESS: &str = "email-address";
const CODE: &str = "email-code";

#[component]
pub fn AddEmail(done: Callback<MethodList>, cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let address = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let pending = RwSignal::new(None::<PendingMethod>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let fail = move |field: &'static str, error: ApiError| {
        if !page.ended_by(&error) && !page.reproves(&error) {
            errors.try_set(vec![FieldError::new(field, move |l| error_text(l, &error))]);
        }
    };
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = address.get_untracked().trim().to_owned();
        if sspr_api::method::email_address(&typed).is_none() {
            errors.set(vec![FieldError::new(ADDRESS, |l| {
                td_string!(l, security_info.add_email.invalid).to_owned()
            })]);
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        spawn_local(async move {
            let result = api::start_registration(&NewMethod::Email { address: typed }).await;
            busy.try_set(false);
            match result {
                Ok(started) => {
                    errors.try_set(Vec::new());
                    pending.try_set(Some(started));
                }
                Err(error) => fail(ADDRESS, error),
            }
        });
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(started) = pending.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let typed = without_separators(&code.get_untracked());
        busy.set(true);
        spawn_local(async move {
            let result = api::confirm_registration(&started.registration_id, typed).await;
            busy.try_set(false);
            match result {
                Ok(list) => done.run(list),
                Err(error) => fail(CODE, error),
            }
        });
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
