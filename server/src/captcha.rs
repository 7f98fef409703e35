//! Issues and checks proof-of-work CAPTCHA challenges (see `sspr_api::captcha`).
//!
//! Checks are constant-time where secrets are compared; a solution is accepted once: the
//! store records spent challenges until they expire.

use crate::crypto::keys::Key;
use crate::crypto::random_bytes;
use crate::seeded::hex;
use sha2::{Digest, Sha256};
use sspr_api::captcha::{ALGORITHM, CaptchaChallenge, CaptchaSolution, salt_expiry, unhex};
use subtle::ConstantTimeEq;

/// How long a challenge may be solved and used.
pub const LIFETIME_SECONDS: u64 = 10 * 60;

/// Why a solution is refused. The API answers all of them alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum CaptchaError {
    #[error("the CAPTCHA solution is malformed")]
    Malformed,
    #[error("the CAPTCHA signature is not ours")]
    BadSignature,
    #[error("the CAPTCHA expired")]
    Expired,
    #[error("the CAPTCHA number is wrong")]
    WrongNumber,
    #[error("the CAPTCHA was already used")]
    AlreadyUsed,
}

fn challenge_hash(salt: &str, number: u64) -> [u8; 32] {
    Sha256::digest(format!("{salt}{number}").as_bytes()).into()
}

/// A new challenge whose number is uniform in `0..=max_number`.
pub fn issue(key: &Key, max_number: u64, now: u64) -> CaptchaChallenge {
    let salt = format!(
        "{}?expires={}",
        hex(&random_bytes::<12>()),
        now + LIFETIME_SECONDS
    );
    let number = crate::crypto::random_below(max_number.saturating_add(1).max(1));
    let challenge = hex(&challenge_hash(&salt, number));
    let signature = hex(&key.mac(challenge.as_bytes()));
    CaptchaChallenge {
        algorithm: ALGORITHM.to_owned(),
        challenge,
        salt,
        max_number,
        signature,
    }
}

/// Checks everything but single use; returns the expiry to record the challenge until.
pub fn check(key: &Key, solution: &CaptchaSolution, now: u64) -> Result<u64, CaptchaError> {
    if solution.algorithm != ALGORITHM {
        return Err(CaptchaError::Malformed);
    }
    let signature = unhex(&solution.signature).ok_or(CaptchaError::Malformed)?;
    // The signature covers the challenge, and the challenge covers the salt (with its
    // expiry) and the number: nothing can be changed without breaking one of them.
    if !key.verify(solution.challenge.as_bytes(), &signature) {
        return Err(CaptchaError::BadSignature);
    }
    let expires = salt_expiry(&solution.salt).ok_or(CaptchaError::Malformed)?;
    if now >= expires {
        return Err(CaptchaError::Expired);
    }
    let expected = unhex(&solution.challenge).ok_or(CaptchaError::Malformed)?;
    let actual = challenge_hash(&solution.salt, solution.number);
    if !bool::from(expected.ct_eq(&actual[..])) {
        return Err(CaptchaError::WrongNumber);
    }
    Ok(expires)
}

/// Checks a solution and spends it, so that it is accepted once only.
pub async fn verify_and_spend(
    store: &impl crate::store::ResetStore,
    key: &Key,
    now: u64,
    solution: &CaptchaSolution,
) -> Result<Result<(), CaptchaError>, crate::store::StoreError> {
    let expires = match check(key, solution, now) {
        Ok(expires) => expires,
        Err(err) => return Ok(Err(err)),
    };
    let fresh = store
        .spend_captcha(solution.challenge.clone(), expires, now)
        .await?;
    Ok(if fresh {
        Ok(())
    } else {
        Err(CaptchaError::AlreadyUsed)
    })
}

/// Finds the number by brute force, as the app does (tests and tools).
pub fn solve(challenge: &CaptchaChallenge) -> Option<u64> {
    sspr_api::captcha::solve(challenge)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::crypto::keys::ServerKeys;

    const NOW: u64 = 1_800_000_000;

    fn solved(key: &Key) -> CaptchaSolution {
        let challenge = issue(key, 1_000, NOW);
        let number = solve(&challenge).expect("solvable");
        CaptchaSolution::new(&challenge, number)
    }

    #[test]
    fn a_solved_challenge_passes_until_it_expires() {
        let key = ServerKeys::ephemeral().captcha;
        let solution = solved(&key);
        assert_eq!(check(&key, &solution, NOW), Ok(NOW + LIFETIME_SECONDS));
        assert_eq!(
            check(&key, &solution, NOW + LIFETIME_SECONDS - 1),
            Ok(NOW + LIFETIME_SECONDS)
        );
        assert_eq!(
            check(&key, &solution, NOW + LIFETIME_SECONDS),
            Err(CaptchaError::Expired)
        );
    }

    #[test]
    fn a_wrong_number_fails() {
        let key = ServerKeys::ephemeral().captcha;
        let mut solution = solved(&key);
        solution.number += 1;
        assert_eq!(check(&key, &solution, NOW), Err(CaptchaError::WrongNumber));
    }

    #[test]
    fn tampering_with_any_part_fails() {
        let key = ServerKeys::ephemeral().captcha;
        let good = solved(&key);

        let mut later = good.clone();
        later.salt = later.salt.replace("expires=", "expires=9");
        assert_eq!(check(&key, &later, NOW), Err(CaptchaError::WrongNumber));

        let mut forged = good.clone();
        forged.challenge = hex(&challenge_hash(&forged.salt, 0));
        assert_eq!(check(&key, &forged, NOW), Err(CaptchaError::BadSignature));

        let mut unsigned = good.clone();
        unsigned.signature = "00".repeat(32);
        assert_eq!(check(&key, &unsigned, NOW), Err(CaptchaError::BadSignature));

        let mut garbage = good.clone();
        garbage.signature = "zz".into();
        assert_eq!(check(&key, &garbage, NOW), Err(CaptchaError::Malformed));

        let mut other_algorithm = good;
        other_algorithm.algorithm = "SHA-1".into();
        assert_eq!(
            check(&key, &other_algorithm, NOW),
            Err(CaptchaError::Malformed)
        );
    }

    #[test]
    fn another_servers_challenge_is_refused() {
        let ours = ServerKeys::ephemeral().captcha;
        let theirs = ServerKeys::ephemeral().captcha;
        let solution = solved(&theirs);
        assert_eq!(
            check(&ours, &solution, NOW),
            Err(CaptchaError::BadSignature)
        );
    }

    #[tokio::test]
    async fn a_solution_is_accepted_once() {
        let dir = tempfile::tempdir().unwrap();
        let store = crate::store::SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
        let key = ServerKeys::ephemeral().captcha;
        let solution = solved(&key);
        assert_eq!(
            verify_and_spend(&store, &key, NOW, &solution)
                .await
                .unwrap(),
            Ok(())
        );
        assert_eq!(
            verify_and_spend(&store, &key, NOW, &solution)
                .await
                .unwrap(),
            Err(CaptchaError::AlreadyUsed)
        );
        // A fresh one works; an expired one does not, even unspent.
        let other = solved(&key);
        assert_eq!(
            verify_and_spend(&store, &key, NOW + LIFETIME_SECONDS, &other)
                .await
                .unwrap(),
            Err(CaptchaError::Expired)
        );
    }

    #[test]
    fn numbers_stay_within_the_difficulty() {
        let key = ServerKeys::ephemeral().captcha;
        for _ in 0..20 {
            let challenge = issue(&key, 50, NOW);
            assert!(solve(&challenge).is_some_and(|n| n <= 50));
        }
    }
}
