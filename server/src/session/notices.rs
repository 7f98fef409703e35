//! Notices of changes made while signed in (docs/SECURITY.md, "Change notices"): a method
//! added, changed or removed, or the password changed, told to the person's other
//! addresses in the account's language (`preferred_locale`: the app's at their last
//! sign-in; English otherwise),
//! each with a "this wasn't me" link. The link opens a page that asks before it does
//! anything (mail scanners open links); confirming signs every session out and blocks the
//! methods (`file_report`). Plain text, like every message of the server.

use super::SessionService;
use crate::crypto::sealed;
use crate::store::records::{Account, ChangeNotice, MessageChannel, NewMessage, NewReport};
use crate::store::{DirectoryStore, ResetStore, SessionStore};
use crate::texts::{Language, message};
use sha2::{Digest, Sha256};
use sspr_api::MethodKind;
use sspr_api::session::ReportedChange;

/// Days a notice's "this wasn't me" link works.
pub const REPORT_DAYS: u64 = 7;

/// What the store keeps of a report link's token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(format!("change-report\0{token}").as_bytes()).to_vec()
}

/// A kind of method in a sentence.
fn kind_name(language: Language, kind: MethodKind) -> String {
    match kind {
        MethodKind::AppNotification => message!(language, notice.kind.app_notification),
        MethodKind::AppCode => message!(language, notice.kind.app_code),
        MethodKind::Email => message!(language, notice.kind.email),
        MethodKind::MobilePhone => message!(language, notice.kind.mobile_phone),
        MethodKind::OfficePhone => message!(language, notice.kind.office_phone),
        MethodKind::SecurityQuestions => message!(language, notice.kind.security_questions),
    }
}

/// What changed, as a notice's subject and first sentence say it.
pub fn describe(
    language: Language,
    change: ReportedChange,
    kind: Option<MethodKind>,
    organisation: &str,
) -> (String, String) {
    let method = kind.map_or_else(String::new, |kind| kind_name(language, kind));
    match change {
        ReportedChange::MethodAdded => (
            message!(language, notice.method_added.subject, organisation),
            message!(language, notice.method_added.what, method),
        ),
        ReportedChange::MethodChanged => (
            message!(language, notice.method_changed.subject, organisation),
            message!(language, notice.method_changed.what, method),
        ),
        ReportedChange::MethodRemoved => (
            message!(language, notice.method_removed.subject, organisation),
            message!(language, notice.method_removed.what, method),
        ),
        ReportedChange::PasswordChanged => (
            message!(language, notice.password_changed.subject, organisation),
            message!(language, notice.password_changed.what),
        ),
    }
}

/// A notice's body: what changed, on which account, and the link.
fn body(language: Language, what: &str, organisation: &str, user_id: &str, link: &str) -> String {
    message!(language, notice.body, what, organisation, user_id, link)
}

impl<S: SessionStore + DirectoryStore + ResetStore> SessionService<S> {
    /// The notices of `change` to `account` (as it was before the change), to each of
    /// their addresses but `except` (one the change just added), with one report link.
    /// None when there is nobody to tell.
    pub(crate) fn notice(
        &self,
        account: &Account,
        change: ReportedChange,
        kind: Option<MethodKind>,
        except: Option<&str>,
    ) -> ChangeNotice {
        let recipients: Vec<String> = crate::reset::addresses(account)
            .into_iter()
            .filter(|address| except.is_none_or(|except| !address.eq_ignore_ascii_case(except)))
            .collect();
        if recipients.is_empty() {
            return ChangeNotice::default();
        }
        let now = self.clock.now();
        let token = crate::seeded::hex(&crate::crypto::random_bytes::<16>());
        let link = format!(
            "{}{}",
            self.public_base,
            sspr_api::paths::report_page(&token)
        );
        let language = Language::of(account.preferred_locale.as_deref());
        let organisation = self.reset.organisation();
        let (subject, what) = describe(language, change, kind, organisation);
        let text = body(language, &what, organisation, &account.user_id, &link);
        let messages = recipients
            .iter()
            .map(|recipient| {
                let dedupe_key = format!("change:{token}:{}", recipient.to_lowercase());
                NewMessage {
                    sealed_body: sealed::seal(&self.keys.outbox, &dedupe_key, text.as_bytes()),
                    dedupe_key,
                    channel: MessageChannel::Email,
                    recipient: recipient.clone(),
                    subject: subject.clone(),
                    discard_after: None,
                }
            })
            .collect();
        ChangeNotice {
            messages,
            report: Some(NewReport {
                token_hash: token_hash(&token),
                change,
                method_kind: kind,
                method: None,
                now,
                expires_at: now + REPORT_DAYS * 24 * 60 * 60,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn notices_say_what_changed_in_the_persons_language() {
        let (subject, what) = describe(
            Language::of(Some("fr")),
            ReportedChange::MethodAdded,
            Some(MethodKind::Email),
            "Contoso",
        );
        assert!(subject.contains("ajoutée"), "{subject}");
        assert!(what.contains("une adresse e-mail"), "{what}");
        let (subject, _) = describe(
            Language::ENGLISH,
            ReportedChange::PasswordChanged,
            None,
            "Contoso",
        );
        assert_eq!(subject, "Your Contoso password was changed");
        let (subject, what) = describe(
            Language::of(Some("pl-PL")),
            ReportedChange::MethodRemoved,
            Some(MethodKind::MobilePhone),
            "Contoso",
        );
        assert!(subject.starts_with("Contoso: "), "{subject}");
        assert!(what.contains("telefon komórkowy"), "{what}");
    }
}
