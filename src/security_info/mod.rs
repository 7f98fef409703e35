//! The security-info page: a signed-in person's sign-in methods.

use crate::components::text;
use crate::i18n::*;
use crate::route::Page;
use leptos::prelude::*;

#[component]
pub fn SecurityInfoPage() -> impl IntoView {
    view! {
        <h1 class="heading-xl">{text(|l| td_string!(l, security_info.title))}</h1>
        <p class="body-lead">{text(|l| td_string!(l, security_info.intro))}</p>
        <p class="body">{text(|l| td_string!(l, security_info.coming))}</p>
        <p class="body"><a href=Page::Reset.path()>{text(|l| td_string!(l, security_info.reset_link))}</a></p>
    }
}
