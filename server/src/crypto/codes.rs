//! One-time codes sent by e-mail, SMS or voice (docs/SECURITY.md R3): at least six
//! digits from the CSPRNG, stored only as a keyed hash bound to their flow and method, and
//! compared in constant time. Expiry, single use and attempt limits are the store's.

use super::keys::Key;

/// Codes shorter than this are refused by configuration validation too.
pub const MIN_DIGITS: u32 = 6;
pub const MAX_DIGITS: u32 = 10;

/// A fresh code of `digits` digits (clamped to `MIN_DIGITS..=MAX_DIGITS`).
pub fn generate(digits: u32) -> String {
    let digits = digits.clamp(MIN_DIGITS, MAX_DIGITS);
    let value = super::random_below(10u64.pow(digits));
    format!("{value:0width$}", width = digits as usize)
}

/// What is stored instead of the code: HMAC-SHA-256 over the binding (e.g. the flow id
/// and method id) and the code, so a stored hash is useless for any other flow.
pub fn hash(key: &Key, binding: &str, code: &str) -> [u8; 32] {
    key.mac(&message(binding, &normalize(code)))
}

/// Constant-time check of a typed code against the stored hash.
pub fn verify(key: &Key, binding: &str, typed: &str, stored: &[u8]) -> bool {
    key.verify(&message(binding, &normalize(typed)), stored)
}

/// People type codes with spaces or dashes ("123 456", "123-456"); those do not count.
fn normalize(code: &str) -> String {
    code.chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .collect()
}

fn message(binding: &str, code: &str) -> Vec<u8> {
    // The binding never contains NUL, so the split point is unambiguous.
    let mut message = Vec::with_capacity(binding.len() + code.len() + 1);
    message.extend_from_slice(binding.as_bytes());
    message.push(0);
    message.extend_from_slice(code.as_bytes());
    message
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;

    #[test]
    fn codes_have_at_least_six_digits() {
        for digits in [0, 4, 6, 8, 12] {
            let code = generate(digits);
            assert_eq!(code.len() as u32, digits.clamp(MIN_DIGITS, MAX_DIGITS));
            assert!(code.bytes().all(|b| b.is_ascii_digit()), "{code}");
        }
    }

    #[test]
    fn leading_zeros_are_kept_and_codes_vary() {
        let codes: std::collections::HashSet<String> = (0..200).map(|_| generate(6)).collect();
        assert!(codes.len() > 190, "codes repeat too often: {}", codes.len());
        assert!(codes.iter().all(|c| c.len() == 6));
    }

    #[test]
    fn the_hash_is_bound_to_the_flow_and_hides_the_code() {
        let key = ServerKeys::ephemeral().codes;
        let stored = hash(&key, "flow-1/email", "123456");
        assert!(verify(&key, "flow-1/email", "123456", &stored));
        assert!(verify(&key, "flow-1/email", "123 456", &stored));
        assert!(!verify(&key, "flow-2/email", "123456", &stored));
        assert!(!verify(&key, "flow-1/sms", "123456", &stored));
        assert!(!verify(&key, "flow-1/email", "123457", &stored));
        let hex: String = stored.iter().map(|b| format!("{b:02x}")).collect();
        assert!(!hex.contains("123456"));
        // Another server key cannot check it.
        let other = ServerKeys::ephemeral().codes;
        assert!(!verify(&other, "flow-1/email", "123456", &stored));
    }
}
