//! Adding an authenticator app: the new secret as a QR code of its `otpauth://` URI and
//! grouped for typing in by hand, then the app's current code confirms it. Of a person
//! who has an app, the new one replaces it once confirmed.

use super::SecurityInfo;
use super::form_buttons::FormButtons;
use crate::api::{self, ApiError};
use crate::components::code_input::without_separators;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InputKind, QrCode, TextField, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::session::{MethodList, NewMethod, PendingMethod};

const FIELD: &str = "app-code";

/// The secret in groups of four, as people type it.
pub fn grouped(secret: &str) -> String {
    secret
        .as_bytes()
        .chunks(4)
        .filter_map(|group| std::str::from_utf8(group).ok())
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn AddApp(done: Callback<MethodList>, cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let pending = RwSignal::new(None::<PendingMethod>);
    let code = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let field_error = field_error(errors, FIELD);
    let fail = move |error: ApiError| {
        if !page.ended_by(&error) && !page.reproves(&error) {
            errors.try_set(vec![FieldError::new(FIELD, move |l| error_text(l, &error))]);
        }
    };
    spawn_local(async move {
        match api::start_registration(&NewMethod::AppCode).await {
            Ok(started) => {
                pending.try_set(Some(started));
            }
            Err(error) => fail(error),
        }
    });
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let Some(started) = pending.get_untracked() else {
            return;
        };
        if busy.get_untracked() {
            return;
        }
        let typed = without_separators(&code.get_untracked());
        busy.set(true);
        spawn_local(async move {
            let result = api::confirm_registration(&started.registration_id, typed).await;
            busy.try_set(false);
            match result {
                Ok(list) => done.run(list),
                Err(error) => fail(error),
            }
        });
    };
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.add_app.title))}</h1>
        {move || pending.get().map(|started| {
            let uri = started.otpauth_uri.clone().unwrap_or_default();
            let secret = grouped(started.secret.as_deref().unwrap_or_default());
            view! {
                <ol class="list list--number">
                    <li>{text(|l| td_string!(l, security_info.add_app.install))}</li>
                    <li>{text(|l| td_string!(l, security_info.add_app.scan))}</li>
                </ol>
                <QrCode text=uri label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_app.qr_label).to_owned()) />
                <p class="body">{text(|l| td_string!(l, security_info.add_app.manual))}</p>
                <p class="secret" id="app-secret">{secret}</p>
                <form novalidate on:submit=submit>
                    <TextField id=FIELD
                        label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_app.code).to_owned())
                        hint=Signal::derive(move || td_string!(i18n.get_locale(), security_info.prove.app_hint).to_owned())
                        value=code
                        error=field_error
                        kind=InputKind::ONE_TIME_CODE
                    />
                    <FormButtons label=|l| td_string!(l, security_info.add.confirm) busy cancel />
                </form>
            }
        })}
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_secret_is_shown_in_groups_of_four() {
        assert_eq!(super::grouped("JBSWY3DPEHPK3PXP"), "JBSW Y3DP EHPK 3PXP");
        assert_eq!(super::grouped("ABCDEF"), "ABCD EF");
    }
}
