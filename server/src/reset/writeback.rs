//! Where a new password goes, and how the current one is checked: hashed into this
//! server's own table for the embedded directory, or written back to the LDAP directory
//! (which applies its own rules) with nothing kept here (`people/`).

use super::{ResetError, ResetService};
use crate::people::{DirectoryFailure, DirectoryPerson, People};
use crate::store::ResetStore;
use crate::store::records::{Account, FlowRecord};
use sspr_api::password::PasswordProblem;

impl<S: ResetStore> ResetService<S> {
    /// Puts a reset's new password (`password`, normalised and checked against this
    /// server's rules) where it lives; the hash to store, `None` when the directory holds
    /// it.
    ///
    /// The directory's refusal is the person's reason to choose another; a directory that
    /// is down changes nothing. Before the write the flow notes that the password went
    /// out: when the directory took it and this server failed before completing the flow,
    /// the retry finds the note and binds with the password first, which then works (the
    /// directory's history would refuse a second write of it).
    pub(super) async fn write_reset_password(
        &self,
        flow: &FlowRecord,
        account: &Account,
        password: &str,
    ) -> Result<Option<String>, ResetError> {
        let People::Ldap(directory) = self.people() else {
            return Ok(Some(self.hasher.hash(password).await?));
        };
        let now = self.clock.now();
        let person = self
            .current_directory_person(account, Some(flow.methods_required), now)
            .await?;
        let sent_before = self
            .store
            .mark_writeback(flow.id.clone(), true, now)
            .await?;
        if sent_before && directory.check_password(&person.dn, password).await? {
            return Ok(None);
        }
        match directory.reset_password(&person, password).await {
            Ok(()) => Ok(None),
            Err(DirectoryFailure::Refused(problem)) => {
                // A refusal of this password itself (length, quality) means nothing went
                // out. One the directory may owe to an earlier attempt it took (history,
                // minimum age) keeps the note, so that attempt's retry still binds.
                if matches!(
                    problem,
                    PasswordProblem::DirectoryTooShort | PasswordProblem::DirectoryRules
                ) && !sent_before
                {
                    self.store
                        .mark_writeback(flow.id.clone(), false, now)
                        .await?;
                }
                Err(DirectoryFailure::Refused(problem).into())
            }
            Err(failure) => Err(failure.into()),
        }
    }

    /// A signed-in person's change: hashed here, or changed in the directory as them
    /// (bound with `current`, under their own rights and its rules).
    pub(super) async fn write_own_password(
        &self,
        account: &Account,
        current: &str,
        password: &str,
    ) -> Result<Option<String>, ResetError> {
        let People::Ldap(directory) = self.people() else {
            return Ok(Some(self.hasher.hash(password).await?));
        };
        let person = self
            .current_directory_person(account, None, self.clock.now())
            .await?;
        directory
            .change_own_password(&person.dn, current, password)
            .await?;
        Ok(None)
    }

    /// Whether `password` is `account`'s current password: against the stored hash, or by
    /// binding as them.
    pub(super) async fn is_current_password(
        &self,
        account_id: i64,
        password: &str,
    ) -> Result<bool, ResetError> {
        let People::Ldap(directory) = self.people() else {
            let current = self.store.password_hashes(account_id, 0).await?;
            return Ok(self
                .hasher
                .verify(current.first().map(String::as_str), password)
                .await?);
        };
        let Some(account) = self.store.account_by_id(account_id).await? else {
            return Ok(false);
        };
        let person = self
            .current_directory_person(&account, None, self.clock.now())
            .await?;
        Ok(directory.check_password(&person.dn, password).await?)
    }

    /// The directory's entry of `account`, read again now: refused (as a flow that is
    /// gone) when the directory no longer has them under this user ID, or disabled them
    /// since the flow began. For a reset (`proven`: how many methods its flow proved),
    /// also when they left the policy's group or now need more methods (made an
    /// administrator) than were proven.
    pub(super) async fn current_directory_person(
        &self,
        account: &Account,
        proven: Option<u8>,
        now: u64,
    ) -> Result<DirectoryPerson, ResetError> {
        let person = self
            .people()
            .refresh(&self.store, &account.user_id, now)
            .await?;
        let allowed = match (&person, self.store.account_by_id(account.id).await?) {
            (Some(person), Some(row)) => {
                let still = row.enabled
                    && person.enabled
                    && row.user_id.eq_ignore_ascii_case(&person.user_id);
                let may_reset = proven.is_none_or(|proven| {
                    self.policy.in_scope(&row.groups)
                        && self.policy.requirement(row.is_admin).methods_required <= proven
                });
                still && may_reset
            }
            _ => false,
        };
        match person {
            Some(person) if allowed => Ok(person),
            _ => Err(ResetError::FlowNotFound),
        }
    }
}
