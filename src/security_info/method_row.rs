//! One of the person's methods in the list: its kind, masked detail, default marker,
//! when it was added and last used; "Make default", and "Remove" behind a confirmation.
//! A removal the person's reset needs is refused by the server with its reason, shown
//! in the row; one that needs a recent proof proves a method again first.

use super::SecurityInfo;
use super::methods::{date, kind_name};
use crate::api::{self, ApiError};
use crate::components::error_text;
use crate::components::text;
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::session::{MethodList, RegisteredMethod};

/// A call about one method (remove it, make it the default): the methods after it.
type MethodCall =
    fn(
        String,
    ) -> std::pin::Pin<Box<dyn std::future::Future<Output = Result<MethodList, ApiError>>>>;

#[component]
pub fn MethodRow(method: RegisteredMethod, changed: Callback<MethodList>) -> impl IntoView {
    let i18n = use_i18n();
    let page = expect_context::<SecurityInfo>();
    let kind = method.kind;
    let detail = method.detail.clone();
    // A phone for notifications not seen for weeks (browsers drop the keys of web apps
    // left unused) or whose push service let it go: set it up again.
    let stale = method.stale;
    let registered = method.registered_at;
    let last_used = method.last_used_at;
    let confirming = RwSignal::new(false);
    let problem = RwSignal::new(None::<ApiError>);
    let busy = RwSignal::new(false);
    let id = method.id.clone();
    let act = move |call: MethodCall, id: String| {
        if busy.get_untracked() {
            return;
        }
        busy.set(true);
        problem.set(None);
        spawn_local(async move {
            let result = call(id).await;
            busy.try_set(false);
            match result {
                Ok(list) => changed.run(list),
                Err(error) => {
                    if !page.ended_by(&error) && !page.reproves(&error) {
                        confirming.try_set(false);
                        problem.try_set(Some(error));
                    }
                }
            }
        });
    };
    let remove_id = id.clone();
    let default_id = id.clone();
    view! {
        <div class="summary-list__row" data-kind=kind.as_str() data-method=id>
            <dt class="summary-list__key">
                {move || kind_name(i18n.get_locale(), kind)}
                {method.is_default.then(|| view! {
                    " " <strong class="tag">{text(|l| td_string!(l, security_info.methods.default))}</strong>
                })}
            </dt>
            <dd class="summary-list__value">
                {detail.map(|d| view! { <span class="summary-list__detail">{d}</span> })}
                <span class="hint">
                    {move || {
                        let locale = i18n.get_locale();
                        let added = td_string!(locale, security_info.methods.added, date = date(locale, registered)).to_string();
                        match last_used {
                            Some(used) => format!("{added} · {}", td_string!(locale, security_info.methods.last_used, date = date(locale, used))),
                            None => format!("{added} · {}", td_string!(locale, security_info.methods.never_used)),
                        }
                    }}
                </span>
                {stale.then(|| view! {
                    <p class="body method-stale">{text(|l| td_string!(l, security_info.methods.stale))}</p>
                })}
                {move || problem.get().map(|error| view! {
                    <p class="error-message method-problem" role="alert">{move || error_text(i18n.get_locale(), &error)}</p>
                })}
            </dd>
            <dd class="summary-list__actions">
                {move || if confirming.get() {
                    let remove_id = remove_id.clone();
                    view! {
                        <p class="body method-confirm">{text(|l| td_string!(l, security_info.methods.remove_confirm))}</p>
                        <button type="button" class="button button--warning remove-confirm"
                            on:click=move |_| act(|id| Box::pin(async move { api::delete_method(&id).await }), remove_id.clone())>
                            {text(|l| td_string!(l, security_info.methods.remove_yes))}
                        </button>
                        <button type="button" class="link-button" on:click=move |_| confirming.set(false)>
                            {text(|l| td_string!(l, security_info.add.cancel))}
                        </button>
                    }.into_any()
                } else {
                    let default_id = default_id.clone();
                    view! {
                        {(!method.is_default).then(|| view! {
                            <button type="button" class="link-button make-default"
                                on:click=move |_| act(|id| Box::pin(async move { api::set_default(&id).await }), default_id.clone())>
                                {text(|l| td_string!(l, security_info.methods.make_default))}
                            </button>
                        })}
                        <button type="button" class="link-button remove" on:click=move |_| confirming.set(true)>
                            {text(|l| td_string!(l, security_info.methods.remove))}
                        </button>
                    }.into_any()
                }}
            </dd>
        </div>
    }
}
