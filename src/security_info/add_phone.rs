//! Adding (or changing) a phone: the number, then the code sent to it: by text to a
//! mobile phone, read out by a voice call to an office phone (at reset an office phone is
//! answered with # instead). A changed number is used only once its code is typed. The
//! server reads a number without a country code in the organisation's region and says
//! when it is not a number.

use super::SecurityInfo;
use super::form_buttons::FormButtons;
use crate::api::{self, ApiError};
use crate::components::code_input::without_separators;
use crate::components::error_summary::field_error;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::MethodKind;
use sspr_api::session::{MethodList, NewMethod, PendingMethod};

const NUMBER: &str = "phone-number";
const CODE: &str = "phone-code";

#[component]
pub fn AddPhone(
    kind: MethodKind,
    done: Callback<MethodList>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let office = kind == MethodKind::OfficePhone;
    let number = RwSignal::new(String::new());
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
        let typed = number.get_untracked().trim().to_owned();
        if typed.is_empty() {
            errors.set(vec![FieldError::new(NUMBER, |l| {
                td_string!(l, security_info.add_phone.empty).to_owned()
            })]);
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let method = if office {
            NewMethod::OfficePhone { number: typed }
        } else {
            NewMethod::MobilePhone {
                number: typed,
                channel: None,
            }
        };
        spawn_local(async move {
            let result = api::start_registration(&method).await;
            busy.try_set(false);
            match result {
                Ok(started) => {
                    errors.try_set(Vec::new());
                    pending.try_set(Some(started));
                }
                Err(error) => fail(NUMBER, error),
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
    let title = move || {
        let locale = i18n.get_locale();
        if office {
            td_string!(locale, security_info.add_phone.office_title)
        } else {
            td_string!(locale, security_info.add_phone.mobile_title)
        }
    };
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{title}</h1>
        {move || match pending.get() {
            None => view! {
                <form novalidate on:submit=send>
                    <TextField id=NUMBER
                        label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_phone.number).to_owned())
                        hint=Signal::derive(move || {
                            let locale = i18n.get_locale();
                            if office {
                                td_string!(locale, security_info.add_phone.office_hint).to_owned()
                            } else {
                                td_string!(locale, security_info.add_phone.mobile_hint).to_owned()
                            }
                        })
                        value=number
                        error=field_error(errors, NUMBER)
                        kind=InputKind::TELEPHONE
                    />
                    {if office {
                        view! { <FormButtons label=|l| td_string!(l, security_info.add_phone.call) busy cancel /> }.into_any()
                    } else {
                        view! { <FormButtons label=|l| td_string!(l, security_info.add_phone.text) busy cancel /> }.into_any()
                    }}
                </form>
            }.into_any(),
            Some(started) => {
                let to = started.sent_to.unwrap_or_default();
                view! {
                    <form novalidate on:submit=confirm>
                        <TextField id=CODE
                            label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.prove.code).to_owned())
                            hint=Signal::derive(move || {
                                let locale = i18n.get_locale();
                                let to = to.clone();
                                if office {
                                    td_string!(locale, security_info.add_phone.calling, to).to_string()
                                } else {
                                    td_string!(locale, security_info.first_proof.sent_to, to).to_string()
                                }
                            })
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
