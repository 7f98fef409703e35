//! The way to a person: every dead end of the portal (paused, out of codes, nothing left
//! to use, timed out) says how to reach the help desk, as a link when the organisation
//! configured one (`organisation.helpdesk_url`).

use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::PublicConfig;

/// The organisation's public configuration once loaded, for every page to read.
#[derive(Debug, Clone, Copy)]
pub struct OrganisationConfig(pub Signal<Option<PublicConfig>>);

/// The organisation's configuration, if the shell provided it and it has loaded.
pub fn organisation_config() -> Option<PublicConfig> {
    use_context::<OrganisationConfig>().and_then(|OrganisationConfig(config)| config.get())
}

/// "Need help now? Contact your help desk." with the link when there is one.
#[component]
pub fn HelpdeskLink() -> impl IntoView {
    let href = move || organisation_config().and_then(|c| c.helpdesk_url);
    view! {
        <p class="body helpdesk">
            {text(|l| td_string!(l, app.helpdesk_lead))}
            " "
            {move || match href() {
                Some(href) => view! {
                    <a class="helpdesk__link" href=href>{text(|l| td_string!(l, app.helpdesk))}</a>
                }
                .into_any(),
                None => view! { <span>{text(|l| td_string!(l, app.helpdesk))}</span> }.into_any(),
            }}
            "."
        </p>
    }
}
