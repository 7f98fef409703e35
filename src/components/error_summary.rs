//! The GOV.UK error summary: at the top of the form, it takes the focus when errors appear,
//! lists each one as a link to its field, and puts "Error:" before the page title.

use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;

/// A sentence for the person, made in whatever language they read now: kept as a
/// function of the locale, so switching language re-words what is already shown.
pub type Message = std::sync::Arc<dyn Fn(Locale) -> String + Send + Sync>;

/// A [`Message`] from a function of the locale.
pub fn message(text: impl Fn(Locale) -> String + Send + Sync + 'static) -> Message {
    std::sync::Arc::new(text)
}

/// One thing wrong with the form: the id of the field and what to do about it.
#[derive(Clone)]
pub struct FieldError {
    pub field: &'static str,
    message: Message,
}

impl FieldError {
    pub fn new(
        field: &'static str,
        message: impl Fn(Locale) -> String + Send + Sync + 'static,
    ) -> FieldError {
        FieldError {
            field,
            message: std::sync::Arc::new(message),
        }
    }

    /// The message in `locale`.
    pub fn message(&self, locale: Locale) -> String {
        (self.message)(locale)
    }
}

impl std::fmt::Debug for FieldError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}: {}", self.field, self.message(Locale::en))
    }
}

/// The message for `field` in `locale`, if it has one (the inline error under the field).
pub fn message_for(errors: &[FieldError], field: &str, locale: Locale) -> Option<String> {
    errors
        .iter()
        .find(|e| e.field == field)
        .map(|e| e.message(locale))
}

/// The inline error of `field` among `errors`, in the current language, as a field's
/// `error` prop takes it.
pub fn field_error(
    errors: impl Into<Signal<Vec<FieldError>>>,
    field: &'static str,
) -> Signal<Option<String>> {
    let errors = errors.into();
    let i18n = use_i18n();
    Signal::derive(move || errors.with(|e| message_for(e, field, i18n.get_locale())))
}

/// Whether the page shows errors: the app shell prefixes the title with "Error:".
#[derive(Debug, Clone, Copy)]
pub struct PageHasErrors(pub RwSignal<bool>);

#[component]
pub fn ErrorSummary(#[prop(into)] errors: Signal<Vec<FieldError>>) -> impl IntoView {
    let i18n = use_i18n();
    let summary = NodeRef::<leptos::html::Div>::new();
    let page_flag = use_context::<PageHasErrors>();
    Effect::new(move |_| {
        let shown = errors.with(|e| !e.is_empty());
        if let Some(PageHasErrors(flag)) = page_flag {
            flag.set(shown);
        }
        if shown && let Some(element) = summary.get() {
            let _ = element.focus();
        }
    });
    on_cleanup(move || {
        if let Some(PageHasErrors(flag)) = page_flag {
            flag.try_set(false);
        }
    });
    view! {
        <div
            class="error-summary"
            node_ref=summary
            tabindex="-1"
            role="alert"
            aria-labelledby="error-summary-title"
            hidden=move || errors.with(Vec::is_empty)
        >
            <h2 class="error-summary__title" id="error-summary-title">
                {text(|l| td_string!(l, reset.error_summary))}
            </h2>
            <ul class="error-summary__list">
                {move || {
                    let locale = i18n.get_locale();
                    errors
                        .get()
                        .into_iter()
                        .map(|error| {
                            let text = error.message(locale);
                            let field = error.field;
                            view! {
                                <li>
                                    <a
                                        href=format!("#{field}")
                                        on:click=move |ev| {
                                            // Focus the field without touching the URL.
                                            ev.prevent_default();
                                            focus_by_id(field);
                                        }
                                    >
                                        {text}
                                    </a>
                                </li>
                            }
                        })
                        .collect_view()
                }}
            </ul>
        </div>
    }
}

/// Focuses the element with this id, if there is one.
pub fn focus_by_id(id: &str) {
    use wasm_bindgen::JsCast;
    if let Some(element) = document()
        .get_element_by_id(id)
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        let _ = element.focus();
    }
}

/// The inline error under a field, with its visually hidden "Error:" prefix.
#[component]
pub fn InlineError(
    field: &'static str,
    #[prop(into)] message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|said| {
            view! {
                <p class="error-message" id=format!("{field}-error")>
                    <span class="visually-hidden">{text(|l| td_string!(l, app.error_prefix))} " "</span>
                    {said}
                </p>
            }
        })
    }
}

/// `aria-describedby` for a field with a hint and maybe an error.
pub fn described_by(field: &str, hint: bool, error: bool) -> Option<String> {
    let mut ids = Vec::new();
    if hint {
        ids.push(format!("{field}-hint"));
    }
    if error {
        ids.push(format!("{field}-error"));
    }
    (!ids.is_empty()).then(|| ids.join(" "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn described_by_lists_hint_then_error() {
        assert_eq!(
            described_by("code", true, true).as_deref(),
            Some("code-hint code-error")
        );
        assert_eq!(
            described_by("code", false, true).as_deref(),
            Some("code-error")
        );
        assert_eq!(described_by("code", false, false), None);
    }

    #[test]
    fn message_for_finds_the_fields_own_error_in_the_language_asked() {
        let errors = vec![
            FieldError::new("a", |_| "first".to_owned()),
            FieldError::new("b", |l| td_string!(l, reset.identify.empty).to_owned()),
        ];
        assert_eq!(
            message_for(&errors, "b", Locale::en).as_deref(),
            Some(td_string!(Locale::en, reset.identify.empty))
        );
        assert_eq!(
            message_for(&errors, "b", Locale::fr).as_deref(),
            Some(td_string!(Locale::fr, reset.identify.empty))
        );
        assert_eq!(message_for(&errors, "c", Locale::en), None);
    }
}
