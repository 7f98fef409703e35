//! Live feedback on a new password: the rules the server applies, from the `sspr-api`
//! crate, as a checklist that updates while the person types (not a strength guess).
//! The 128-character ceiling is not in the list (nobody reaches it by accident, and "be
//! 128 characters or fewer (not yet)" misleads); a password over it is refused on submit.

use crate::i18n::*;
use leptos::prelude::*;
use sspr_api::password::{self, PasswordProblem};

/// Where a new password stands against each rule. Nothing is met until something is typed.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleStates {
    /// Something is typed: a rule not met is then broken, not just pending.
    pub typed: bool,
    pub long_enough: bool,
    pub short_enough: bool,
    /// `None` until the list of common passwords has loaded.
    pub not_common: Option<bool>,
    pub not_personal: bool,
}

impl RuleStates {
    /// `password` must be NFC already (see [`nfc`]).
    pub fn of(password: &str, context: &[String], common_passwords: Option<&str>) -> RuleStates {
        if password.is_empty() {
            return RuleStates {
                not_common: common_passwords.map(|_| false),
                ..RuleStates::default()
            };
        }
        let problems = password::check_against_with(password, context, common_passwords, lowercase);
        let clear = |problem| !problems.contains(&problem);
        RuleStates {
            typed: true,
            long_enough: clear(PasswordProblem::TooShort),
            short_enough: clear(PasswordProblem::TooLong),
            not_common: common_passwords.map(|_| clear(PasswordProblem::Common)),
            not_personal: clear(PasswordProblem::ContainsPersonalInfo),
        }
    }
}

/// NFC normalisation by the browser (`String.prototype.normalize`), so the app counts code
/// points as the server does without shipping Unicode tables.
#[cfg(target_arch = "wasm32")]
pub fn nfc(text: &str) -> String {
    js_sys::JsString::from(text).normalize("NFC").into()
}

/// Outside the browser (native unit tests) text is taken as it is.
#[cfg(not(target_arch = "wasm32"))]
pub fn nfc(text: &str) -> String {
    text.to_owned()
}

/// Unicode lowercasing by the browser (`String.prototype.toLowerCase`), which keeps Rust's
/// case tables out of the wasm.
#[cfg(target_arch = "wasm32")]
pub fn lowercase(text: &str) -> String {
    js_sys::JsString::from(text).to_lower_case().into()
}

/// Outside the browser (native unit tests), Rust's own.
#[cfg(not(target_arch = "wasm32"))]
pub fn lowercase(text: &str) -> String {
    password::rust_lowercase(text)
}

#[component]
pub fn PasswordFeedback(
    /// The id that the password field's `aria-describedby` points at.
    id: &'static str,
    #[prop(into)] states: Signal<RuleStates>,
) -> impl IntoView {
    let i18n = use_i18n();
    // A rule is met, or (once something is typed) broken; length rules are only ever
    // "not yet" while typing, the others say at once that the password is not allowed.
    let rule = move |met: Signal<bool>, can_break: bool, text: Signal<&'static str>| {
        let broken = move || can_break && states.get().typed && !met.get();
        view! {
            <li
                class="password-rules__rule"
                class:password-rules__rule--met=move || met.get()
                class:password-rules__rule--broken=broken
            >
                {move || text.get()}
                " "
                <span class="visually-hidden">
                    {move || {
                        let locale = i18n.get_locale();
                        if met.get() {
                            td_string!(locale, reset.password.met)
                        } else if broken() {
                            td_string!(locale, reset.password.broken)
                        } else {
                            td_string!(locale, reset.password.unmet)
                        }
                    }}
                </span>
            </li>
        }
    };
    let text = |f: fn(Locale) -> &'static str| Signal::derive(move || f(i18n.get_locale()));
    view! {
        <div class="password-rules" id=id>
            <p class="password-rules__title">{text(|l| td_string!(l, reset.password.rules))}</p>
            <ul class="password-rules__list">
                {rule(
                    Signal::derive(move || states.get().long_enough),
                    false,
                    text(|l| td_string!(l, reset.password.rule_length)),
                )}
                {rule(
                    Signal::derive(move || states.get().not_common == Some(true)),
                    true,
                    text(|l| td_string!(l, reset.password.rule_common)),
                )}
                {rule(
                    Signal::derive(move || states.get().not_personal),
                    true,
                    text(|l| td_string!(l, reset.password.rule_personal)),
                )}
            </ul>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn context() -> Vec<String> {
        password::context_words(&["adele.vance@contoso.example"])
    }

    #[test]
    fn nothing_is_met_before_typing() {
        let states = RuleStates::of("", &context(), Some("password\n"));
        assert_eq!(
            states,
            RuleStates {
                typed: false,
                long_enough: false,
                short_enough: false,
                not_common: Some(false),
                not_personal: false
            }
        );
    }

    #[test]
    fn each_rule_follows_the_contract_crate() {
        let list = Some(password::COMMON_PASSWORDS);
        let good = RuleStates::of("orchard lantern", &context(), list);
        assert!(good.long_enough && good.short_enough && good.not_personal);
        assert_eq!(good.not_common, Some(true));
        assert!(!RuleStates::of("1234567", &context(), list).long_enough);
        assert!(RuleStates::of("12345678", &context(), list).long_enough);
        assert!(!RuleStates::of(&"a".repeat(129), &context(), list).short_enough);
        assert_eq!(
            RuleStates::of("password1", &context(), list).not_common,
            Some(false)
        );
        assert!(!RuleStates::of("vance2026!!", &context(), list).not_personal);
        // Until the list arrives, "not common" is neither met nor failed.
        assert_eq!(
            RuleStates::of("password1", &context(), None).not_common,
            None
        );
    }
}
