//! The proof-of-work CAPTCHA (DESIGN.md section 5.7), in the ALTCHA style: the server
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
