//! "This wasn't me" (docs/SECURITY.md, "Change notices"): the report link in a change
//! notice. Reading it changes nothing; filing it (once, within `notices::REPORT_DAYS`)
//! signs every session of the person out, closes the security-info page to them and
//! suspends a method the reported change added or changed. A password reset with the
//! methods they still have, or an administrator (`sspr-server user restore-methods`),
//! restores the page; the reset also removes the suspended methods.

use super::notices;
use super::{SessionError, SessionService};
use crate::store::records::ReportOutcome;
use crate::store::{DirectoryStore, ResetStore, SessionStore};
use crate::texts::Language;
use sspr_api::session::{ChangeReport, ReportDone};

/// A well-formed report token: 32 hex digits.
fn well_formed(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl<S: SessionStore + DirectoryStore + ResetStore> SessionService<S> {
    /// What the report link `token` is about, and the person's language; nothing changes.
    pub async fn change_report(
        &self,
        token: &str,
    ) -> Result<(ChangeReport, Language), SessionError> {
        if !well_formed(token) {
            return Err(SessionError::ReportNotFound);
        }
        let report = self
            .store
            .change_report(notices::token_hash(token), self.clock.now())
            .await?
            .ok_or(SessionError::ReportNotFound)?;
        Ok((
            ChangeReport {
                change: report.change,
                method_kind: report.method_kind,
                changed_at: report.created_at,
                reported: report.reported_at.is_some(),
            },
            Language::of(report.locale.as_deref()),
        ))
    }

    /// Files the report: sessions out, the page closed, the changed method suspended.
    pub async fn file_report(&self, token: &str) -> Result<ReportDone, SessionError> {
        if !well_formed(token) {
            return Err(SessionError::ReportNotFound);
        }
        match self
            .store
            .file_report(notices::token_hash(token), self.clock.now())
            .await?
        {
            ReportOutcome::Filed {
                sessions_ended,
                method_suspended,
            } => Ok(ReportDone {
                sessions_signed_out: sessions_ended,
                method_suspended,
            }),
            ReportOutcome::Gone => Err(SessionError::ReportNotFound),
        }
    }
}
