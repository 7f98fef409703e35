//! The language switcher: each language named in itself, the current one marked. The
//! choice is remembered (see [`crate::locale`]).

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
    view! {
        <nav class="language-picker" aria-label=move || td_string!(i18n.get_locale(), language_picker.label)>
            <ul>
                // The list changes once at most (when the configuration arrives), so it is
                // rebuilt whole: a keyed <For> costs about 6 KB of wasm for nothing here.
                {move || locales.get().into_iter().map(|locale| view! {
                    <li>
                        <button
                            type="button"
                            lang=locale.as_str()
                            aria-current=move || (i18n.get_locale() == locale).then_some("true")
                            on:click=move |_| {
                                i18n.set_locale(locale);
                                locale::remember(locale);
                            }
                        >
                            {td_string!(locale, language_name)}
                        </button>
                    </li>
                }).collect_view()}
            </ul>
        </nav>
    }
}
