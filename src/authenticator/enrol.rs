//! Setting this phone up: opened from the security-info page's QR code, with a one-time
//! token in the link's fragment. The person names the phone; the page makes its key,
//! asks to send it notifications (Web Push), and enrols. The fragment is then dropped
//! from the address, so a reload does not try the spent token again.

use super::{Authenticator, Stage, device};
use crate::api::{self, ApiError};
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::authenticator::Enrol as EnrolBody;

const NAME: &str = "device-name";

#[component]
pub fn Enrol(token: String) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<Authenticator>();
    let name = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let fail = move |message: fn(Locale) -> String| {
        busy.try_set(false);
        errors.try_set(vec![FieldError::new(NAME, message)]);
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let device_name = name.get_untracked().trim().to_owned();
        if device_name.is_empty() || device_name.chars().count() > 64 {
            errors.set(vec![FieldError::new(NAME, |l| {
                td_string!(l, authenticator.name_empty).to_owned()
            })]);
            return;
        }
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        let token = token.clone();
        spawn_local(async move {
            let config = match api::authenticator_config().await {
                Ok(config) => config,
                Err(error) => {
                    busy.try_set(false);
                    errors.try_set(vec![FieldError::new(NAME, move |l| error_text(l, &error))]);
                    return;
                }
            };
            let Ok(public_key) = device::create_key().await else {
                return fail(|l| td_string!(l, authenticator.no_crypto).to_owned());
            };
            let push_subscription = device::subscribe_push(&config.vapid_public_key).await;
            let body = EnrolBody {
                token,
                public_key,
                device_name,
                push_subscription,
            };
            match api::enrol(&body).await {
                Ok(enrolled) => {
                    if device::keep(&enrolled).await.is_err() {
                        return fail(|l| td_string!(l, authenticator.no_storage).to_owned());
                    }
                    // The token is spent: no reload may send it again.
                    if let Ok(history) = window().history() {
                        let _ = history.replace_state_with_url(
                            &wasm_bindgen::JsValue::NULL,
                            "",
                            Some(sspr_api::paths::AUTHENTICATOR_PAGE),
                        );
                    }
                    page.stage.set(Stage::Requests(enrolled));
                }
                Err(error) => {
                    device::forget().await;
                    busy.try_set(false);
                    errors.try_set(vec![FieldError::new(NAME, move |l| match &error {
                        ApiError::Problem(_) => td_string!(l, authenticator.link_spent).to_owned(),
                        other => error_text(l, other),
                    })]);
                }
            }
        });
    };
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, authenticator.enrol_title))}</h1>
        <p class="body">{text(|l| td_string!(l, authenticator.enrol_lead))}</p>
        <form novalidate on:submit=submit>
            <TextField id=NAME
                label=Signal::derive(move || td_string!(i18n.get_locale(), authenticator.name).to_owned())
                hint=Signal::derive(move || td_string!(i18n.get_locale(), authenticator.name_hint).to_owned())
                value=name
                error=field_error(errors, NAME)
                kind=InputKind::ANSWER
            />
            <button type="submit" class="button" id="enrol" aria-disabled=move || busy.get().then_some("true")>
                {text(|l| td_string!(l, authenticator.enrol))}
            </button>
        </form>
    }
}
