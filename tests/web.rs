//! Component tests in a real browser (wasm-bindgen-test in headless Chromium):
//! `scripts/test.sh` runs them with `cargo test --target wasm32-unknown-unknown --test web`.
#![cfg(target_arch = "wasm32")]
#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use leptos::mount::mount_to;
use leptos::prelude::*;
use leptos::task::tick;
use sspr_app::app::DocumentLanguage;
use sspr_app::components::password_feedback::RuleStates;
use sspr_app::components::{
    CodeInput, DurationText, ErrorSummary, FieldError, LanguagePicker, PasswordFeedback,
    PasswordInput,
};
use sspr_app::i18n::*;
use sspr_app::locale;
use sspr_app::reset::ResetPortal;
use sspr_app::reset::prove_questions::{AnswersGroup, GROUP};
use wasm_bindgen::JsCast;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

/// Gives the page the French texts, as boot.js would fetch them.
fn with_french() {
    let file = js_sys::JSON::parse(include_str!("../locales/fr.json")).unwrap();
    assert!(sspr_app::i18n::use_file(Locale::fr, &file));
}

fn mount_fixture(initial: Locale) -> (web_sys::Element, impl Drop) {
    with_french();
    let wrapper = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone().unchecked_into(), move || {
        provide_i18n(initial);
        view! {
            <DocumentLanguage />
            <LanguagePicker locales=vec![Locale::en, Locale::fr] />
            <ResetPortal />
        }
    });
    (wrapper, handle)
}

fn option(wrapper: &web_sys::Element, lang: &str) -> web_sys::HtmlOptionElement {
    wrapper
        .query_selector(&format!(".language-picker option[lang='{lang}']"))
        .unwrap()
        .unwrap_or_else(|| panic!("no option for {lang}"))
        .unchecked_into()
}

/// Chooses `lang` in the language picker as a person would, then lets it load.
async fn choose_language(wrapper: &web_sys::Element, lang: &str) {
    let select: web_sys::HtmlSelectElement = wrapper
        .query_selector(".language-picker select")
        .unwrap()
        .unwrap()
        .unchecked_into();
    select.set_value(lang);
    let event = web_sys::Event::new("change").unwrap();
    select.dispatch_event(&event).unwrap();
    tick().await;
    tick().await;
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
    assert!(option(&wrapper, "en").selected());
    // Each language is named in itself.
    assert_eq!(
        option(&wrapper, "fr").text_content().as_deref(),
        Some("Français")
    );
    // Nothing is remembered until someone chooses.
    assert_eq!(storage.get_item(locale::STORAGE_KEY).unwrap(), None);

    choose_language(&wrapper, "fr").await;

    assert_eq!(heading(&wrapper), td_string!(Locale::fr, reset.title));
    assert_ne!(
        td_string!(Locale::fr, reset.title),
        td_string!(Locale::en, reset.title)
    );
    assert_eq!(html_attr("lang").as_deref(), Some("fr"));
    assert_eq!(html_attr("dir").as_deref(), Some("ltr"));
    assert!(!option(&wrapper, "en").selected());
    assert!(option(&wrapper, "fr").selected());
    // boot.js starts the next page load in the remembered language.
    assert_eq!(
        storage.get_item(locale::STORAGE_KEY).unwrap().as_deref(),
        Some("fr")
    );
    storage.remove_item(locale::STORAGE_KEY).unwrap();
}

#[wasm_bindgen_test]
async fn picker_is_a_labelled_list_box_of_the_offered_languages() {
    let (wrapper, _handle) = mount_fixture(Locale::fr);
    tick().await;
    let label = wrapper
        .query_selector("label[for='language-picker']")
        .unwrap()
        .unwrap();
    assert_eq!(
        label.text_content().as_deref(),
        Some(td_string!(Locale::fr, language_picker.label))
    );
    let options = wrapper
        .query_selector_all("select#language-picker option")
        .unwrap();
    assert_eq!(options.length(), 2);
}

