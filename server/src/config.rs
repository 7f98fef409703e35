//! Server configuration: a TOML file with safe defaults for everything.
//!
//! Unknown keys are refused, so a typo in the file is an error at start rather than a
//! setting silently ignored.

use serde::{Deserialize, Serialize};
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

/// The whole configuration file.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub server: ServerConfig,
    pub organisation: OrganisationConfig,
    pub captcha: CaptchaConfig,
    pub policy: crate::policy::Policy,
    pub smtp: SmtpConfig,
    pub phone: crate::phone::PhoneConfig,
    pub push: crate::push::config::PushConfig,
    pub theme: crate::theme::ThemeConfig,
    /// Where people and their passwords are: the embedded directory (default) or LDAP /
    /// Active Directory (`kind = "ldap"`, docs/DIRECTORY.md).
    pub directory: crate::people::DirectoryConfig,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ServerConfig {
    /// Address and port to listen on.
    pub listen: SocketAddr,
    /// The database: a SQLite file (created with its folder on first start), or a
    /// PostgreSQL URL (`postgres://user:password@host:5432/sspr`) that several server
    /// instances share.
    pub database: crate::store::DatabaseLocation,
    /// The server's master secret (32 bytes), created on first start with mode 0600 (a
    /// key file others may read is refused); by default `sspr.key` beside the SQLite file,
    /// or `data/sspr.key` with PostgreSQL. Instances sharing a database must share this
    /// file too (copy it to each, mode 0600).
    /// Back it up, but apart from the database: whoever holds both can attack sealed TOTP
    /// secrets and keyed hashes offline. Without it, pending codes, CAPTCHAs and stored
    /// TOTP secrets are unusable.
    pub key_file: Option<PathBuf>,
    /// The built web app (trunk's `dist/`), served at `/`.
    pub app_dir: PathBuf,
    /// The URL people reach the portal at, e.g. `https://sspr.contoso.com`. When it is
    /// `https`, responses carry HSTS. State-changing requests must come from this origin,
    /// and requests must name its host. Outside demo mode, set it or `allowed_hosts`.
    pub public_url: Option<String>,
    /// Further host names (with the port when it is not 80 or 443) that requests may
    /// name in `Host`, e.g. `["sspr.intranet:8080"]`; others get 421. Without these and
    /// without `public_url` (demo mode only), the loopback names with the listen port.
    pub allowed_hosts: Vec<String>,
    /// Origins allowed to frame the portal (embedded mode); `frame-ancestors` in the CSP.
    pub embedding_origins: Vec<String>,
    /// Reverse proxies (addresses or blocks such as `10.0.0.0/8`) whose `X-Forwarded-For`
    /// is believed. Everyone else's is ignored.
    pub trusted_proxies: Vec<String>,
    /// Requests a minute one client address may make to the CAPTCHA and reset endpoints.
    pub requests_per_ip_per_minute: u32,
    /// Days the audit log is kept; older events are purged hourly (1..=3650).
    pub audit_retention_days: u32,
    /// Serve HTTPS with this PEM certificate chain (the server's certificate first), e.g.
    /// `/etc/sspr/tls/fullchain.pem`; set `tls_key_file` with it. Without both, plain HTTP
    /// (behind a proxy that terminates TLS). Read at start; HSTS is then sent.
    pub tls_cert_file: Option<PathBuf>,
    /// The certificate's private key, PEM (PKCS#8, RSA or SEC1), e.g.
    /// `/etc/sspr/tls/privkey.pem`.
    pub tls_key_file: Option<PathBuf>,
    /// The origin links in messages and enrol QR codes point at when `public_url` is not
    /// set: with `--demo-self-signed-tls`, the demo's HTTPS address on the network (a phone
    /// cannot open `localhost`). Set at start, never read from the file.
    #[serde(skip)]
    pub demo_link_origin: Option<String>,
}

