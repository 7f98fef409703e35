//! Step 2: choose the method to prove next, among those the flow offers and not yet
//! proven, with masked contact details only; "1 of 2 verified" when two are required.
//! Proven methods are ticked; paused ones say for how long and cannot be chosen. Reached
//! by Back with everything proven, it leads on to the new password.

use super::Portal;
use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{DurationText, ErrorSummary, FieldError, InlineError};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::MethodKind;
use sspr_api::reset::OfferedMethod;

const FIELD: &str = "method";

/// "Email code verified", once a method is proven.
pub fn verified_label(locale: Locale, kind: MethodKind) -> String {
    match kind {
        MethodKind::Email => td_string!(locale, reset.choose.email_verified).to_owned(),
        MethodKind::AppCode => td_string!(locale, reset.choose.app_code_verified).to_owned(),
        MethodKind::SecurityQuestions => {
            td_string!(locale, reset.choose.questions_verified).to_owned()
        }
        MethodKind::MobilePhone | MethodKind::OfficePhone | MethodKind::AppNotification => {
            kind.as_str().to_owned()
        }
    }
}

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
    let chosen = RwSignal::new(None::<String>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let field_error = field_error(errors, FIELD);
    // Every method offered, in the server's order: proven ones ticked, the rest to choose.
    let methods = move || {
        portal.wizard.with(|w| {
            w.flow.as_ref().map_or_else(Vec::new, |flow| {
                // All proven (reached by Back): only the ticks, and Continue.
                let ready = flow.ready_for_password();
                flow.methods
                    .iter()
                    .filter(|m| {
                        flow.verified.contains(&m.id) || (!ready && !w.kind_verified(m.kind))
                    })
                    .map(|m| (m.clone(), flow.verified.contains(&m.id)))
                    .collect::<Vec<_>>()
            })
        })
    };
    let progress = move || portal.wizard.with(|w| w.progress());
    let ready = move || {
        portal
            .wizard
            .with(|w| w.flow.as_ref().is_some_and(|f| f.ready_for_password()))
    };
    let paused_for = move |method: &OfferedMethod| {
        let now = portal.now.get();
        portal.wizard.with(|w| w.method_paused(method, now))
    };

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if ready() {
            portal.go(Step::NewPassword);
            return;
        }
        let now = portal.now.get_untracked();
        let usable = chosen.get_untracked().filter(|id| {
            portal.wizard.with_untracked(|w| {
                w.remaining()
                    .iter()
                    .any(|m| &m.id == id && w.method_paused(m, now).is_none())
            })
        });
        match usable {
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
                        <StepHeading text=fixed(|l| td_string!(l, reset.choose.heading)) />
                    </legend>
                    <div class="hint" id="method-hint">
                        {move || {
                            let (done, total) = progress();
                            if total > 1 {
                                let done = done.to_string();
                                let total = total.to_string();
                                view! {
                                    <p>{text(|l| td_string!(l, reset.choose.two_needed))}</p>
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
                                view! { <p>{text(|l| td_string!(l, reset.choose.one_needed))}</p> }.into_any()
                            }
                        }}
                    </div>
                    <InlineError field=FIELD message=field_error />
                    <div class="radios">
                        {move || {
                            let methods = methods();
                            let first_radio = methods.iter().position(|(_, verified)| !verified);
                            methods
                                .into_iter()
                                .enumerate()
                                .map(|(index, (method, verified))| {
                                    if verified {
                                        let kind = method.kind;
                                        return view! {
                                            <p class="method-verified" data-kind=kind.as_str()>
                                                <span class="method-verified__tick" aria-hidden="true">"✓"</span>
                                                " "
                                                {move || verified_label(i18n.get_locale(), kind)}
                                            </p>
                                        }
                                        .into_any();
                                    }
                                    // The first radio carries the field's id, for the error link.
                                    let input_id = if Some(index) == first_radio {
                                        FIELD.to_owned()
                                    } else {
                                        format!("{FIELD}-{}", method.id)
                                    };
                                    let hint_id = format!("{input_id}-paused");
                                    let id = method.id.clone();
                                    let checked_id = method.id.clone();
                                    let paused_method = method.clone();
                                    let paused = Signal::derive(move || paused_for(&paused_method));
                                    let is_paused = Memo::new(move |_| paused.with(Option::is_some));
                                    view! {
                                        <div class="radios__item" class:radios__item--paused=is_paused>
                                            <input
                                                class="radios__input"
                                                type="radio"
                                                name="method"
                                                id=input_id.clone()
                                                value=method.id.clone()
                                                data-kind=method.kind.as_str()
                                                disabled=is_paused
                                                aria-describedby={
                                                    let hint_id = hint_id.clone();
                                                    move || is_paused.get().then(|| hint_id.clone())
                                                }
                                                prop:checked=move || {
                                                    chosen.with(|c| c.as_deref() == Some(checked_id.as_str()))
                                                }
                                                on:change=move |_| chosen.set(Some(id.clone()))
                                            />
                                            <label class="label radios__label" for=input_id.clone()>
                                                {move || method_label(i18n.get_locale(), &method)}
                                            </label>
                                            {move || is_paused.get().then(|| {
                                                let seconds = Signal::derive(move || paused.get().unwrap_or(0));
                                                view! {
                                                    <p class="hint radios__hint method-paused" id=hint_id.clone()>
                                                        {text(|l| td_string!(l, reset.choose.paused))} " " <DurationText seconds /> "."
                                                    </p>
                                                }
                                            })}
                                        </div>
                                    }
                                    .into_any()
                                })
                                .collect_view()
                        }}
                    </div>
                </fieldset>
            </div>
            <button type="submit" class="button">{text(|l| td_string!(l, reset.next))}</button>
        </form>
    }
}