/// Mounts `view` inside the language context; the wrapper and the mount handle.
fn mount_in_english<V: IntoView + 'static>(
    view: impl FnOnce() -> V + Send + 'static,
) -> (web_sys::Element, impl Drop) {
    with_french();
    let wrapper = document().create_element("section").unwrap();
    document().body().unwrap().append_child(&wrapper).unwrap();
    let handle = mount_to(wrapper.clone().unchecked_into(), move || {
        provide_i18n(Locale::en);
        view()
    });
    (wrapper, handle)
}

/// Forgets a language picked in a test, so the next one starts from the browser's.
fn forget_language_choice() {
    window()
        .local_storage()
        .unwrap()
        .unwrap()
        .remove_item(locale::STORAGE_KEY)
        .unwrap();
}

fn find(wrapper: &web_sys::Element, css: &str) -> web_sys::HtmlElement {
    wrapper
        .query_selector(css)
        .unwrap()
        .unwrap_or_else(|| panic!("no {css}"))
        .unchecked_into()
}

/// Types `text` into an input the way a person does: value, then an `input` event.
fn type_into(input: &web_sys::HtmlElement, text: &str) {
    let input: &web_sys::HtmlInputElement = input.unchecked_ref();
    input.set_value(text);
    let event = web_sys::Event::new_with_event_init_dict("input", &{
        let init = web_sys::EventInit::new();
        init.set_bubbles(true);
        init
    })
    .unwrap();
    input.dispatch_event(&event).unwrap();
}

#[wasm_bindgen_test]
async fn code_input_is_numeric_one_time_code_and_links_its_error() {
    let value = RwSignal::new(String::new());
    let error = RwSignal::new(None::<String>);
    let (wrapper, _handle) = mount_in_english(move || {
        view! {
            <CodeInput
                id="code"
                label=Signal::stored("Code".to_owned())
                hint=Signal::stored("6 digits".to_owned())
                value
                error=error
            />
        }
    });
    tick().await;
    let input = find(&wrapper, "input#code");
    assert_eq!(input.get_attribute("inputmode").as_deref(), Some("numeric"));
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("one-time-code")
    );
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("code-hint")
    );
    assert_eq!(input.get_attribute("aria-invalid"), None);
    // Typing (or pasting) reaches the signal unchanged.
    type_into(&input, "123 456");
    assert_eq!(value.get_untracked(), "123 456");

    error.set(Some("The code is not right".to_owned()));
    tick().await;
    assert_eq!(
        input.get_attribute("aria-describedby").as_deref(),
        Some("code-hint code-error")
    );
    assert_eq!(input.get_attribute("aria-invalid").as_deref(), Some("true"));
    let message = find(&wrapper, "#code-error").text_content().unwrap();
    assert!(message.starts_with("Error:"), "{message}");
    assert!(message.ends_with("The code is not right"), "{message}");
    // What was typed stays.
    assert_eq!(
        input.unchecked_ref::<web_sys::HtmlInputElement>().value(),
        "123 456"
    );
}

#[wasm_bindgen_test]
async fn password_feedback_follows_the_contract_rules_while_typing() {
    let typed = RwSignal::new(String::new());
    let context = sspr_api::password::context_words(&["adele.vance@contoso.example"]);
    let states = Signal::derive(move || {
        RuleStates::of(
            &typed.get(),
            &context,
            Some(sspr_api::password::COMMON_PASSWORDS),
        )
    });
    let (wrapper, _handle) =
        mount_in_english(move || view! { <PasswordFeedback id="rules" states /> });
    tick().await;
    let rules = || {
        let items = wrapper.query_selector_all("#rules li").unwrap();
        (0..items.length())
            .map(|i| {
                let item: web_sys::Element = items.item(i).unwrap().unchecked_into();
                let class = item.class_name();
                if class.contains("--met") {
                    "met"
                } else if class.contains("--broken") {
                    "broken"
                } else {
                    "pending"
                }
            })
            .collect::<Vec<_>>()
    };
    // Length, not common, not personal: the 128-character ceiling is refused on submit,
    // not listed (an empty field must not read "128 characters or fewer (not yet)").
    assert_eq!(rules(), ["pending"; 3]);
    typed.set("pass".to_owned());
    tick().await;
    assert_eq!(rules(), ["pending", "met", "met"]);
    typed.set("password1".to_owned());
    tick().await;
    assert_eq!(rules(), ["met", "broken", "met"]);
    typed.set("vance orchard".to_owned());
    tick().await;
    assert_eq!(rules(), ["met", "met", "broken"]);
    typed.set("orchard lantern".to_owned());
    tick().await;
    assert_eq!(rules(), ["met"; 3]);
    // Each state is spoken too, not only shown by colour and symbol.
    let hidden = find(&wrapper, "#rules li .visually-hidden")
        .text_content()
        .unwrap();
    assert_eq!(hidden, td_string!(Locale::en, reset.password.met));
}

