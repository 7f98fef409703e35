//! Authenticator-app codes (docs/SECURITY.md R4): RFC 6238 TOTP with SHA-1, 6 digits,
//! 30-second steps, one step of drift either way, and no step accepted twice. The
//! arithmetic is the `totp-rs` crate's; this module fixes the parameters and adds replay
//! protection.

use totp_rs::{Algorithm, Builder, Secret, Totp};

pub const DIGITS: u8 = 6;
pub const STEP_SECONDS: u64 = 30;
/// Steps of clock drift accepted before and after the current one.
pub const DRIFT_STEPS: u16 = 1;
/// 160-bit secrets, as RFC 4226 recommends.
pub const SECRET_BYTES: usize = 20;

/// A person's TOTP secret (raw bytes; encrypted when stored).
#[derive(Clone, PartialEq, Eq)]
pub struct TotpSecret([u8; SECRET_BYTES]);

impl TotpSecret {
    pub fn generate() -> TotpSecret {
        TotpSecret(super::random_bytes::<SECRET_BYTES>())
    }

    pub fn from_bytes(bytes: [u8; SECRET_BYTES]) -> TotpSecret {
        TotpSecret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8; SECRET_BYTES] {
        &self.0
    }

    /// The secret as people type it into an authenticator app (RFC 4648 base32).
    pub fn base32(&self) -> String {
        Secret::from(self.0).to_base32()
    }

    /// The secret of its base32 form (as an app would read it), if it is one of ours.
    pub fn from_base32(text: &str) -> Option<TotpSecret> {
        let secret = Secret::try_from_base32(text).ok()?;
        Some(TotpSecret(secret.as_bytes().try_into().ok()?))
    }

    /// The `otpauth://` URI an authenticator app scans (as a QR code).
    pub fn provisioning_uri(&self, issuer: &str, account: &str) -> Result<String, TotpError> {
        let totp = Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(DIGITS)
            .with_step_duration(STEP_SECONDS)
            .with_secret(self.0)
            .with_issuer(Some(issuer.replace(':', " ")))
            .with_account_name(account.replace(':', " "))
            .build()
            .map_err(|_| TotpError::Invalid)?;
        totp.to_url().map_err(|_| TotpError::Invalid)
    }

    fn totp(&self, digits: u8) -> Totp {
        Builder::new()
            .with_algorithm(Algorithm::SHA1)
            .with_digits(digits)
            .with_skew(DRIFT_STEPS)
            .with_step_duration(STEP_SECONDS)
            .with_secret(Secret::from(self.0))
            .build_noncompliant()
    }
}

impl std::fmt::Debug for TotpSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("TotpSecret(<redacted>)")
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum TotpError {
    /// Wrong code, or a code from outside the drift window.
    #[error("the code is not valid")]
    Invalid,
    /// The code is right but its step was already used (a replay).
    #[error("the code was already used")]
    Replayed,
}

/// The code for `unix_time` (for tests and for the enrolment check).
pub fn code_at(secret: &TotpSecret, unix_time: u64) -> String {
    secret.totp(DIGITS).generate(unix_time).to_string()
}

