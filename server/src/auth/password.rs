//! Argon2id password hashing and verification, and [`PasswordWork`], which
//! runs them off the async workers with bounded concurrency.

use std::sync::{Arc, OnceLock};

use tokio::sync::Semaphore;

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use rand::distr::{Alphanumeric, SampleString};

/// Hashes a password with Argon2id and a fresh random salt (PHC string).
pub fn hash(password: &str) -> anyhow::Result<String> {
    let hash = Argon2::default()
        .hash_password(password.as_bytes())
        .map_err(|e| anyhow::anyhow!("hashing password: {e}"))?;
    Ok(hash.to_string())
}

/// Whether `password` matches the PHC string `hash`. A malformed hash never matches.
pub fn verify(password: &str, hash: &str) -> bool {
    match PasswordHash::new(hash) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

static DUMMY_HASH: OnceLock<String> = OnceLock::new();

/// A hash of a random password, verified against when the e-mail is unknown
/// so that unknown and known e-mails take the same time to reject.
pub fn dummy_hash() -> &'static str {
    DUMMY_HASH.get_or_init(|| hash(&random_password(32)).unwrap_or_default())
}

/// A random alphanumeric password of `len` characters from the OS-seeded CSPRNG.
pub fn random_password(len: usize) -> String {
    Alphanumeric.sample_string(&mut rand::rng(), len)
}

/// Runs Argon2 on the blocking thread pool, at most one computation per
/// core at a time: a burst of sign-ins then queues here (holding no database
/// connection and no async worker) instead of taking every core and
/// every pooled connection from the rest of the server.
#[derive(Debug, Clone)]
pub struct PasswordWork {
    permits: Arc<Semaphore>,
}

impl Default for PasswordWork {
    fn default() -> Self {
        let cores = std::thread::available_parallelism().map_or(1, std::num::NonZeroUsize::get);
        Self::new(cores)
    }
}

impl PasswordWork {
    /// At most `concurrent` computations at a time (at least one).
    pub fn new(concurrent: usize) -> Self {
        PasswordWork {
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    async fn run<T: Send + 'static>(
        &self,
        f: impl FnOnce() -> T + Send + 'static,
    ) -> anyhow::Result<T> {
        let _permit = self
            .permits
            .acquire()
            .await
            .map_err(|e| anyhow::anyhow!("password semaphore closed: {e}"))?;
        actix_web::web::block(f)
            .await
            .map_err(|e| anyhow::anyhow!("password task failed: {e}"))
    }

    /// Whether `password` matches `hash` (see [`verify`]).
    pub async fn verify(&self, password: String, hash: String) -> anyhow::Result<bool> {
        self.run(move || verify(&password, &hash)).await
    }

    /// Verifies against the dummy hash, so an unknown e-mail costs what a
    /// known one does; always `false`.
    pub async fn verify_dummy(&self, password: String) -> anyhow::Result<bool> {
        self.run(move || {
            verify(&password, dummy_hash());
            false
        })
        .await
    }

    /// Hashes `password` (see [`hash`]).
    pub async fn hash(&self, password: String) -> anyhow::Result<String> {
        self.run(move || hash(&password)).await?
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_hashed_password_verifies_and_a_wrong_one_does_not() {
        let h = hash("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(verify("correct horse battery", &h));
        assert!(!verify("wrong", &h));
        assert!(!verify("x", "not a hash"));
    }

    #[test]
    fn random_passwords_are_long_and_distinct() {
        let a = random_password(20);
        assert_eq!(a.len(), 20);
        assert_ne!(a, random_password(20));
        assert!(!dummy_hash().is_empty());
    }
}
