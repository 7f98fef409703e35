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
    /// Choose the next method to prove (or, with all proven, go on to the password).
    ChooseMethod,
    /// Prove one method (by its id in the flow).
    Prove(String),
    /// Too many wrong tries: nothing can be used until a pause ends.
    Paused,
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
            Step::Paused => "paused".to_owned(),
            Step::NewPassword => "password".to_owned(),
            Step::Done => "done".to_owned(),
        }
    }

    /// The step a `step` parameter names; unknown ones are `None`.
    pub fn from_param(param: &str) -> Option<Step> {
        match param {
            "" | "identify" => Some(Step::Identify),
            "choose" => Some(Step::ChooseMethod),
            "paused" => Some(Step::Paused),
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

/// What the wizard knows: the flow the server gave (and when, in the portal's clock of
/// whole seconds, so that the time left and the pauses count down), and, once the
/// password is changed, what the server said about it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Wizard {
    pub flow: Option<ResetFlow>,
    /// When `flow` arrived (seconds of the portal's clock).
    pub received_at: u64,
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
    pub fn kind_verified(&self, kind: MethodKind) -> bool {
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

    /// Seconds of `from` (a server's count at arrival) still to run at `now`.
    fn left(&self, from: u64, now: u64) -> u64 {
        from.saturating_sub(now.saturating_sub(self.received_at))
    }

    /// Seconds until the flow ends, at `now`.
    pub fn time_left(&self, now: u64) -> u64 {
        self.flow
            .as_ref()
            .map_or(0, |flow| self.left(flow.expires_in_seconds, now))
    }

    /// Seconds until the account's pause ends, if one is in force at `now`.
    pub fn account_paused(&self, now: u64) -> Option<u64> {
        let seconds = self.flow.as_ref()?.locked_for_seconds?;
        Some(self.left(seconds, now)).filter(|left| *left > 0)
    }

    /// Seconds until `method`'s pause ends, if one is in force at `now`.
    pub fn method_paused(&self, method: &OfferedMethod, now: u64) -> Option<u64> {
        Some(self.left(method.locked_for_seconds?, now)).filter(|left| *left > 0)
    }

    /// When nothing can be used at `now` (the account paused, or every method left to
    /// prove paused): the seconds until something can be.
    pub fn paused(&self, now: u64) -> Option<u64> {
        if let Some(left) = self.account_paused(now) {
            return Some(left);
        }
        let remaining = self.remaining();
        if remaining.is_empty()
            || self
                .flow
                .as_ref()
                .is_some_and(ResetFlow::ready_for_password)
        {
            return None;
        }
        remaining
            .iter()
            .map(|m| self.method_paused(m, now))
            .try_fold(u64::MAX, |soonest, left| left.map(|l| soonest.min(l)))
    }

    /// Where to go after the flow changed (started, or a method was proven), at `now`.
    pub fn next(&self, now: u64) -> Step {
        let Some(flow) = &self.flow else {
            return Step::Identify;
        };
        if self.done.is_some() {
            return Step::Done;
        }
        if flow.ready_for_password() {
            return Step::NewPassword;
        }
        if self.paused(now).is_some() {
            return Step::Paused;
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
    /// URL) at `now`: itself when the flow allows it, otherwise where they should be.
    pub fn allow(&self, wanted: Step, now: u64) -> Step {
        if self.done.is_some() {
            // Finished: no way back into the flow; Back leads to a fresh start.
            return if wanted == Step::Done {
                Step::Done
            } else {
                Step::Identify
            };
        }
        let Some(flow) = &self.flow else {
            return Step::Identify;
        };
        let paused = self.paused(now).is_some();
        match wanted {
            // Going back to the first page is always allowed: it starts a new reset.
            Step::Identify => Step::Identify,
            // With more than one method the choice page lists them all, ticked once
            // proven: the way back from the password and from each method.
            Step::ChooseMethod if flow.methods.len() > 1 && !paused => Step::ChooseMethod,
            Step::Prove(id)
                if !paused
                    && self
                        .remaining()
                        .iter()
                        .any(|m| m.id == id && self.method_paused(m, now).is_none()) =>
            {
                Step::Prove(id)
            }
            Step::Paused if paused => Step::Paused,
            Step::NewPassword if flow.ready_for_password() => Step::NewPassword,
            _ => self.next(now),
        }
    }

    /// Where the Back link of `step` leads.
    pub fn back_from(&self, step: &Step) -> Step {
        let several = self.flow.as_ref().is_some_and(|f| f.methods.len() > 1);
        match step {
            Step::Prove(_) | Step::NewPassword if several => Step::ChooseMethod,
            _ => Step::Identify,
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
        unlocked: false,
        notification_sent: true,
        sessions_signed_out: true,
    };

    fn method(id: &str, kind: MethodKind) -> OfferedMethod {
        OfferedMethod {
            id: id.into(),
            kind,
            hint: None,
            locked_for_seconds: None,
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
                can_extend: true,
                locked_for_seconds: None,
                unlock_offered: false,
            }),
            received_at: 0,
            done: None,
        }
    }

    #[test]
    fn params_round_trip_and_junk_is_refused() {
        for step in [
            Step::Identify,
            Step::ChooseMethod,
            Step::Prove("m2".into()),
            Step::Paused,
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
        assert_eq!(wizard.next(0), Step::Identify);
        assert_eq!(wizard.allow(Step::NewPassword, 0), Step::Identify);
        assert_eq!(wizard.allow(Step::Prove("m1".into()), 0), Step::Identify);
    }

    #[test]
    fn after_start_the_person_chooses_then_proves_then_sets_the_password() {
        let mut w = wizard(2, &[]);
        assert_eq!(w.next(0), Step::ChooseMethod);
        assert_eq!(w.progress(), (0, 2));
        w = wizard(2, &["m2"]);
        assert_eq!(w.next(0), Step::ChooseMethod);
        let left: Vec<&str> = w.remaining().iter().map(|m| m.id.as_str()).collect();
        assert_eq!(left, ["m1", "m3"]);
        w = wizard(2, &["m2", "m1"]);
        assert_eq!(w.next(0), Step::NewPassword);
        w.done = Some(DONE);
        assert_eq!(w.next(0), Step::Done);
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
                can_extend: true,
                locked_for_seconds: None,
                unlock_offered: false,
            }),
            received_at: 0,
            done: None,
        };
        assert_eq!(w.next(0), Step::Prove("m1".into()));
        // Its Back link leads to the first page.
        assert_eq!(w.back_from(&Step::Prove("m1".into())), Step::Identify);
    }

    #[test]
    fn back_and_typed_steps_are_honoured_only_when_the_flow_allows() {
        let w = wizard(2, &["m2"]);
        // Back to the choice, to another method, or to the start: fine.
        assert_eq!(w.allow(Step::ChooseMethod, 0), Step::ChooseMethod);
        assert_eq!(
            w.allow(Step::Prove("m1".into()), 0),
            Step::Prove("m1".into())
        );
        assert_eq!(w.allow(Step::Identify, 0), Step::Identify);
        // A proven method, an unknown one, the password before it is due, or the pause
        // page with nothing paused: no.
        assert_eq!(w.allow(Step::Prove("m2".into()), 0), Step::ChooseMethod);
        assert_eq!(w.allow(Step::Prove("m9".into()), 0), Step::ChooseMethod);
        assert_eq!(w.allow(Step::NewPassword, 0), Step::ChooseMethod);
        assert_eq!(w.allow(Step::Paused, 0), Step::ChooseMethod);
        // All proven: Back from the password reaches the choice page (ticks and all).
        let ready = wizard(2, &["m1", "m2"]);
        assert_eq!(ready.back_from(&Step::NewPassword), Step::ChooseMethod);
        assert_eq!(ready.allow(Step::ChooseMethod, 0), Step::ChooseMethod);
        assert_eq!(ready.allow(Step::Prove("m1".into()), 0), Step::NewPassword);
        // Once done, there is no way back into the flow: Back leads to a fresh start.
        let mut done = wizard(2, &["m1", "m2"]);
        done.done = Some(DONE);
        assert_eq!(done.allow(Step::NewPassword, 0), Step::Identify);
        assert_eq!(done.allow(Step::ChooseMethod, 0), Step::Identify);
        assert_eq!(done.allow(Step::Done, 0), Step::Done);
    }

    #[test]
    fn paused_methods_cannot_be_chosen_and_all_paused_is_the_pause_page_until_it_ends() {
        let mut w = wizard(1, &[]);
        w.received_at = 1000;
        let flow = w.flow.as_mut().unwrap();
        flow.methods[0].locked_for_seconds = Some(300);
        // One of three paused: choose among the others; that one cannot be opened.
        assert_eq!(w.next(1000), Step::ChooseMethod);
        assert_eq!(w.allow(Step::Prove("m1".into()), 1000), Step::ChooseMethod);
        assert_eq!(w.method_paused(&w.remaining()[0].clone(), 1100), Some(200));
        // All three paused: the pause page, for as long as the soonest pause.
        let flow = w.flow.as_mut().unwrap();
        flow.methods[1].locked_for_seconds = Some(900);
        flow.methods[2].locked_for_seconds = Some(600);
        assert_eq!(w.paused(1100), Some(200));
        assert_eq!(w.next(1100), Step::Paused);
        assert_eq!(w.allow(Step::ChooseMethod, 1100), Step::Paused);
        assert_eq!(w.allow(Step::Prove("m2".into()), 1100), Step::Paused);
        // Once the first pause ends, that method can be used again.
        assert_eq!(w.paused(1300), None);
        assert_eq!(
            w.allow(Step::Prove("m1".into()), 1300),
            Step::Prove("m1".into())
        );
        // The account paused: nothing usable, whatever the methods say.
        let mut w = wizard(2, &[]);
        w.flow.as_mut().unwrap().locked_for_seconds = Some(1800);
        assert_eq!(w.paused(60), Some(1740));
        assert_eq!(w.next(60), Step::Paused);
        assert_eq!(w.time_left(60), 1140);
    }
}
