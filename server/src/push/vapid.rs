//! Voluntary Application Server Identification (VAPID, RFC 8292): the server's P-256 key
//! and the ES256 token that proves to a push service that a message comes from it.
//!
//! The browser binds a subscription to the public key given to
//! `pushManager.subscribe({applicationServerKey})`, and push services refuse messages
//! whose token that key does not verify. The key is derived from the server's master key
//! ([`ServerKeys::vapid`]), so it needs no file of its own and stays the same across
//! restarts and instances: replacing the master key invalidates every subscription.

use crate::crypto::keys::ServerKeys;
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::SecretKey;
use p256::ecdsa::signature::Signer;
use p256::ecdsa::{Signature, SigningKey};

use super::encryption::{PUBLIC_KEY_LEN, uncompressed};

/// How long a token is valid: RFC 8292 allows at most 24 hours; half of that leaves room
/// for clocks that run ahead.
pub const TOKEN_LIFETIME_SECONDS: u64 = 12 * 60 * 60;

/// The JOSE header of every token, base64url-encoded as it is.
const JWT_HEADER: &str = r#"{"typ":"JWT","alg":"ES256"}"#;

/// The server's VAPID signing key.
#[derive(Clone)]
pub struct VapidKey {
    signing: SigningKey,
    public: [u8; PUBLIC_KEY_LEN],
}

/// The server's VAPID key, derived from the master key: the first of
/// HMAC(`keys.vapid`, "p256-scalar/" || counter), counter = 0, 1, … that is a valid P-256
/// scalar (neither zero nor at least the group order, which happens with odds of about
/// 2^-32 per try).
pub fn vapid_key(keys: &ServerKeys) -> VapidKey {
    (0u32..)
        .find_map(|counter| {
            let candidate = keys.vapid.mac(format!("p256-scalar/{counter}").as_bytes());
            SecretKey::from_slice(&candidate).ok()
        })
        .map(VapidKey::from_secret)
        .unwrap_or_else(|| unreachable!("2^32 candidates are never all invalid scalars"))
}

impl VapidKey {
    fn from_secret(secret: SecretKey) -> VapidKey {
        VapidKey {
            public: uncompressed(&secret.public_key()),
            signing: SigningKey::from(secret),
        }
    }

    /// The public key, uncompressed SEC1 (0x04 | x | y).
    pub fn public_key(&self) -> &[u8; PUBLIC_KEY_LEN] {
        &self.public
    }

    /// The public key in base64url without padding: the page's `applicationServerKey`
    /// and the `k=` of the `Authorization` header.
    pub fn public_key_base64url(&self) -> String {
        URL_SAFE_NO_PAD.encode(self.public)
    }

    /// A signed ES256 JWT for the push service at `audience` (the endpoint's origin),
    /// naming `subject` as the contact, valid for [`TOKEN_LIFETIME_SECONDS`] from `now`
    /// (Unix seconds).
    pub fn token(&self, audience: &str, subject: &VapidSubject, now: u64) -> String {
        let claims = serde_json::json!({
            "aud": audience,
            "exp": now.saturating_add(TOKEN_LIFETIME_SECONDS),
            "sub": subject.as_str(),
        });
        let signing_input = format!(
            "{}.{}",
            URL_SAFE_NO_PAD.encode(JWT_HEADER),
            URL_SAFE_NO_PAD.encode(claims.to_string())
        );
        // ES256: ECDSA P-256 over SHA-256 (RFC 6979 nonces), r || s in 64 bytes (RFC 7518).
        let signature: Signature = self.signing.sign(signing_input.as_bytes());
        format!(
            "{signing_input}.{}",
            URL_SAFE_NO_PAD.encode(signature.to_bytes())
        )
    }

    /// The `Authorization` header's value: `vapid t=<token>, k=<public key>` (RFC 8292
    /// section 3).
    pub fn authorization(&self, audience: &str, subject: &VapidSubject, now: u64) -> String {
        format!(
            "vapid t={}, k={}",
            self.token(audience, subject, now),
            self.public_key_base64url()
        )
    }
}

impl std::fmt::Debug for VapidKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("VapidKey")
            .field("public", &self.public_key_base64url())
            .finish_non_exhaustive()
    }
}

/// The contact the push service may use about this server (the token's `sub`): a
/// `mailto:` address or an `https:` URL, as RFC 8292 section 2.1 asks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct VapidSubject(String);

