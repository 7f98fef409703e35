//! Adding an authenticator app: the new secret as a QR code of its `otpauth://` URI and
//! grouped for typing in by hand, then the app's current code confirms it. Of a person
//! who has an app, the new one replaces it once confirmed.

use super::form_buttons::FormButtons;
use super::registration::Registration;
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, InputKind, QrCode, TextField};
use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::session::{MethodList, NewMethod};

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
    let registration = Registration::new();
    let Registration {
        pending,
        errors,
        busy,
        ..
    } = registration;
    let code = RwSignal::new(String::new());
    let field_error = field_error(errors, FIELD);
    registration.start(NewMethod::AppCode, FIELD);
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        registration.confirm(code.get_untracked(), FIELD, done);
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
