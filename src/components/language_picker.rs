//! The language switcher: a list box of the offered languages, each named in itself, the
//! current one selected. The choice is remembered (see [`crate::locale`]).

use crate::i18n::*;
use crate::locale;
use leptos::prelude::*;

#[component]
pub fn LanguagePicker(
    /// The locales to offer, in order.
    #[prop(into)]
    locales: Signal<Vec<Locale>>,
) -> impl IntoView {
    let i18n = use_i18n();
    let select = NodeRef::<leptos::html::Select>::new();
    // The current language selected once the options are in the page: on the next frame,
    // after every option of a new list is inserted (the list and this effect follow the
    // same signal, in no promised order), and again whenever the language changes.
    Effect::new(move |_| {
        let current = i18n.get_locale();
        locales.track();
        request_animation_frame(move || {
            if let Some(select) = select.get_untracked() {
                select.set_value(current.as_str());
            }
        });
    });
    let change = move |event: leptos::ev::Event| {
        if let Ok(locale) = event_target_value(&event).parse::<Locale>() {
            i18n.set_locale(locale);
            locale::remember(locale);
        }
    };
    view! {
        <div class="language-picker">
            <label for="language-picker">{move || td_string!(i18n.get_locale(), language_picker.label)}</label>
            <select id="language-picker" node_ref=select on:change=change>
                // The list changes once at most (when the configuration arrives), so it is
                // rebuilt whole: a keyed <For> costs about 6 KB of wasm for nothing here.
                // The page's language is always in it, offered or not (the browser's
                // language is negotiated among every shipped one).
                {move || with_current(locales.get(), i18n.get_locale_untracked()).into_iter().map(|locale| view! {
                    <option
                        value=locale.as_str()
                        lang=locale.as_str()
                        prop:selected=move || i18n.get_locale() == locale
                    >
                        {locale.native_name()}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}

/// `offered`, with `current` first when it is not among them.
fn with_current(mut offered: Vec<Locale>, current: Locale) -> Vec<Locale> {
    if !offered.contains(&current) {
        offered.insert(0, current);
    }
    offered
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_page_language_is_listed_even_when_not_offered() {
        assert_eq!(
            with_current(vec![Locale::en, Locale::fr], Locale::de),
            [Locale::de, Locale::en, Locale::fr]
        );
        assert_eq!(
            with_current(vec![Locale::en, Locale::fr], Locale::fr),
            [Locale::en, Locale::fr]
        );
    }
}