/// Why a configured VAPID subject is refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum VapidSubjectError {
    #[error(
        "the Web Push contact {subject:?} is neither a mailto: address (mailto:admin@example.com) nor an https: URL"
    )]
    NotMailtoOrHttps { subject: String },
}

impl VapidSubject {
    /// Checks the shape: `mailto:` and an address with an `@` between non-empty parts, or
    /// `https://` and a host; no spaces or control characters.
    pub fn parse(subject: &str) -> Result<VapidSubject, VapidSubjectError> {
        let clean = !subject.is_empty()
            && subject
                .chars()
                .all(|c| !c.is_whitespace() && !c.is_control());
        let shaped = if let Some(address) = subject.strip_prefix("mailto:") {
            address
                .split_once('@')
                .is_some_and(|(local, domain)| !local.is_empty() && !domain.is_empty())
        } else if let Some(rest) = subject.strip_prefix("https://") {
            rest.split(['/', '?', '#'])
                .next()
                .is_some_and(|host| !host.is_empty())
        } else {
            false
        };
        if clean && shaped {
            Ok(VapidSubject(subject.to_owned()))
        } else {
            Err(VapidSubjectError::NotMailtoOrHttps {
                subject: subject.to_owned(),
            })
        }
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use p256::ecdsa::VerifyingKey;
    use p256::ecdsa::signature::Verifier;

    fn decode_json(part: &str) -> serde_json::Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(part).expect("base64url")).expect("JSON")
    }

    #[test]
    fn the_key_is_derived_from_the_master_key_and_only_from_it() {
        let first = vapid_key(&ServerKeys::derive(&[7; 32]));
        let again = vapid_key(&ServerKeys::derive(&[7; 32]));
        let other = vapid_key(&ServerKeys::derive(&[8; 32]));
        assert_eq!(first.public_key(), again.public_key());
        assert_ne!(first.public_key(), other.public_key());
        assert_eq!(first.public_key()[0], 0x04, "uncompressed");
        let encoded = first.public_key_base64url();
        assert_eq!(encoded.len(), 87);
        assert_eq!(
            URL_SAFE_NO_PAD.decode(&encoded).expect("base64url"),
            first.public_key()
        );
        assert!(!format!("{first:?}").contains(&format!("{:?}", first.signing.to_bytes())));
    }

    #[test]
    fn the_token_is_an_es256_jwt_the_public_key_verifies() {
        let key = vapid_key(&ServerKeys::ephemeral());
        let subject = VapidSubject::parse("mailto:admin@example.com").expect("valid");
        let token = key.token("https://push.example.net", &subject, 1_000_000);
        let parts: Vec<&str> = token.split('.').collect();
        assert_eq!(parts.len(), 3);
        assert_eq!(
            decode_json(parts[0]),
            serde_json::json!({"typ": "JWT", "alg": "ES256"})
        );
        assert_eq!(
            decode_json(parts[1]),
            serde_json::json!({
                "aud": "https://push.example.net",
                "exp": 1_000_000 + 12 * 3600,
                "sub": "mailto:admin@example.com",
            })
        );
        let signature = Signature::from_slice(&URL_SAFE_NO_PAD.decode(parts[2]).expect("b64"))
            .expect("64 bytes r || s");
        let verifying = VerifyingKey::from_sec1_bytes(key.public_key()).expect("a point");
        let signed = format!("{}.{}", parts[0], parts[1]);
        assert!(verifying.verify(signed.as_bytes(), &signature).is_ok());
        assert!(
            verifying
                .verify(format!("{signed}x").as_bytes(), &signature)
                .is_err()
        );

        let authorization = key.authorization("https://push.example.net", &subject, 1_000_000);
        assert_eq!(
            authorization,
            format!("vapid t={token}, k={}", key.public_key_base64url()),
            "deterministic signatures (RFC 6979)"
        );
    }

    #[test]
    fn subjects_are_mailto_addresses_or_https_urls() {
        for good in [
            "mailto:admin@example.com",
            "https://sspr.example.com",
            "https://sspr.example.com/contact",
        ] {
            assert_eq!(
                VapidSubject::parse(good).map(|s| s.as_str().to_owned()),
                Ok(good.to_owned())
            );
        }
        for bad in [
            "",
            "admin@example.com",
            "mailto:",
            "mailto:admin",
            "mailto:@example.com",
            "mailto:admin@",
            "http://sspr.example.com",
            "https://",
            "https:///path",
            "mailto:ad min@example.com",
            "mailto:admin@example.com\n",
        ] {
            assert!(VapidSubject::parse(bad).is_err(), "{bad:?}");
        }
    }
}
