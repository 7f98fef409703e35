//! The page header: organisation, service name and language switcher.

use super::LanguagePicker;
use crate::components::text;
use crate::i18n::*;
use crate::locale;
use leptos::prelude::*;
use sspr_api::PublicConfig;

#[component]
pub fn SiteHeader(
    /// The organisation's public configuration, once loaded.
    #[prop(into)]
    config: Signal<Option<PublicConfig>>,
) -> impl IntoView {
    let organisation = move || config.get().map(|c| c.organisation_name);
    let locales = Signal::derive(move || {
        locale::offered(&config.get().map(|c| c.locales).unwrap_or_default())
    });
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <p class="site-header__brand">
                    <span class="site-header__organisation">{organisation}</span>
                    <span class="site-header__service">{text(|l| td_string!(l, app.service_name))}</span>
                </p>
                <LanguagePicker locales />
            </div>
        </header>
    }
}
