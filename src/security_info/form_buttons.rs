//! The buttons under every form of the page that changes something: the action (marked
//! busy while its request runs) and Cancel, back to the methods.

use crate::i18n::*;
use leptos::prelude::*;

#[component]
pub fn FormButtons(
    /// The action's label in a locale.
    label: fn(Locale) -> &'static str,
    busy: RwSignal<bool>,
    cancel: Callback<()>,
) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="button-group">
            <button type="submit" class="button" aria-disabled=move || busy.get().then_some("true")>
                {move || label(i18n.get_locale())}
            </button>
            <button type="button" class="link-button" on:click=move |_| cancel.run(())>
                {move || td_string!(i18n.get_locale(), security_info.add.cancel)}
            </button>
        </div>
    }
}
