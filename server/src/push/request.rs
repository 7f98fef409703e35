//! A push subscription as the browser hands it over (`PushSubscription.toJSON()`), its
//! validation, and the complete push request to POST to its endpoint (RFC 8030 section 5):
//! the encrypted body, its content coding, the message's lifetime, urgency and topic, and
//! the VAPID authorization.

use axum::http::Uri;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::PublicKey;
use serde::{Deserialize, Serialize};
use std::net::IpAddr;

use super::encryption::{self, AUTH_SECRET_LEN, EncryptionError, PUBLIC_KEY_LEN};
use super::vapid::{VapidKey, VapidSubject};

/// A subscription in the shape of `PushSubscription.toJSON()` (other members, such as
/// `expirationTime`, are ignored). Untrusted until [`Subscription::validate`] accepts it.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct Subscription {
    /// The push service's URL for this subscription.
    pub endpoint: String,
    pub keys: SubscriptionKeys,
}

/// The browser's keys for a subscription, base64url as the browser encodes them.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
pub struct SubscriptionKeys {
    /// The browser's P-256 public key, uncompressed (65 bytes).
    pub p256dh: String,
    /// The browser's 16-byte authentication secret.
    pub auth: String,
}

/// Why a subscription is refused.
#[derive(Clone, Debug, thiserror::Error, PartialEq, Eq)]
pub enum SubscriptionError {
    #[error("the push endpoint {endpoint:?} is not an absolute URL with a host")]
    EndpointMalformed { endpoint: String },
    #[error(
        "the push endpoint {endpoint:?} is not https:// (plain http:// is allowed only to this machine)"
    )]
    EndpointNotHttps { endpoint: String },
    #[error("the subscription's p256dh key is not base64url")]
    P256dhNotBase64,
    #[error(
        "the subscription's p256dh key is not an uncompressed P-256 point ({length} bytes, 65 expected, starting 0x04)"
    )]
    P256dhNotUncompressed { length: usize },
    #[error("the subscription's p256dh key is not a point on P-256")]
    P256dhNotOnCurve,
    #[error("the subscription's auth secret is not base64url")]
    AuthNotBase64,
    #[error("the subscription's auth secret holds {length} bytes, not 16")]
    AuthWrongLength { length: usize },
}

/// A subscription that passed [`Subscription::validate`]: keys decoded, endpoint checked.
#[derive(Clone, Debug)]
pub struct ValidSubscription {
    endpoint: String,
    audience: String,
    ua_public: PublicKey,
    auth_secret: [u8; AUTH_SECRET_LEN],
}

impl Subscription {
    /// Checks the endpoint (https://, or http:// to a loopback host such as the tests'
    /// fake push service) and decodes the keys.
    pub fn validate(&self) -> Result<ValidSubscription, SubscriptionError> {
        let audience = audience(&self.endpoint)?;
        let p256dh =
            decode_base64url(&self.keys.p256dh).ok_or(SubscriptionError::P256dhNotBase64)?;
        if p256dh.len() != PUBLIC_KEY_LEN || p256dh[0] != 0x04 {
            return Err(SubscriptionError::P256dhNotUncompressed {
                length: p256dh.len(),
            });
        }
        let ua_public =
            PublicKey::from_sec1_bytes(&p256dh).map_err(|_| SubscriptionError::P256dhNotOnCurve)?;
        let auth = decode_base64url(&self.keys.auth).ok_or(SubscriptionError::AuthNotBase64)?;
        let auth_secret = <[u8; AUTH_SECRET_LEN]>::try_from(auth.as_slice())
            .map_err(|_| SubscriptionError::AuthWrongLength { length: auth.len() })?;
        Ok(ValidSubscription {
            endpoint: self.endpoint.clone(),
            audience,
            ua_public,
            auth_secret,
        })
    }
}

impl ValidSubscription {
    pub fn endpoint(&self) -> &str {
        &self.endpoint
    }

    /// The endpoint's host (lower case, without brackets or port).
    pub fn host(&self) -> &str {
        let rest = self
            .audience
            .split_once("://")
            .map_or(self.audience.as_str(), |(_, rest)| rest);
        let host = match rest.rsplit_once(':') {
            Some((host, port)) if port.bytes().all(|b| b.is_ascii_digit()) => host,
            _ => rest,
        };
        host.trim_start_matches('[').trim_end_matches(']')
    }

