//! The proof-of-work CAPTCHA (docs/SECURITY.md R7), in the ALTCHA style: the server
//! sends a signed challenge; the app finds the number whose hash matches, with no puzzle
//! for the person; the server checks the signature, the expiry and that the solution was
//! never used before.

use serde::{Deserialize, Serialize};

/// The only algorithm offered.
pub const ALGORITHM: &str = "SHA-256";

/// Body of `GET /api/v1/captcha`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptchaChallenge {
    pub algorithm: String,
    /// Hex SHA-256 of `salt` followed by the secret number in decimal.
    pub challenge: String,
    /// Random, with the expiry as a query parameter: `"<hex>?expires=<unix seconds>"`.
    pub salt: String,
    /// The number is in `0..=max_number`; this is the difficulty.
    pub max_number: u64,
    /// Hex HMAC-SHA-256 of `challenge` under the server's key.
    pub signature: String,
}

/// What the app sends back with the form that needed the CAPTCHA.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct CaptchaSolution {
    pub algorithm: String,
    pub challenge: String,
    pub salt: String,
    pub number: u64,
    pub signature: String,
}

impl CaptchaSolution {
    pub fn new(challenge: &CaptchaChallenge, number: u64) -> CaptchaSolution {
        CaptchaSolution {
            algorithm: challenge.algorithm.clone(),
            challenge: challenge.challenge.clone(),
            salt: challenge.salt.clone(),
            number,
            signature: challenge.signature.clone(),
        }
    }
}

/// The expiry (unix seconds) carried in a salt, if well-formed.
pub fn salt_expiry(salt: &str) -> Option<u64> {
    let (_, query) = salt.split_once('?')?;
    query
        .split('&')
        .find_map(|pair| pair.strip_prefix("expires="))
        .and_then(|value| value.parse().ok())
}

/// Searches `from..=to` for the challenge's number; `None` when it is not there (or the
/// challenge is malformed). The app calls it on short ranges, yielding to the browser in
/// between, so the page stays responsive while it works.
#[cfg(feature = "solver")]
pub fn search(challenge: &CaptchaChallenge, from: u64, to: u64) -> Option<u64> {
    use sha2::{Digest, Sha256};
    let target = unhex(&challenge.challenge)?;
    let salted = Sha256::new_with_prefix(challenge.salt.as_bytes());
    let mut digits = [0u8; 20];
    (from..=to.min(challenge.max_number)).find(|number| {
        let text = decimal(*number, &mut digits);
        salted.clone().chain_update(text).finalize()[..] == target[..]
    })
}

/// The whole search at once (tests and non-browser clients).
#[cfg(feature = "solver")]
pub fn solve(challenge: &CaptchaChallenge) -> Option<u64> {
    search(challenge, 0, challenge.max_number)
}

/// `number` in decimal ASCII, written at the end of `buffer`.
#[cfg(feature = "solver")]
fn decimal(mut number: u64, buffer: &mut [u8; 20]) -> &[u8] {
    let mut at = buffer.len();
    loop {
        at -= 1;
        buffer[at] = b'0' + (number % 10) as u8;
        number /= 10;
        if number == 0 {
            return &buffer[at..];
        }
    }
}

/// Bytes from lowercase or uppercase hex; `None` for anything else.
#[cfg(feature = "solver")]
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(all(test, feature = "solver"))]
mod tests {
    use super::*;
    use sha2::{Digest, Sha256};

    fn challenge_for(salt: &str, number: u64, max_number: u64) -> CaptchaChallenge {
        let digest = Sha256::digest(format!("{salt}{number}").as_bytes());
        CaptchaChallenge {
            algorithm: ALGORITHM.into(),
            challenge: digest.iter().map(|b| format!("{b:02x}")).collect(),
            salt: salt.into(),
            max_number,
            signature: String::new(),
        }
    }

    #[test]
    fn finds_the_number_in_its_range_only() {
        let challenge = challenge_for("a1b2?expires=1", 4242, 10_000);
        assert_eq!(solve(&challenge), Some(4242));
        assert_eq!(search(&challenge, 0, 4241), None);
        assert_eq!(search(&challenge, 4242, 4242), Some(4242));
        assert_eq!(search(&challenge, 4000, 5000), Some(4242));
    }

    #[test]
    fn edge_numbers_and_bad_challenges() {
        assert_eq!(solve(&challenge_for("s", 0, 10)), Some(0));
        assert_eq!(solve(&challenge_for("s", 10, 10)), Some(10));
        // Beyond max_number is never searched.
        assert_eq!(solve(&challenge_for("s", 11, 10)), None);
        let mut bad = challenge_for("s", 1, 10);
        bad.challenge = "xyz".into();
        assert_eq!(solve(&bad), None);
    }

    #[test]
    fn decimal_writes_every_digit() {
        let mut buffer = [0u8; 20];
        assert_eq!(decimal(0, &mut buffer), b"0");
        assert_eq!(decimal(1_234_567_890, &mut buffer), b"1234567890");
        assert_eq!(decimal(u64::MAX, &mut buffer), b"18446744073709551615");
    }
}
