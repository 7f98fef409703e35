//! The signed-in page: the person's methods (kind, masked detail, default, last use), how
//! ready they are to reset their password themselves, and sign out.

use super::SecurityInfo;
use super::add_app::AddApp;
use super::add_email::AddEmail;
use super::add_notification::AddNotification;
use super::add_phone::AddPhone;
use super::add_questions::AddQuestions;
use super::change_password::ChangePassword;
use super::method_row::MethodRow;
use crate::api::{self, ApiError};
use crate::components::text;
use crate::components::{ApiErrorMessage, message};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::MethodKind;
use sspr_api::session::MethodList;
#[cfg(test)]
use sspr_api::session::RegisteredMethod;

/// A kind of method as the list names it.
pub fn kind_name(locale: Locale, kind: MethodKind) -> String {
    match kind {
        MethodKind::Email => td_string!(locale, security_info.methods.email),
        MethodKind::AppCode => td_string!(locale, security_info.methods.app_code),
        MethodKind::SecurityQuestions => {
            td_string!(locale, security_info.methods.security_questions)
        }
        MethodKind::MobilePhone => td_string!(locale, security_info.methods.mobile_phone),
        MethodKind::OfficePhone => td_string!(locale, security_info.methods.office_phone),
        MethodKind::AppNotification => td_string!(locale, security_info.methods.app_notification),
    }
    .to_owned()
}

/// A Unix time as a date as `locale` writes it, in the browser's own time zone
/// ("1 Dec 2026", "1. Dez. 2026", "2026/12/01"): the browser's `Intl` formats it.
pub fn date(locale: Locale, unix: u64) -> String {
    let when = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(unix as f64 * 1000.0));
    let options = js_sys::Object::new();
    let _ = js_sys::Reflect::set(&options, &"dateStyle".into(), &"medium".into());
    String::from(when.to_locale_date_string(locale.as_str(), &options))
}

/// "You can reset your password yourself: 2 of the 2 methods…" or what is missing.
fn readiness(locale: Locale, list: &MethodList) -> String {
    let have = list
        .methods
        .iter()
        .map(|m| m.kind)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let need = usize::from(list.methods_required);
    if list.can_reset {
        td_string!(
            locale,
            security_info.methods.ready,
            have = have.min(need),
            need = need
        )
        .to_string()
    } else {
        let missing = need.saturating_sub(have).max(1);
        if missing == 1 {
            td_string!(locale, security_info.methods.add_single).to_owned()
        } else {
            td_string!(locale, security_info.methods.add_several, count = missing).to_string()
        }
    }
}

/// The label of the button that adds (or, of a kind they have, changes) a method.
fn add_label(locale: Locale, kind: MethodKind, has: bool) -> String {
    match (kind, has) {
        (MethodKind::AppCode, false) => td_string!(locale, security_info.add.add_app),
        (MethodKind::AppCode, true) => td_string!(locale, security_info.add.change_app),
        (MethodKind::Email, false) => td_string!(locale, security_info.add.add_email),
        (MethodKind::Email, true) => td_string!(locale, security_info.add.change_email),
        (MethodKind::SecurityQuestions, false) => {
            td_string!(locale, security_info.add.add_questions)
        }
        (MethodKind::SecurityQuestions, true) => {
            td_string!(locale, security_info.add.change_questions)
        }
        (MethodKind::MobilePhone, false) => td_string!(locale, security_info.add.add_mobile),
        (MethodKind::MobilePhone, true) => td_string!(locale, security_info.add.change_mobile),
        (MethodKind::OfficePhone, false) => td_string!(locale, security_info.add.add_office),
        (MethodKind::OfficePhone, true) => td_string!(locale, security_info.add.change_office),
        (MethodKind::AppNotification, false) => {
            td_string!(locale, security_info.add.add_notification)
        }
        (MethodKind::AppNotification, true) => {
            td_string!(locale, security_info.add.change_notification)
        }
    }
    .to_owned()
}

/// Why the methods are shown: to manage them, because the policy needs more first (the
/// registration interrupt), or to confirm they are still right (reconfirmation).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Manage,
    Interrupt,
    Reconfirm,
}

