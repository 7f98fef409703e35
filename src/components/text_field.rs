//! A text field in the GOV.UK form-group pattern: label, optional hint, inline error
//! (linked with `aria-describedby`), and the input. Every text field of the app is this
//! one component, so its markup and behaviour cannot drift between pages.

use super::error_summary::{InlineError, described_by};
use leptos::prelude::*;

/// How the field's input behaves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InputKind {
    pub autocomplete: &'static str,
    /// `inputmode`, e.g. `numeric` for codes.
    pub inputmode: Option<&'static str>,
    /// Extra class on the input (e.g. `input--code` for a narrower field).
    pub class: &'static str,
    /// `dir`: IDs, codes, addresses and numbers read left to right in every language.
    pub dir: Option<&'static str>,
}

impl InputKind {
    pub const USERNAME: InputKind = InputKind {
        autocomplete: "username",
        inputmode: None,
        class: "",
        dir: Some("ltr"),
    };
    pub const ONE_TIME_CODE: InputKind = InputKind {
        autocomplete: "one-time-code",
        inputmode: Some("numeric"),
        class: "input--code",
        dir: Some("ltr"),
    };
    pub const EMAIL: InputKind = InputKind {
        autocomplete: "email",
        inputmode: Some("email"),
        class: "",
        dir: Some("ltr"),
    };
    pub const TELEPHONE: InputKind = InputKind {
        autocomplete: "tel",
        inputmode: Some("tel"),
        class: "",
        dir: Some("ltr"),
    };
    pub const ANSWER: InputKind = InputKind {
        autocomplete: "off",
        inputmode: None,
        class: "",
        dir: None,
    };
}

#[component]
pub fn TextField(
    /// The input's id (also its name, and the error summary's link target).
    id: &'static str,
    #[prop(into)] label: Signal<String>,
    /// A hint under the label, if any.
    #[prop(optional, into)]
    hint: Option<Signal<String>>,
    value: RwSignal<String>,
    #[prop(into)] error: Signal<Option<String>>,
    kind: InputKind,
) -> impl IntoView {
    let has_hint = hint.is_some();
    let invalid = move || error.with(Option::is_some);
    view! {
        <div class="form-group" class:form-group--error=invalid>
            <label class="label" for=id>{label}</label>
            {hint.map(|hint| view! { <div class="hint" id=format!("{id}-hint")>{hint}</div> })}
            <InlineError field=id message=error />
            <input
                class=move || {
                    let error_class = if invalid() { " input--error" } else { "" };
                    format!("input {}{error_class}", kind.class)
                }
                id=id
                name=id
                type="text"
                inputmode=kind.inputmode
                dir=kind.dir
                autocomplete=kind.autocomplete
                spellcheck="false"
                autocapitalize="off"
                aria-describedby=move || described_by(id, has_hint, invalid())
                aria-invalid=move || invalid().then_some("true")
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))
            />
        </div>
    }
}
