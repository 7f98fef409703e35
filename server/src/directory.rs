//! Directory administration with the secrets handled properly: passwords checked against
//! the rules and hashed, TOTP secrets sealed, security answers normalised and keyed-hashed.
//! Used by the command line and the demo seed.

use crate::clock::Clock;
use crate::crypto::keys::ServerKeys;
use crate::crypto::passwords::{HashError, PasswordHasher};
use crate::crypto::totp::TotpSecret;
use crate::methods::questions::{self, AnswersProblem};
use crate::methods::{app_code, sent_code};
use crate::reset::decoy;
use crate::store::interface::DirectoryStore;
use crate::store::records::ChangeNotice;
use crate::store::{Store, StoreError};
use sspr_api::MethodKind;
use sspr_api::password::{self, PasswordProblem};
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum DirectoryError {
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
    #[error("the password is not accepted: {}", describe(.0))]
    Password(Vec<PasswordProblem>),
    #[error("{0:?} is not an e-mail address")]
    BadEmail(String),
    #[error(
        "{0:?} is not a valid phone number (give it with its country code, e.g. +44 7400 123456)"
    )]
    BadPhone(String),
    #[error(transparent)]
    Answers(#[from] AnswersProblem),
}

fn describe(problems: &[PasswordProblem]) -> String {
    problems
        .iter()
        .map(|p| match p {
            PasswordProblem::TooShort => "shorter than 8 characters",
            PasswordProblem::TooLong => "longer than 128 characters",
            PasswordProblem::Common => "one of the most common passwords",
            PasswordProblem::ContainsPersonalInfo => "contains the user ID or name",
            PasswordProblem::SameAsCurrent => "the current password",
            PasswordProblem::DirectoryTooShort => "too short for the directory",
            PasswordProblem::DirectoryRules => "not accepted by the directory's rules",
            PasswordProblem::ChangedTooRecently => "changed too recently",
        })
        .collect::<Vec<_>>()
        .join(", ")
}

#[derive(Clone)]
pub struct Directory<S: DirectoryStore = Store> {
    pub store: S,
    pub keys: Arc<ServerKeys>,
    pub hasher: PasswordHasher,
    pub clock: Clock,
    /// How many custom security questions the policy lists (`custom_1`...).
    pub custom_questions: usize,
    /// The region a phone number without a country code is read in (`[phone]`).
    pub phone_region: phonenumber::country::Id,
}

impl<S: DirectoryStore> Directory<S> {
    /// Checks the password against the rules (with the user's own details as context
    /// words), hashes it and sets it.
    pub async fn set_password(
        &self,
        user_id: &str,
        new_password: &str,
    ) -> Result<(), DirectoryError> {
        let account = self
            .store
            .account(user_id)
            .await?
            .ok_or_else(|| StoreError::NoSuchUser(user_id.to_owned()))?;
        let new_password = password::normalize(new_password);
        let mut details = vec![account.user_id.as_str(), account.display_name.as_str()];
        if let Some(email) = &account.email {
            details.push(email);
        }
        let problems = password::check(&new_password, &password::context_words(&details));
        if !problems.is_empty() {
            return Err(DirectoryError::Password(problems));
        }
        let hash = self.hasher.hash(&new_password).await?;
        self.store
            .set_password_hash(&account.user_id, hash, self.clock.now())
            .await?;
        Ok(())
    }

    /// Whether `password` is the user's current password.
    pub async fn check_password(
        &self,
        user_id: &str,
        candidate: &str,
    ) -> Result<bool, DirectoryError> {
        let hash = self.store.password_hash_of(user_id).await?;
        Ok(self
            .hasher
            .verify(hash.as_deref(), &password::normalize(candidate))
            .await?)
    }

    pub async fn add_email(&self, user_id: &str, address: &str) -> Result<i64, DirectoryError> {
        let address = sent_code::email_address(address)
            .ok_or_else(|| DirectoryError::BadEmail(address.trim().to_owned()))?;
        Ok(self
            .store
            .add_method(
                user_id,
                MethodKind::Email,
                Some(address.to_owned()),
                self.clock.now(),
                |_| None,
            )
            .await?)
    }

    /// Registers a mobile or office phone number, read in `region` when it has no country
    /// code and kept in E.164.
    pub async fn add_phone(
        &self,
        user_id: &str,
        kind: MethodKind,
        number: &str,
        region: phonenumber::country::Id,
    ) -> Result<i64, DirectoryError> {
        let number = crate::phone::number::e164(number, region)
            .ok_or_else(|| DirectoryError::BadPhone(number.trim().to_owned()))?;
        Ok(self
            .store
            .add_method(user_id, kind, Some(number), self.clock.now(), |_| None)
            .await?)
    }

    /// Registers an authenticator app with `secret` (a fresh one when `None`), sealed at
    /// rest; returns the secret so it can be shown once.
    pub async fn add_totp(
        &self,
        user_id: &str,
        secret: Option<TotpSecret>,
    ) -> Result<TotpSecret, DirectoryError> {
        let secret = secret.unwrap_or_else(TotpSecret::generate);
        let keys = Arc::clone(&self.keys);
        let sealing = secret.clone();
        self.store
            .add_method(
                user_id,
                MethodKind::AppCode,
                None,
                self.clock.now(),
                move |method| Some(app_code::seal(&keys, method, &sealing)),
            )
            .await?;
        Ok(secret)
    }

    /// Replaces the security answers (question id, answer), as
    /// [`questions::registrable`] takes them.
    pub async fn set_answers(
        &self,
        user_id: &str,
        answers: &[(String, String)],
        required: usize,
    ) -> Result<(), DirectoryError> {
        self.set_answers_told(user_id, answers, required, ChangeNotice::default())
            .await
    }

    /// [`Directory::set_answers`], queueing `notice` with the change.
    pub async fn set_answers_told(
        &self,
        user_id: &str,
        answers: &[(String, String)],
        required: usize,
        notice: ChangeNotice,
    ) -> Result<(), DirectoryError> {
        let normalised = questions::registrable(answers, required, self.custom_questions)?;
        let user = self
            .store
            .account(user_id)
            .await?
            .ok_or_else(|| StoreError::NoSuchUser(user_id.to_owned()))?
            .id;
        // Slow hashes, computed before the store's transaction (it never waits on them).
        let mut hashed = Vec::new();
        for (question, answer) in normalised {
            let hash = self
                .hasher
                .answer(&self.keys.answers, user, &question, &answer)
                .await?;
            hashed.push((question, hash.to_vec()));
        }
        self.store
            .set_security_answers(user_id, user, hashed, self.clock.now(), notice)
            .await?;
        Ok(())
    }

    /// Lifts every lock and clears the failure counters of an account.
    pub async fn unlock(&self, user_id: &str) -> Result<(), DirectoryError> {
        let subject = decoy::subject(&self.keys.decoy, user_id);
        self.store
            .unlock(user_id, subject, self.clock.now())
            .await?;
        Ok(())
    }
}
