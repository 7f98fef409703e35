//! `[directory]` when `kind = "ldap"`: where the directory is, the account that searches
//! it and writes passwords back, and which attributes hold what. `flavour` picks the
//! defaults of OpenLDAP (and other RFC directories) or of Active Directory; every
//! attribute can still be named.
//!
//! Refused at start: a plain `ldap://` URL to anything but loopback without StartTLS
//! (the service account's password and the people's new ones would cross the network in
//! the clear), a missing or empty password file, an empty base DN.

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Flavour {
    /// OpenLDAP, 389 Directory Server and other RFC 4511 directories: Password Modify
    /// (RFC 3062), the password policy control, `entryUUID`.
    #[default]
    Openldap,
    /// Active Directory: `unicodePwd` over LDAPS with the policy hints control,
    /// `userAccountControl`, `lockoutTime`, `objectGUID`.
    ActiveDirectory,
}

/// How a person's groups are found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Membership {
    /// Groups under `group_base_dn` whose `member` or `uniqueMember` names the person.
    #[serde(rename = "member")]
    Member,
    /// The person's own `memberOf` attribute (Active Directory; OpenLDAP's memberof
    /// overlay).
    #[serde(rename = "memberOf")]
    MemberOf,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct LdapConfig {
    pub flavour: Flavour,
    /// `ldaps://host[:port]`, or `ldap://` with `starttls = true`; plain `ldap://` only
    /// to a loopback address.
    pub url: String,
    pub starttls: bool,
    /// PEM file of the certificate authorities the directory's certificate is checked
    /// against; default: the Mozilla roots.
    pub ca_file: Option<PathBuf>,
    /// The service account: searches people and groups, and writes passwords (write
    /// access to the password attribute, not ppolicy's `manage`, which skips the
    /// directory's own password checks).
    pub bind_dn: String,
    /// A file holding the service account's password (one line).
    pub bind_password_file: Option<PathBuf>,
    /// Where people are searched (subtree).
    pub base_dn: String,
    /// Who counts as a person: people outside it are unknown user IDs (a decoy flow).
    pub user_filter: Option<String>,
    /// The attribute people type as their user ID: uid, mail, userPrincipalName,
    /// sAMAccountName.
    pub user_id_attribute: Option<String>,
    pub display_name_attribute: Option<String>,
    pub email_attribute: Option<String>,
    /// An attribute that never changes for a person (entryUUID, objectGUID): this
    /// server's own records (methods, answers) are keyed by it, so a rename keeps them.
    pub stable_id_attribute: Option<String>,
    pub membership: Option<Membership>,
    /// Where groups are searched with `membership = "member"`; default: `base_dn`.
    pub group_base_dn: Option<String>,
    /// Groups (DNs or names) whose members are administrators (two methods at reset,
    /// the other administrators told of their resets).
    pub admin_groups: Vec<String>,
    /// A reset lifts a lockout (AD: `lockoutTime` set to 0). Without it the person keeps
    /// their lock until it runs out or an administrator lifts it (OpenLDAP's ppolicy lifts
    /// `pwdAccountLockedTime` on every password change, so it is put back).
    pub unlock_on_reset: bool,
    /// Offer a locked-out person, once they proved their methods, "unlock my account"
    /// keeping their password, beside choosing a new one.
    pub offer_unlock: bool,
    /// Seconds one directory operation may take, connecting included (1..=60).
    pub timeout_seconds: u64,
    /// Service connections kept open (1..=32); each carries many operations at once.
    pub connections: usize,
}

impl Default for LdapConfig {
    fn default() -> Self {
        LdapConfig {
            flavour: Flavour::Openldap,
            url: String::new(),
            starttls: false,
            ca_file: None,
            bind_dn: String::new(),
            bind_password_file: None,
            base_dn: String::new(),
            user_filter: None,
            user_id_attribute: None,
            display_name_attribute: None,
            email_attribute: None,
            stable_id_attribute: None,
            membership: None,
            group_base_dn: None,
            admin_groups: Vec::new(),
            unlock_on_reset: true,
            offer_unlock: false,
            timeout_seconds: 5,
            connections: 2,
        }
    }
}

/// Why `[directory]` cannot be used; each says what to change.
#[derive(Debug, thiserror::Error, PartialEq)]
#[error("invalid setting directory.{key}: {message}")]
pub struct LdapConfigError {
    pub key: &'static str,
    pub message: String,
}

fn invalid<T>(key: &'static str, message: impl Into<String>) -> Result<T, LdapConfigError> {
    Err(LdapConfigError {
        key,
        message: message.into(),
    })
}

