//! Push message encryption (RFC 8291) in the `aes128gcm` content coding (RFC 8188).
//!
//! Each message gets a fresh ephemeral P-256 key and a fresh salt. The shared secret of that
//! key and the subscription's `p256dh` key, mixed with the subscription's `auth` secret,
//! yields the content-encryption key and nonce; the body is one record:
//!
//! ```text
//! salt (16) | rs (4, big endian) = 4096 | idlen (1) = 65 | as_public (65) | ciphertext
//! ```
//!
//! where the ciphertext is AES-128-GCM of the plaintext followed by the last-record padding
//! delimiter 0x02.

use aes_gcm::Aes128Gcm;
use aes_gcm::aead::{Aead, KeyInit};
use hkdf::Hkdf;
use p256::elliptic_curve::sec1::ToEncodedPoint;
use p256::{PublicKey, SecretKey};
use sha2::Sha256;

/// The record size written in the header: one record of at most this many bytes.
pub const RECORD_SIZE: u32 = 4096;
/// Length of the subscription's `auth` secret.
pub const AUTH_SECRET_LEN: usize = 16;
/// Length of an uncompressed SEC1 P-256 public key (0x04 | x | y).
pub const PUBLIC_KEY_LEN: usize = 65;
/// Length of the header: salt, record size, key-id length and the sender's public key.
pub const HEADER_LEN: usize = SALT_LEN + 4 + 1 + PUBLIC_KEY_LEN;
/// The longest plaintext: push services need only accept 4096-byte bodies (RFC 8030), of
/// which the header takes 86, the AES-GCM tag 16 and the padding delimiter 1 (RFC 8291
/// section 4).
pub const MAX_PLAINTEXT_LEN: usize = 4096 - HEADER_LEN - TAG_LEN - 1;

const SALT_LEN: usize = 16;
const TAG_LEN: usize = 16;
/// Marks the last (here the only) record; no further padding follows it.
const LAST_RECORD_DELIMITER: u8 = 0x02;

/// Why a payload cannot be encrypted.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum EncryptionError {
    #[error(
        "a push payload holds at most {MAX_PLAINTEXT_LEN} bytes, this one holds {length}: send less (an ID to fetch the rest with)"
    )]
    PayloadTooLarge { length: usize },
}

/// Encrypts `plaintext` for the subscription whose keys are `ua_public` (`p256dh`) and
/// `auth_secret` (`auth`), with a fresh ephemeral key and salt: the body of a push request
/// sent with `Content-Encoding: aes128gcm`.
pub fn encrypt(
    plaintext: &[u8],
    ua_public: &PublicKey,
    auth_secret: &[u8; AUTH_SECRET_LEN],
) -> Result<Vec<u8>, EncryptionError> {
    let salt = crate::crypto::random_bytes::<SALT_LEN>();
    encrypt_with(plaintext, ua_public, auth_secret, &ephemeral_key(), &salt)
}

/// A fresh P-256 secret key from the operating system's CSPRNG. The few 32-byte strings
/// that are not valid scalars (zero, or at least the group order) are drawn again.
fn ephemeral_key() -> SecretKey {
    loop {
        if let Ok(key) = SecretKey::from_slice(&crate::crypto::random_bytes::<32>()) {
            return key;
        }
    }
}