#[component]
pub fn Methods(mode: Mode) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let list = RwSignal::new(None::<Result<MethodList, ApiError>>);
    // The kind being added or changed, if any.
    let adding = RwSignal::new(None::<MethodKind>);
    let saved = RwSignal::new(false);
    let changing_password = RwSignal::new(false);
    let password_changed = RwSignal::new(false);
    spawn_local(async move {
        let result = api::methods().await;
        if let Err(error) = &result
            && page.ended_by(error)
        {
            return;
        }
        list.try_set(Some(result));
    });
    let done = Callback::new(move |updated: MethodList| {
        list.set(Some(Ok(updated)));
        saved.set(true);
        adding.set(None);
    });
    let cancel = Callback::new(move |()| {
        adding.set(None);
        changing_password.set(false);
    });
    let password_done = Callback::new(move |()| {
        changing_password.set(false);
        saved.set(false);
        password_changed.set(true);
    });
    // A row's change (removed, made the default): the list as it is now.
    let done_quietly = Callback::new(move |updated: MethodList| {
        list.set(Some(Ok(updated)));
        saved.set(true);
    });
    let name = move || {
        page.session
            .get()
            .map(|s| s.display_name)
            .unwrap_or_default()
    };
    let sign_out = move |_| {
        spawn_local(async move {
            let _ = api::sign_out().await;
            page.signed_out(Some(message(|l| {
                td_string!(l, security_info.signed_out).to_owned()
            })));
        });
    };
    let reconfirm = move |_| {
        spawn_local(async move {
            match api::reconfirm().await {
                Ok(session) => page.signed_in(session),
                Err(error) => {
                    if !page.ended_by(&error) && !page.reproves(&error) {
                        list.try_set(Some(Err(error)));
                    }
                }
            }
        });
    };
    let can_go_on = move || list.with(|l| matches!(l, Some(Ok(list)) if list.can_reset));
    let overview = move || {
        view! {
            {match mode {
                Mode::Manage => view! {
                    <h1 class="heading-xl">{text(|l| td_string!(l, security_info.title))}</h1>
                }.into_any(),
                Mode::Interrupt => view! {
                    <h1 class="heading-xl" id="interrupt">{text(|l| td_string!(l, security_info.interrupt.title))}</h1>
                    <p class="body-lead">{text(|l| td_string!(l, security_info.interrupt.lead))}</p>
                    {move || can_go_on().then(|| view! {
                        <p class="body">
                            <button type="button" class="button" id="interrupt-done"
                                on:click=move |_| page.stage.set(super::Stage::Methods)>
                                {text(|l| td_string!(l, security_info.interrupt.done))}
                            </button>
                        </p>
                    })}
                }.into_any(),
                Mode::Reconfirm => view! {
                    <h1 class="heading-xl" id="reconfirm">{text(|l| td_string!(l, security_info.reconfirm.title))}</h1>
                    <p class="body-lead">{text(|l| td_string!(l, security_info.reconfirm.lead))}</p>
                    <div class="button-group">
                        <button type="button" class="button" id="reconfirm-yes" on:click=reconfirm>
                            {text(|l| td_string!(l, security_info.reconfirm.yes))}
                        </button>
                        <button type="button" class="button button--secondary" id="reconfirm-change"
                            on:click=move |_| page.stage.set(super::Stage::Methods)>
                            {text(|l| td_string!(l, security_info.reconfirm.change))}
                        </button>
                    </div>
                }.into_any(),
            }}
            {move || saved.get().then(|| view! {
                <div class="notification" role="status" id="saved">
                    <p>{text(|l| td_string!(l, security_info.add.saved))}</p>
                </div>
            })}
            {move || password_changed.get().then(|| view! {
                <div class="notification" role="status" id="password-changed">
                    <p>{text(|l| td_string!(l, security_info.password.changed))}</p>
                </div>
            })}
            <p class="body-lead">
                {move || td_string!(i18n.get_locale(), security_info.methods.signed_in_as, name = name()).to_string()}
            </p>
            <p class="body">{text(|l| td_string!(l, security_info.intro))}</p>
            {move || match list.get() {
                None => view! {
                    <p class="status" role="status"><span class="spinner" aria-hidden="true"></span>
                        {text(|l| td_string!(l, security_info.methods.loading))}</p>
                }.into_any(),
                Some(Err(error)) => view! {
                    <div class="notification notification--error" role="alert"><p><ApiErrorMessage error /></p></div>
                }.into_any(),
                Some(Ok(methods)) => {
                    let ready = methods.can_reset;
                    let summary = methods.clone();
                    let have: Vec<MethodKind> = methods.methods.iter().map(|m| m.kind).collect();
                    let may_add = methods.may_add.clone();
                    view! {
                        <div class="notification" class:notification--warning=!ready id="readiness" role="status">
                            <p class="body">{move || readiness(i18n.get_locale(), &summary)}</p>
                        </div>
                        <h2 class="heading-m">{text(|l| td_string!(l, security_info.methods.heading))}</h2>
                        {if methods.methods.is_empty() {
                            view! { <p class="body">{text(|l| td_string!(l, security_info.methods.none))}</p> }.into_any()
                        } else {
                            view! {
                                <dl class="summary-list" id="methods">
                                    {methods.methods.into_iter().map(|method| view! { <MethodRow method changed=done_quietly /> }).collect_view()}
                                </dl>
                            }.into_any()
                        }}
                        {(!may_add.is_empty()).then(|| view! {
                            <h2 class="heading-m">{text(|l| td_string!(l, security_info.add.heading))}</h2>
                            <div class="button-group" id="add-methods">
                                {may_add.into_iter().map(|kind| {
                                    let has = have.contains(&kind);
                                    view! {
                                        <button type="button" class="button button--secondary" data-kind=kind.as_str()
                                            on:click=move |_| { saved.set(false); adding.set(Some(kind)); }>
                                            {move || add_label(i18n.get_locale(), kind, has)}
                                        </button>
                                    }
                                }).collect_view()}
                            </div>
                        })}
                    }.into_any()
                }
            }}
            <h2 class="heading-m">{text(|l| td_string!(l, security_info.password.heading))}</h2>
            <p class="body">
                <button type="button" class="button button--secondary" id="change-password"
                    on:click=move |_| { password_changed.set(false); changing_password.set(true); }>
                    {text(|l| td_string!(l, security_info.password.change))}
                </button>
            </p>
            <p class="body">
                <button type="button" class="button button--secondary" id="sign-out" on:click=sign_out>
                    {text(|l| td_string!(l, security_info.sign_out))}
                </button>
            </p>
        }
    };
    move || match adding.get() {
        _ if changing_password.get() => {
            view! { <ChangePassword done=password_done cancel /> }.into_any()
        }
        Some(MethodKind::AppCode) => view! { <AddApp done cancel /> }.into_any(),
        Some(MethodKind::Email) => view! { <AddEmail done cancel /> }.into_any(),
        Some(MethodKind::SecurityQuestions) => view! { <AddQuestions done cancel /> }.into_any(),
        Some(kind @ (MethodKind::MobilePhone | MethodKind::OfficePhone)) => {
            view! { <AddPhone kind done cancel /> }.into_any()
        }
        Some(MethodKind::AppNotification) => view! { <AddNotification done cancel /> }.into_any(),
        None => overview().into_any(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(kinds: &[MethodKind], required: u8, can_reset: bool) -> MethodList {
        MethodList {
            methods: kinds
                .iter()
                .enumerate()
                .map(|(index, &kind)| RegisteredMethod {
                    id: index.to_string(),
                    kind,
                    detail: None,
                    is_default: index == 0,
                    registered_at: 0,
                    last_used_at: None,
                    stale: false,
                })
                .collect(),
            methods_required: required,
            can_reset,
            may_add: Vec::new(),
        }
    }

    #[test]
    fn readiness_says_how_many_methods_there_are_and_what_is_missing() {
        let ready = list(&[MethodKind::Email, MethodKind::AppCode], 2, true);
        assert_eq!(
            readiness(Locale::en, &ready),
            "You can reset your password yourself: you have 2 of the 2 methods your organisation asks for."
        );
        let one_short = list(&[MethodKind::AppCode], 2, false);
        assert!(readiness(Locale::en, &one_short).starts_with("Add one more method"));
        let none = list(&[], 2, false);
        assert!(readiness(Locale::fr, &none).starts_with("Ajoutez 2 autres méthodes"));
    }
}
