//! Adding app notifications: a QR code of a one-time link to the authenticator page, which
//! the phone's camera app opens. The page waits for the phone to enrol (it reads the
//! methods every few seconds) and then shows them; the link works once, for its lifetime.

use super::SecurityInfo;
use crate::api::{self, ApiError};
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, QrCode, error_text};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::MethodKind;
use sspr_api::session::{MethodList, NewMethod, PendingMethod};
use std::time::Duration;

const FIELD: &str = "enrol-link";
/// Seconds between two reads of the methods while the phone is being set up.
const POLL_SECONDS: u64 = 3;

/// When the person's phone for notifications was registered, if they have one.
fn enrolled_at(list: &MethodList) -> Option<u64> {
    list.methods
        .iter()
        .find(|m| m.kind == MethodKind::AppNotification)
        .map(|m| m.registered_at)
}

#[component]
pub fn AddNotification(done: Callback<MethodList>, cancel: Callback<()>) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let pending = RwSignal::new(None::<PendingMethod>);
    let errors = RwSignal::new(Vec::<FieldError>::new());
    // The phone registered before this link (a change replaces it): waiting for a newer one.
    let before = RwSignal::new(None::<Option<u64>>);
    let fail = move |error: ApiError| {
        if !page.ended_by(&error) && !page.reproves(&error) {
            errors.try_set(vec![FieldError::new(FIELD, move |l| error_text(l, &error))]);
        }
    };
    spawn_local(async move {
        let list = api::methods().await;
        if let Ok(list) = &list {
            before.try_set(Some(enrolled_at(list)));
        }
        match api::start_registration(&NewMethod::AppNotification).await {
            Ok(started) => {
                pending.try_set(Some(started));
            }
            Err(error) => fail(error),
        }
    });
    let poll = move || {
        let Some(before) = before.get_untracked() else {
            return;
        };
        if pending.with_untracked(Option::is_none) {
            return;
        }
        spawn_local(async move {
            if let Ok(list) = api::methods().await {
                let now = enrolled_at(&list);
                if now.is_some() && now != before {
                    done.run(list);
                }
            }
        });
    };
    if let Ok(handle) = set_interval_with_handle(poll, Duration::from_secs(POLL_SECONDS)) {
        on_cleanup(move || handle.clear());
    }
    view! {
        <ErrorSummary errors />
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.add_notification.title))}</h1>
        {move || pending.get().map(|started| {
            let link = started.enrol_url.clone().unwrap_or_default();
            view! {
                <ol class="list list--number">
                    <li>{text(|l| td_string!(l, security_info.add_notification.scan))}</li>
                    <li>{text(|l| td_string!(l, security_info.add_notification.set_up))}</li>
                </ol>
                <QrCode text=link.clone() label=Signal::derive(move || td_string!(i18n.get_locale(), security_info.add_notification.qr_label).to_owned()) />
                <p class="body">{text(|l| td_string!(l, security_info.add_notification.no_camera))}</p>
                <p class="secret" id="enrol-link" dir="ltr">{link}</p>
                <p class="status" role="status" aria-live="polite">
                    <span class="spinner" aria-hidden="true"></span>
                    {text(|l| td_string!(l, security_info.add_notification.waiting))}
                </p>
                <p class="body">
                    <button type="button" class="link-button" on:click=move |_| cancel.run(())>
                        {text(|l| td_string!(l, security_info.add.cancel))}
                    </button>
                </p>
            }
        })}
    }
}
