//! Why a reset request was refused, mapped to the stable API codes.

use crate::crypto::passwords::HashError;
use crate::store::StoreError;
use sspr_api::password::PasswordProblem;
use sspr_api::{ErrorCode, Problem};

#[derive(Debug, thiserror::Error)]
pub enum ResetError {
    #[error("the user ID is empty or too long")]
    InvalidUserId,
    #[error("the request does not fit the method: {0}")]
    InvalidProof(&'static str),
    #[error("the CAPTCHA solution was refused")]
    CaptchaInvalid,
    #[error("no such flow, or it expired")]
    FlowNotFound,
    #[error("the flow was completed")]
    FlowCompleted,
    #[error("the flow does not offer this method")]
    MethodNotOffered,
    #[error("wrong code")]
    CodeIncorrect { attempts_left: u32 },
    #[error("wrong answers")]
    AnswersIncorrect { attempts_left: u32 },
    #[error("no live code")]
    CodeExpired,
    #[error("the method is locked")]
    MethodLocked { retry_after: Option<u64> },
    #[error("the account is locked")]
    AccountLocked { retry_after: Option<u64> },
    #[error("a code was sent moments ago")]
    RateLimited { retry_after: u64 },
    #[error("the hour's codes are used up")]
    TooManyCodes { retry_after: u64 },
    #[error("not enough methods proven")]
    NotVerified,
    #[error("the password breaks the rules: {0:?}")]
    PasswordRejected(Vec<PasswordProblem>),
    /// No such open approval request of this device: decided already, timed out, or
    /// another device's.
    #[error("no such approval request")]
    ApprovalNotFound,
    /// The flow offers no unlock (no directory lockout to lift, or the organisation does
    /// not offer it).
    #[error("this flow offers no unlock")]
    UnlockNotOffered,
    /// The LDAP directory did not answer, or answered with a fault: nothing changed, try
    /// again shortly.
    #[error("the directory is unavailable: {0}")]
    DirectoryUnavailable(String),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Hash(#[from] HashError),
}

impl From<crate::people::DirectoryFailure> for ResetError {
    fn from(failure: crate::people::DirectoryFailure) -> Self {
        match failure {
            crate::people::DirectoryFailure::Unavailable(why) => {
                ResetError::DirectoryUnavailable(why)
            }
            crate::people::DirectoryFailure::Refused(problem) => {
                ResetError::PasswordRejected(vec![problem])
            }
        }
    }
}

impl From<crate::people::PeopleError> for ResetError {
    fn from(error: crate::people::PeopleError) -> Self {
        match error {
            crate::people::PeopleError::Directory(failure) => failure.into(),
            crate::people::PeopleError::Store(error) => ResetError::Store(error),
        }
    }
}

impl ResetError {
    pub fn problem(&self) -> Problem {
        let mut problem = Problem::new(self.code());
        match self {
            ResetError::CodeIncorrect { attempts_left }
            | ResetError::AnswersIncorrect { attempts_left } => {
                problem.attempts_left = Some(*attempts_left);
            }
            ResetError::MethodLocked { retry_after }
            | ResetError::AccountLocked { retry_after } => {
                problem.retry_after_seconds = *retry_after;
            }
            ResetError::RateLimited { retry_after } | ResetError::TooManyCodes { retry_after } => {
                problem.retry_after_seconds = Some(*retry_after);
            }
            ResetError::PasswordRejected(problems) => problem.password_problems = problems.clone(),
            ResetError::InvalidProof(why) => problem.detail = Some((*why).to_owned()),
            ResetError::UnlockNotOffered => {
                problem.detail = Some("this flow offers no unlock".to_owned())
            }
            _ => {}
        }
        problem
    }

    pub fn code(&self) -> ErrorCode {
        match self {
            ResetError::InvalidUserId
            | ResetError::InvalidProof(_)
            | ResetError::UnlockNotOffered => ErrorCode::InvalidRequest,
            ResetError::CaptchaInvalid => ErrorCode::CaptchaInvalid,
            ResetError::FlowNotFound => ErrorCode::FlowNotFound,
            ResetError::FlowCompleted => ErrorCode::FlowCompleted,
            ResetError::MethodNotOffered => ErrorCode::MethodNotOffered,
            ResetError::CodeIncorrect { .. } => ErrorCode::CodeIncorrect,
            ResetError::AnswersIncorrect { .. } => ErrorCode::AnswersIncorrect,
            ResetError::CodeExpired => ErrorCode::CodeExpired,
            ResetError::MethodLocked { .. } => ErrorCode::MethodLocked,
            ResetError::AccountLocked { .. } => ErrorCode::AccountLocked,
            ResetError::RateLimited { .. } => ErrorCode::RateLimited,
            ResetError::TooManyCodes { .. } => ErrorCode::TooManyCodes,
            ResetError::NotVerified => ErrorCode::NotVerified,
            ResetError::PasswordRejected(_) => ErrorCode::PasswordRejected,
            ResetError::ApprovalNotFound => ErrorCode::ApprovalNotFound,
            ResetError::Store(_) | ResetError::DirectoryUnavailable(_) => {
                ErrorCode::ServiceUnavailable
            }
            ResetError::Hash(_) => ErrorCode::Internal,
        }
    }
}