impl Default for ServerConfig {
    fn default() -> Self {
        ServerConfig {
            listen: SocketAddr::from(([127, 0, 0, 1], 8080)),
            database: crate::store::DatabaseLocation::default(),
            key_file: None,
            app_dir: PathBuf::from("dist"),
            public_url: None,
            allowed_hosts: Vec::new(),
            embedding_origins: Vec::new(),
            trusted_proxies: Vec::new(),
            requests_per_ip_per_minute: 120,
            audit_retention_days: 400,
            tls_cert_file: None,
            tls_key_file: None,
            demo_link_origin: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct OrganisationConfig {
    /// Shown in the app's header and title.
    pub name: String,
    /// Locales offered, best first. The app ships translations for these.
    pub locales: Vec<String>,
    /// Where people get help when self-service is not enough (URL, `mailto:` or `tel:`).
    pub helpdesk_url: Option<String>,
    /// The organisation's sign-in page: the "Sign in" button after a reset goes there
    /// (`https://` or `http://`). Without it, only a same-site `?return=` URL is offered.
    pub sign_in_url: Option<String>,
}

impl Default for OrganisationConfig {
    fn default() -> Self {
        OrganisationConfig {
            name: "Contoso".into(),
            locales: sspr_api::config::SHIPPED_LOCALES
                .iter()
                .map(|&tag| tag.to_owned())
                .collect(),
            helpdesk_url: None,
            sign_in_url: None,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct CaptchaConfig {
    /// Difficulty: the app tries on average half this many hashes (about 50 ms on a phone
    /// for the default).
    pub max_number: u64,
}

impl Default for CaptchaConfig {
    fn default() -> Self {
        CaptchaConfig {
            max_number: 100_000,
        }
    }
}

/// How e-mail leaves the server: an SMTP relay. Without a host nothing is sent (in demo
/// mode messages are still readable in the dev outbox).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SmtpConfig {
    /// The relay's host name, e.g. `smtp.contoso.com`.
    pub host: Option<String>,
    /// 587 for STARTTLS, 465 for implicit TLS, 25 for a local relay.
    pub port: u16,
    pub security: SmtpSecurity,
    pub username: Option<String>,
    /// A file holding the password (kept out of the configuration file).
    pub password_file: Option<PathBuf>,
    /// The sender, e.g. `Contoso IT <no-reply@contoso.com>`.
    pub from: String,
    /// Seconds to wait for the relay before counting the try as failed.
    pub timeout_seconds: u64,
    /// Tries before a message is given up (with growing waits in between).
    pub max_attempts: u32,
}

impl Default for SmtpConfig {
    fn default() -> Self {
        SmtpConfig {
            host: None,
            port: 587,
            security: SmtpSecurity::Starttls,
            username: None,
            password_file: None,
            from: "SSPR <no-reply@localhost>".into(),
            timeout_seconds: 10,
            max_attempts: 8,
        }
    }
}

/// How the connection to the relay is protected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SmtpSecurity {
    /// Plain connection upgraded with STARTTLS (required, never skipped).
    Starttls,
    /// TLS from the first byte (port 465).
    Tls,
    /// No encryption: only for a relay on the same machine or a test server.
    None,
}

/// Why a configuration cannot be used. Each message says what to change.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the configuration file {path}: {source}")]
    Read {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("the configuration file {path} is not valid: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid setting {key}: {message}")]
    Invalid { key: &'static str, message: String },
    #[error("the reset policy cannot work: {0}")]
    Policy(#[from] crate::policy::PolicyError),
    #[error("the theme cannot be used: {0}")]
    Theme(#[from] crate::theme::ThemeError),
}

impl Config {
    /// Reads `path` when given; without a path, uses the defaults.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let Some(path) = path else {
            return Ok(Config::default());
        };
        let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
            path: path.to_owned(),
            source,
        })?;
        Config::parse(&text).map_err(|err| match err {
            ConfigError::Parse { message, .. } => ConfigError::Parse {
                path: path.to_owned(),
                message,
            },
            other => other,
        })
    }

    /// Parses and validates TOML text.
    pub fn parse(text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|err| ConfigError::Parse {
            path: PathBuf::new(),
            message: err.message().to_owned(),
        })?;
        config.validate()?;
        Ok(config)
    }

    fn validate(&self) -> Result<(), ConfigError> {
        crate::theme::Theme::new(&self.theme)?;
        let org = &self.organisation;
        if org.name.trim().is_empty() {
            return Err(ConfigError::Invalid {
                key: "organisation.name",
                message: "must not be empty".into(),
            });
        }
        if org.locales.is_empty() {
            return Err(ConfigError::Invalid {
                key: "organisation.locales",
                message: "list at least one locale, e.g. [\"en\"]".into(),
            });
        }
        if let Some(bad) = org.locales.iter().find(|tag| !is_language_tag(tag)) {
            return Err(ConfigError::Invalid {
                key: "organisation.locales",
                message: format!("{bad:?} is not a language tag such as \"en\" or \"pt-BR\""),
            });
        }
        if let Some(url) = &org.helpdesk_url
            && !["https://", "http://", "mailto:", "tel:"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            return Err(ConfigError::Invalid {
                key: "organisation.helpdesk_url",
                message: format!("{url:?} must start with https://, http://, mailto: or tel:"),
            });
        }
        if let Some(url) = &org.sign_in_url
            && !["https://", "http://"]
                .iter()
                .any(|scheme| url.starts_with(scheme))
        {
            return Err(ConfigError::Invalid {
                key: "organisation.sign_in_url",
                message: format!("{url:?} must start with https:// or http://"),
            });
        }
        if !(1_000..=10_000_000).contains(&self.captcha.max_number) {
            return Err(ConfigError::Invalid {
                key: "captcha.max_number",
                message: format!(
                    "{} is outside 1000..=10000000 (too easy or too slow for phones)",
                    self.captcha.max_number
                ),
            });
        }
        self.policy.validate()?;
        if let crate::people::DirectoryConfig::Ldap(ldap) = &self.directory {
            ldap.settings().map_err(|err| ConfigError::Invalid {
                key: "directory",
                message: err.to_string(),
            })?;
        }
        self.validate_smtp()?;
        crate::push::config::validate(self)?;
        if let Some(bad) = self
            .server
            .trusted_proxies
            .iter()
            .find(|block| crate::address_block::AddressBlock::parse(block).is_none())
        {
            return Err(ConfigError::Invalid {
                key: "server.trusted_proxies",
                message: format!("{bad:?} must be an address or block such as \"10.0.0.0/8\""),
            });
        }
        if !(10..=100_000).contains(&self.server.requests_per_ip_per_minute) {
            return Err(ConfigError::Invalid {
                key: "server.requests_per_ip_per_minute",
                message: format!(
                    "{} is outside 10..=100000",
                    self.server.requests_per_ip_per_minute
                ),
            });
        }
        if !(1..=3650).contains(&self.server.audit_retention_days) {
            return Err(ConfigError::Invalid {
                key: "server.audit_retention_days",
                message: format!(
                    "{} is outside 1..=3650 (days the audit log is kept)",
                    self.server.audit_retention_days
                ),
            });
        }
        if let Some(bad) = self
            .server
            .allowed_hosts
            .iter()
            .find(|host| !is_host_and_port(host))
        {
            return Err(ConfigError::Invalid {
                key: "server.allowed_hosts",
                message: format!(
                    "{bad:?} must be a host name with an optional port, such as \"sspr.contoso.com\" or \"sspr.intranet:8080\" (no scheme, no path)"
                ),
            });
        }
        match (&self.server.tls_cert_file, &self.server.tls_key_file) {
            (Some(_), None) => {
                return Err(ConfigError::Invalid {
                    key: "server.tls_key_file",
                    message: "set it too when server.tls_cert_file is set (the certificate's private key, PEM)".into(),
                });
            }
            (None, Some(_)) => {
                return Err(ConfigError::Invalid {
                    key: "server.tls_cert_file",
                    message:
                        "set it too when server.tls_key_file is set (the certificate chain, PEM)"
                            .into(),
                });
            }
            _ => {}
        }
        if let Some(url) = &self.server.public_url
            && origin_of(url).is_none()
        {
            return Err(ConfigError::Invalid {
                key: "server.public_url",
                message: format!("{url:?} must be an http:// or https:// URL"),
            });
        }
        if let Some(bad) = self
            .server
            .embedding_origins
            .iter()
            .find(|origin| origin_of(origin).as_deref() != Some(origin.as_str()))
        {
            return Err(ConfigError::Invalid {
                key: "server.embedding_origins",
                message: format!(
                    "{bad:?} must be an origin such as \"https://login.contoso.com\" (scheme and host, no path)"
                ),
            });
        }
        Ok(())
    }

    fn validate_smtp(&self) -> Result<(), ConfigError> {
        let smtp = &self.smtp;
        if let Some(host) = &smtp.host
            && (host.is_empty() || host.contains(['/', ' ', ':']))
        {
            return Err(ConfigError::Invalid {
                key: "smtp.host",
                message: format!("{host:?} must be a host name such as \"smtp.contoso.com\""),
            });
        }
        if smtp.from.parse::<lettre::message::Mailbox>().is_err() {
            return Err(ConfigError::Invalid {
                key: "smtp.from",
                message: format!(
                    "{:?} must be an address such as \"Contoso IT <no-reply@contoso.com>\"",
                    smtp.from
                ),
            });
        }
        if smtp.password_file.is_some() && smtp.username.is_none() {
            return Err(ConfigError::Invalid {
                key: "smtp.username",
                message: "set it too when smtp.password_file is set".into(),
            });
        }
        if !(1..=120).contains(&smtp.timeout_seconds) {
            return Err(ConfigError::Invalid {
                key: "smtp.timeout_seconds",
                message: format!("{} is outside 1..=120", smtp.timeout_seconds),
            });
        }
        if !(1..=20).contains(&smtp.max_attempts) {
            return Err(ConfigError::Invalid {
                key: "smtp.max_attempts",
                message: format!("{} is outside 1..=20", smtp.max_attempts),
            });
        }
        Ok(())
    }

    /// Where the master secret lives.
    pub fn key_file(&self) -> PathBuf {
        self.server
            .key_file
            .clone()
            .unwrap_or_else(|| self.server.database.local_folder().join("sspr.key"))
    }

    /// The origin of `server.public_url`, if one is configured.
    pub fn public_origin(&self) -> Option<String> {
        self.server.public_url.as_deref().and_then(origin_of)
    }

    /// The origin links in messages point at: `public_url`'s, else the demo's HTTPS address
    /// on the network, else this machine (`http://localhost:<port>`).
    pub fn link_origin(&self) -> String {
        self.public_origin()
            .or_else(|| self.server.demo_link_origin.clone())
            .unwrap_or_else(|| format!("http://localhost:{}", self.server.listen.port()))
    }

    /// Audit events older than this are purged.
    pub fn audit_retention(&self) -> std::time::Duration {
        std::time::Duration::from_secs(u64::from(self.server.audit_retention_days) * 86_400)
    }

    /// True when people reach the server over TLS, through a proxy (`public_url` is https)
    /// or the server's own (`tls_cert_file`); HSTS is then sent.
    pub fn behind_tls(&self) -> bool {
        self.server.tls_cert_file.is_some()
            || self
                .public_origin()
                .is_some_and(|origin| origin.starts_with("https://"))
    }
}

/// `scheme://host[:port]` of an http(s) URL, or `None` when it is not one.
pub fn origin_of(url: &str) -> Option<String> {
    let (scheme, rest) = url.split_once("://")?;
    if scheme != "http" && scheme != "https" {
        return None;
    }
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    let valid = !authority.is_empty()
        && authority
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c));
    valid.then(|| format!("{scheme}://{}", authority.to_ascii_lowercase()))
}

