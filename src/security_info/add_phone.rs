//! Adding (or changing) a phone: the number, then the code sent to it: by text to a
//! mobile phone, read out by a voice call to an office phone (at reset an office phone is
//! answered with # instead). A changed number is used only once its code is typed. The
//! server reads a number without a country code in the organisation's region and says
//! when it is not a number.

use super::form_buttons::FormButtons;
use super::registration::Registration;
use crate::components::error_summary::field_error;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::MethodKind;
use sspr_api::session::{MethodList, NewMethod};

const NUMBER: &str = "phone-number";
const CODE: &str = "phone-code";

#[component]
pub fn AddPhone(
    kind: MethodKind,
    done: Callback<MethodList>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    let office = kind == MethodKind::OfficePhone;
    let registration = Registration::new();
    let Registration {
        pending,
        errors,
        busy,
        ..
    } = registration;
    let number = RwSignal::new(String::new());
    let code = RwSignal::new(String::new());
    let send = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let typed = number.get_untracked().trim().to_owned();
        if typed.is_empty() {
            errors.set(vec![FieldError::new(NUMBER, |l| {
                td_string!(l, security_info.add_phone.empty).to_owned()
            })]);
            return;
        }
        let method = if office {
            NewMethod::OfficePhone { number: typed }
        } else {
            NewMethod::MobilePhone {
                number: typed,
                channel: None,
            }
        };
        registration.start(method, NUMBER);
    };
    let confirm = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        registration.confirm(code.get_untracked(), CODE, done);
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
