//! Step 2: choose the method to prove next, among those the flow offers and not yet
//! proven, with masked contact details only; "1 of 2 verified" when two are required.
//! Proven methods are ticked; paused ones say for how long and cannot be chosen. Reached
//! by Back with everything proven, it leads on to the new password.

use super::Portal;
use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use crate::components::error_summary::field_error;
use crate::components::helpdesk_link::organisation_config;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InlineError, SentenceWithDuration};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::MethodKind;
use sspr_api::method::PhoneChannel;
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
        MethodKind::MobilePhone => td_string!(locale, reset.choose.mobile_verified).to_owned(),
        MethodKind::OfficePhone => td_string!(locale, reset.choose.office_verified).to_owned(),
        MethodKind::AppNotification => {
            td_string!(locale, reset.choose.notification_verified).to_owned()
        }
    }
}

/// The label of a method in the list; a mobile phone's names the channel (`None`: the
/// policy's first, said without naming it).
pub fn method_label(
    locale: Locale,
    method: &OfferedMethod,
    channel: Option<PhoneChannel>,
) -> String {
    let hint = method.hint.clone().unwrap_or_default();
    match (method.kind, channel) {
        (MethodKind::Email, _) => td_string!(locale, reset.choose.email, hint).to_string(),
        (MethodKind::AppCode, _) => td_string!(locale, reset.choose.app_code).to_owned(),
        (MethodKind::SecurityQuestions, _) => {
            td_string!(locale, reset.choose.security_questions).to_owned()
        }
        (MethodKind::MobilePhone, Some(PhoneChannel::Whatsapp)) => {
            td_string!(locale, reset.choose.whatsapp, hint).to_string()
        }
        (MethodKind::MobilePhone, Some(PhoneChannel::Voice)) => {
            td_string!(locale, reset.choose.voice, hint).to_string()
        }
        (MethodKind::MobilePhone, _) => td_string!(locale, reset.choose.sms, hint).to_string(),
        (MethodKind::OfficePhone, _) => td_string!(locale, reset.choose.office, hint).to_string(),
        (MethodKind::AppNotification, _) => {
            td_string!(locale, reset.choose.notification).to_owned()
        }
    }
}

/// The ways a mobile phone's code can go, as the policy offers them (the first when the
/// configuration is not known).
fn channels_offered() -> Vec<Option<PhoneChannel>> {
    let channels = organisation_config()
        .map(|c| c.phone_channels)
        .unwrap_or_default();
    if channels.len() > 1 {
        channels.into_iter().map(Some).collect()
    } else {
        vec![None]
    }
}

#[component]
pub fn ChooseMethod() -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let chosen = RwSignal::new(None::<(String, Option<PhoneChannel>)>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let field_error = field_error(errors, FIELD);
    // Every method offered, in the server's order: proven ones ticked, the rest to
    // choose; a mobile phone once per channel the policy offers.
    let methods = move || {
        let channels = channels_offered();
        portal.wizard.with(|w| {
            w.flow.as_ref().map_or_else(Vec::new, |flow| {
                // All proven (reached by Back): only the ticks, and Continue.
                let ready = flow.ready_for_password();
                let mut choices = Vec::new();
                for m in flow.methods.iter().filter(|m| {
                    flow.verified.contains(&m.id) || (!ready && !w.kind_verified(m.kind))
                }) {
                    let verified = flow.verified.contains(&m.id);
                    if m.kind == MethodKind::MobilePhone && !verified {
                        for channel in &channels {
                            choices.push((m.clone(), false, *channel));
                        }
                    } else {
                        choices.push((m.clone(), verified, None));
                    }
                }
                choices
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
        let usable = chosen.get_untracked().filter(|(id, _)| {
            portal.wizard.with_untracked(|w| {
                w.remaining()
                    .iter()
                    .any(|m| &m.id == id && w.method_paused(m, now).is_none())
            })
        });
        match usable {
            Some((id, channel)) => {
                portal.phone_channel.set(channel);
                portal.go(Step::Prove(id));
            }
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
                            let first_radio = methods.iter().position(|(_, verified, _)| !verified);
                            methods
                                .into_iter()
                                .enumerate()
                                .map(|(index, (method, verified, channel))| {
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
                                        match channel {
                                            Some(channel) => format!("{FIELD}-{}-{}", method.id, channel.as_str()),
                                            None => format!("{FIELD}-{}", method.id),
                                        }
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
                                                data-channel=channel.map(PhoneChannel::as_str)
                                                disabled=is_paused
                                                aria-describedby={
                                                    let hint_id = hint_id.clone();
                                                    move || is_paused.get().then(|| hint_id.clone())
                                                }
                                                prop:checked=move || {
                                                    chosen.with(|c| c.as_ref() == Some(&(checked_id.clone(), channel)))
                                                }
                                                on:change=move |_| chosen.set(Some((id.clone(), channel)))
                                            />
                                            <label class="label radios__label" for=input_id.clone()>
                                                {move || method_label(i18n.get_locale(), &method, channel)}
                                            </label>
                                            {move || is_paused.get().then(|| {
                                                let seconds = Signal::derive(move || paused.get().unwrap_or(0));
                                                view! {
                                                    <p class="hint radios__hint method-paused" id=hint_id.clone()>
                                                        <SentenceWithDuration text=|l| td_string!(l, reset.choose.paused) seconds />
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
