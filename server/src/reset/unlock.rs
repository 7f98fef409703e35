//! "Unlock my account" (as Entra offers it): a person whose directory account is locked
//! out after failed sign-ins, and who still knows their password, proves their methods as
//! for a reset and unlocks the account instead of choosing a new password. Offered only
//! with an LDAP directory whose `[directory] offer_unlock` is on, only once the methods are
//! proven (before that the flow tells nothing of the account), and only while the
//! directory says the account is locked.

use super::messages;
use super::{ResetError, ResetService};
use crate::people::{DirectoryPerson, People};
use crate::store::ResetStore;
use crate::store::records::{Account, FlowPurpose, FlowRecord};
use crate::texts::Language;
use sspr_api::reset::ResetDone;

impl<S: ResetStore> ResetService<S> {
    /// Whether the flow's view offers the unlock (`ResetFlow.unlock_offered`). A directory
    /// that does not answer offers nothing (the password can still be reset once it is
    /// back).
    pub(super) async fn unlock_offered(&self, flow: &FlowRecord, now: u64) -> bool {
        match self.lockout_to_lift(flow, now).await {
            Ok(lifted) => lifted.is_some(),
            Err(error) => {
                tracing::warn!(%error, "cannot tell whether the account is locked");
                false
            }
        }
    }

    /// The account and the directory's locked-out person of a proven, live reset flow
    /// when the unlock is on; `None` otherwise.
    async fn lockout_to_lift(
        &self,
        flow: &FlowRecord,
        now: u64,
    ) -> Result<Option<(Account, DirectoryPerson)>, ResetError> {
        let People::Ldap(directory) = self.people() else {
            return Ok(None);
        };
        let proven = flow.verified.len() >= usize::from(flow.methods_required);
        let live = flow.completed_at.is_none() && flow.expires_at > now;
        let (Some(user), true, true, true) = (
            flow.user,
            directory.settings().offer_unlock,
            proven && live,
            flow.purpose == FlowPurpose::Reset,
        ) else {
            return Ok(None);
        };
        let Some(account) = self.store.account_by_id(user).await? else {
            return Ok(None);
        };
        let person = self
            .current_directory_person(&account, Some(flow.methods_required), now)
            .await?;
        Ok(Some((account, person)).filter(|(_, person)| person.locked))
    }

    /// `POST .../unlock`: lifts the directory's lockout and completes the flow without a
    /// password. The same checks as the password's before anything is asked of the
    /// directory: a decoy or an unproven flow is `not_verified`.
    pub async fn unlock(
        &self,
        key: super::FlowKey<'_>,
        language: Option<Language>,
    ) -> Result<ResetDone, ResetError> {
        let flow = self.bound_flow(key).await?;
        let now = self.clock.now();
        if flow.purpose != FlowPurpose::Reset || flow.expires_at <= now {
            return Err(ResetError::FlowNotFound);
        }
        if flow.completed_at.is_some() {
            return Err(ResetError::FlowCompleted);
        }
        if flow.verified.len() < usize::from(flow.methods_required) || flow.user.is_none() {
            return Err(ResetError::NotVerified);
        }
        let People::Ldap(directory) = self.people() else {
            return Err(ResetError::UnlockNotOffered);
        };
        let Some((account, person)) = self.lockout_to_lift(&flow, now).await? else {
            return Err(ResetError::UnlockNotOffered);
        };
        directory.unlock(&person).await?;
        let mut notices = Vec::new();
        if self.policy.notifications.notify_user {
            let language =
                language.unwrap_or_else(|| Language::of(account.preferred_locale.as_deref()));
            for address in super::addresses(&account) {
                notices.push(messages::account_unlocked(
                    &self.keys.outbox,
                    language,
                    self.organisation(),
                    &flow.id,
                    &address,
                    &account.user_id,
                ));
            }
        }
        let notification_sent = !notices.is_empty();
        if !self
            .store
            .complete_unlock(flow.id.clone(), now, notices)
            .await?
        {
            return Err(ResetError::FlowCompleted);
        }
        self.wake_outbox();
        tracing::info!("directory account unlocked, password kept");
        Ok(ResetDone {
            notification_sent,
            sessions_signed_out: false,
            unlocked: true,
        })
    }
}
