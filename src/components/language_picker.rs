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
    // The current language selected once the options are in the page (effects run after
    // rendering), and again whenever the list or the language changes.
    Effect::new(move |_| {
        let current = i18n.get_locale();
        locales.track();
        if let Some(select) = select.get() {
            select.set_value(current.as_str());
        }
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
                {move || locales.get().into_iter().map(|locale| view! {
                    <option value=locale.as_str() lang=locale.as_str()>
                        {locale.native_name()}
                    </option>
                }).collect_view()}
            </select>
        </div>
    }
}
