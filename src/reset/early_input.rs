//! What the person typed into the static first step (index.html's `#first-step`, shown by
//! public/boot.js while the wasm downloads), read just before the app takes the page
//! over, so that nothing typed is lost: the user ID, where the caret was, whether the field
//! had the focus, and whether Continue was already pressed. The first step
//! ([`super::identify::Identify`]) starts from it.

use leptos::prelude::document;
use std::cell::RefCell;
use wasm_bindgen::JsCast;
use web_sys::HtmlInputElement;

/// The static first step's state when the app took over.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct EarlyInput {
    pub value: String,
    pub focused: bool,
    /// The selection (start, end) when the field had the focus.
    pub selection: Option<(u32, u32)>,
    /// Continue was pressed before the app was there.
    pub submitted: bool,
}

thread_local! {
    static EARLY: RefCell<Option<EarlyInput>> = const { RefCell::new(None) };
}

/// Reads the static first step, if the page showed one (call before removing it).
pub fn capture() {
    let document = document();
    let Some(step) = document.get_element_by_id("first-step") else {
        return;
    };
    if step.has_attribute("hidden") {
        return;
    }
    let Some(field) = document
        .get_element_by_id("user-id")
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    let focused = document
        .active_element()
        .is_some_and(|active| active.id() == "user-id");
    let selection = match (field.selection_start(), field.selection_end()) {
        (Ok(Some(start)), Ok(Some(end))) if focused => Some((start, end)),
        _ => None,
    };
    let submitted = document
        .get_element_by_id("first-step-form")
        .is_some_and(|form| form.has_attribute("data-submitted"));
    let early = EarlyInput {
        value: field.value(),
        focused,
        selection,
        submitted,
    };
    EARLY.with(|cell| *cell.borrow_mut() = Some(early));
}

/// What [`capture`] read, once.
pub fn take() -> Option<EarlyInput> {
    EARLY.with(|cell| cell.borrow_mut().take())
}

/// Gives the app's user-ID field the focus and the caret the static one had.
pub fn restore_focus(early: &EarlyInput) {
    if !early.focused {
        return;
    }
    let Some(field) = document()
        .get_element_by_id("user-id")
        .and_then(|e| e.dyn_into::<HtmlInputElement>().ok())
    else {
        return;
    };
    let _ = field.focus();
    if let Some((start, end)) = early.selection {
        let _ = field.set_selection_range(start, end);
    }
}
