//! Notices of changes made while signed in (docs/SECURITY.md, "Change notices"): a method
//! added, changed or removed, or the password changed, told to the person's other
//! addresses in their language (the app's at their last sign-in; English otherwise),
//! each with a "this wasn't me" link. The link opens a page that asks before it does
//! anything (mail scanners open links); confirming signs every session out and blocks the
//! methods (`file_report`). Plain text, like every message of the server.

use super::SessionService;
use crate::crypto::sealed;
use crate::store::records::{Account, ChangeNotice, MessageChannel, NewMessage, NewReport};
use crate::store::{DirectoryStore, ResetStore, SessionStore};
use sha2::{Digest, Sha256};
use sspr_api::MethodKind;
use sspr_api::session::ReportedChange;

/// Days a notice's "this wasn't me" link works.
pub const REPORT_DAYS: u64 = 7;

/// What the store keeps of a report link's token.
pub fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(format!("change-report\0{token}").as_bytes()).to_vec()
}

/// The languages notices are written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Language {
    English,
    French,
}

impl Language {
    /// The language of a BCP 47 tag (`fr`, `fr-CA`); English for any other.
    pub fn of(tag: Option<&str>) -> Language {
        match tag.and_then(|tag| tag.split(['-', '_']).next()) {
            Some(primary) if primary.eq_ignore_ascii_case("fr") => Language::French,
            _ => Language::English,
        }
    }

    pub fn tag(self) -> &'static str {
        match self {
            Language::English => "en",
            Language::French => "fr",
        }
    }
}

/// A kind of method in a sentence.
fn kind_name(language: Language, kind: MethodKind) -> &'static str {
    match (language, kind) {
        (Language::English, MethodKind::AppNotification) => "authenticator app notifications",
        (Language::English, MethodKind::AppCode) => "an authenticator app",
        (Language::English, MethodKind::Email) => "an email address",
        (Language::English, MethodKind::MobilePhone) => "a mobile phone",
        (Language::English, MethodKind::OfficePhone) => "an office phone",
        (Language::English, MethodKind::SecurityQuestions) => "security questions",
        (Language::French, MethodKind::AppNotification) => {
            "les notifications d’une application d’authentification"
        }
        (Language::French, MethodKind::AppCode) => "une application d’authentification",
        (Language::French, MethodKind::Email) => "une adresse e-mail",
        (Language::French, MethodKind::MobilePhone) => "un téléphone mobile",
        (Language::French, MethodKind::OfficePhone) => "un téléphone de bureau",
        (Language::French, MethodKind::SecurityQuestions) => "des questions de sécurité",
    }
}

/// What changed, as a notice's subject and first sentence say it.
pub fn describe(
    language: Language,
    change: ReportedChange,
    kind: Option<MethodKind>,
    organisation: &str,
) -> (String, String) {
    let method = kind.map_or("", |kind| kind_name(language, kind));
    match language {
        Language::English => match change {
            ReportedChange::MethodAdded => (
                format!("{organisation}: a sign-in method was added to your account"),
                format!("A sign-in method was added: {method}."),
            ),
            ReportedChange::MethodChanged => (
                format!("{organisation}: a sign-in method of your account was changed"),
                format!("A sign-in method was changed: {method}."),
            ),
            ReportedChange::MethodRemoved => (
                format!("{organisation}: a sign-in method was removed from your account"),
                format!("A sign-in method was removed: {method}."),
            ),
            ReportedChange::PasswordChanged => (
                format!("Your {organisation} password was changed"),
                "Your password was changed. All your other sessions were signed out.".to_owned(),
            ),
        },
        Language::French => match change {
            ReportedChange::MethodAdded => (
                format!("{organisation} : une méthode de connexion a été ajoutée à votre compte"),
                format!("Une méthode de connexion a été ajoutée : {method}."),
            ),
            ReportedChange::MethodChanged => (
                format!("{organisation} : une méthode de connexion de votre compte a été modifiée"),
                format!("Une méthode de connexion a été modifiée : {method}."),
            ),
            ReportedChange::MethodRemoved => (
                format!(
                    "{organisation} : une méthode de connexion a été supprimée de votre compte"
                ),
                format!("Une méthode de connexion a été supprimée : {method}."),
            ),
            ReportedChange::PasswordChanged => (
                format!("Votre mot de passe {organisation} a été modifié"),
                "Votre mot de passe a été modifié. Toutes vos autres sessions ont été fermées."
                    .to_owned(),
            ),
        },
    }
}

/// A notice's body: what changed, on which account, and the link.
fn body(language: Language, what: &str, organisation: &str, user_id: &str, link: &str) -> String {
    match language {
        Language::English => format!(
            "{what}\n\nThis was done on the security-info page of your {organisation} \
             account {user_id}. If it was you, nothing needs doing.\n\n\
             If it was not you, open this link. It asks you to confirm, then signs your \
             account out everywhere and blocks its sign-in methods until you reset your \
             password or your help desk restores them:\n{link}\n"
        ),
        Language::French => format!(
            "{what}\n\nCela a été fait sur la page des informations de sécurité de votre \
             compte {organisation} {user_id}. Si c’était vous, il n’y a rien à faire.\n\n\
             Si ce n’était pas vous, ouvrez ce lien. Il vous demande de confirmer, puis \
             ferme toutes les sessions de votre compte et bloque ses méthodes de connexion \
             jusqu’à ce que vous réinitialisiez votre mot de passe ou que votre support \
             informatique les rétablisse :\n{link}\n"
        ),
    }
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
    fn the_language_is_the_tags_primary_one_and_english_otherwise() {
        assert_eq!(Language::of(Some("fr-CA")), Language::French);
        assert_eq!(Language::of(Some("FR")), Language::French);
        assert_eq!(Language::of(Some("de")), Language::English);
        assert_eq!(Language::of(None), Language::English);
    }

    #[test]
    fn notices_say_what_changed_in_the_persons_language() {
        let (subject, what) = describe(
            Language::French,
            ReportedChange::MethodAdded,
            Some(MethodKind::Email),
            "Contoso",
        );
        assert!(subject.contains("ajoutée"), "{subject}");
        assert!(what.contains("une adresse e-mail"), "{what}");
        let (subject, _) = describe(
            Language::English,
            ReportedChange::PasswordChanged,
            None,
            "Contoso",
        );
        assert_eq!(subject, "Your Contoso password was changed");
    }
}
