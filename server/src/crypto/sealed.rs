//! Encryption at rest for the few secrets the server must read back (TOTP secrets, queued
//! messages that carry codes): XChaCha20-Poly1305 with a random 192-bit nonce, and the
//! record's identity as associated data so a sealed value cannot be moved to another row.

use super::keys::Key;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};

const NONCE_BYTES: usize = 24;

/// The value cannot be opened: wrong key, wrong record, or tampered with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a sealed value could not be opened (wrong key or tampered with)")]
pub struct Unsealable;

fn cipher(key: &Key) -> XChaCha20Poly1305 {
    XChaCha20Poly1305::new(key.bytes().into())
}

/// `nonce || ciphertext+tag`.
pub fn seal(key: &Key, context: &str, plaintext: &[u8]) -> Vec<u8> {
    let nonce_bytes = super::random_bytes::<NONCE_BYTES>();
    let nonce = XNonce::from_slice(&nonce_bytes);
    let payload = Payload {
        msg: plaintext,
        aad: context.as_bytes(),
    };
    // Encryption only fails for messages of gigabytes; ours are a few hundred bytes.
    let ciphertext = cipher(key)
        .encrypt(nonce, payload)
        .unwrap_or_else(|_| unreachable!("plaintext too long to seal"));
    let mut out = Vec::with_capacity(NONCE_BYTES + ciphertext.len());
    out.extend_from_slice(&nonce_bytes);
    out.extend_from_slice(&ciphertext);
    out
}

/// Opens what [`seal`] made with the same key and context.
pub fn open(key: &Key, context: &str, sealed: &[u8]) -> Result<Vec<u8>, Unsealable> {
    if sealed.len() < NONCE_BYTES {
        return Err(Unsealable);
    }
    let (nonce, ciphertext) = sealed.split_at(NONCE_BYTES);
    cipher(key)
        .decrypt(
            XNonce::from_slice(nonce),
            Payload {
                msg: ciphertext,
                aad: context.as_bytes(),
            },
        )
        .map_err(|_| Unsealable)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;

    #[test]
    fn opens_with_the_same_key_and_context_only() {
        let keys = ServerKeys::ephemeral();
        let sealed = seal(&keys.totp_secrets, "method:7", b"12345678901234567890");
        assert!(!sealed.windows(20).any(|w| w == b"12345678901234567890"));
        assert_eq!(
            open(&keys.totp_secrets, "method:7", &sealed).unwrap(),
            b"12345678901234567890"
        );
        assert_eq!(
            open(&keys.totp_secrets, "method:8", &sealed),
            Err(Unsealable)
        );
        assert_eq!(open(&keys.outbox, "method:7", &sealed), Err(Unsealable));
        let mut tampered = sealed.clone();
        *tampered.last_mut().unwrap() ^= 1;
        assert_eq!(
            open(&keys.totp_secrets, "method:7", &tampered),
            Err(Unsealable)
        );
        assert_eq!(
            open(&keys.totp_secrets, "method:7", b"short"),
            Err(Unsealable)
        );
    }

    #[test]
    fn sealing_twice_gives_different_bytes() {
        let key = ServerKeys::ephemeral().outbox;
        assert_ne!(seal(&key, "x", b"same"), seal(&key, "x", b"same"));
    }
}
