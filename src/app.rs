//! The shell every area shares: language context, header, the area's page, footer.

use crate::api::{self, ApiError};
use crate::components::text;
use crate::components::{ApiErrorMessage, OrganisationConfig, PageHasErrors, SiteHeader};
use crate::i18n::*;
use crate::page_title::StepTitle;
use crate::route::Page;
use leptos::prelude::*;
use sspr_api::PublicConfig;

/// An area of the app: `page` names it (the document title), `content` is its page,
/// `locale` the language it starts in (its texts already loaded).
#[component]
pub fn App(page: Page, content: fn(Page) -> AnyView, locale: Locale) -> impl IntoView {
    api::set_language(locale.as_str());
    provide_i18n(locale);
    view! {
        <DocumentLanguage />
        <Shell page content />
    }
}

/// Keeps `<html lang dir>`, and the language requests say they want, in step with the
/// current locale.
#[component]
pub fn DocumentLanguage() -> impl IntoView {
    let i18n = use_i18n();
    Effect::new(move |_| {
        let locale = i18n.get_locale();
        if let Some(html) = document().document_element() {
            let _ = html.set_attribute("lang", locale.as_str());
            let _ = html.set_attribute("dir", locale.direction());
        }
        api::set_language(locale.as_str());
    });
}

/// Everything inside the language context.
#[component]
pub fn Shell(page: Page, content: fn(Page) -> AnyView) -> impl IntoView {
    let i18n = use_i18n();
    // The organisation's settings: loaded once, reloaded by "Try again".
    let config = RwSignal::new(None::<Result<PublicConfig, ApiError>>);
    let load_config =
        move || leptos::task::spawn_local(async move { config.set(Some(api::config().await)) });
    load_config();
    let public_config = Signal::derive(move || config.get().and_then(Result::ok));
    provide_context(OrganisationConfig(public_config));
    let config_error = move || config.get().and_then(Result::err);
    // Forms set this while they show errors: the title then starts with "Error:".
    let page_errors = PageHasErrors(RwSignal::new(false));
    provide_context(page_errors);
    // Wizard steps name themselves here, so the title says where the person is.
    let step_title = StepTitle(RwSignal::new(None));
    provide_context(step_title);

    let title = move || {
        let locale = i18n.get_locale();
        let heading = match (page, step_title.0.get()) {
            (Page::Reset, Some(step)) => step(locale),
            (Page::Reset, None) => td_string!(locale, reset.title),
            (Page::SecurityInfo, _) => td_string!(locale, security_info.title),
            (Page::Authenticator, _) => td_string!(locale, authenticator.title),
            (Page::NotFound, _) => td_string!(locale, not_found.title),
        };
        let title = match public_config.get() {
            Some(c) => format!("{heading} – {}", c.organisation_name),
            None => heading.to_owned(),
        };
        if page_errors.0.get() {
            format!(
                "{} {title}",
                td_string!(i18n.get_locale(), app.error_prefix)
            )
        } else {
            title
        }
    };

    Effect::new(move |_| document().set_title(&title()));

    view! {
        <a class="skip-link" href="#main">{text(|l| td_string!(l, app.skip_to_content))}</a>
        <SiteHeader config=public_config page />
        <main id="main" class="page" tabindex="-1">
            {move || config_error().map(|error| view! { <ConfigError error retry=load_config /> })}
            {content(page)}
        </main>
        <Footer config=public_config />
    }
}

#[component]
fn ConfigError(error: ApiError, retry: impl Fn() + 'static) -> impl IntoView {
    view! {
        <div class="notification notification--error" role="alert">
            <p><ApiErrorMessage error /></p>
            <button type="button" class="button button--secondary" on:click=move |_| retry()>
                {text(|l| td_string!(l, app.retry))}
            </button>
        </div>
    }
}

#[component]
pub fn NotFound() -> impl IntoView {
    view! {
        <h1 class="heading-xl">{text(|l| td_string!(l, not_found.title))}</h1>
        <p>{text(|l| td_string!(l, not_found.body))}</p>
        <p><a href=Page::Reset.path()>{text(|l| td_string!(l, not_found.link))}</a></p>
    }
}

#[component]
fn Footer(#[prop(into)] config: Signal<Option<PublicConfig>>) -> impl IntoView {
    let helpdesk = move || config.get().and_then(|c| c.helpdesk_url);
    move || {
        helpdesk().map(|href| {
            view! {
                <footer class="site-footer">
                    <a href=href>{text(|l| td_string!(l, app.helpdesk))}</a>
                </footer>
            }
        })
    }
}
