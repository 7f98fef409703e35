//! A password field with a Show/Hide button (GOV.UK "password input" pattern).

use super::error_summary::{InlineError, described_by};
use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn PasswordInput(
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    /// An element that describes the field (the rules checklist), if any.
    #[prop(optional)]
    described_by_extra: Option<&'static str>,
    /// `current-password` for a sign-in; a new password otherwise.
    #[prop(optional)]
    current: bool,
) -> impl IntoView {
    let i18n = use_i18n();
    let visible = RwSignal::new(false);
    // Said once the person has used the button (GOV.UK: "Your password is shown").
    let toggled = RwSignal::new(false);
    let describe = move || {
        let base = described_by(id, false, error.with(Option::is_some));
        match (base, described_by_extra) {
            (Some(base), Some(extra)) => Some(format!("{extra} {base}")),
            (None, Some(extra)) => Some(extra.to_owned()),
            (base, None) => base,
        }
    };
    view! {
        <div class="form-group" class:form-group--error=move || error.with(Option::is_some)>
            <label class="label" for=id>{label}</label>
            <InlineError field=id message=error />
            <div class="password-input">
                <input
                    class="input password-input__input"
                    class:input--error=move || error.with(Option::is_some)
                    id=id
                    name=id
                    type=move || if visible.get() { "text" } else { "password" }
                    dir="ltr"
                    autocomplete=if current { "current-password" } else { "new-password" }
                    spellcheck="false"
                    autocapitalize="off"
                    aria-describedby=describe
                    aria-invalid=move || error.with(Option::is_some).then_some("true")
                    prop:value=move || value.get()
                    on:input=move |ev| value.set(event_target_value(&ev))
                />
                <button
                    type="button"
                    class="button button--secondary password-input__toggle"
                    aria-controls=id
                    aria-label=move || {
                        if visible.get() {
                            td_string!(i18n.get_locale(), reset.password.hide_label)
                        } else {
                            td_string!(i18n.get_locale(), reset.password.show_label)
                        }
                    }
                    on:click=move |_| {
                        visible.update(|v| *v = !*v);
                        toggled.set(true);
                    }
                >
                    {move || {
                        if visible.get() {
                            td_string!(i18n.get_locale(), reset.password.hide)
                        } else {
                            td_string!(i18n.get_locale(), reset.password.show)
                        }
                    }}
                </button>
            </div>
            <span class="visually-hidden" aria-live="polite">
                {move || {
                    toggled.get().then(|| {
                        if visible.get() {
                            td_string!(i18n.get_locale(), reset.password.shown_status)
                        } else {
                            td_string!(i18n.get_locale(), reset.password.hidden_status)
                        }
                    })
                }}
            </span>
        </div>
    }
}
