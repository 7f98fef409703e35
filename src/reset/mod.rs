//! The reset portal: a wizard, one component per step (one file each, added with the
//! reset flow).

use crate::i18n::*;
use leptos::prelude::*;

/// The portal's first page.
#[component]
pub fn ResetPortal() -> impl IntoView {
    let i18n = use_i18n();
    view! {
        <h1 class="heading-xl">{t!(i18n, reset.title)}</h1>
        <p class="body-lead">{t!(i18n, reset.intro)}</p>
    }
}
