//! An office phone: the server calls, the person answers and presses #; nothing to type.
//!
//! The call carries a reference (`{flow}-{method}-{code}`) that the provider reports back
//! with the key press; the code is drawn, hashed and bound like a sent code
//! ([`super::sent_code`]), so a key press proves the method only for the live call of that
//! flow, once. The browser learns nothing about the call but whether the method is proven:
//! it counts [`CALL_SECONDS`] down and then offers to call again, which is exactly what an
//! unknown account's decoy flow does (docs/SECURITY.md, enumeration: "answered" or
//! "declined" would tell that the account exists).

/// How long the portal waits for the person to answer and press # (ringing, the greeting
/// and the wait for the key together).
pub const CALL_SECONDS: u64 = 60;
/// Digits in a call's code: it is never typed, only carried in the callback, so it is long.
pub const REFERENCE_DIGITS: u32 = 20;
/// The name the call limits count under.
pub const SEND_CHANNEL: &str = "office_phone:call";

/// The reference a call's key press is reported with.
pub fn reference(flow_id: &str, method_id: &str, code: &str) -> String {
    format!("{flow_id}-{method_id}-{code}")
}

/// The flow, method and code a reported reference names; `None` when it is not one.
pub fn parse_reference(reference: &str) -> Option<(&str, &str, &str)> {
    let mut parts = reference.splitn(3, '-');
    let flow = parts.next()?;
    let method = parts.next()?;
    let code = parts.next()?;
    let hex = |s: &str| s.len() == 32 && s.bytes().all(|b| b.is_ascii_hexdigit());
    let method_ok = method.len() <= 8 && method.bytes().all(|b| b.is_ascii_alphanumeric());
    let code_ok = !code.is_empty() && code.len() <= 32 && code.bytes().all(|b| b.is_ascii_digit());
    (hex(flow) && method_ok && code_ok).then_some((flow, method, code))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references_round_trip_and_junk_is_refused() {
        let flow = "0123456789abcdef0123456789abcdef";
        let made = reference(flow, "m2", "12345678901234567890");
        assert_eq!(
            parse_reference(&made),
            Some((flow, "m2", "12345678901234567890"))
        );
        assert_eq!(parse_reference("x-m2-1"), None);
        assert_eq!(parse_reference(&format!("{flow}-m2")), None);
        assert_eq!(parse_reference(&format!("{flow}-m2-12a")), None);
        assert_eq!(parse_reference(&format!("{flow}-m/2-12")), None);
    }
}
