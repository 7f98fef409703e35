//! The page header: organisation, service name and language switcher.

use super::LanguagePicker;
use crate::i18n::*;
use crate::locale;
use leptos::prelude::*;
use sspr_api::PublicConfig;

#[component]
pub fn SiteHeader(
    /// The organisation's public configuration, once loaded.
    #[prop(into)]
    config: Signal<Option<PublicConfig>>,
    /// The area's page: it names the service (password reset, security info).
    page: crate::route::Page,
) -> impl IntoView {
    let i18n = use_i18n();
    let organisation = move || config.get().map(|c| c.organisation_name);
    let locales = Signal::derive(move || {
        locale::offered(&config.get().map(|c| c.locales).unwrap_or_default())
    });
    view! {
        <header class="site-header">
            <div class="site-header__inner">
                <p class="site-header__brand">
                    <span class="site-header__organisation">{organisation}</span>
                    <span class="site-header__service">
                        {move || match page {
                            crate::route::Page::SecurityInfo => {
                                td_string!(i18n.get_locale(), security_info.title)
                            }
                            crate::route::Page::Authenticator => {
                                td_string!(i18n.get_locale(), authenticator.title)
                            }
                            _ => td_string!(i18n.get_locale(), app.service_name),
                        }}
                    </span>
                </p>
                <LanguagePicker locales />
            </div>
        </header>
    }
}