    /// The endpoint's origin (`https://push.example.net`, default port left out): the
    /// VAPID token's `aud`.
    pub fn audience(&self) -> &str {
        &self.audience
    }
}

/// Base64url, padded or not (browsers leave the padding out; some libraries keep it).
fn decode_base64url(text: &str) -> Option<Vec<u8>> {
    URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()
}

/// The origin of `endpoint`, provided it is https://, or http:// to a loopback host.
fn audience(endpoint: &str) -> Result<String, SubscriptionError> {
    let malformed = || SubscriptionError::EndpointMalformed {
        endpoint: endpoint.to_owned(),
    };
    let uri: Uri = endpoint.parse().map_err(|_| malformed())?;
    let host = uri
        .host()
        .filter(|host| !host.is_empty())
        .ok_or_else(malformed)?
        .to_ascii_lowercase();
    let default_port = match uri.scheme_str() {
        Some("https") => 443,
        Some("http") if is_loopback(&host) => 80,
        Some(_) => {
            return Err(SubscriptionError::EndpointNotHttps {
                endpoint: endpoint.to_owned(),
            });
        }
        None => return Err(malformed()),
    };
    let scheme = if default_port == 443 { "https" } else { "http" };
    Ok(match uri.port_u16() {
        Some(port) if port != default_port => format!("{scheme}://{host}:{port}"),
        _ => format!("{scheme}://{host}"),
    })
}

/// `localhost`, 127.0.0.0/8 or `[::1]`.
fn is_loopback(host: &str) -> bool {
    host == "localhost"
        || host
            .trim_start_matches('[')
            .trim_end_matches(']')
            .parse::<IpAddr>()
            .is_ok_and(|ip| ip.is_loopback())
}

/// What to send: the payload and how the push service should treat it.
#[derive(Clone, Copy, Debug)]
pub struct PushMessage<'a> {
    /// The plaintext, at most [`encryption::MAX_PLAINTEXT_LEN`] bytes.
    pub payload: &'a [u8],
    /// How long the push service keeps the message for an offline phone, in seconds
    /// (`TTL`; 0 means deliver now or never).
    pub ttl_seconds: u32,
    /// A `Topic`: a queued message with the same topic replaces this one (at most 32
    /// characters of the base64url alphabet, RFC 8030 section 5.4).
    pub topic: Option<&'a str>,
}

/// A push request, ready to POST: nothing in it needs the server's keys any more.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PushRequest {
    pub endpoint: String,
    pub headers: Vec<(&'static str, String)>,
    pub body: Vec<u8>,
}

impl PushRequest {
    /// The value of header `name` (ASCII case-insensitive), if present.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(header, _)| header.eq_ignore_ascii_case(name))
            .map(|(_, value)| value.as_str())
    }
}

