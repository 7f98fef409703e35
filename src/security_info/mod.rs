//! The security-info page: a signed-in person's sign-in methods.

use crate::i18n::*;
use crate::route::Page;
use leptos::prelude::*;

#[component]
pub fn SecurityInfoPage() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 class="heading-xl">{t!(i18n, security_info.title)}</h1>
        <p class="body-lead">{t!(i18n, security_info.intro)}</p>
        <p class="body">{t!(i18n, security_info.coming)}</p>
        <p class="body"><a href=Page::Reset.path()>{t!(i18n, security_info.reset_link)}</a></p>
    }
}