/// `host`, `host:port`, `[v6]` or `[v6]:port`: what a `Host` header holds.
pub fn is_host_and_port(text: &str) -> bool {
    let (host, port) = match text.rsplit_once(':') {
        Some((host, port)) if !host.ends_with(':') && !port.contains(']') => (host, Some(port)),
        _ => (text, None),
    };
    let port_ok = port.is_none_or(|p| p.parse::<u16>().is_ok_and(|n| n != 0));
    let host_ok = match host.strip_prefix('[').and_then(|h| h.strip_suffix(']')) {
        Some(v6) => v6.parse::<std::net::Ipv6Addr>().is_ok(),
        None => {
            !host.is_empty()
                && host
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '.')
        }
    };
    port_ok && host_ok
}

fn is_language_tag(tag: &str) -> bool {
    !tag.is_empty()
        && tag.split('-').all(|part| {
            (1..=8).contains(&part.len()) && part.chars().all(|c| c.is_ascii_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_example_file_in_the_repository_is_valid() {
        let text = include_str!("../../sspr.example.toml");
        let config = Config::parse(text).unwrap();
        assert_eq!(
            config,
            Config::default(),
            "the example documents the defaults"
        );
    }

    #[test]
    fn empty_file_gives_safe_defaults() {
        let config = Config::parse("").unwrap();
        assert_eq!(config, Config::default());
        assert_eq!(config.server.listen.to_string(), "127.0.0.1:8080");
        assert!(config.server.embedding_origins.is_empty());
        assert!(!config.behind_tls());
    }

    #[test]
    fn reads_organisation_settings() {
        let config = Config::parse(
            r#"
            [organisation]
            name = "Fabrikam"
            locales = ["fr", "en"]
            helpdesk_url = "mailto:help@fabrikam.example"
            "#,
        )
        .unwrap();
        assert_eq!(config.organisation.name, "Fabrikam");
        assert_eq!(config.organisation.locales, ["fr", "en"]);
        assert_eq!(
            config.organisation.helpdesk_url.as_deref(),
            Some("mailto:help@fabrikam.example")
        );
    }

    #[test]
    fn unknown_keys_are_refused() {
        let err = Config::parse("[organisation]\nnmae = \"x\"").unwrap_err();
        assert!(err.to_string().contains("nmae"), "{err}");
    }

    #[test]
    fn bad_values_are_refused_with_the_key() {
        for (text, key) in [
            ("[organisation]\nname = \"  \"", "organisation.name"),
            ("[organisation]\nlocales = []", "organisation.locales"),
            (
                "[organisation]\nlocales = [\"en_US!\"]",
                "organisation.locales",
            ),
            (
                "[organisation]\nhelpdesk_url = \"javascript:alert(1)\"",
                "organisation.helpdesk_url",
            ),
            ("[server]\npublic_url = \"ftp://x\"", "server.public_url"),
            (
                "[server]\nembedding_origins = [\"https://a.example/login\"]",
                "server.embedding_origins",
            ),
            ("[captcha]\nmax_number = 10", "captcha.max_number"),
            ("[smtp]\nhost = \"smtp://x\"", "smtp.host"),
            (
                "[server]\ntrusted_proxies = [\"10.0.0.0/40\"]",
                "server.trusted_proxies",
            ),
            (
                "[server]\nrequests_per_ip_per_minute = 1",
                "server.requests_per_ip_per_minute",
            ),
            ("[smtp]\nfrom = \"not an address\"", "smtp.from"),
            ("[smtp]\npassword_file = \"/x\"", "smtp.username"),
            ("[smtp]\nmax_attempts = 0", "smtp.max_attempts"),
            (
                "[server]\naudit_retention_days = 0",
                "server.audit_retention_days",
            ),
            (
                "[server]\naudit_retention_days = 3651",
                "server.audit_retention_days",
            ),
            (
                "[server]\nallowed_hosts = [\"https://sspr.contoso.com\"]",
                "server.allowed_hosts",
            ),
            (
                "[server]\nallowed_hosts = [\"sspr.contoso.com/reset\"]",
                "server.allowed_hosts",
            ),
            (
                "[server]\ntls_cert_file = \"/etc/sspr/cert.pem\"",
                "server.tls_key_file",
            ),
            (
                "[server]\ntls_key_file = \"/etc/sspr/key.pem\"",
                "server.tls_cert_file",
            ),
        ] {
            let err = Config::parse(text).unwrap_err();
            assert!(err.to_string().contains(key), "{text}: {err}");
        }
    }

    #[test]
    fn an_impossible_policy_is_refused_at_start() {
        let err =
            Config::parse("[policy]\nmethods_required = 2\nmethods = [\"email\"]").unwrap_err();
        assert!(err.to_string().contains("policy.methods"), "{err}");
    }

    #[test]
    fn links_point_at_the_public_url_else_the_demos_network_address_else_this_machine() {
        let mut config = Config::parse("[server]\nlisten = \"0.0.0.0:8443\"").unwrap();
        assert_eq!(config.link_origin(), "http://localhost:8443");
        // --demo-self-signed-tls: a phone on the network must reach the links, and HSTS
        // stays off (a demo's certificate is thrown away at the next start).
        config.server.demo_link_origin = Some("https://192.168.1.20:8443".into());
        assert_eq!(config.link_origin(), "https://192.168.1.20:8443");
        assert!(!config.behind_tls());
        config.server.public_url = Some("https://sspr.contoso.com/".into());
        assert_eq!(config.link_origin(), "https://sspr.contoso.com");
        // Never read from the file.
        assert!(Config::parse("[server]\ndemo_link_origin = \"https://x\"").is_err());
    }

    #[test]
    fn a_low_contrast_theme_is_refused_at_start_with_the_key_and_ratio() {
        let err = Config::parse("[theme]\nbrand = \"#7fb2e5\"").unwrap_err();
        let text = err.to_string();
        assert!(matches!(err, ConfigError::Theme(_)), "{text}");
        assert!(
            text.contains("theme.brand") && text.contains(":1") && text.contains("4.5:1"),
            "{text}"
        );
        assert!(Config::parse("[theme]\nbrand = \"#6b2c91\"").is_ok());
    }

    #[test]
    fn https_public_url_means_tls() {
        let config =
            Config::parse("[server]\npublic_url = \"https://SSPR.contoso.com/reset\"").unwrap();
        assert_eq!(
            config.public_origin().as_deref(),
            Some("https://sspr.contoso.com")
        );
        assert!(config.behind_tls());
        let config = Config::parse(
            "[server]\ntls_cert_file = \"/etc/sspr/cert.pem\"\ntls_key_file = \"/etc/sspr/key.pem\"",
        )
        .unwrap();
        assert!(config.behind_tls(), "the server's own TLS");
    }

    #[test]
    fn hosts_with_ports_are_told_apart_from_urls() {
        for good in [
            "sspr.contoso.com",
            "sspr:8080",
            "10.0.0.5:443",
            "[::1]:8080",
            "[::1]",
        ] {
            assert!(is_host_and_port(good), "{good}");
        }
        for bad in [
            "",
            "https://x",
            "x/y",
            "x:0",
            "x:99999",
            "[nope]:80",
            "a b",
            ":80",
        ] {
            assert!(!is_host_and_port(bad), "{bad}");
        }
    }

    #[test]
    fn origin_of_strips_path_and_refuses_other_schemes() {
        assert_eq!(
            origin_of("http://127.0.0.1:8080/x?y").as_deref(),
            Some("http://127.0.0.1:8080")
        );
        assert_eq!(origin_of("javascript://x"), None);
        assert_eq!(origin_of("https://"), None);
    }
}
