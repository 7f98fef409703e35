//! The e-mails of the reset flow, sealed for the outbox. Plain text, short, and never a
//! link to click: a code or a statement of what happened and what to do if it was not you.
//! The words are the locale files' (`crate::texts`), in the language the caller chose.

use crate::crypto::keys::Key;
use crate::crypto::sealed;
use crate::store::records::{MessageChannel, NewMessage};
use crate::texts::{Language, message};

fn message(
    key: &Key,
    dedupe_key: String,
    recipient: &str,
    subject: &str,
    body: String,
    discard_after: Option<u64>,
) -> NewMessage {
    NewMessage {
        sealed_body: sealed::seal(key, &dedupe_key, body.as_bytes()),
        dedupe_key,
        channel: MessageChannel::Email,
        recipient: recipient.to_owned(),
        subject: subject.to_owned(),
        discard_after,
    }
}

/// The verification code for a reset.
#[allow(clippy::too_many_arguments)]
pub fn code(
    key: &Key,
    language: Language,
    organisation: &str,
    dedupe_key: String,
    recipient: &str,
    code: &str,
    lifetime_minutes: u32,
    expires_at: u64,
) -> NewMessage {
    let count = lifetime_minutes;
    message(
        key,
        dedupe_key,
        recipient,
        &message!(language, email.code.subject, organisation),
        message!(language, email.code.body, organisation, code, count),
        Some(expires_at),
    )
}

/// A code as its message tells it: the code, how long it lives, when it expires.
#[derive(Debug, Clone, Copy)]
pub struct SentCode<'a> {
    pub code: &'a str,
    pub lifetime_minutes: u32,
    pub expires_at: u64,
}

/// The code that confirms an address on the security-info page: a new method's, or the
/// address the directory holds for a person with no method (`first_proof`).
pub fn registration_code(
    key: &Key,
    language: Language,
    organisation: &str,
    dedupe_key: String,
    recipient: &str,
    code: SentCode<'_>,
    first_proof: bool,
) -> NewMessage {
    let SentCode {
        code,
        lifetime_minutes,
        expires_at,
    } = code;
    let purpose = if first_proof {
        message!(language, email.registration_code.purpose_first_proof)
    } else {
        message!(language, email.registration_code.purpose_new_address)
    };
    let count = lifetime_minutes;
    message(
        key,
        dedupe_key,
        recipient,
        &message!(language, email.registration_code.subject, organisation),
        message!(
            language,
            email.registration_code.body,
            organisation,
            code,
            purpose,
            count
        ),
        Some(expires_at),
    )
}

/// "Your password was reset", to the person's own addresses.
pub fn reset_done(
    key: &Key,
    language: Language,
    organisation: &str,
    flow_id: &str,
    recipient: &str,
    user_id: &str,
) -> NewMessage {
    message(
        key,
        format!("reset-done:{flow_id}:{}", recipient.to_lowercase()),
        recipient,
        &message!(language, email.reset_done.subject, organisation),
        message!(language, email.reset_done.body, organisation, user_id),
        None,
    )
}

/// "Your account was unlocked", to the person's own addresses, after an unlock that kept
/// the password.
pub fn account_unlocked(
    key: &Key,
    language: Language,
    organisation: &str,
    flow_id: &str,
    recipient: &str,
    user_id: &str,
) -> NewMessage {
    message(
        key,
        format!("unlocked:{flow_id}:{}", recipient.to_lowercase()),
        recipient,
        &message!(language, email.account_unlocked.subject, organisation),
        message!(language, email.account_unlocked.body, organisation, user_id),
        None,
    )
}

/// "Someone is trying to reset your password", to the person's own addresses, once a day
/// at most, when failures against the account start pausing it.
pub fn under_attack(
    key: &Key,
    language: Language,
    organisation: &str,
    recipient: &str,
    user_id: &str,
    day: u64,
) -> NewMessage {
    message(
        key,
        format!("under-attack:{user_id}:{day}:{}", recipient.to_lowercase()),
        recipient,
        &message!(language, email.under_attack.subject, organisation),
        message!(language, email.under_attack.body, organisation, user_id),
        None,
    )
}

/// "You said you did not ask for this", to the person's own addresses, when they report
/// an app notification from their authenticator: what happened, that the prompts to their
/// phone stop, and what to do.
pub fn approval_reported(
    key: &Key,
    language: Language,
    organisation: &str,
    request: &str,
    recipient: &str,
    user_id: &str,
) -> NewMessage {
    message(
        key,
        format!("approval-reported:{request}:{}", recipient.to_lowercase()),
        recipient,
        &message!(language, email.approval_reported.subject, organisation),
        message!(
            language,
            email.approval_reported.body,
            organisation,
            user_id
        ),
        None,
    )
}

/// "An administrator's password was reset", to the other administrators.
pub fn admin_reset(
    key: &Key,
    language: Language,
    organisation: &str,
    flow_id: &str,
    recipient: &str,
    admin_user_id: &str,
) -> NewMessage {
    message(
        key,
        format!("admin-reset:{flow_id}:{}", recipient.to_lowercase()),
        recipient,
        &message!(language, email.admin_reset.subject, organisation),
        message!(
            language,
            email.admin_reset.body,
            organisation,
            admin_user_id
        ),
        None,
    )
}