/// [`encrypt`] with the sender's key and the salt given, so that the RFC's example can be
/// reproduced byte for byte. Never reuse either for two messages.
fn encrypt_with(
    plaintext: &[u8],
    ua_public: &PublicKey,
    auth_secret: &[u8; AUTH_SECRET_LEN],
    as_secret: &SecretKey,
    salt: &[u8; SALT_LEN],
) -> Result<Vec<u8>, EncryptionError> {
    if plaintext.len() > MAX_PLAINTEXT_LEN {
        return Err(EncryptionError::PayloadTooLarge {
            length: plaintext.len(),
        });
    }
    let as_public = uncompressed(&as_secret.public_key());
    let ua_public_bytes = uncompressed(ua_public);
    let shared = p256::ecdh::diffie_hellman(as_secret.to_nonzero_scalar(), ua_public.as_affine());

    // RFC 8291 section 3.4: IKM = HKDF(auth_secret, ecdh_secret, key_info, 32).
    let mut ikm = [0u8; 32];
    expand(
        Hkdf::<Sha256>::new(Some(auth_secret), shared.raw_secret_bytes()),
        &[b"WebPush: info\0", &ua_public_bytes, &as_public],
        &mut ikm,
    );
    // RFC 8188 section 2.2 and 2.3: the content-encryption key and the nonce.
    let content = Hkdf::<Sha256>::new(Some(salt), &ikm);
    let mut cek = [0u8; 16];
    expand(
        content.clone(),
        &[b"Content-Encoding: aes128gcm\0"],
        &mut cek,
    );
    let mut nonce = [0u8; 12];
    expand(content, &[b"Content-Encoding: nonce\0"], &mut nonce);

    let mut record = Vec::with_capacity(plaintext.len() + 1);
    record.extend_from_slice(plaintext);
    record.push(LAST_RECORD_DELIMITER);
    // The only record has sequence number 0, so its nonce is the derived one unchanged.
    // AES-GCM fails only past 64 GiB; the record is at most 4 KiB.
    let ciphertext = Aes128Gcm::new(&cek.into())
        .encrypt(&nonce.into(), record.as_slice())
        .unwrap_or_else(|_| unreachable!("AES-GCM encrypts any record under 64 GiB"));

    let mut body = Vec::with_capacity(HEADER_LEN + ciphertext.len());
    body.extend_from_slice(salt);
    body.extend_from_slice(&RECORD_SIZE.to_be_bytes());
    body.push(PUBLIC_KEY_LEN as u8);
    body.extend_from_slice(&as_public);
    body.extend_from_slice(&ciphertext);
    Ok(body)
}

/// HKDF-Expand of the concatenated `info` parts into `out`.
fn expand(hkdf: Hkdf<Sha256>, info: &[&[u8]], out: &mut [u8]) {
    // Expand fails only for outputs over 255 hash lengths; these are at most 32 bytes.
    hkdf.expand_multi_info(info, out)
        .unwrap_or_else(|_| unreachable!("HKDF-SHA-256 expands up to 8160 bytes"));
}

/// The uncompressed SEC1 encoding (0x04 | x | y) of a P-256 public key.
pub fn uncompressed(key: &PublicKey) -> [u8; PUBLIC_KEY_LEN] {
    let point = key.to_encoded_point(false);
    let mut bytes = [0u8; PUBLIC_KEY_LEN];
    // An uncompressed point of a valid (non-identity) public key is always 65 bytes.
    bytes.copy_from_slice(point.as_bytes());
    bytes
}

#[cfg(test)]
mod tests {
    use super::*;
    use base64::Engine;
    use base64::engine::general_purpose::URL_SAFE_NO_PAD;

    fn b64(text: &str) -> Vec<u8> {
        URL_SAFE_NO_PAD.decode(text).expect("base64url")
    }

    /// RFC 8291 section 5 (and appendix A): the example's keys, secret and salt.
    struct Example {
        ua_secret: SecretKey,
        as_secret: SecretKey,
        auth_secret: [u8; 16],
        salt: [u8; 16],
    }

    const PLAINTEXT: &str = "When I grow up, I want to be a watermelon";
    const UA_PUBLIC: &str =
        "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4";
    const AS_PUBLIC: &str =
        "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8";
    const BODY: &str = "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml\
                        mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT\
                        pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN";

    fn example() -> Example {
        let secret =
            |text: &str| SecretKey::from_slice(&b64(text)).expect("the RFC's private keys");
        Example {
            ua_secret: secret("q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"),
            as_secret: secret("yfWPiYE-n46HLnH0KqZOF1fJJU3MYrct3AELtAQ-oRw"),
            auth_secret: b64("BTBZMqHH6r4Tts7J_aSIgg").try_into().expect("16 bytes"),
            salt: b64("DGv6ra1nlYgDCS1FRnbzlw").try_into().expect("16 bytes"),
        }
    }

