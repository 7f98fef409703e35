//! Step 4: the new password and its confirmation, with live feedback from the same rules
//! the server applies (the `sspr-api` crate), and Show/Hide.

use super::Portal;
use super::step_heading::{StepHeading, fixed};
use super::wizard::Step;
use crate::api;
use crate::components::error_summary::field_error;
use crate::components::password_feedback::{RuleStates, lowercase, nfc};
use crate::components::text;
use crate::components::{ErrorSummary, FieldError, PasswordFeedback, PasswordInput};
use crate::i18n::*;
use leptos::prelude::*;
use leptos::task::spawn_local;
use sspr_api::ErrorCode;
use sspr_api::password::{self, PasswordProblem};

pub const NEW: &str = "new-password";
pub const CONFIRM: &str = "confirm-password";
const RULES: &str = "password-rules";

/// The sentence for a rule a password breaks.
pub fn problem_text(locale: Locale, problem: PasswordProblem) -> &'static str {
    match problem {
        PasswordProblem::TooShort => td_string!(locale, reset.password.too_short),
        PasswordProblem::TooLong => td_string!(locale, reset.password.too_long),
        PasswordProblem::Common => td_string!(locale, reset.password.common),
        PasswordProblem::ContainsPersonalInfo => td_string!(locale, reset.password.personal),
        PasswordProblem::SameAsCurrent => td_string!(locale, reset.password.same_as_current),
        PasswordProblem::DirectoryTooShort => {
            td_string!(locale, reset.password.directory_too_short)
        }
        PasswordProblem::DirectoryRules => td_string!(locale, reset.password.directory_rules),
        PasswordProblem::ChangedTooRecently => {
            td_string!(locale, reset.password.changed_too_recently)
        }
    }
}

/// What is wrong with the form before it is sent: the password's rules, then the match.
pub fn form_errors(
    new: &str,
    confirm: &str,
    context: &[String],
    common_passwords: Option<&str>,
) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if new.is_empty() {
        errors.push(FieldError::new(NEW, |l| {
            td_string!(l, reset.password.empty).to_owned()
        }));
    } else if let Some(&problem) =
        password::check_against_with(new, context, common_passwords, lowercase).first()
    {
        errors.push(FieldError::new(NEW, move |l| {
            problem_text(l, problem).to_owned()
        }));
    }
    if confirm.is_empty() {
        errors.push(FieldError::new(CONFIRM, |l| {
            td_string!(l, reset.password.confirm_empty).to_owned()
        }));
    } else if !new.is_empty() && new != confirm {
        errors.push(FieldError::new(CONFIRM, |l| {
            td_string!(l, reset.password.mismatch).to_owned()
        }));
    }
    errors
}