/// The settings with the flavour's defaults filled in, checked.
#[derive(Debug, Clone, PartialEq)]
pub struct LdapSettings {
    pub flavour: Flavour,
    pub url: String,
    pub starttls: bool,
    pub ca_file: Option<PathBuf>,
    pub bind_dn: String,
    pub bind_password: String,
    pub base_dn: String,
    pub user_filter: String,
    pub user_id_attribute: String,
    pub display_name_attribute: String,
    pub email_attribute: String,
    pub stable_id_attribute: String,
    pub membership: Membership,
    pub group_base_dn: String,
    pub admin_groups: Vec<String>,
    pub unlock_on_reset: bool,
    pub offer_unlock: bool,
    pub timeout: std::time::Duration,
    pub connections: usize,
}

impl LdapConfig {
    /// Checks the settings, reads the password file and fills in the flavour's defaults.
    pub fn settings(&self) -> Result<LdapSettings, LdapConfigError> {
        let ad = self.flavour == Flavour::ActiveDirectory;
        let Some((scheme, host)) = self.url.split_once("://") else {
            return invalid(
                "url",
                format!(
                    "{:?} must be ldaps://host or ldap://host (with starttls = true)",
                    self.url
                ),
            );
        };
        let host = host.split('/').next().unwrap_or("");
        if host.is_empty() {
            return invalid("url", format!("{:?} names no host", self.url));
        }
        match scheme {
            "ldaps" if self.starttls => {
                return invalid("starttls", "ldaps:// is already TLS: leave starttls out");
            }
            "ldaps" => {}
            "ldap" if self.starttls || is_loopback(host) => {}
            "ldap" => {
                return invalid(
                    "url",
                    format!(
                        "{:?} is plain LDAP to another machine: use ldaps://, or starttls = true",
                        self.url
                    ),
                );
            }
            _ => {
                return invalid(
                    "url",
                    format!("{:?} must start with ldaps:// or ldap://", self.url),
                );
            }
        }
        if self.bind_dn.trim().is_empty() {
            return invalid(
                "bind_dn",
                "name the service account that searches the directory",
            );
        }
        let Some(path) = &self.bind_password_file else {
            return invalid(
                "bind_password_file",
                "name the file with the service account's password",
            );
        };
        let bind_password = match std::fs::read_to_string(path) {
            Ok(text) => text.trim_end_matches(['\r', '\n']).to_owned(),
            Err(err) => {
                return invalid(
                    "bind_password_file",
                    format!("cannot read {}: {err}", path.display()),
                );
            }
        };
        if bind_password.is_empty() {
            return invalid("bind_password_file", format!("{} is empty", path.display()));
        }
        if self.base_dn.trim().is_empty() {
            return invalid(
                "base_dn",
                "name where people are, e.g. \"ou=people,dc=example,dc=org\"",
            );
        }
        if !(1..=60).contains(&self.timeout_seconds) {
            return invalid(
                "timeout_seconds",
                format!("{} is outside 1..=60", self.timeout_seconds),
            );
        }
        if !(1..=32).contains(&self.connections) {
            return invalid(
                "connections",
                format!("{} is outside 1..=32", self.connections),
            );
        }
        let pick = |given: &Option<String>, openldap: &str, active_directory: &str| {
            given
                .clone()
                .filter(|value| !value.trim().is_empty())
                .unwrap_or_else(|| if ad { active_directory } else { openldap }.to_owned())
        };
        let user_filter = pick(
            &self.user_filter,
            "(objectClass=inetOrgPerson)",
            "(&(objectCategory=person)(objectClass=user))",
        );
        if !(user_filter.starts_with('(') && user_filter.ends_with(')')) {
            return invalid(
                "user_filter",
                format!("{user_filter:?} must be an LDAP filter in parentheses"),
            );
        }
        let settings = LdapSettings {
            flavour: self.flavour,
            url: self.url.clone(),
            starttls: self.starttls,
            ca_file: self.ca_file.clone(),
            bind_dn: self.bind_dn.clone(),
            bind_password,
            base_dn: self.base_dn.clone(),
            user_filter,
            user_id_attribute: pick(&self.user_id_attribute, "uid", "sAMAccountName"),
            display_name_attribute: pick(&self.display_name_attribute, "cn", "displayName"),
            email_attribute: pick(&self.email_attribute, "mail", "mail"),
            stable_id_attribute: pick(&self.stable_id_attribute, "entryUUID", "objectGUID"),
            membership: self.membership.unwrap_or(if ad {
                Membership::MemberOf
            } else {
                Membership::Member
            }),
            group_base_dn: self
                .group_base_dn
                .clone()
                .unwrap_or_else(|| self.base_dn.clone()),
            admin_groups: self.admin_groups.clone(),
            unlock_on_reset: self.unlock_on_reset,
            offer_unlock: self.offer_unlock,
            timeout: std::time::Duration::from_secs(self.timeout_seconds),
            connections: self.connections,
        };
        for (key, attribute) in [
            ("user_id_attribute", &settings.user_id_attribute),
            ("display_name_attribute", &settings.display_name_attribute),
            ("email_attribute", &settings.email_attribute),
            ("stable_id_attribute", &settings.stable_id_attribute),
        ] {
            if !attribute
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == ';')
            {
                return invalid(key, format!("{attribute:?} is not an attribute name"));
            }
        }
        Ok(settings)
    }
}

