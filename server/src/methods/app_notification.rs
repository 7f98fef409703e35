//! An app notification: the authenticator page on the person's phone (a PWA holding a
//! non-extractable ECDSA P-256 key) is woken by Web Push and asked to approve the reset by
//! choosing, among three numbers, the one the portal shows (number matching, so that a
//! person who did not start the reset cannot approve it by reflex).
//!
//! - Each prompt is an approval request: an id, the number to choose (10 to 99) and two
//!   other distinct ones, shuffled, all from the OS CSPRNG; it waits [`WAIT_SECONDS`]. The
//!   request's id, hashed like a code, stands as the flow method's live code: its send
//!   limits ([`SEND_CHANNEL`], the policy's `phone.prompts_per_15_minutes`) and one open
//!   request per flow method.
//! - The phone's own requests are signed ([`verify_signature`] over
//!   [`sspr_api::authenticator::signed_string`]) and refused outside
//!   [`sspr_api::authenticator::DEVICE_CLOCK_SKEW_SECONDS`] of the server's clock.
//! - Approving with the right number proves the method through the store's proof path;
//!   a wrong number, a denial, a report and a timeout are failures there, as a wrong code
//!   is ([`checker`]). The portal learns only "approved" or "not approved".
//! - An unknown account's decoy flow offers and "sends" it the same way; its wait ends not
//!   approved after [`decoy_end`] seconds.

use crate::crypto::keys::Key;
use crate::crypto::{codes, random_below, random_bytes, sealed};
use crate::store::interface::ProofChecker;
use crate::store::records::{MessageChannel, MethodRecord, NewMessage, ProofCheck, ProofInput};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use p256::ecdsa::signature::Verifier;
use p256::ecdsa::{Signature, VerifyingKey};

/// Seconds an approval request waits for the person's answer.
pub const WAIT_SECONDS: u64 = 60;
/// The name the prompt limits count under.
pub const SEND_CHANNEL: &str = "app_notification:push";
/// A phone not seen for this long shows as stale on the security-info page.
pub const STALE_AFTER_SECONDS: u64 = 30 * 86_400;
/// Seconds an enrol link works (as long as an authenticator app's registration).
pub const ENROL_SECONDS: u64 = 15 * 60;
/// The longest device name kept.
pub const MAX_DEVICE_NAME: usize = 64;
/// Seconds the portal's wait for an answer is held at most (a long poll).
pub const LONGEST_WAIT_SECONDS: u64 = 25;

/// A request's numbers: the three the phone shows, in that order, and the one to choose.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Numbers {
    pub shown: [u8; 3],
    pub number: u8,
}

/// Three distinct numbers from 10 to 99, shuffled, one of them to choose.
pub fn draw_numbers() -> Numbers {
    let mut shown = [0u8; 3];
    let mut drawn = 0;
    while drawn < 3 {
        let candidate = 10 + random_below(90) as u8;
        if !shown[..drawn].contains(&candidate) {
            shown[drawn] = candidate;
            drawn += 1;
        }
    }
    let number = shown[random_below(3) as usize];
    // The order shown is the draw's, itself random: the number to choose is anywhere.
    Numbers { shown, number }
}

/// A new request's id (128 random bits, hex).
pub fn request_id() -> String {
    crate::seeded::hex(&random_bytes::<16>())
}

/// What a request id's hash (the challenge's code) is bound to.
fn binding(flow_id: &str, method_id: &str) -> String {
    format!("approval/{flow_id}/{method_id}")
}

/// The keyed hash of a request's id, kept as the flow method's code.
pub fn code_hash(key: &Key, flow_id: &str, method_id: &str, request: &str) -> Vec<u8> {
    codes::hash(key, &binding(flow_id, method_id), request).to_vec()
}

