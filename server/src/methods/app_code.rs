//! Codes from an authenticator app (TOTP, RFC 6238; docs/SECURITY.md R4). The secret is
//! sealed at rest with the method row as context; a used step is never accepted again.

use super::verdict;
use crate::crypto::keys::ServerKeys;
use crate::crypto::sealed;
use crate::crypto::totp::{self, TotpSecret};
use crate::store::interface::ProofChecker;
use crate::store::records::ProofInput;
use std::sync::Arc;

/// Digits in an authenticator app's code.
pub const DIGITS: u32 = totp::DIGITS as u32;

/// The sealing context of the secret of method row `method`.
pub fn context(method: i64) -> String {
    format!("totp:{method}")
}

/// The sealing context of the secret of a method registration (until it is confirmed
/// into a method row).
pub fn registration_context(registration: &str) -> String {
    format!("totp-registration:{registration}")
}

/// `secret` sealed at rest for method row `method`.
pub fn seal(keys: &ServerKeys, method: i64, secret: &TotpSecret) -> Vec<u8> {
    seal_in(keys, &context(method), secret)
}

/// The secret sealed for method row `method`, if it opens.
pub fn open(keys: &ServerKeys, method: i64, sealed_secret: &[u8]) -> Option<TotpSecret> {
    open_in(keys, &context(method), sealed_secret)
}

/// `secret` sealed at rest under `context` (a method row's or a registration's).
pub fn seal_in(keys: &ServerKeys, context: &str, secret: &TotpSecret) -> Vec<u8> {
    sealed::seal(&keys.totp_secrets, context, secret.as_bytes())
}

/// The secret sealed under `context`, if it opens.
pub fn open_in(keys: &ServerKeys, context: &str, sealed_secret: &[u8]) -> Option<TotpSecret> {
    let bytes = sealed::open(&keys.totp_secrets, context, sealed_secret).ok()?;
    let bytes: [u8; totp::SECRET_BYTES] = bytes.try_into().ok()?;
    Some(TotpSecret::from_bytes(bytes))
}

/// Checks a typed code at `now` against the secret the store read for method row
/// `record`. A decoy (no secret) checks against a throwaway secret: the same work, never
/// right.
pub fn checker(
    keys: Arc<ServerKeys>,
    record: Option<i64>,
    typed: String,
    now: u64,
) -> ProofChecker {
    Box::new(move |input: &ProofInput| {
        let secret = match (&input.totp_secret, record) {
            (Some(sealed_secret), Some(record)) => open(&keys, record, sealed_secret),
            _ => None,
        };
        let real = secret.is_some();
        let secret = secret.unwrap_or_else(TotpSecret::generate);
        match totp::verify(&secret, &typed, now, input.last_used_step) {
            Ok(step) if real => verdict(true, Some(step)),
            _ => verdict(false, None),
        }
    })
}
