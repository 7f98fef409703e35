//! Administrators' one-time passes (`sspr-server user issue-pass`): the second proof of a
//! person who has no method yet, so that a password alone never plants reset methods.
//! 20 characters from an alphabet without look-alikes (99 random bits), shown once and
//! stored only as their SHA-256; typed in any case, with or without the dashes.

use sha2::{Digest, Sha256};

/// Characters of a pass: no 0/O, 1/I/L.
const ALPHABET: &[u8; 31] = b"23456789ABCDEFGHJKMNPQRSTUVWXYZ";

/// Characters in a pass (5 bits each).
const LENGTH: usize = 20;

/// A new pass, in groups of five: `7KQ2M-...`.
pub fn generate() -> String {
    let mut pass = String::with_capacity(LENGTH + LENGTH / 5);
    for index in 0..LENGTH {
        if index > 0 && index % 5 == 0 {
            pass.push('-');
        }
        let at = crate::crypto::random_below(ALPHABET.len() as u64) as usize;
        pass.push(char::from(ALPHABET[at]));
    }
    pass
}

/// What the store keeps of a pass, from what a person typed: case, spaces and dashes
/// do not matter.
pub fn hash(typed: &str) -> Vec<u8> {
    let normalised: String = typed
        .chars()
        .filter(|c| !c.is_whitespace() && *c != '-')
        .map(|c| c.to_ascii_uppercase())
        .collect();
    Sha256::digest(format!("one-time-pass\0{normalised}").as_bytes()).to_vec()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passes_are_grouped_random_and_typed_loosely() {
        let pass = generate();
        assert_eq!(pass.len(), 23, "{pass}");
        assert_eq!(pass.matches('-').count(), 3, "{pass}");
        assert!(!pass.contains(['0', 'O', '1', 'I', 'L']), "{pass}");
        assert_ne!(generate(), pass);
        let loose = format!(" {} ", pass.replace('-', " ").to_lowercase());
        assert_eq!(hash(&loose), hash(&pass));
        assert_ne!(hash(&generate()), hash(&pass));
    }
}