/// Seconds after a decoy's request its wait ends, not approved. Whether its "person"
/// answers at all is stable per user ID (`subject`, the account's keyed hash): half of them
/// never answer and every wait runs to [`WAIT_SECONDS`], as a real person who ignores the
/// prompts; the others say no after 8 to 45 seconds, drawn per flow from the decoy key, as
/// a person does who denies each time. Drawn per flow alone, an unknown user ID would time
/// out one flow in so many and a real person who never answers would stand out.
pub fn decoy_end(key: &Key, subject: &str, flow_id: &str) -> u64 {
    let answers = key.mac(format!("approval-decoy\0{subject}").as_bytes());
    if answers[0].is_multiple_of(2) {
        return WAIT_SECONDS;
    }
    let seed = key.mac(format!("approval-decoy\0{subject}\0{flow_id}").as_bytes());
    8 + u64::from(seed[0]) % 38
}

/// What the person decided about a request, as a proof checks it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Answer {
    /// Approve, with the number chosen.
    Approve(u8),
    /// Anything that is not an approval and counts as a failure: a denial, a report, no
    /// answer in time (the caller decided it is due).
    Fail,
}

/// Checks an answer to request `request` of `device` (`None`: a decoy's, which nobody can
/// approve) at `now` against the method's open request: a request that is not the open
/// one, another device's, or an approval after the wait is refused (nothing counted).
pub fn checker(request: String, device: Option<i64>, answer: Answer, now: u64) -> ProofChecker {
    Box::new(move |input: &ProofInput| {
        let Some(open) = &input.approval else {
            return ProofCheck::Refused;
        };
        if open.request != request || open.device != device {
            return ProofCheck::Refused;
        }
        match answer {
            Answer::Approve(_) if now >= open.expires_at => ProofCheck::Refused,
            Answer::Approve(number) if number == open.number && device.is_some() => {
                ProofCheck::Right { totp_step: None }
            }
            Answer::Approve(_) | Answer::Fail => ProofCheck::Wrong,
        }
    })
}

/// The Web Push wake-up of request `request`, for the phone of method row `device` (a
/// decoy's: none, written and taken back like its codes). It names the request, never its
/// number; the phone then lists its requests with a signed request.
pub fn wake_up(
    key: &Key,
    dedupe_key: String,
    device: Option<i64>,
    request: &str,
    expires_at: u64,
) -> NewMessage {
    let payload = serde_json::json!({"type": "approval_request", "request": request}).to_string();
    NewMessage {
        sealed_body: sealed::seal(key, &dedupe_key, payload.as_bytes()),
        dedupe_key,
        channel: MessageChannel::Push,
        recipient: device.unwrap_or(-1).to_string(),
        subject: "approval_request".to_owned(),
        discard_after: Some(expires_at),
    }
}

/// A device's public key as the enrolment gives it (base64url of the uncompressed point),
/// checked to be a P-256 point; the 65 bytes kept.
pub fn public_key(text: &str) -> Option<Vec<u8>> {
    let bytes = URL_SAFE_NO_PAD.decode(text.trim_end_matches('=')).ok()?;
    if bytes.len() != 65 || bytes[0] != 0x04 {
        return None;
    }
    VerifyingKey::from_sec1_bytes(&bytes).ok()?;
    Some(bytes)
}

/// Whether `signature` (base64url of WebCrypto's raw `r || s`) is the device's over
/// `signed`. A high-S signature verifies too: WebCrypto does not normalise them.
pub fn verify_signature(public_key: &[u8], signature: &str, signed: &str) -> bool {
    let Ok(key) = VerifyingKey::from_sec1_bytes(public_key) else {
        return false;
    };
    let Ok(bytes) = URL_SAFE_NO_PAD.decode(signature.trim_end_matches('=')) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(&bytes) else {
        return false;
    };
    key.verify(signed.as_bytes(), &signature).is_ok()
}

/// A device name as kept: trimmed, without control characters, at most
/// [`MAX_DEVICE_NAME`] characters; `None` when nothing is left.
pub fn device_name(typed: &str) -> Option<String> {
    let name: String = typed
        .trim()
        .chars()
        .filter(|c| !c.is_control())
        .take(MAX_DEVICE_NAME)
        .collect();
    let name = name.trim().to_owned();
    (!name.is_empty()).then_some(name)
}