/// Checks `code` at `unix_time`. `last_used_step` is the step of the last code this secret
/// accepted; a step at or before it is a replay. Returns the step to record.
pub fn verify(
    secret: &TotpSecret,
    code: &str,
    unix_time: u64,
    last_used_step: Option<u64>,
) -> Result<u64, TotpError> {
    let code: String = code.chars().filter(|c| !c.is_whitespace()).collect();
    if code.len() != usize::from(DIGITS) || !code.bytes().all(|b| b.is_ascii_digit()) {
        return Err(TotpError::Invalid);
    }
    let step = secret
        .totp(DIGITS)
        .check(&code, unix_time)
        .ok_or(TotpError::Invalid)?;
    match last_used_step {
        Some(last) if step <= last => Err(TotpError::Replayed),
        _ => Ok(step),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The RFC 4226 / RFC 6238 SHA-1 test secret, "12345678901234567890".
    fn rfc_secret() -> TotpSecret {
        TotpSecret::from_bytes(*b"12345678901234567890")
    }

    #[test]
    fn rfc_4226_hotp_vectors() {
        // Appendix D: HOTP values for counters 0..=9. With 30 s steps, counter c is the
        // TOTP of time c * 30.
        let expected = [
            "755224", "287082", "359152", "969429", "338314", "254676", "287922", "162583",
            "399871", "520489",
        ];
        for (counter, code) in expected.iter().enumerate() {
            assert_eq!(
                code_at(&rfc_secret(), counter as u64 * 30),
                *code,
                "{counter}"
            );
        }
    }

    #[test]
    fn rfc_6238_sha1_vectors() {
        // Appendix B (SHA-1 rows), 8 digits.
        let totp = rfc_secret().totp(8);
        for (time, code) in [
            (59, "94287082"),
            (1_111_111_109, "07081804"),
            (1_111_111_111, "14050471"),
            (1_234_567_890, "89005924"),
            (2_000_000_000, "69279037"),
            (20_000_000_000, "65353130"),
        ] {
            assert_eq!(totp.generate(time).to_string(), code, "t={time}");
        }
    }

    #[test]
    fn one_step_of_drift_is_accepted_two_are_not() {
        let secret = TotpSecret::generate();
        let now = 1_700_000_000;
        for offset in [-30i64, 0, 30] {
            let code = code_at(&secret, (now as i64 + offset) as u64);
            assert!(verify(&secret, &code, now, None).is_ok(), "offset {offset}");
        }
        for offset in [-60i64, 60] {
            let code = code_at(&secret, (now as i64 + offset) as u64);
            // A random secret can, rarely, give the same code in two steps.
            if code != code_at(&secret, now)
                && code != code_at(&secret, now - 30)
                && code != code_at(&secret, now + 30)
            {
                assert_eq!(
                    verify(&secret, &code, now, None),
                    Err(TotpError::Invalid),
                    "offset {offset}"
                );
            }
        }
    }

    #[test]
    fn a_used_step_is_never_accepted_again() {
        let secret = rfc_secret();
        let now = 1_111_111_111;
        let code = code_at(&secret, now);
        let step = verify(&secret, &code, now, None).unwrap();
        assert_eq!(step, now / 30);
        assert_eq!(
            verify(&secret, &code, now, Some(step)),
            Err(TotpError::Replayed)
        );
        // Nor an older step within the drift window.
        let previous = code_at(&secret, now - 30);
        assert_eq!(
            verify(&secret, &previous, now, Some(step)),
            Err(TotpError::Replayed)
        );
        // The next step is fine.
        let next = code_at(&secret, now + 30);
        assert_eq!(verify(&secret, &next, now + 30, Some(step)), Ok(step + 1));
    }

    #[test]
    fn malformed_codes_are_invalid() {
        let secret = rfc_secret();
        for code in ["", "12345", "1234567", "abcdef", "12345x"] {
            assert_eq!(
                verify(&secret, code, 59, None),
                Err(TotpError::Invalid),
                "{code}"
            );
        }
        // Spaces that apps show between groups are fine.
        let spaced = format!(
            "{} {}",
            &code_at(&secret, 59)[..3],
            &code_at(&secret, 59)[3..]
        );
        assert!(verify(&secret, &spaced, 59, None).is_ok());
    }

    #[test]
    fn secrets_are_160_bits_and_random() {
        let a = TotpSecret::generate();
        assert_eq!(a.as_bytes().len() * 8, 160);
        assert_ne!(a, TotpSecret::generate());
    }

    #[test]
    fn provisioning_uri_names_issuer_account_and_parameters() {
        let uri = rfc_secret()
            .provisioning_uri("Contoso", "adele.vance@contoso.example")
            .unwrap();
        assert!(uri.starts_with("otpauth://totp/"), "{uri}");
        assert!(
            uri.contains("secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"),
            "{uri}"
        );
        assert!(uri.contains("issuer=Contoso"), "{uri}");
        // The Key URI format's defaults (SHA1, 6 digits, 30 s) may be left out, never changed.
        for (name, default) in [("digits", "6"), ("period", "30"), ("algorithm", "SHA1")] {
            if let Some(rest) = uri.split(&format!("{name}=")).nth(1) {
                assert!(rest.starts_with(default), "{uri}");
            }
        }
    }

    #[test]
    fn base32_is_rfc_4648_without_padding() {
        // RFC 6238's SHA-1 secret, "12345678901234567890".
        assert_eq!(
            TotpSecret::from_bytes(*b"12345678901234567890").base32(),
            "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
        );
    }
}
