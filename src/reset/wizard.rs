//! The wizard's steps and the rules between them, free of any browser code so that they
//! are tested natively.
//!
//! Each step has a value of the URL's `step` parameter (`?step=method-m2`), pushed to the
//! browser's history as the person moves on, so the Back button returns to the previous
//! step. A step reached by Back or typed by hand is only honoured when the flow allows it
//! ([`Wizard::allow`]).

use sspr_api::MethodKind;
use sspr_api::reset::{OfferedMethod, ResetDone, ResetFlow};

/// Where the person is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Step {
    /// User ID and the CAPTCHA.
    Identify,
    /// Choose the next method to prove.
    ChooseMethod,
    /// Prove one method (by its id in the flow).
    Prove(String),
    /// New password and confirmation.
    NewPassword,
    /// The password was changed.
    Done,
}

impl Step {
    /// The step's value of the URL's `step` parameter.
    pub fn param(&self) -> String {
        match self {
            Step::Identify => "identify".to_owned(),
            Step::ChooseMethod => "choose".to_owned(),
            Step::Prove(id) => format!("method-{id}"),
            Step::NewPassword => "password".to_owned(),
            Step::Done => "done".to_owned(),
        }
    }

    /// The step a `step` parameter names; unknown ones are `None`.
    pub fn from_param(param: &str) -> Option<Step> {
        match param {
            "" | "identify" => Some(Step::Identify),
            "choose" => Some(Step::ChooseMethod),
            "password" => Some(Step::NewPassword),
            "done" => Some(Step::Done),
            other => {
                let id = other.strip_prefix("method-")?;
                let valid = !id.is_empty()
                    && id.len() <= 16
                    && id.bytes().all(|b| b.is_ascii_alphanumeric());
                valid.then(|| Step::Prove(id.to_owned()))
            }
        }
    }
}

/// What the wizard knows: the flow the server gave, and, once the password is changed,
/// what the server said about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wizard {
    pub flow: Option<ResetFlow>,
    pub done: Option<ResetDone>,
}

impl Wizard {
    /// Methods offered and not yet proven, in the server's order.
    pub fn remaining(&self) -> Vec<&OfferedMethod> {
        self.flow.as_ref().map_or_else(Vec::new, |flow| {
            flow.methods
                .iter()
                // A method proven, or another of its kind: nothing more to prove there.
                .filter(|m| !self.kind_verified(m.kind))
                .collect()
        })
    }

    /// Whether a method of `kind` is already proven (a second one of a kind never counts).
    fn kind_verified(&self, kind: MethodKind) -> bool {
        self.flow.as_ref().is_some_and(|flow| {
            flow.methods
                .iter()
                .any(|m| m.kind == kind && flow.verified.contains(&m.id))
        })
    }

    /// How many methods are proven, and how many are required.
    pub fn progress(&self) -> (usize, usize) {
        self.flow.as_ref().map_or((0, 1), |flow| {
            (
                flow.verified.len(),
                usize::from(flow.methods_required).max(1),
            )
        })
    }

    /// Where to go after the flow changed (started, or a method was proven).
    pub fn next(&self) -> Step {
        let Some(flow) = &self.flow else {
            return Step::Identify;
        };
        if self.done.is_some() {
            return Step::Done;
        }
        if flow.ready_for_password() {
            return Step::NewPassword;
        }
        match self.remaining().as_slice() {
            // Nothing left to prove, yet not enough proven: start again.
            [] => Step::Identify,
            // A single method to offer: no choice to make.
            [only] if flow.methods.len() == 1 => Step::Prove(only.id.clone()),
            _ => Step::ChooseMethod,
        }
    }

    /// The step to show when the person asks for `wanted` (Back, Forward, a typed
    /// URL): itself when the flow allows it, otherwise where they should be.
    pub fn allow(&self, wanted: Step) -> Step {
        if self.done.is_some() {
            return Step::Done;
        }
        let Some(flow) = &self.flow else {
            return Step::Identify;
        };
        match wanted {
            // Going back to the first page is always allowed: it starts a new reset.
            Step::Identify => Step::Identify,
            Step::ChooseMethod if !flow.ready_for_password() && self.remaining().len() > 1 => {
                Step::ChooseMethod
            }
            Step::Prove(id) if self.remaining().iter().any(|m| m.id == id) => Step::Prove(id),
            Step::NewPassword if flow.ready_for_password() => Step::NewPassword,
            _ => self.next(),
        }
    }

