//! The app shell: language context, header, the page for the current URL, footer.

use crate::api::{self, ApiError};
use crate::components::{ApiErrorMessage, SiteHeader};
use crate::i18n::*;
use crate::locale;
use crate::reset::ResetPortal;
use crate::route::Page;
use crate::security_info::SecurityInfoPage;
use leptos::prelude::*;
use leptos_meta::Title;
use sspr_api::PublicConfig;

#[component]
pub fn App() -> impl IntoView {
    let path = window().location().pathname().unwrap_or_default();
    let page = Page::from_path(&path);
    view! {
        <I18nContextProvider cookie_name=locale::COOKIE_NAME cookie_options=locale::cookie_options()>
            <Shell page />
        </I18nContextProvider>
    }
}

/// Everything inside the language context.
#[component]
pub fn Shell(page: Page) -> impl IntoView {
    let i18n = use_i18n();
    let config = LocalResource::new(api::config);
    let public_config = Signal::derive(move || config.get().and_then(Result::ok));
    let config_error = move || config.get().and_then(Result::err);
    provide_context(public_config);

    let title = move || {
        let heading = match page {
            Page::Reset => td_string!(i18n.get_locale(), reset.title),
            Page::SecurityInfo => td_string!(i18n.get_locale(), security_info.title),
            Page::NotFound => td_string!(i18n.get_locale(), not_found.title),
        };
        match public_config.get() {
            Some(c) => format!("{heading} – {}", c.organisation_name),
            None => heading.to_owned(),
        }
    };

    view! {
        <Title text=title />
        <a class="skip-link" href="#main">{t!(i18n, app.skip_to_content)}</a>
        <SiteHeader config=public_config />
        <main id="main" class="page" tabindex="-1">
            {move || config_error().map(|error| view! { <ConfigError error retry=move || config.refetch() /> })}
            {match page {
                Page::Reset => view! { <ResetPortal /> }.into_any(),
                Page::SecurityInfo => view! { <SecurityInfoPage /> }.into_any(),
                Page::NotFound => view! { <NotFound /> }.into_any(),
            }}
        </main>
        <Footer config=public_config />
    }
}

#[component]
fn ConfigError(error: ApiError, retry: impl Fn() + 'static) -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <div class="notification notification--error" role="alert">
            <p><ApiErrorMessage error /></p>
            <button type="button" class="button button--secondary" on:click=move |_| retry()>
                {t!(i18n, app.retry)}
            </button>
        </div>
    }
}

#[component]
fn NotFound() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 class="heading-xl">{t!(i18n, not_found.title)}</h1>
        <p>{t!(i18n, not_found.body)}</p>
        <p><a href=Page::Reset.path()>{t!(i18n, not_found.link)}</a></p>
    }
}

#[component]
fn Footer(#[prop(into)] config: Signal<Option<PublicConfig>>) -> impl IntoView {
    let i18n = use_i18n();
    let helpdesk = move || config.get().and_then(|c| c.helpdesk_url);
    view! {
        <footer class="site-footer">
            {move || helpdesk().map(|href| view! { <a href=href>{t!(i18n, app.helpdesk)}</a> })}
        </footer>
    }
}