/// Whether an enrolled phone should be enrolled again: not seen for
/// [`STALE_AFTER_SECONDS`], or its push subscription is gone.
pub fn is_stale(method: &MethodRecord, now: u64) -> bool {
    let seen = method.device_seen_at.unwrap_or(method.registered_at);
    method.push_gone || now >= seen + STALE_AFTER_SECONDS
}

/// The browser and system of a `User-Agent`, shortened for the phone to show ("Firefox on
/// Windows"); `None` when neither is recognised.
pub fn browser(user_agent: &str) -> Option<String> {
    let has = |needle: &str| user_agent.contains(needle);
    let name = if has("Edg/") || has("EdgA/") || has("EdgiOS/") {
        Some("Edge")
    } else if has("OPR/") || has("Opera") {
        Some("Opera")
    } else if has("SamsungBrowser/") {
        Some("Samsung Internet")
    } else if has("Firefox/") || has("FxiOS/") {
        Some("Firefox")
    } else if has("Chrome/") || has("CriOS/") || has("Chromium/") {
        Some("Chrome")
    } else if has("Safari/") && has("Version/") {
        Some("Safari")
    } else {
        None
    };
    let system = if has("Windows") {
        Some("Windows")
    } else if has("iPhone") || has("iPad") || has("iPod") {
        Some("iOS")
    } else if has("Android") {
        Some("Android")
    } else if has("CrOS") {
        Some("ChromeOS")
    } else if has("Macintosh") || has("Mac OS X") {
        Some("macOS")
    } else if has("Linux") {
        Some("Linux")
    } else {
        None
    };
    match (name, system) {
        (Some(name), Some(system)) => Some(format!("{name} on {system}")),
        (Some(only), None) | (None, Some(only)) => Some(only.to_owned()),
        (None, None) => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;
    use crate::store::records::ApprovalInput;
    use p256::ecdsa::SigningKey;
    use p256::ecdsa::signature::Signer;

    #[test]
    fn numbers_are_three_distinct_two_digit_ones_with_the_number_among_them() {
        let mut seen = std::collections::BTreeSet::new();
        for _ in 0..500 {
            let Numbers { shown, number } = draw_numbers();
            assert!(shown.iter().all(|n| (10..=99).contains(n)), "{shown:?}");
            assert!(shown[0] != shown[1] && shown[1] != shown[2] && shown[0] != shown[2]);
            assert!(shown.contains(&number));
            seen.insert(shown.iter().position(|n| *n == number));
        }
        assert_eq!(
            seen.len(),
            3,
            "the number to choose is anywhere among the three"
        );
    }

    #[test]
    fn a_decoy_answers_or_not_per_user_id_and_when_per_flow() {
        let keys = ServerKeys::ephemeral();
        let (mut silent, mut answering) = (0, 0);
        for user in 0..100 {
            let subject = format!("subject-{user}");
            let ends: Vec<u64> = (0..20)
                .map(|flow| decoy_end(&keys.decoy, &subject, &format!("{flow:032x}")))
                .collect();
            assert_eq!(
                ends[3],
                decoy_end(&keys.decoy, &subject, &format!("{:032x}", 3))
            );
            if ends.iter().all(|end| *end == WAIT_SECONDS) {
                silent += 1;
            } else {
                assert!(ends.iter().all(|end| (8..=45).contains(end)), "{ends:?}");
                let distinct: std::collections::BTreeSet<_> = ends.iter().collect();
                assert!(distinct.len() > 5, "{ends:?}");
                answering += 1;
            }
        }
        assert!(silent > 20 && answering > 20, "{silent} / {answering}");
    }

    fn open(number: u8, device: Option<i64>) -> ProofInput {
        ProofInput {
            approval: Some(ApprovalInput {
                request: "r1".into(),
                device,
                number,
                expires_at: 1_060,
            }),
            ..ProofInput::default()
        }
    }

    #[test]
    fn only_the_right_number_on_the_open_request_in_time_approves() {
        let check = |request: &str, device, answer, now, input: &ProofInput| {
            checker(request.into(), device, answer, now)(input)
        };
        let right = ProofCheck::Right { totp_step: None };
        let input = open(47, Some(3));
        assert_eq!(
            check("r1", Some(3), Answer::Approve(47), 1_000, &input),
            right
        );
        assert_eq!(
            check("r1", Some(3), Answer::Approve(12), 1_000, &input),
            ProofCheck::Wrong
        );
        assert_eq!(
            check("r1", Some(3), Answer::Fail, 1_000, &input),
            ProofCheck::Wrong
        );
        assert_eq!(
            check("r1", Some(3), Answer::Approve(47), 1_060, &input),
            ProofCheck::Refused,
            "too late"
        );
        assert_eq!(
            check("r1", Some(4), Answer::Approve(47), 1_000, &input),
            ProofCheck::Refused,
            "another device"
        );
        assert_eq!(
            check("r0", Some(3), Answer::Approve(47), 1_000, &input),
            ProofCheck::Refused,
            "not the open request"
        );
        assert_eq!(
            check(
                "r1",
                Some(3),
                Answer::Approve(47),
                1_000,
                &ProofInput::default()
            ),
            ProofCheck::Refused
        );
        // A decoy's request can never be approved, only fail.
        let decoy = open(47, None);
        assert_eq!(
            check("r1", None, Answer::Approve(47), 1_000, &decoy),
            ProofCheck::Wrong
        );
    }

    #[test]
    fn webcrypto_signatures_verify_low_or_high_s_and_nothing_else() {
        let signing = SigningKey::from_slice(&[7; 32]).unwrap();
        let point = signing.verifying_key().to_encoded_point(false);
        let text = URL_SAFE_NO_PAD.encode(point.as_bytes());
        let key = public_key(&text).expect("an uncompressed P-256 point");
        let signed = "sspr-device\nGET\n/api/v1/authenticator/requests\n1800000000\ne3b0";
        let signature: Signature = signing.sign(signed.as_bytes());
        let low = URL_SAFE_NO_PAD.encode(signature.to_bytes());
        assert!(verify_signature(&key, &low, signed));
        // The same signature with s replaced by n - s (what WebCrypto may give).
        let (r, s) = signature.split_scalars();
        let high = Signature::from_scalars(r, -*s).unwrap();
        let high = URL_SAFE_NO_PAD.encode(high.to_bytes());
        assert_ne!(high, low);
        assert!(verify_signature(&key, &high, signed));
        assert!(!verify_signature(
            &key,
            &low,
            &signed.replace("GET", "POST")
        ));
        let other = SigningKey::from_slice(&[8; 32]).unwrap();
        let other: Signature = other.sign(signed.as_bytes());
        assert!(!verify_signature(
            &key,
            &URL_SAFE_NO_PAD.encode(other.to_bytes()),
            signed
        ));
        assert!(!verify_signature(&key, "not base64!", signed));
        assert!(public_key(&URL_SAFE_NO_PAD.encode([4u8; 65])).is_none());
        let compressed = signing.verifying_key().to_encoded_point(true);
        assert!(public_key(&URL_SAFE_NO_PAD.encode(compressed.as_bytes())).is_none());
    }

    #[test]
    fn user_agents_are_shortened_to_browser_and_system() {
        for (agent, short) in [
            (
                "Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:128.0) Gecko/20100101 Firefox/128.0",
                Some("Firefox on Windows"),
            ),
            (
                "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Mobile Safari/537.36",
                Some("Chrome on Android"),
            ),
            (
                "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1",
                Some("Safari on iOS"),
            ),
            (
                "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0 Safari/537.36 Edg/126.0",
                Some("Edge on macOS"),
            ),
            ("curl/8.5.0", None),
        ] {
            assert_eq!(browser(agent).as_deref(), short, "{agent}");
        }
    }

    #[test]
    fn device_names_are_trimmed_and_bounded() {
        assert_eq!(
            device_name("  Robin's Pixel\n").as_deref(),
            Some("Robin's Pixel")
        );
        assert_eq!(device_name(" \t "), None);
        assert_eq!(
            device_name(&"x".repeat(100)).unwrap().len(),
            MAX_DEVICE_NAME
        );
    }
}