/// Why a push request cannot be built.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum PushRequestError {
    #[error(transparent)]
    Subscription(#[from] SubscriptionError),
    #[error(transparent)]
    Encryption(#[from] EncryptionError),
    #[error("the push topic {topic:?} is not 1 to 32 characters of the base64url alphabet")]
    Topic { topic: String },
}

/// The request that delivers `message` to `subscription`: the payload encrypted for it
/// (`aes128gcm`), `TTL`, `Urgency: high` (a person is waiting for the approval), the
/// optional `Topic`, and a VAPID `Authorization` signed with `vapid` for the endpoint's
/// origin, naming `subject`, valid from `now` (Unix seconds).
pub fn push_request(
    subscription: &ValidSubscription,
    message: &PushMessage<'_>,
    vapid: &VapidKey,
    subject: &VapidSubject,
    now: u64,
) -> Result<PushRequest, PushRequestError> {
    if let Some(topic) = message.topic
        && !is_topic(topic)
    {
        return Err(PushRequestError::Topic {
            topic: topic.to_owned(),
        });
    }
    let body = encryption::encrypt(
        message.payload,
        &subscription.ua_public,
        &subscription.auth_secret,
    )?;
    let mut headers = vec![
        ("Content-Encoding", "aes128gcm".to_owned()),
        ("Content-Type", "application/octet-stream".to_owned()),
        ("TTL", message.ttl_seconds.to_string()),
        ("Urgency", "high".to_owned()),
    ];
    if let Some(topic) = message.topic {
        headers.push(("Topic", topic.to_owned()));
    }
    headers.push((
        "Authorization",
        vapid.authorization(subscription.audience(), subject, now),
    ));
    Ok(PushRequest {
        endpoint: subscription.endpoint.clone(),
        headers,
        body,
    })
}

fn is_topic(topic: &str) -> bool {
    (1..=32).contains(&topic.len())
        && topic
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What a subscription is sealed under at rest (docs/SECURITY.md R15): its endpoint is a
/// capability to wake the phone and its `auth` secret a key of the phone's.
const SEALED_CONTEXT: &str = "push-subscription";

/// A subscription as the store keeps it: JSON sealed under `key`, in base64.
pub fn seal_subscription(key: &crate::crypto::keys::Key, subscription: &Subscription) -> String {
    let json = serde_json::to_vec(subscription).unwrap_or_default();
    URL_SAFE_NO_PAD.encode(crate::crypto::sealed::seal(key, SEALED_CONTEXT, &json))
}

/// The subscription the store kept, or `None` when it cannot be opened with `key`.
pub fn open_subscription(key: &crate::crypto::keys::Key, stored: &str) -> Option<Subscription> {
    let sealed = URL_SAFE_NO_PAD.decode(stored).ok()?;
    let json = crate::crypto::sealed::open(key, SEALED_CONTEXT, &sealed).ok()?;
    serde_json::from_slice(&json).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;
    use crate::push::vapid_key;

    /// RFC 8291's example user agent keys.
    const P256DH: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AUTH: &str = "BTBZMqHH6r4Tts7J_aSIgg";

    fn subscription(endpoint: &str) -> Subscription {
        Subscription {
            endpoint: endpoint.to_owned(),
            keys: SubscriptionKeys {
                p256dh: P256DH.to_owned(),
                auth: AUTH.to_owned(),
            },
        }
    }

    fn with_keys(p256dh: &str, auth: &str) -> Subscription {
        Subscription {
            endpoint: "https://push.example.net/x".to_owned(),
            keys: SubscriptionKeys {
                p256dh: p256dh.to_owned(),
                auth: auth.to_owned(),
            },
        }
    }

    #[test]
    fn the_browsers_json_is_read_and_extra_members_ignored() {
        let json = format!(
            r#"{{"endpoint":"https://fcm.googleapis.com/fcm/send/abc","expirationTime":null,"keys":{{"p256dh":"{P256DH}","auth":"{AUTH}"}}}}"#
        );
        let parsed: Subscription = serde_json::from_str(&json).expect("toJSON() shape");
        assert_eq!(
            parsed,
            subscription("https://fcm.googleapis.com/fcm/send/abc")
        );
    }

    #[test]
    fn the_audience_is_the_endpoints_origin() {
        for (endpoint, origin) in [
            (
                "https://fcm.googleapis.com/fcm/send/abc:def",
                "https://fcm.googleapis.com",
            ),
            (
                "https://Updates.Push.Services.Mozilla.com:443/wpush/v2/x?y=1",
                "https://updates.push.services.mozilla.com",
            ),
            (
                "https://push.example.net:8443/x",
                "https://push.example.net:8443",
            ),
            ("http://127.0.0.1:4000/push/1", "http://127.0.0.1:4000"),
            ("http://localhost/push/1", "http://localhost"),
            ("http://[::1]:4000/push", "http://[::1]:4000"),
        ] {
            let valid = subscription(endpoint).validate().expect(endpoint);
            assert_eq!(valid.audience(), origin);
            assert_eq!(valid.endpoint(), endpoint);
        }
    }

    #[test]
    fn endpoints_must_be_https_except_to_this_machine() {
        for endpoint in [
            "http://push.example.net/x",
            "http://10.0.0.1/x",
            "http://localhost.example.net/x",
            "ftp://push.example.net/x",
        ] {
            assert_eq!(
                subscription(endpoint).validate().map(|_| ()),
                Err(SubscriptionError::EndpointNotHttps {
                    endpoint: endpoint.to_owned()
                }),
                "{endpoint}"
            );
        }
        for endpoint in ["", "/push/x", "push.example.net/x", "https://", "not a url"] {
            assert!(
                matches!(
                    subscription(endpoint).validate(),
                    Err(SubscriptionError::EndpointMalformed { .. })
                ),
                "{endpoint:?}"
            );
        }
    }

    #[test]
    fn keys_must_decode_to_a_p256_point_and_a_16_byte_secret() {
        let compressed = URL_SAFE_NO_PAD.encode([&[0x02][..], &[1; 32]].concat());
        let off_curve = URL_SAFE_NO_PAD.encode([&[0x04][..], &[1; 64]].concat());
        for (p256dh, auth, error) in [
            ("not base64!", AUTH, SubscriptionError::P256dhNotBase64),
            (
                compressed.as_str(),
                AUTH,
                SubscriptionError::P256dhNotUncompressed { length: 33 },
            ),
            (
                off_curve.as_str(),
                AUTH,
                SubscriptionError::P256dhNotOnCurve,
            ),
            (P256DH, "***", SubscriptionError::AuthNotBase64),
            (
                P256DH,
                "BTBZMqHH6r4Tts7J_aSI",
                SubscriptionError::AuthWrongLength { length: 15 },
            ),
        ] {
            assert_eq!(
                with_keys(p256dh, auth).validate().map(|_| ()),
                Err(error.clone()),
                "{error}"
            );
        }
        assert!(
            with_keys(P256DH, "BTBZMqHH6r4Tts7J_aSIgg==")
                .validate()
                .is_ok()
        );
    }

    #[test]
    fn the_request_carries_the_body_and_the_push_headers() {
        let vapid = vapid_key(&ServerKeys::ephemeral());
        let subject = VapidSubject::parse("mailto:admin@example.com").expect("valid");
        let message = PushMessage {
            payload: br#"{"approve":"r-1"}"#,
            ttl_seconds: 120,
            topic: Some("reset-r-1"),
        };
        let request = push_request(
            &subscription("https://push.example.net/wpush/abc")
                .validate()
                .expect("valid"),
            &message,
            &vapid,
            &subject,
            1_000,
        )
        .expect("valid");
        assert_eq!(request.endpoint, "https://push.example.net/wpush/abc");
        assert_eq!(
            request.headers.iter().map(|(n, _)| *n).collect::<Vec<_>>(),
            [
                "Content-Encoding",
                "Content-Type",
                "TTL",
                "Urgency",
                "Topic",
                "Authorization"
            ]
        );
        assert_eq!(request.header("content-encoding"), Some("aes128gcm"));
        assert_eq!(
            request.header("Content-Type"),
            Some("application/octet-stream")
        );
        assert_eq!(request.header("TTL"), Some("120"));
        assert_eq!(request.header("Urgency"), Some("high"));
        assert_eq!(request.header("Topic"), Some("reset-r-1"));
        assert_eq!(
            request.header("Authorization"),
            Some(
                vapid
                    .authorization("https://push.example.net", &subject, 1_000)
                    .as_str()
            )
        );
        assert_eq!(
            request.body.len(),
            encryption::HEADER_LEN + message.payload.len() + 1 + 16
        );

        let untopical = PushMessage {
            topic: None,
            ..message
        };
        let request = push_request(
            &subscription("https://push.example.net/wpush/abc")
                .validate()
                .expect("valid"),
            &untopical,
            &vapid,
            &subject,
            1_000,
        )
        .expect("valid");
        assert_eq!(request.header("Topic"), None);
    }

    #[test]
    fn bad_topics_subscriptions_and_payloads_are_typed_errors() {
        let vapid = vapid_key(&ServerKeys::ephemeral());
        let subject = VapidSubject::parse("https://sspr.example.com").expect("valid");
        let good = subscription("https://push.example.net/x");
        let (longest, too_long) = ("x".repeat(32), "x".repeat(33));
        let build = |subscription: &Subscription, payload: &[u8], topic| {
            let message = PushMessage {
                payload,
                ttl_seconds: 60,
                topic,
            };
            let subscription = subscription.validate()?;
            push_request(&subscription, &message, &vapid, &subject, 0)
        };
        for topic in ["", "has space", "dot.ted", &too_long] {
            assert_eq!(
                build(&good, b"x", Some(topic)),
                Err(PushRequestError::Topic {
                    topic: topic.to_owned()
                })
            );
        }
        assert!(build(&good, b"x", Some(&longest)).is_ok());
        assert!(matches!(
            build(&subscription("http://push.example.net/x"), b"x", None),
            Err(PushRequestError::Subscription(
                SubscriptionError::EndpointNotHttps { .. }
            ))
        ));
        assert_eq!(
            build(&good, &[0; 4000], None),
            Err(PushRequestError::Encryption(
                EncryptionError::PayloadTooLarge { length: 4000 }
            ))
        );
    }
}
