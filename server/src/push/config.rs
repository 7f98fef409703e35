//! `[push]`: Web Push for app notifications. The server's VAPID key is derived from the
//! master key ([`super::vapid_key`]); what the configuration gives is the contact push
//! services may use about this server (the VAPID `sub`, RFC 8292 section 2.1) and how long
//! a push may take.
//!
//! Without `subject`, the contact is `server.public_url` when it is `https://`, else
//! `mailto:` and the address of `smtp.from` (the address the organisation's messages come
//! from): push services ask for a way to reach the operator, and those are the
//! organisation's own. A `subject` that is neither a `mailto:` address nor an `https:`
//! URL stops the server at start.

use super::vapid::{VapidKey, VapidSubject};
use crate::config::{Config, ConfigError};
use crate::crypto::keys::ServerKeys;
use serde::{Deserialize, Serialize};
use sspr_api::MethodKind;
use std::time::Duration;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PushConfig {
    /// The contact push services may use about this server: `mailto:it@contoso.com` or
    /// `https://sspr.contoso.com`. Default: `server.public_url` when https, else
    /// `mailto:` with the address of `smtp.from`.
    pub subject: Option<String>,
    /// Seconds one push may take, connecting included (1..=60).
    pub timeout_seconds: u64,
    /// The push services phones may subscribe with: host names, each matching itself and
    /// its subdomains. A push goes to no other host: a subscription's endpoint comes from
    /// the phone, and without this list a signed-in person could aim the server at hosts
    /// inside the network. The default names the services of Chrome and Android (FCM),
    /// Firefox, Edge and Windows, and Safari.
    pub service_hosts: Vec<String>,
}

/// The browsers' push services.
pub const DEFAULT_SERVICE_HOSTS: [&str; 4] = [
    "fcm.googleapis.com",
    "push.services.mozilla.com",
    "notify.windows.com",
    "push.apple.com",
];

impl Default for PushConfig {
    fn default() -> Self {
        PushConfig {
            subject: None,
            timeout_seconds: 10,
            service_hosts: DEFAULT_SERVICE_HOSTS.map(str::to_owned).to_vec(),
        }
    }
}

/// Whether `host` is one of `allowed` or a subdomain of one (names compare without case).
pub fn service_allowed(allowed: &[String], host: &str) -> bool {
    let host = host.trim_end_matches('.').to_ascii_lowercase();
    allowed.iter().any(|entry| {
        let entry = entry.trim_end_matches('.').to_ascii_lowercase();
        host == entry
            || host
                .strip_suffix(&entry)
                .is_some_and(|rest| rest.ends_with('.'))
    })
}

/// The VAPID subject `config` names or implies.
pub fn subject(config: &Config) -> Result<VapidSubject, ConfigError> {
    let invalid = |message: String| ConfigError::Invalid {
        key: "push.subject",
        message,
    };
    if let Some(subject) = &config.push.subject {
        return VapidSubject::parse(subject.trim()).map_err(|err| invalid(err.to_string()));
    }
    if let Some(origin) = config.public_origin().filter(|o| o.starts_with("https://")) {
        return VapidSubject::parse(&origin).map_err(|err| invalid(err.to_string()));
    }
    let from: lettre::message::Mailbox = config.smtp.from.parse().map_err(|_| {
        invalid("set it (no https public_url, and smtp.from is not an address)".into())
    })?;
    VapidSubject::parse(&format!("mailto:{}", from.email)).map_err(|err| {
        invalid(format!(
            "{err}; set push.subject to a mailto: address or an https: URL"
        ))
    })
}

/// Refuses a `[push]` that cannot work: a subject that is not one, a timeout out of range.
pub fn validate(config: &Config) -> Result<(), ConfigError> {
    if !(1..=60).contains(&config.push.timeout_seconds) {
        return Err(ConfigError::Invalid {
            key: "push.timeout_seconds",
            message: format!("{} is outside 1..=60", config.push.timeout_seconds),
        });
    }
    subject(config).map(|_| ())
}

/// What the outbox needs to send Web Push: the key, the contact, the timeout, the push
/// services it may reach.
#[derive(Clone, Debug)]
pub struct PushSender {
    pub vapid: VapidKey,
    pub subject: VapidSubject,
    pub timeout: Duration,
    pub service_hosts: Vec<String>,
}

/// The outbox's Web Push, when the policy (as it stands after demo mode chose its own)
/// enables app notifications.
pub fn sender(config: &Config, keys: &ServerKeys) -> Option<PushSender> {
    if !config.policy.methods.contains(&MethodKind::AppNotification) {
        return None;
    }
    Some(PushSender {
        vapid: super::vapid_key(keys),
        subject: subject(config).ok()?,
        timeout: Duration::from_secs(config.push.timeout_seconds),
        service_hosts: config.push.service_hosts.clone(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_listed_push_services_and_their_subdomains_are_reached() {
        let allowed = PushConfig::default().service_hosts;
        for host in [
            "fcm.googleapis.com",
            "updates.push.services.mozilla.com",
            "wns2-par02p.notify.windows.com",
            "web.push.apple.com",
            "FCM.googleapis.com.",
        ] {
            assert!(service_allowed(&allowed, host), "{host}");
        }
        for host in [
            "127.0.0.1",
            "localhost",
            "10.0.0.5",
            "evilfcm.googleapis.com.attacker.example",
            "xpush.apple.com",
            "googleapis.com",
        ] {
            assert!(!service_allowed(&allowed, host), "{host}");
        }
    }

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(text)
    }

    #[test]
    fn the_subject_is_configured_or_the_https_origin_or_the_senders_address() {
        let given = parse("[push]\nsubject = \"mailto:it@contoso.example\"\n").unwrap();
        assert_eq!(
            subject(&given).unwrap().as_str(),
            "mailto:it@contoso.example"
        );
        let https = parse("[server]\npublic_url = \"https://sspr.contoso.example/\"\n").unwrap();
        assert_eq!(
            subject(&https).unwrap().as_str(),
            "https://sspr.contoso.example"
        );
        let mail = parse(
            "[server]\npublic_url = \"http://sspr.intranet:8080\"\n[smtp]\nfrom = \"Contoso IT <no-reply@contoso.example>\"\n",
        )
        .unwrap();
        assert_eq!(
            subject(&mail).unwrap().as_str(),
            "mailto:no-reply@contoso.example"
        );
    }

    #[test]
    fn an_unusable_subject_stops_the_server_with_what_to_set() {
        let error = parse("[push]\nsubject = \"admin@contoso.example\"\n").expect_err("refused");
        let text = error.to_string();
        assert!(text.contains("push.subject"), "{text}");
        assert!(text.contains("mailto:"), "{text}");
        assert!(parse("[push]\ntimeout_seconds = 0\n").is_err());
    }
}
