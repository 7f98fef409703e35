//! The page title names where the person is: the app shell writes it, the page or wizard
//! step on screen says what it is. A small piece of its own so that neither depends on
//! the other.

use crate::i18n::Locale;
use leptos::prelude::*;

/// A text in the given locale (a heading, for the title).
pub type LocalText = fn(Locale) -> &'static str;

/// The heading of the wizard step on screen, for the page title (`None`: the page's own).
#[derive(Debug, Clone, Copy)]
pub struct StepTitle(pub RwSignal<Option<LocalText>>);
