//! Step 2: choose the method to prove next, among those the flow offers and not yet
//! proven, with masked contact details only; "1 of 2 verified" when two are required.

use super::wizard::Step;
use super::{Portal, focus_heading_on_mount};
use crate::components::{ErrorSummary, FieldError, InlineError};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::MethodKind;
use sspr_api::reset::OfferedMethod;

const FIELD: &str = "method";

/// The label of a method in the list.
pub fn method_label(locale: Locale, method: &OfferedMethod) -> String {
    let hint = method.hint.clone().unwrap_or_default();
    match method.kind {
        MethodKind::Email => td_string!(locale, reset.choose.email, hint).to_string(),
        MethodKind::AppCode => td_string!(locale, reset.choose.app_code).to_owned(),
        MethodKind::SecurityQuestions => {
            td_string!(locale, reset.choose.security_questions).to_owned()
        }
        // Not offered by this version's server (see the phone and push issue).
        MethodKind::MobilePhone | MethodKind::OfficePhone | MethodKind::AppNotification => {
            method.kind.as_str().to_owned()
        }
    }
}

#[component]
pub fn ChooseMethod() -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let heading = NodeRef::<leptos::html::H1>::new();
    focus_heading_on_mount(heading);
    crate::app::set_step_title(Some(|l| td_string!(l, reset.choose.heading)));
    let chosen = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let field_error = Signal::derive(move || {
        errors.with(|e| crate::components::error_summary::message_for(e, FIELD, i18n.get_locale()))
    });
    let remaining = move || {
        portal
            .wizard
            .with(|w| w.remaining().into_iter().cloned().collect::<Vec<_>>())
    };
    let progress = move || portal.wizard.with(|w| w.progress());
    // As of the server's last answer; the flow ends then, whatever the person is doing.
    let expires_in = portal
        .wizard
        .with_untracked(|w| w.flow.as_ref().map_or(0, |flow| flow.expires_in_seconds));
    let minutes = crate::components::countdown::minutes_rounded_up(expires_in);

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        match chosen.get_untracked() {
            Some(id) => portal.go(Step::Prove(id)),
            None => errors.set(vec![FieldError::new(FIELD, |l| {
                td_string!(l, reset.choose.empty).to_owned()
            })]),
        }
    };

    view! {
        <ErrorSummary errors />
        <form novalidate on:submit=submit>
            <div class="form-group" class:form-group--error=move || field_error.with(Option::is_some)>
                <fieldset
                    class="fieldset"
                    aria-describedby=move || crate::components::error_summary::described_by(FIELD, true, field_error.with(Option::is_some))
                >
                    <legend class="fieldset__legend">
                        <h1 class="heading-xl" tabindex="-1" node_ref=heading>
                            {t!(i18n, reset.choose.heading)}
                        </h1>
                    </legend>
                    <div class="hint" id="method-hint">
                        {move || {
                            let (done, total) = progress();
                            if total > 1 {
                                let done = done.to_string();
                                let total = total.to_string();
                                view! {
                                    <p>{t!(i18n, reset.choose.two_needed)}</p>
                                    <p class="progress-tag">
                                        {move || {
                                            td_string!(
                                                i18n.get_locale(),
                                                reset.choose.progress,
                                                done = done.clone(),
                                                total = total.clone()
                                            )
                                                .to_string()
                                        }}
                                    </p>
                                }
                                    .into_any()
                            } else {
                                view! { <p>{t!(i18n, reset.choose.one_needed)}</p> }.into_any()
                            }
                        }}
                    </div>
                    <InlineError field=FIELD message=field_error />
                    <div class="radios">
                        {move || {
                            remaining()
                                .into_iter()
                                .enumerate()
                                .map(|(index, method)| {
                                    // The first radio carries the field's id, for the error link.
                                    let input_id = if index == 0 {
                                        FIELD.to_owned()
                                    } else {
                                        format!("{FIELD}-{}", method.id)
                                    };
                                    let id = method.id.clone();
                                    let checked_id = method.id.clone();
                                    view! {
                                        <div class="radios__item">
                                            <input
                                                class="radios__input"
                                                type="radio"
                                                name="method"
                                                id=input_id.clone()
                                                value=method.id.clone()
                                                data-kind=method.kind.as_str()
                                                prop:checked=move || {
                                                    chosen.with(|c| c.as_deref() == Some(checked_id.as_str()))
                                                }
                                                on:change=move |_| chosen.set(Some(id.clone()))
                                            />
                                            <label class="label radios__label" for=input_id>
                                                {move || method_label(i18n.get_locale(), &method)}
                                            </label>
                                        </div>
                                    }
                                })
                                .collect_view()
                        }}
                    </div>
                </fieldset>
            </div>
            <button type="submit" class="button">{t!(i18n, reset.next)}</button>
        </form>
        <p class="hint">
            {move || td_string!(i18n.get_locale(), reset.expires_in, minutes).to_string()}
        </p>
    }
}
