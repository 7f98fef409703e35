//! DNS-rebinding defence: a request must name one of this server's own hosts.
//!
//! A hostile page whose name is re-pointed at an intranet server becomes same-origin with
//! it in the browser, but the browser still sends the hostile name in `Host`. So requests
//! naming any other host are refused with `421 Misdirected Request` before anything runs.
//! A request with no host at all (HTTP/1.0, or a test calling the router) cannot come from
//! a browser, which always sends one, and passes.
//!
//! The same hosts decide which `Origin` a state-changing request may come from (see
//! [`super::same_origin`]).

use super::problem::ApiError;
use crate::config::{Config, origin_of};
use axum::extract::{Request, State};
use axum::http::header;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use std::sync::Arc;

/// The hosts and origins this server answers to.
#[derive(Debug, Clone)]
pub struct HostPolicy {
    /// Accepted `Host` values, lower case, without a default port (80, 443).
    hosts: Vec<String>,
    /// Accepted origins: the public URL's (with its scheme), and either scheme of the
    /// other allowed hosts.
    origins: Vec<(Option<String>, String)>,
}

impl HostPolicy {
    /// `server.public_url`'s host and `server.allowed_hosts`; when neither is set (demo
    /// mode), `localhost`, `127.0.0.1` and `[::1]` with the listen port.
    pub fn from_config(config: &Config) -> HostPolicy {
        let mut hosts = Vec::new();
        let mut origins = Vec::new();
        if let Some(origin) = config.public_origin()
            && let Some((scheme, authority)) = origin.split_once("://")
        {
            hosts.push(normalise(authority));
            origins.push((Some(scheme.to_owned()), normalise(authority)));
        }
        let mut others: Vec<String> = config.server.allowed_hosts.clone();
        if hosts.is_empty() && others.is_empty() {
            let port = config.server.listen.port();
            others = ["localhost", "127.0.0.1", "[::1]"]
                .iter()
                .map(|name| format!("{name}:{port}"))
                .collect();
        }
        for host in others {
            hosts.push(normalise(&host));
            origins.push((None, normalise(&host)));
        }
        HostPolicy { hosts, origins }
    }

    /// Whether a `Host` header value names this server.
    pub fn allows_host(&self, host: &str) -> bool {
        let host = normalise(host);
        self.hosts.contains(&host)
    }

    /// Whether an `Origin` header value is one of this server's origins.
    pub fn allows_origin(&self, origin: &str) -> bool {
        let Some(parsed) = origin_of(origin) else {
            return false;
        };
        // `Origin` is exactly scheme://authority; anything more is not a browser's.
        if !parsed.eq_ignore_ascii_case(origin) {
            return false;
        }
        let Some((scheme, authority)) = parsed.split_once("://") else {
            return false;
        };
        let authority = normalise(authority);
        self.origins.iter().any(|(allowed_scheme, allowed)| {
            allowed == &authority && allowed_scheme.as_deref().is_none_or(|s| s == scheme)
        })
    }

    /// The accepted hosts, for messages.
    pub fn hosts(&self) -> &[String] {
        &self.hosts
    }
}

/// Lower case, without a trailing dot on the name or a default port.
fn normalise(authority: &str) -> String {
    let lower = authority.trim().to_ascii_lowercase();
    let without_port = lower
        .strip_suffix(":80")
        .or_else(|| lower.strip_suffix(":443"))
        .unwrap_or(&lower);
    match without_port.rsplit_once(':') {
        Some((name, port)) if !port.contains(']') => {
            format!("{}:{port}", name.strip_suffix('.').unwrap_or(name))
        }
        _ => without_port
            .strip_suffix('.')
            .unwrap_or(without_port)
            .to_owned(),
    }
}

pub async fn guard(
    State(policy): State<Arc<HostPolicy>>,
    request: Request,
    next: Next,
) -> Response {
    let header_host = match request.headers().get(header::HOST) {
        Some(value) => match value.to_str() {
            Ok(host) => Some(host),
            Err(_) => return refuse(&request, "(not text)"),
        },
        None => None,
    };
    // HTTP/2 names the host in the target (`:authority`); HTTP/1.1 may too.
    let target_host = request.uri().authority().map(|a| a.as_str());
    for host in [header_host, target_host].into_iter().flatten() {
        if !policy.allows_host(host) {
            let host = host.to_owned();
            return refuse(&request, &host);
        }
    }
    next.run(request).await
}

fn refuse(request: &Request, host: &str) -> Response {
    tracing::warn!(
        host = ?host,
        path = request.uri().path(),
        "refused a request for another host (set server.public_url or server.allowed_hosts if it is this server's name)"
    );
    ApiError::MisdirectedHost.into_response()
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn policy(toml: &str) -> HostPolicy {
        HostPolicy::from_config(&Config::parse(toml).unwrap())
    }

    #[test]
    fn without_configured_hosts_only_loopback_names_with_the_port_are_served() {
        let policy = policy("[server]\nlisten = \"127.0.0.1:8123\"");
        for host in [
            "127.0.0.1:8123",
            "localhost:8123",
            "LOCALHOST:8123",
            "[::1]:8123",
        ] {
            assert!(policy.allows_host(host), "{host}");
        }
        for host in [
            "evil.example:8123",
            "127.0.0.1:8124",
            "127.0.0.1",
            "localhost",
        ] {
            assert!(!policy.allows_host(host), "{host}");
        }
        assert!(policy.allows_origin("http://127.0.0.1:8123"));
        assert!(policy.allows_origin("http://localhost:8123"));
        assert!(!policy.allows_origin("http://evil.example:8123"));
        assert!(!policy.allows_origin("http://127.0.0.1:8123/path"));
        assert!(!policy.allows_origin("null"));
    }

    #[test]
    fn the_public_url_names_the_host_and_the_only_origin_of_its_scheme() {
        let policy = policy("[server]\npublic_url = \"https://SSPR.contoso.example/reset\"");
        for host in [
            "sspr.contoso.example",
            "sspr.contoso.example:443",
            "sspr.contoso.example.",
        ] {
            assert!(policy.allows_host(host), "{host}");
        }
        assert!(!policy.allows_host("127.0.0.1:8080"), "no loopback default");
        assert!(!policy.allows_host("sspr.contoso.example:8443"));
        assert!(policy.allows_origin("https://sspr.contoso.example"));
        assert!(!policy.allows_origin("http://sspr.contoso.example"));
    }

    #[test]
    fn allowed_hosts_add_names_with_their_ports() {
        let policy = policy(
            "[server]\npublic_url = \"https://sspr.contoso.example\"\nallowed_hosts = [\"sspr.intranet:8080\"]",
        );
        assert!(policy.allows_host("sspr.intranet:8080"));
        assert!(policy.allows_host("sspr.contoso.example"));
        assert!(!policy.allows_host("sspr.intranet"));
        assert!(policy.allows_origin("http://sspr.intranet:8080"));
        assert_eq!(
            policy.hosts(),
            ["sspr.contoso.example", "sspr.intranet:8080"]
        );
    }
}