#[component]
pub fn NewPassword() -> impl IntoView {
    let i18n = use_i18n();
    let portal = expect_context::<Portal>();
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let errors = RwSignal::new(Vec::<FieldError>::new());
    let saving = RwSignal::new(false);
    let common = RwSignal::new(None::<String>);
    spawn_local(async move {
        // Without the list the other rules still show; the server checks it anyway.
        if let Ok(list) = api::common_passwords().await {
            common.try_set(Some(list));
        }
    });
    let context = Memo::new(move |_| {
        password::context_words_with(&[portal.user_id.get().as_str()], lowercase)
    });
    let states = Signal::derive(move || {
        let typed = nfc(&new.get());
        context.with(|context| common.with(|list| RuleStates::of(&typed, context, list.as_deref())))
    });

    let submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        if saving.get_untracked() {
            return;
        }
        let typed = nfc(&new.get_untracked());
        let again = nfc(&confirm.get_untracked());
        let found = context.with_untracked(|context| {
            common.with_untracked(|list| form_errors(&typed, &again, context, list.as_deref()))
        });
        if !found.is_empty() {
            errors.set(found);
            return;
        }
        errors.set(Vec::new());
        let Some(flow_key) = portal.flow_key() else {
            portal.restart(None);
            return;
        };
        saving.set(true);
        spawn_local(async move {
            let result = api::set_password(&flow_key, typed).await;
            if !portal.still_on(&Step::NewPassword) {
                return;
            }
            saving.try_set(false);
            match result {
                Ok(done) => portal.finished(done),
                Err(error) => {
                    let problem = error
                        .problem()
                        .filter(|p| p.code == ErrorCode::PasswordRejected)
                        .and_then(|p| p.password_problems.first().copied());
                    match problem {
                        // The server's own reason, e.g. a recent password.
                        Some(problem) => {
                            errors.try_set(vec![FieldError::new(NEW, move |l| {
                                problem_text(l, problem).to_owned()
                            })]);
                        }
                        None => portal.show_error(errors, NEW, &error),
                    }
                }
            }
        });
    };

    // A locked-out person who still knows their password may unlock the account instead
    // (offered by the server only after the proof, for a directory's lockout).
    let unlock_offered = portal
        .wizard
        .with_untracked(|w| w.flow.as_ref().is_some_and(|f| f.unlock_offered));
    let unlocking = RwSignal::new(false);
    let unlock = move |_| {
        if unlocking.get_untracked() || saving.get_untracked() {
            return;
        }
        let Some(flow_key) = portal.flow_key() else {
            portal.restart(None);
            return;
        };
        errors.set(Vec::new());
        unlocking.set(true);
        spawn_local(async move {
            let result = api::unlock(&flow_key).await;
            if !portal.still_on(&Step::NewPassword) {
                return;
            }
            unlocking.try_set(false);
            match result {
                Ok(done) => portal.finished(done),
                Err(error) => portal.show_error(errors, NEW, &error),
            }
        });
    };

    view! {
        <ErrorSummary errors />
        <StepHeading text=fixed(|l| td_string!(l, reset.password.heading)) />
        <form novalidate on:submit=submit>
            <PasswordInput
                id=NEW
                label=Signal::derive(move || td_string!(i18n.get_locale(), reset.password.new_label).to_owned())
                value=new
                error=field_error(errors, NEW)
                described_by_extra=RULES
            />
            <PasswordFeedback id=RULES states />
            <PasswordInput
                id=CONFIRM
                label=Signal::derive(move || td_string!(i18n.get_locale(), reset.password.confirm_label).to_owned())
                value=confirm
                error=field_error(errors, CONFIRM)
            />
            <p class="status" role="status" aria-live="polite">
                {move || saving.get().then(|| view! {
                    <span class="spinner" aria-hidden="true"></span>
                    {text(|l| td_string!(l, reset.password.saving))}
                })}
            </p>
            <button type="submit" class="button" aria-disabled=move || saving.get().then_some("true")>
                {text(|l| td_string!(l, reset.password.submit))}
            </button>
        </form>
        {unlock_offered.then(|| view! {
            <section class="unlock" aria-labelledby="unlock-heading">
                <h2 class="heading-m" id="unlock-heading">
                    {text(|l| td_string!(l, reset.unlock.heading))}
                </h2>
                <p class="body">{text(|l| td_string!(l, reset.unlock.body))}</p>
                <p class="status" role="status" aria-live="polite">
                    {move || unlocking.get().then(|| view! {
                        <span class="spinner" aria-hidden="true"></span>
                        {text(|l| td_string!(l, reset.unlock.unlocking))}
                    })}
                </p>
                <button type="button" class="button button--secondary" id="unlock"
                    aria-disabled=move || unlocking.get().then_some("true") on:click=unlock>
                    {text(|l| td_string!(l, reset.unlock.button))}
                </button>
            </section>
        })}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Vec<String> {
        password::context_words(&["adele.vance@contoso.example"])
    }

    /// (field, message) pairs in `locale`.
    fn said(errors: &[FieldError], locale: Locale) -> Vec<(&'static str, String)> {
        errors
            .iter()
            .map(|e| (e.field, e.message(locale)))
            .collect()
    }

    #[test]
    fn the_form_names_the_first_broken_rule_and_a_mismatch() {
        let list = Some(password::COMMON_PASSWORDS);
        let errors = form_errors("password1", "password1", &context(), list);
        assert_eq!(
            said(&errors, Locale::en),
            [(
                NEW,
                td_string!(Locale::en, reset.password.common).to_owned()
            )]
        );
        let errors = form_errors("orchard lantern", "orchard lanterns", &context(), list);
        assert_eq!(
            said(&errors, Locale::en),
            [(
                CONFIRM,
                td_string!(Locale::en, reset.password.mismatch).to_owned()
            )]
        );
        assert!(form_errors("orchard lantern", "orchard lantern", &context(), list).is_empty());
        // The same errors, read in French after a switch of language.
        let errors = form_errors("", "", &context(), list);
        assert_eq!(
            said(&errors, Locale::fr),
            [
                (NEW, td_string!(Locale::fr, reset.password.empty).to_owned()),
                (
                    CONFIRM,
                    td_string!(Locale::fr, reset.password.confirm_empty).to_owned()
                )
            ]
        );
    }
}
