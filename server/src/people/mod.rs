//! Where people, their passwords and their account state live: the embedded directory
//! (this server's own `users` table, the default and the demo's) or an LDAP / Active
//! Directory server (`[directory] kind = "ldap"`, `ldap/`). The rest of the server asks
//! [`People`] and never which one it is.
//!
//! With a directory, this server keeps only what the directory does not hold: a person's
//! row (methods, security answers, flows and sessions hang off its id) keyed by the
//! directory's stable id (`entryUUID`, `objectGUID`), refreshed from the directory each
//! time the person starts a reset or signs in ([`People::refresh`]), so a rename in the
//! directory keeps their methods. Passwords are never stored: they are checked by binding
//! as the person and written back to the directory, which applies its own rules.

pub mod ldap;

use crate::store::StoreError;
use crate::store::interface::ResetStore;
use crate::store::records::DirectoryEntry;
use serde::{Deserialize, Serialize};
use sspr_api::password::PasswordProblem;
use std::sync::Arc;

/// `[directory]`: which directory holds the people.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum DirectoryConfig {
    /// This server's own table (`sspr-server user ...` administers it).
    #[default]
    Embedded,
    /// An LDAP directory or Active Directory.
    Ldap(Box<ldap::config::LdapConfig>),
}

/// A person as the directory holds them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirectoryPerson {
    /// Never changes for the person (entryUUID; objectGUID in hex).
    pub stable_id: String,
    pub dn: String,
    pub user_id: String,
    pub display_name: String,
    pub email: Option<String>,
    /// False for a disabled account (AD's userAccountControl; ppolicy's lock "for good").
    pub enabled: bool,
    /// Locked out after failed sign-ins (AD's lockoutTime, ppolicy's pwdAccountLockedTime):
    /// such people may reset, which lifts the lock.
    pub locked: bool,
    /// When the lockout began, as the directory writes it (`locked` is its presence).
    pub locked_at: Option<String>,
    /// Must change their password at next sign-in (ppolicy's pwdReset, AD's pwdLastSet 0).
    pub must_change: bool,
    /// A member of one of `admin_groups`.
    pub is_admin: bool,
    /// Each group's DN and name (the value of its first RDN).
    pub groups: Vec<String>,
}

/// Why the directory did not do what was asked.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DirectoryFailure {
    /// Down, unreachable, too slow, or answering with a fault: try again shortly.
    #[error("the directory is unavailable: {0}")]
    Unavailable(String),
    /// It refused the password under its own rules; the person can choose another.
    #[error("the directory refused the password: {0:?}")]
    Refused(PasswordProblem),
}

#[derive(Debug, thiserror::Error)]
pub enum PeopleError {
    #[error(transparent)]
    Directory(#[from] DirectoryFailure),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// Where people are: see the module's text.
#[derive(Debug, Clone, Default)]
pub enum People {
    #[default]
    Embedded,
    Ldap(Arc<ldap::LdapDirectory>),
}

impl People {
    /// The people of `config`; an LDAP directory is only prepared, not yet reached.
    pub fn new(config: &DirectoryConfig) -> Result<People, String> {
        match config {
            DirectoryConfig::Embedded => Ok(People::Embedded),
            DirectoryConfig::Ldap(ldap) => {
                let settings = ldap.settings().map_err(|err| err.to_string())?;
                let directory =
                    ldap::LdapDirectory::new(settings).map_err(|err| err.to_string())?;
                Ok(People::Ldap(Arc::new(directory)))
            }
        }
    }

    pub fn is_embedded(&self) -> bool {
        matches!(self, People::Embedded)
    }

    /// Brings this server's row for `user_id` up to date with the directory, and returns
    /// the person the directory has (with the embedded directory: nothing to do, `None`).
    /// One store call whether or not the directory knows the user ID (the same work for
    /// real and unknown IDs); an ID the directory no longer has disables the row that
    /// carried it.
    pub async fn refresh<S: ResetStore>(
        &self,
        store: &S,
        user_id: &str,
        now: u64,
    ) -> Result<Option<DirectoryPerson>, PeopleError> {
        let People::Ldap(directory) = self else {
            return Ok(None);
        };
        let person = directory.find(user_id).await?;
        let entry = person.as_ref().map(|person| DirectoryEntry {
            stable_id: person.stable_id.clone(),
            user_id: person.user_id.clone(),
            display_name: person.display_name.clone(),
            email: person.email.clone(),
            enabled: person.enabled,
            is_admin: person.is_admin,
            groups: person.groups.clone(),
        });
        store
            .sync_directory_entry(user_id.to_owned(), entry, now)
            .await?;
        Ok(person)
    }

    /// Whether the directory answers (always, for the embedded one: the store's own health
    /// is reported beside it).
    pub async fn health(&self) -> Result<(), DirectoryFailure> {
        match self {
            People::Embedded => Ok(()),
            People::Ldap(directory) => directory.health().await,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::config::{Config, ConfigError};

    #[test]
    fn the_embedded_directory_is_the_default_and_can_be_named() {
        assert_eq!(
            Config::parse("").expect("defaults").directory,
            super::DirectoryConfig::Embedded
        );
        let named = Config::parse("[directory]\nkind = \"embedded\"\n").expect("valid");
        assert_eq!(named.directory, super::DirectoryConfig::Embedded);
    }

    #[test]
    fn an_ldap_directory_is_checked_at_start() {
        let dir = tempfile::tempdir().expect("temp dir");
        let password = dir.path().join("password");
        std::fs::write(&password, "secret\n").expect("password file");
        let table = |url: &str, extra: &str| {
            format!(
                "[directory]\nkind = \"ldap\"\nurl = \"{url}\"\nbind_dn = \"cn=sspr,dc=example,dc=org\"\n\
                 bind_password_file = \"{}\"\nbase_dn = \"ou=people,dc=example,dc=org\"\n{extra}",
                password.display()
            )
        };
        assert!(Config::parse(&table("ldaps://ldap.example.org", "")).is_ok());
        let plain = Config::parse(&table("ldap://ldap.example.org", "")).unwrap_err();
        assert!(
            matches!(&plain, ConfigError::Invalid { key: "directory", message } if message.contains("plain LDAP")),
            "{plain}"
        );
        let typo = Config::parse(&table("ldaps://ldap.example.org", "bind_pasword = \"x\"\n"));
        assert!(
            matches!(typo, Err(ConfigError::Parse { .. })),
            "unknown keys are refused"
        );
        let flavour = Config::parse(&table(
            "ldaps://dc1.corp.example",
            "flavour = \"active_directory\"\n",
        ))
        .expect("valid");
        let super::DirectoryConfig::Ldap(ldap) = flavour.directory else {
            panic!("an LDAP directory");
        };
        assert_eq!(
            ldap.settings().expect("valid").user_id_attribute,
            "sAMAccountName"
        );
    }
}