    /// The receiving browser's half, to check round trips of random keys and salts.
    fn decrypt(body: &[u8], ua_secret: &SecretKey, auth_secret: &[u8; 16]) -> Option<Vec<u8>> {
        let (salt, rest) = body.split_at(SALT_LEN);
        let (rs, rest) = rest.split_at(4);
        assert_eq!(rs, RECORD_SIZE.to_be_bytes());
        let (idlen, rest) = rest.split_at(1);
        let (as_public, ciphertext) = rest.split_at(usize::from(idlen[0]));
        let as_public = PublicKey::from_sec1_bytes(as_public).ok()?;
        let shared =
            p256::ecdh::diffie_hellman(ua_secret.to_nonzero_scalar(), as_public.as_affine());
        let mut ikm = [0u8; 32];
        Hkdf::<Sha256>::new(Some(auth_secret), shared.raw_secret_bytes())
            .expand_multi_info(
                &[
                    b"WebPush: info\0",
                    &uncompressed(&ua_secret.public_key()),
                    &uncompressed(&as_public),
                ],
                &mut ikm,
            )
            .ok()?;
        let content = Hkdf::<Sha256>::new(Some(salt), &ikm);
        let (mut cek, mut nonce) = ([0u8; 16], [0u8; 12]);
        content
            .expand(b"Content-Encoding: aes128gcm\0", &mut cek)
            .ok()?;
        content
            .expand(b"Content-Encoding: nonce\0", &mut nonce)
            .ok()?;
        let mut record = Aes128Gcm::new(&cek.into())
            .decrypt(&nonce.into(), ciphertext)
            .ok()?;
        assert_eq!(record.pop(), Some(LAST_RECORD_DELIMITER));
        Some(record)
    }

    #[test]
    fn the_rfc_8291_example_encrypts_byte_for_byte() {
        let example = example();
        assert_eq!(
            uncompressed(&example.ua_secret.public_key()).to_vec(),
            b64(UA_PUBLIC)
        );
        assert_eq!(
            uncompressed(&example.as_secret.public_key()).to_vec(),
            b64(AS_PUBLIC)
        );
        let body = encrypt_with(
            PLAINTEXT.as_bytes(),
            &example.ua_secret.public_key(),
            &example.auth_secret,
            &example.as_secret,
            &example.salt,
        )
        .expect("a short payload");
        assert_eq!(URL_SAFE_NO_PAD.encode(&body), BODY);
        assert_eq!(
            decrypt(&body, &example.ua_secret, &example.auth_secret).as_deref(),
            Some(PLAINTEXT.as_bytes())
        );
    }

    #[test]
    fn each_message_gets_a_fresh_salt_and_key_and_decrypts() {
        let example = example();
        let ua_public = example.ua_secret.public_key();
        let first = encrypt(b"approve?", &ua_public, &example.auth_secret).expect("short");
        let second = encrypt(b"approve?", &ua_public, &example.auth_secret).expect("short");
        assert_ne!(first[..SALT_LEN], second[..SALT_LEN], "salts differ");
        assert_ne!(first[21..HEADER_LEN], second[21..HEADER_LEN], "keys differ");
        assert_eq!(first.len(), HEADER_LEN + 8 + 1 + TAG_LEN);
        assert_eq!(first[16..21], [0, 0, 0x10, 0, 65], "rs 4096 and idlen 65");
        for body in [&first, &second] {
            assert_eq!(
                decrypt(body, &example.ua_secret, &example.auth_secret).as_deref(),
                Some(&b"approve?"[..])
            );
        }
    }

    #[test]
    fn the_wrong_auth_secret_or_a_changed_byte_fails_to_decrypt() {
        let example = example();
        let body = encrypt(
            b"approve?",
            &example.ua_secret.public_key(),
            &example.auth_secret,
        )
        .expect("short");
        assert!(decrypt(&body, &example.ua_secret, &[0; 16]).is_none());
        for index in [0, HEADER_LEN, body.len() - 1] {
            let mut tampered = body.clone();
            tampered[index] ^= 1;
            assert!(
                decrypt(&tampered, &example.ua_secret, &example.auth_secret).is_none(),
                "byte {index}"
            );
        }
    }

    #[test]
    fn the_longest_payload_fills_a_4096_byte_body_and_a_longer_one_is_refused() {
        let example = example();
        let ua_public = example.ua_secret.public_key();
        let longest = vec![b'x'; MAX_PLAINTEXT_LEN];
        let body = encrypt(&longest, &ua_public, &example.auth_secret).expect("fits");
        assert_eq!(MAX_PLAINTEXT_LEN, 3993);
        assert_eq!(body.len(), 4096);
        assert_eq!(
            decrypt(&body, &example.ua_secret, &example.auth_secret),
            Some(longest)
        );
        assert_eq!(
            encrypt(
                &[0; MAX_PLAINTEXT_LEN + 1],
                &ua_public,
                &example.auth_secret
            ),
            Err(EncryptionError::PayloadTooLarge { length: 3994 })
        );
    }
}
