//! Component tests in a real browser (wasm-bindgen-test in headless Chromium):
//! `scripts/test.sh` runs them with `cargo test --target wasm32-unknown-unknown --test web`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use sspr_app::app::DocumentLanguage;
use sspr_app::components::LanguagePicker;
use sspr_app::i18n::*;
use sspr_app::locale;
use sspr_app::reset::ResetPortal;
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn mount_fixture(initial: Locale) -> (web_sys::Element, impl Drop) {
    let wrapper = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone().unchecked_into(), move || {
        view! {
            <I18nSubContextProvider initial_locale=Signal::stored(initial)>
                <DocumentLanguage />
                <LanguagePicker locales=vec![Locale::en, Locale::fr] />
                <ResetPortal />
            </I18nSubContextProvider>
        }
    });
    (wrapper, handle)
}

fn button(wrapper: &web_sys::Element, lang: &str) -> web_sys::HtmlElement {
    wrapper
        .query_selector(&format!("button[lang='{lang}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no button for {lang}"))
        .unchecked_into()
}

fn heading(wrapper: &web_sys::Element) -> String {
    wrapper
        .query_selector("h1")
        .unwrap()
        .unwrap()
        .text_content()
        .unwrap_or_default()
}

fn html_attr(name: &str) -> Option<String> {
    document().document_element().unwrap().get_attribute(name)
}

#[wasm_bindgen_test]
async fn language_picker_switches_text_html_lang_and_remembers() {
    let storage = window().local_storage().unwrap().unwrap();
    storage.remove_item(locale::STORAGE_KEY).unwrap();
    let (wrapper, _handle) = mount_fixture(Locale::en);
    tick().await;

    assert_eq!(heading(&wrapper), td_string!(Locale::en, reset.title));
    assert_eq!(html_attr("lang").as_deref(), Some("en"));
    assert_eq!(
        button(&wrapper, "en")
            .get_attribute("aria-current")
            .as_deref(),
        Some("true")
    );
    // Each language is named in itself.
    assert_eq!(
        button(&wrapper, "fr").text_content().as_deref(),
        Some("Français")
    );
    // Nothing is remembered until someone chooses.
    assert_eq!(storage.get_item(locale::STORAGE_KEY).unwrap(), None);

    button(&wrapper, "fr").click();
    tick().await;

    assert_eq!(heading(&wrapper), td_string!(Locale::fr, reset.title));
    assert_eq!(html_attr("lang").as_deref(), Some("fr"));
    assert_eq!(html_attr("dir").as_deref(), Some("ltr"));
    assert_eq!(button(&wrapper, "en").get_attribute("aria-current"), None);
    assert_eq!(
        button(&wrapper, "fr")
            .get_attribute("aria-current")
            .as_deref(),
        Some("true")
    );
    assert_eq!(
        storage.get_item(locale::STORAGE_KEY).unwrap().as_deref(),
        Some("fr")
    );
    // The next page load starts in the remembered language.
    assert_eq!(locale::initial(), Locale::fr);
    storage.remove_item(locale::STORAGE_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn picker_is_a_labelled_navigation_landmark() {
    let (wrapper, _handle) = mount_fixture(Locale::fr);
    tick().await;
    let nav = wrapper.query_selector("nav").unwrap().unwrap();
    assert_eq!(
        nav.get_attribute("aria-label").as_deref(),
        Some(td_string!(Locale::fr, language_picker.label))
    );
    let buttons = wrapper.query_selector_all("nav button").unwrap();
    assert_eq!(buttons.length(), 2);
}
