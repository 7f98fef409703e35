//! Step 1: the user ID and the CAPTCHA. The proof of work runs after Continue while the
//! page says it is checking; there is no puzzle for the person.

use super::Portal;
use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use crate::api::{self, ApiError};
use crate::components::error_summary::field_error;
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, InputKind, TextField, organisation_config};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::ErrorCode;
use sspr_api::reset::{MAX_USER_ID_LENGTH, ResetFlow};

const FIELD: &str = "user-id";

/// What is wrong with a typed user ID before anything is sent, if anything.
pub fn check_user_id(user_id: &str) -> Option<UserIdProblem> {
    let trimmed = user_id.trim();
    if trimmed.is_empty() {
        Some(UserIdProblem::Empty)
    } else if trimmed.chars().count() > MAX_USER_ID_LENGTH {
        Some(UserIdProblem::TooLong)
    } else {
        None
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserIdProblem {
    Empty,
    TooLong,
}

/// CAPTCHA, then start. A CAPTCHA refused (it expired while the page stood open) is
/// fetched and solved once more before giving up.
async fn start(user_id: String) -> Result<ResetFlow, ApiError> {
    let mut tries = 0;
    loop {
        tries += 1;
        let challenge = api::captcha().await?;
        let Some(solution) = crate::captcha::solve(&challenge).await else {
            return Err(ApiError::Unexpected { status: 200 });
        };
        match api::start_reset(user_id.clone(), solution).await {
            Err(error) if error.code() == Some(ErrorCode::CaptchaInvalid) && tries < 2 => {}
            other => return other,
        }
    }
}

#[component]
pub fn Identify() -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let busy = RwSignal::new(false);
    let field_error = field_error(errors, FIELD);
    // What was typed into the static first step before the app arrived.
    let early = super::early_input::take();
    if let Some(early) = early.as_ref().filter(|e| !e.value.is_empty()) {
        portal.user_id.set(early.value.clone());
    }

    let go = move || {
        if busy.get_untracked() {
            return;
        }
        let user_id = portal.user_id.get_untracked().trim().to_owned();
        if let Some(problem) = check_user_id(&user_id) {
            errors.set(vec![FieldError::new(FIELD, move |l| match problem {
                UserIdProblem::Empty => td_string!(l, reset.identify.empty).to_owned(),
                UserIdProblem::TooLong => td_string!(l, reset.identify.too_long).to_owned(),
            })]);
            return;
        }
        errors.set(Vec::new());
        portal.notice.set(None);
        busy.set(true);
        spawn_local(async move {
            let result = start(user_id).await;
            if !portal.still_on(&Step::Identify) {
                return;
            }
            busy.try_set(false);
            match result {
                Ok(flow) => portal.flow_changed(flow),
                Err(error) => portal.show_error(errors, FIELD, &error),
            }
        });
    };
    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        go();
    };
    if let Some(early) = early {
        // Once the field is on the page: the focus back, and Continue if it was pressed.
        Effect::new(move |_| {
            super::early_input::restore_focus(&early);
            if early.submitted {
                go();
            }
        });
    }

    view! {
        <ErrorSummary errors />
        <StepHeading text=fixed(|l| td_string!(l, reset.title)) />
        {move || {
            portal
                .notice
                .get()
                .map(|notice| {
                    view! {
                        <div class="notification" role="status">
                            <p>{move || notice(i18n.get_locale())}</p>
                        </div>
                    }
                })
        }}
        <p class="body-lead">
            {move || {
                let locale = i18n.get_locale();
                let required = organisation_config().map_or(1, |c| c.methods_required);
                if required == 1 {
                    td_string!(locale, reset.intro_single).to_owned()
                } else {
                    td_string!(locale, reset.intro_several, count = required).to_string()
                }
            }}
        </p>
        <form novalidate on:submit=submit>
            <TextField
                id=FIELD
                label=Signal::derive(move || td_string!(i18n.get_locale(), reset.identify.label).to_owned())
                hint=Signal::derive(move || td_string!(i18n.get_locale(), reset.identify.hint).to_owned())
                value=portal.user_id
                error=field_error
                kind=InputKind::USERNAME
            />
            <p class="status" role="status" aria-live="polite">
                {move || {
                    busy.get()
                        .then(|| {
                            view! {
                                <span class="spinner" aria-hidden="true"></span>
                                {text(|l| td_string!(l, reset.identify.checking))}
                            }
                        })
                }}
            </p>
            <button type="submit" class="button" aria-disabled=move || busy.get().then_some("true")>
                {text(|l| td_string!(l, reset.next))}
            </button>
        </form>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_user_id_must_be_there_and_not_too_long() {
        assert_eq!(check_user_id("  "), Some(UserIdProblem::Empty));
        assert_eq!(check_user_id(&"é".repeat(256)), None);
        assert_eq!(
            check_user_id(&"é".repeat(257)),
            Some(UserIdProblem::TooLong)
        );
        assert_eq!(check_user_id(" adele@contoso.example "), None);
    }
}
