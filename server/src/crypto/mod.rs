//! Cryptographic building blocks: server keys, one-time codes, TOTP,
//! password hashing, encryption at rest. All randomness comes
//! from the operating system's CSPRNG; all secret comparisons are constant-time.

pub mod codes;
pub mod keys;
pub mod passwords;
pub mod sealed;
pub mod totp;

/// Fills `buf` from the operating system's CSPRNG.
///
/// Panics only when the OS has no randomness source at all, in which case no secret can be
/// made safely and stopping is the right outcome.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut buf = [0u8; N];
    #[allow(clippy::expect_used)]
    getrandom::fill(&mut buf).expect("the operating system's random number generator failed");
    buf
}

/// A uniformly random integer in `0..bound` (rejection sampling, no modulo bias).
pub fn random_below(bound: u64) -> u64 {
    assert!(bound > 0, "bound must be positive");
    let zone = u64::MAX - (u64::MAX % bound);
    loop {
        let value = u64::from_le_bytes(random_bytes::<8>());
        if value < zone {
            return value % bound;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn random_below_stays_in_range_and_covers_it() {
        let mut seen = [false; 10];
        for _ in 0..1_000 {
            let v = random_below(10);
            assert!(v < 10);
            seen[v as usize] = true;
        }
        assert!(
            seen.iter().all(|s| *s),
            "every digit appears in 1,000 draws"
        );
    }

    #[test]
    fn random_bytes_differ() {
        assert_ne!(random_bytes::<16>(), random_bytes::<16>());
    }
}
