//! What the forms that add a method share: a registration in progress (the server's
//! `PendingMethod`), its error, and the two calls: start it, then confirm it with the code
//! sent or shown. One copy for e-mail, phones and the authenticator app.

use super::SecurityInfo;
use crate::api::{self, ApiError};
use crate::components::code_input::without_separators;
use crate::components::{FieldError, error_text};
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::session::{MethodList, NewMethod, PendingMethod};

/// A registration being made, and what its form shows.
#[derive(Clone, Copy)]
pub struct Registration {
    pub pending: RwSignal<Option<PendingMethod>>,
    pub errors: RwSignal<Vec<FieldError>>,
    pub busy: RwSignal<bool>,
    page: SecurityInfo,
}

impl Registration {
    pub fn new() -> Registration {
        Registration {
            pending: RwSignal::new(None),
            errors: RwSignal::new(Vec::new()),
            busy: RwSignal::new(false),
            page: expect_context::<SecurityInfo>(),
        }
    }

    /// Shows `error` at `field`, unless it ended the session or asks for a new proof
    /// (then the page moves on by itself).
    pub fn fail(self, field: &'static str, error: ApiError) {
        if !self.page.ended_by(&error) && !self.page.reproves(&error) {
            self.errors
                .try_set(vec![FieldError::new(field, move |l| error_text(l, &error))]);
        }
    }

    /// Starts registering `method`; its refusal is shown at `field`.
    pub fn start(self, method: NewMethod, field: &'static str) {
        if self.busy.get_untracked() {
            return;
        }
        self.busy.set(true);
        spawn_local(async move {
            let result = api::start_registration(&method).await;
            self.busy.try_set(false);
            match result {
                Ok(started) => {
                    self.errors.try_set(Vec::new());
                    self.pending.try_set(Some(started));
                }
                Err(error) => self.fail(field, error),
            }
        });
    }

    /// Confirms the registration with `code` (separators dropped); `done` gets the methods
    /// with the new one, a refusal is shown at `field`.
    pub fn confirm(self, code: String, field: &'static str, done: Callback<MethodList>) {
        let Some(started) = self.pending.get_untracked() else {
            return;
        };
        if self.busy.get_untracked() {
            return;
        }
        let typed = without_separators(&code);
        self.busy.set(true);
        spawn_local(async move {
            let result = api::confirm_registration(&started.registration_id, typed).await;
            self.busy.try_set(false);
            match result {
                Ok(list) => done.run(list),
                Err(error) => self.fail(field, error),
            }
        });
    }
}

impl Default for Registration {
    fn default() -> Self {
        Registration::new()
    }
}