    /// The method a step proves, if it is one the flow offers.
    pub fn method(&self, id: &str) -> Option<&OfferedMethod> {
        self.flow
            .as_ref()
            .and_then(|flow| flow.methods.iter().find(|m| m.id == id))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const DONE: ResetDone = ResetDone {
        notification_sent: true,
        sessions_signed_out: true,
    };

    fn method(id: &str, kind: MethodKind) -> OfferedMethod {
        OfferedMethod {
            id: id.into(),
            kind,
            hint: None,
        }
    }

    fn wizard(required: u8, verified: &[&str]) -> Wizard {
        Wizard {
            flow: Some(ResetFlow {
                flow_id: "f".into(),
                flow_secret: None,
                expires_in_seconds: 1200,
                methods_required: required,
                methods: vec![
                    method("m1", MethodKind::AppCode),
                    method("m2", MethodKind::Email),
                    method("m3", MethodKind::SecurityQuestions),
                ],
                verified: verified.iter().map(|v| (*v).to_owned()).collect(),
            }),
            done: None,
        }
    }

    #[test]
    fn params_round_trip_and_junk_is_refused() {
        for step in [
            Step::Identify,
            Step::ChooseMethod,
            Step::Prove("m2".into()),
            Step::NewPassword,
            Step::Done,
        ] {
            assert_eq!(Step::from_param(&step.param()), Some(step));
        }
        assert_eq!(Step::from_param(""), Some(Step::Identify));
        for junk in [
            "method-",
            "method-<script>",
            "nope",
            "method-aaaaaaaaaaaaaaaaa",
        ] {
            assert_eq!(Step::from_param(junk), None, "{junk}");
        }
    }

    #[test]
    fn without_a_flow_everything_leads_to_the_first_page() {
        let wizard = Wizard::default();
        assert_eq!(wizard.next(), Step::Identify);
        assert_eq!(wizard.allow(Step::NewPassword), Step::Identify);
        assert_eq!(wizard.allow(Step::Prove("m1".into())), Step::Identify);
    }

    #[test]
    fn after_start_the_person_chooses_then_proves_then_sets_the_password() {
        let mut w = wizard(2, &[]);
        assert_eq!(w.next(), Step::ChooseMethod);
        assert_eq!(w.progress(), (0, 2));
        w = wizard(2, &["m2"]);
        assert_eq!(w.next(), Step::ChooseMethod);
        let left: Vec<&str> = w.remaining().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(left, ["m1", "m3"]);
        w = wizard(2, &["m2", "m1"]);
        assert_eq!(w.next(), Step::NewPassword);
        w.done = Some(DONE);
        assert_eq!(w.next(), Step::Done);
    }

    #[test]
    fn a_single_method_flow_goes_straight_to_it() {
        let w = Wizard {
            flow: Some(ResetFlow {
                flow_id: "f".into(),
                flow_secret: None,
                expires_in_seconds: 600,
                methods_required: 1,
                methods: vec![method("m1", MethodKind::Email)],
                verified: vec![],
            }),
            done: None,
        };
        assert_eq!(w.next(), Step::Prove("m1".into()));
    }

    #[test]
    fn back_and_typed_steps_are_honoured_only_when_the_flow_allows() {
        let w = wizard(2, &["m2"]);
        // Back to the choice, to another method, or to the start: fine.
        assert_eq!(w.allow(Step::ChooseMethod), Step::ChooseMethod);
        assert_eq!(w.allow(Step::Prove("m1".into())), Step::Prove("m1".into()));
        assert_eq!(w.allow(Step::Identify), Step::Identify);
        // A proven method, an unknown one, or the password before it is due: no.
        assert_eq!(w.allow(Step::Prove("m2".into())), Step::ChooseMethod);
        assert_eq!(w.allow(Step::Prove("m9".into())), Step::ChooseMethod);
        assert_eq!(w.allow(Step::NewPassword), Step::ChooseMethod);
        // Once done, there is no way back into the flow.
        let mut done = wizard(2, &["m1", "m2"]);
        done.done = Some(DONE);
        assert_eq!(done.allow(Step::NewPassword), Step::Done);
        assert_eq!(done.allow(Step::Identify), Step::Done);
    }
}
