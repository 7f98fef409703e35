//! Password hashing (docs/SECURITY.md R6): argon2id with m = 19456 KiB, t = 2, p = 1
//! (the OWASP baseline), in PHC string form. Hashing is memory-hard on purpose, so at most
//! a few hashes run at once (a semaphore) and they run off the request threads; a flood of
//! requests waits in line instead of exhausting memory.

use argon2::password_hash::{PasswordHash, PasswordHasher as _, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

/// Memory cost in KiB, iterations and lanes.
pub const MEMORY_KIB: u32 = 19_456;
pub const ITERATIONS: u32 = 2;
pub const LANES: u32 = 1;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Argon2(String),
    #[error("the hashing worker stopped")]
    WorkerGone,
}

/// Hashes and checks passwords, a bounded number at a time.
#[derive(Clone)]
pub struct PasswordHasher {
    permits: Arc<Semaphore>,
    /// A real hash of a random password, checked against when an account has none, so
    /// every path does the same work.
    dummy: Arc<String>,
}

fn argon2() -> Argon2<'static> {
    // The constants are within argon2's limits, so this cannot fail.
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, None)
        .unwrap_or_else(|_| unreachable!("argon2 parameters out of range"));
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
}

fn hash_now(password: &str) -> Result<String, HashError> {
    let salt = SaltString::encode_b64(&super::random_bytes::<16>())
        .map_err(|err| HashError::Argon2(err.to_string()))?;
    argon2()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|err| HashError::Argon2(err.to_string()))
}

fn verify_now(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            argon2()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

impl PasswordHasher {
    /// At most `concurrency` hashes at once (at least one); each holds ~19 MiB.
    pub fn new(concurrency: usize) -> Result<PasswordHasher, HashError> {
        let dummy = hash_now(&hex(&super::random_bytes::<16>()))?;
        Ok(PasswordHasher {
            permits: Arc::new(Semaphore::new(concurrency.max(1))),
            dummy: Arc::new(dummy),
        })
    }

    /// One permit per core: hashing is CPU-bound.
    pub fn for_this_machine() -> Result<PasswordHasher, HashError> {
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        PasswordHasher::new(cores)
    }

    async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<T, HashError> {
        // The permit moves into the blocking task: a caller that gives up (a dropped
        // request) does not free it while the hash is still running.
        let permit = Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| HashError::WorkerGone)?;
        tokio::task::spawn_blocking(move || {
            let result = work();
            drop(permit);
            result
        })
        .await
        .map_err(|_| HashError::WorkerGone)
    }

    /// The keyed, slow hash of a security answer (see [`answer_hash`]), under the same
    /// bound as password hashes.
    pub async fn answer(
        &self,
        key: &super::keys::Key,
        user: i64,
        question: &str,
        normalized_answer: &str,
    ) -> Result<[u8; 32], HashError> {
        let (key, question, answer) = (
            key.clone(),
            question.to_owned(),
            normalized_answer.to_owned(),
        );
        self.run(move || answer_hash(&key, user, &question, &answer))
            .await?
    }

    /// A PHC string (`$argon2id$v=19$m=19456,t=2,p=1$...`) with a fresh salt.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let password = password.to_owned();
        self.run(move || hash_now(&password)).await?
    }

    /// Whether `password` matches `hash`; with no hash, the dummy is checked (and false is
    /// returned) so that the time taken does not tell whether the account has a password.
    pub async fn verify(&self, hash: Option<&str>, password: &str) -> Result<bool, HashError> {
        let (hash, real) = match hash {
            Some(hash) => (hash.to_owned(), true),
            None => (self.dummy.as_str().to_owned(), false),
        };
        let password = password.to_owned();
        let matched = self.run(move || verify_now(&hash, &password)).await?;
        Ok(matched && real)
    }

    /// Permits free right now (for tests of the bound).
    pub fn available_permits(&self) -> usize {
        self.permits.available_permits()
    }
}

/// A security answer's stored hash: argon2id with the password parameters, keyed with a
/// secret derived from the server's answers key (a pepper) and salted per person and
/// question. Answers are short and guessable, so a bare keyed hash would fall to a
/// dictionary in seconds if the database and the key leaked together; this costs the
/// attacker a memory-hard hash per guess per answer (docs/SECURITY.md, secrets at rest).
/// Deterministic, so the hash of a typed answer is computed outside the store's
/// transaction and compared inside it in constant time.
pub fn answer_hash(
    key: &super::keys::Key,
    user: i64,
    question: &str,
    normalized_answer: &str,
) -> Result<[u8; 32], HashError> {
    let pepper = key.mac(b"answers\0pepper");
    let salt = key.mac(format!("answers\0salt\0{user}\0{question}").as_bytes());
    let params = Params::new(MEMORY_KIB, ITERATIONS, LANES, Some(32))
        .map_err(|err| HashError::Argon2(err.to_string()))?;
    let argon = Argon2::new_with_secret(&pepper, Algorithm::Argon2id, Version::V0x13, params)
        .map_err(|err| HashError::Argon2(err.to_string()))?;
    let mut out = [0u8; 32];
    argon
        .hash_password_into(normalized_answer.as_bytes(), &salt[..16], &mut out)
        .map_err(|err| HashError::Argon2(err.to_string()))?;
    Ok(out)
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_are_argon2id_with_the_required_cost_and_verify() {
        let hasher = PasswordHasher::new(2).unwrap();
        let hash = hasher.hash("correct horse battery").await.unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
        assert!(
            hasher
                .verify(Some(&hash), "correct horse battery")
                .await
                .unwrap()
        );
        assert!(
            !hasher
                .verify(Some(&hash), "correct horse battery!")
                .await
                .unwrap()
        );
        assert!(!hasher.verify(Some("not a hash"), "x").await.unwrap());
        // Same password, different salt.
        assert_ne!(hash, hasher.hash("correct horse battery").await.unwrap());
    }

    #[tokio::test]
    async fn no_hash_never_verifies_but_costs_the_same_work() {
        let hasher = PasswordHasher::new(1).unwrap();
        assert!(!hasher.verify(None, "").await.unwrap());
        assert!(hasher.dummy.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    }

    #[tokio::test]
    async fn hashing_waits_for_a_free_permit() {
        let hasher = PasswordHasher::new(1).unwrap();
        let held = hasher.permits.clone().acquire_owned().await.unwrap();
        let waiting = tokio::time::timeout(
            std::time::Duration::from_millis(300),
            hasher.hash("one password"),
        )
        .await;
        assert!(waiting.is_err(), "a hash ran without a permit");
        drop(held);
        assert!(hasher.hash("one password").await.is_ok());
        assert_eq!(hasher.available_permits(), 1);
    }

    #[tokio::test]
    async fn a_caller_that_gives_up_keeps_the_permit_taken_until_the_hash_ends() {
        let hasher = PasswordHasher::new(1).unwrap();
        // Give up as soon as the hash has started.
        let gave_up = tokio::time::timeout(
            std::time::Duration::from_millis(1),
            hasher.hash("abandoned"),
        )
        .await;
        assert!(gave_up.is_err(), "the hash finished within 1 ms");
        assert_eq!(
            hasher.available_permits(),
            0,
            "the permit was freed while the abandoned hash still runs"
        );
        // It comes back when the work is done.
        assert!(hasher.hash("next").await.is_ok());
        assert_eq!(hasher.available_permits(), 1);
    }
}
