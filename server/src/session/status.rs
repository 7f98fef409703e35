//! A person's registration status on the security-info page: the methods they have
//! against what their reset needs, whether the policy's interrupt applies ("register at
//! sign-in"), and when they are asked to reconfirm their methods (the policy's
//! `registration.reconfirm_days`, counted from their last registration or confirmation).

use super::{Session, SessionError, SessionService};
use crate::store::records::Account;
use crate::store::{DirectoryStore, ResetStore, SessionStore};
use sspr_api::MethodKind;
use sspr_api::session::RegistrationStatus;
use std::collections::BTreeSet;

const DAY: u64 = 24 * 60 * 60;

impl<S: SessionStore + DirectoryStore + ResetStore> SessionService<S> {
    /// `account`'s registration status now.
    pub fn registration_status(&self, account: &Account) -> RegistrationStatus {
        let (can_reset, methods_required) = self.reset.reset_readiness(account);
        let in_scope = account.enabled && self.policy.in_scope(&account.groups);
        let allowed = self.policy.requirement(account.is_admin).allowed;
        let kinds: BTreeSet<MethodKind> = account
            .methods
            .iter()
            .map(|method| method.kind)
            .filter(|&kind| allowed.contains(&kind) && crate::methods::can_prove(kind))
            .filter(|&kind| kind != MethodKind::SecurityQuestions || !account.questions.is_empty())
            .collect();
        let registration = &self.policy.registration;
        let days = u64::from(registration.reconfirm_days);
        let last = account
            .methods
            .iter()
            .map(|method| method.registered_at)
            .chain(account.methods_confirmed_at)
            .max();
        let reconfirm_at = last.filter(|_| days > 0).map(|at| at + days * DAY);
        RegistrationStatus {
            in_scope,
            methods_registered: u8::try_from(kinds.len()).unwrap_or(u8::MAX),
            methods_required,
            can_reset,
            registration_required: in_scope && registration.require_at_sign_in && !can_reset,
            reconfirm_at,
            reconfirm_due: in_scope && reconfirm_at.is_some_and(|at| self.clock.now() >= at),
            contact_proof: account.methods.is_empty() && account.email.is_some(),
        }
    }

    /// The registration status of the session's person.
    pub async fn status_of(&self, session: &Session) -> Result<RegistrationStatus, SessionError> {
        let account = self.account_of(session.user).await?;
        Ok(self.registration_status(&account))
    }

    /// The person confirms their methods are still theirs (reconfirmation): the next
    /// reminder counts from now. Needs a method proven in the session.
    pub async fn reconfirm(&self, id: &str) -> Result<Session, SessionError> {
        let (session, account) = self.signed_in(id).await?;
        self.store
            .confirm_methods(account.id, self.clock.now())
            .await?;
        Ok(session)
    }
}