#[wasm_bindgen_test]
async fn error_summary_appears_takes_focus_and_links_to_the_field() {
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let (wrapper, _handle) = mount_in_english(move || {
        view! {
            <ErrorSummary errors />
            <input id="the-field" />
        }
    });
    tick().await;
    let summary = find(&wrapper, ".error-summary");
    assert!(summary.hidden(), "shown with no errors");

    errors.set(vec![FieldError::new("the-field", |l| {
        td_string!(l, reset.identify.empty).to_owned()
    })]);
    tick().await;
    tick().await;
    assert!(!summary.hidden());
    assert_eq!(summary.get_attribute("role").as_deref(), Some("alert"));
    let active = document().active_element().unwrap();
    assert!(
        active.class_list().contains("error-summary"),
        "focus is on {}",
        active.tag_name()
    );
    let link = find(&wrapper, ".error-summary__list a");
    assert_eq!(link.get_attribute("href").as_deref(), Some("#the-field"));
    assert_eq!(
        link.text_content().as_deref(),
        Some(td_string!(Locale::en, reset.identify.empty))
    );
    let url_before = window().location().href().unwrap();
    link.click();
    assert_eq!(document().active_element().unwrap().id(), "the-field");
    assert_eq!(
        window().location().href().unwrap(),
        url_before,
        "the link changed the URL"
    );
}

