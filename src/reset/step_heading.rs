//! A step's heading: the `h1`, the page title that names the step, and the focus moved to
//! the heading when the person arrives from another step (so a screen reader starts
//! reading the new step; not on the first page load). Every step has one.

use super::Portal;
use crate::i18n::*;
use crate::page_title::{LocalText, StepTitle};
use leptos::prelude::*;

/// A heading that stays the same on the step.
pub fn fixed(text: LocalText) -> Signal<LocalText> {
    Signal::stored(text)
}

#[component]
pub fn StepHeading(
    /// The heading's text; a signal when it changes with the step's state.
    #[prop(into)]
    text: Signal<LocalText>,
    /// The heading's class (`heading-xl` unless said).
    #[prop(optional)]
    class: Option<&'static str>,
) -> impl IntoView {
    let i18n = use_i18n();
    let heading = NodeRef::<leptos::html::H1>::new();
    let title = use_context::<StepTitle>();
    Effect::new(move |_| {
        if let Some(StepTitle(current)) = title {
            current.set(Some(text.get()));
        }
    });
    let navigated = use_context::<Portal>().is_some_and(|p| p.navigated.get_untracked());
    if navigated {
        Effect::new(move |_| {
            if let Some(element) = heading.get() {
                let _ = element.focus();
            }
        });
    }
    view! {
        <h1 class=class.unwrap_or("heading-xl") tabindex="-1" node_ref=heading>
            {move || text.get()(i18n.get_locale())}
        </h1>
    }
}