fn is_loopback(host: &str) -> bool {
    let name = host
        .rsplit_once(':')
        .filter(|(_, port)| port.chars().all(|c| c.is_ascii_digit()))
        .map_or(host, |(name, _)| name);
    let name = name.trim_start_matches('[').trim_end_matches(']');
    name.eq_ignore_ascii_case("localhost")
        || name
            .parse::<std::net::IpAddr>()
            .is_ok_and(|address| address.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn with_password() -> (tempfile::TempDir, LdapConfig) {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("password");
        std::fs::write(&file, "service secret\n").expect("password file");
        let config = LdapConfig {
            url: "ldaps://ldap.example.org".into(),
            bind_dn: "cn=sspr,dc=example,dc=org".into(),
            bind_password_file: Some(file),
            base_dn: "ou=people,dc=example,dc=org".into(),
            ..LdapConfig::default()
        };
        (dir, config)
    }

    #[test]
    fn openldap_defaults_and_the_password_without_its_newline() {
        let (_dir, config) = with_password();
        let settings = config.settings().expect("valid");
        assert_eq!(settings.bind_password, "service secret");
        assert_eq!(settings.user_id_attribute, "uid");
        assert_eq!(settings.stable_id_attribute, "entryUUID");
        assert_eq!(settings.membership, Membership::Member);
        assert_eq!(settings.group_base_dn, "ou=people,dc=example,dc=org");
    }

    #[test]
    fn active_directory_defaults() {
        let (_dir, mut config) = with_password();
        config.flavour = Flavour::ActiveDirectory;
        let settings = config.settings().expect("valid");
        assert_eq!(settings.user_id_attribute, "sAMAccountName");
        assert_eq!(settings.stable_id_attribute, "objectGUID");
        assert_eq!(settings.membership, Membership::MemberOf);
        assert!(settings.user_filter.contains("objectCategory=person"));
    }

    #[test]
    fn plain_ldap_only_to_loopback_or_with_starttls() {
        let (_dir, mut config) = with_password();
        config.url = "ldap://ldap.example.org".into();
        assert_eq!(config.settings().unwrap_err().key, "url");
        config.starttls = true;
        assert!(config.settings().is_ok());
        config.starttls = false;
        for local in [
            "ldap://127.0.0.1:3389",
            "ldap://localhost",
            "ldap://[::1]:389",
        ] {
            config.url = local.into();
            assert!(config.settings().is_ok(), "{local}");
        }
        config.url = "ldaps://ldap.example.org".into();
        config.starttls = true;
        assert_eq!(config.settings().unwrap_err().key, "starttls");
        config.starttls = false;
        config.url = "http://ldap.example.org".into();
        assert_eq!(config.settings().unwrap_err().key, "url");
    }

    #[test]
    fn a_missing_or_empty_password_file_is_refused() {
        let (dir, mut config) = with_password();
        config.bind_password_file = Some(dir.path().join("absent"));
        assert_eq!(config.settings().unwrap_err().key, "bind_password_file");
        let empty = dir.path().join("empty");
        std::fs::write(&empty, "\n").expect("file");
        config.bind_password_file = Some(empty);
        assert_eq!(config.settings().unwrap_err().key, "bind_password_file");
    }

    #[test]
    fn attribute_names_and_filters_are_checked() {
        let (_dir, mut config) = with_password();
        config.user_id_attribute = Some("uid)(x=*".into());
        assert_eq!(config.settings().unwrap_err().key, "user_id_attribute");
        config.user_id_attribute = None;
        config.user_filter = Some("objectClass=person".into());
        assert_eq!(config.settings().unwrap_err().key, "user_filter");
    }
}