#[wasm_bindgen_test]
async fn errors_already_shown_are_reworded_when_the_language_changes() {
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let (wrapper, _handle) = mount_in_english(move || {
        view! {
            <LanguagePicker locales=vec![Locale::en, Locale::fr] />
            <ErrorSummary errors />
        }
    });
    tick().await;
    errors.set(vec![FieldError::new("user-id", |l| {
        td_string!(l, reset.identify.empty).to_owned()
    })]);
    tick().await;
    let link = || {
        find(&wrapper, ".error-summary__list a")
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(link(), td_string!(Locale::en, reset.identify.empty));
    choose_language(&wrapper, "fr").await;
    assert_eq!(link(), td_string!(Locale::fr, reset.identify.empty));
    forget_language_choice();
}

#[wasm_bindgen_test]
async fn password_input_shows_hides_and_says_so() {
    let value = RwSignal::new(String::new());
    let (wrapper, _handle) = mount_in_english(move || {
        view! {
            <PasswordInput
                id="new-password"
                label=Signal::stored("New password".to_owned())
                value
                error=Signal::stored(None::<String>)
            />
        }
    });
    tick().await;
    let input = find(&wrapper, "input#new-password");
    let toggle = find(&wrapper, "button");
    let status = || {
        find(&wrapper, "[aria-live]")
            .text_content()
            .unwrap_or_default()
    };
    assert_eq!(input.get_attribute("type").as_deref(), Some("password"));
    assert_eq!(
        input.get_attribute("autocomplete").as_deref(),
        Some("new-password")
    );
    assert_eq!(status(), "", "announced before anyone asked");
    assert_eq!(
        toggle.get_attribute("aria-label").as_deref(),
        Some(td_string!(Locale::en, reset.password.show_label))
    );
    toggle.click();
    tick().await;
    assert_eq!(input.get_attribute("type").as_deref(), Some("text"));
    assert_eq!(
        status(),
        td_string!(Locale::en, reset.password.shown_status)
    );
    assert_eq!(
        toggle.get_attribute("aria-label").as_deref(),
        Some(td_string!(Locale::en, reset.password.hide_label))
    );
    toggle.click();
    tick().await;
    assert_eq!(input.get_attribute("type").as_deref(), Some("password"));
    assert_eq!(
        status(),
        td_string!(Locale::en, reset.password.hidden_status)
    );
}

#[wasm_bindgen_test]
async fn durations_read_as_words_in_english_and_french_and_follow_the_countdown() {
    let seconds = RwSignal::new(45u64);
    let (wrapper, _handle) = mount_in_english(move || {
        view! {
            <LanguagePicker locales=vec![Locale::en, Locale::fr] />
            <p id="wait"><DurationText seconds /></p>
        }
    });
    tick().await;
    let text = || find(&wrapper, "#wait").text_content().unwrap_or_default();
    // Seconds, minutes (rounded up), hours and minutes; one and other forms.
    for (value, english) in [
        (1, "1 second"),
        (45, "45 seconds"),
        (60, "1 minute"),
        (2406, "41 minutes"),
        (3600, "1 hour"),
        (7260, "2 hours 1 minute"),
    ] {
        seconds.set(value);
        tick().await;
        assert_eq!(text(), english);
    }
    choose_language(&wrapper, "fr").await;
    assert_eq!(text(), "2 heures 1 minute");
    for (value, french) in [
        (1, "1 seconde"),
        (30, "30 secondes"),
        (898, "15 minutes"),
        (3600, "1 heure"),
    ] {
        seconds.set(value);
        tick().await;
        assert_eq!(text(), french);
    }
    forget_language_choice();
}

#[wasm_bindgen_test]
async fn wrong_answers_are_one_error_for_the_whole_group_not_the_first_question() {
    let questions = RwSignal::new(vec!["first_pet".to_owned(), "birth_city".to_owned()]);
    let answers: [RwSignal<String>; 5] = std::array::from_fn(|_| RwSignal::new(String::new()));
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let (wrapper, _handle) = mount_in_english(move || {
        view! { <AnswersGroup questions answers errors /> }
    });
    tick().await;
    assert_eq!(wrapper.query_selector_all("input").unwrap().length(), 2);
    errors.set(vec![FieldError::new(GROUP, |l| {
        td_string!(l, errors.answers_incorrect).to_owned()
    })]);
    tick().await;
    // The error is the group's: above the questions, on the fieldset, no field marked.
    let group_error = find(&wrapper, "#answers-error");
    assert!(
        group_error
            .text_content()
            .unwrap()
            .contains(td_string!(Locale::en, errors.answers_incorrect))
    );
    assert_eq!(
        wrapper
            .query_selector_all(".error-message")
            .unwrap()
            .length(),
        1
    );
    assert!(wrapper.query_selector("#answer-1-error").unwrap().is_none());
    assert!(wrapper.query_selector("[aria-invalid]").unwrap().is_none());
    let fieldset = find(&wrapper, "fieldset#answers");
    assert!(
        fieldset
            .get_attribute("aria-describedby")
            .unwrap()
            .contains("answers-error")
    );
    // An empty answer is that question's own error.
    errors.set(vec![FieldError::new("answer-2", |l| {
        td_string!(l, reset.questions.empty, number = 2).to_string()
    })]);
    tick().await;
    assert!(wrapper.query_selector("#answers-error").unwrap().is_none());
    assert!(wrapper.query_selector("#answer-2-error").unwrap().is_some());
}

const OTPAUTH: &str = "otpauth://totp/Contoso:adele.vance%40contoso.example?secret=JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP&issuer=Contoso&algorithm=SHA1&digits=6&period=30";

/// The QR code as the browser drew it (its SVG's viewBox and path, read from the DOM)
/// decodes to the URI: rasterised at 4 px a module and read by a QR decoder.
#[wasm_bindgen_test]
fn the_qr_code_in_the_page_decodes_to_the_uri() {
    use sspr_app::components::QrCode;
    let (wrapper, _handle) = mount_in_english(|| {
        view! { <QrCode text=OTPAUTH.to_owned() label=Signal::stored("QR code".to_owned()) /> }
    });
    let svg = wrapper.query_selector("svg.qr-code").unwrap().unwrap();
    assert_eq!(svg.get_attribute("role").as_deref(), Some("img"));
    assert_eq!(svg.get_attribute("aria-label").as_deref(), Some("QR code"));
    let size: i32 = svg
        .get_attribute("viewBox")
        .unwrap()
        .split(' ')
        .nth(2)
        .unwrap()
        .parse()
        .unwrap();
    let path = svg
        .query_selector("path")
        .unwrap()
        .unwrap()
        .get_attribute("d")
        .unwrap();
    let dark: std::collections::HashSet<(i32, i32)> = path
        .split('M')
        .filter(|square| !square.is_empty())
        .map(|square| {
            let (x, rest) = square.split_once(',').unwrap();
            (
                x.parse().unwrap(),
                rest.split_once('h').unwrap().0.parse().unwrap(),
            )
        })
        .collect();
    let scale = 4;
    let pixels = (size * scale) as usize;
    let mut image = rqrr::PreparedImage::prepare_from_greyscale(pixels, pixels, |x, y| {
        if dark.contains(&(x as i32 / scale, y as i32 / scale)) {
            0
        } else {
            255
        }
    });
    let grids = image.detect_grids();
    assert_eq!(grids.len(), 1);
    assert_eq!(grids[0].decode().unwrap().1, OTPAUTH);
}

/// A method's row: its kind, masked detail, the default tag, and Remove behind a
/// confirmation (nothing is sent until the person confirms).
#[wasm_bindgen_test]
async fn a_method_row_shows_the_method_and_asks_before_removing() {
    use sspr_api::MethodKind;
    use sspr_api::session::{MethodList, RegisteredMethod};
    use sspr_app::security_info::method_row::MethodRow;
    use sspr_app::security_info::{SecurityInfo, Stage};
    let (wrapper, _handle) = mount_in_english(|| {
        provide_context(SecurityInfo {
            stage: RwSignal::new(Stage::Methods),
            session: RwSignal::new(None),
            notice: RwSignal::new(None),
        });
        let method = RegisteredMethod {
            id: "7".into(),
            kind: MethodKind::Email,
            detail: Some("•••@home.example".into()),
            is_default: true,
            // 1 December 2026 at noon UTC: the same day in any time zone.
            registered_at: 1_796_126_400,
            last_used_at: None,
            stale: false,
        };
        view! { <dl><MethodRow method changed=Callback::new(|_: MethodList| {}) /></dl> }
    });
    let row = find(&wrapper, ".summary-list__row[data-kind='email']");
    let text = row.text_content().unwrap_or_default();
    assert!(text.contains("Email"), "{text}");
    assert!(text.contains("•••@home.example"), "{text}");
    assert!(text.contains("Default"), "{text}");
    assert!(text.contains("not used yet"), "{text}");
    // The date as the language writes it, not 2026-12-01.
    assert!(text.contains("Dec 1, 2026"), "{text}");
    // The default has no "Make default".
    assert!(
        wrapper
            .query_selector("button.make-default")
            .unwrap()
            .is_none()
    );
    find(&wrapper, "button.remove").click();
    tick().await;
    assert!(
        wrapper
            .query_selector("button.remove-confirm")
            .unwrap()
            .is_some()
    );
    find(&wrapper, ".summary-list__actions .link-button").click();
    tick().await;
    assert!(
        wrapper
            .query_selector("button.remove-confirm")
            .unwrap()
            .is_none()
    );
}
