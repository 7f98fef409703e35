//! The e-mails of the reset flow, sealed for the outbox. Plain text, short, and never a
//! link to click: a code or a statement of what happened and what to do if it was not you.

use crate::crypto::keys::Key;
use crate::crypto::sealed;
use crate::store::records::{MessageChannel, NewMessage};

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
pub fn code(
    key: &Key,
    organisation: &str,
    dedupe_key: String,
    recipient: &str,
    code: &str,
    lifetime_minutes: u32,
    expires_at: u64,
) -> NewMessage {
    let body = format!(
        "Your {organisation} verification code is {code}\n\n\
         Enter it on the password reset page. It expires in {lifetime_minutes} minutes.\n\n\
         If you did not ask to reset your password, ignore this message: nothing changes \
         without the code.\n"
    );
    message(
        key,
        dedupe_key,
        recipient,
        &format!("{organisation} verification code"),
        body,
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
        "to prove it is you before you add sign-in methods"
    } else {
        "to add this address as a way to reset your password"
    };
    let body = format!(
        "Your {organisation} verification code is {code}\n\n\
         Enter it on the security-info page {purpose}. It expires in {lifetime_minutes} \
         minutes.\n\n\
         If you did not ask for it, someone who knows your password may be trying to use \
         your account: change your password, or contact your help desk.\n"
    );
    message(
        key,
        dedupe_key,
        recipient,
        &format!("{organisation} verification code"),
        body,
        Some(expires_at),
    )
}

/// "Your password was reset", to the person's own addresses.
pub fn reset_done(
    key: &Key,
    organisation: &str,
    flow_id: &str,
    recipient: &str,
    user_id: &str,
) -> NewMessage {
    let body = format!(
        "The password of your {organisation} account {user_id} was just reset with \
         self-service password reset. All your other sessions were signed out.\n\n\
         If this was not you, contact your help desk now.\n"
    );
    message(
        key,
        format!("reset-done:{flow_id}:{}", recipient.to_lowercase()),
        recipient,
        &format!("Your {organisation} password was reset"),
        body,
        None,
    )
}

/// "Someone is trying to reset your password", to the person's own addresses, once a day
/// at most, when failures against the account start pausing it.
pub fn under_attack(
    key: &Key,
    organisation: &str,
    recipient: &str,
    user_id: &str,
    day: u64,
) -> NewMessage {
    let body = format!(
        "Someone tried several times to reset the password of your {organisation} account \
         {user_id} and could not prove it was you. Nothing has changed, and your password \
         still works. Further tries are slowed down.\n\n\
         If this was you, wait a little and try again on a device you have used to reset \
         your password before: it is not held up by other people's tries. If it was not \
         you, nothing needs doing; tell your help desk if it keeps happening.\n"
    );
    message(
        key,
        format!("under-attack:{user_id}:{day}:{}", recipient.to_lowercase()),
        recipient,
        &format!("Someone is trying to reset your {organisation} password"),
        body,
        None,
    )
}

/// "You said you did not ask for this", to the person's own addresses, when they report
/// an app notification from their authenticator: what happened, that the prompts to their
/// phone stop, and what to do.
pub fn approval_reported(
    key: &Key,
    organisation: &str,
    request: &str,
    recipient: &str,
    user_id: &str,
) -> NewMessage {
    let body = format!(
        "You reported an approval request on your authenticator that you did not ask for: \
         someone tried to reset the password of your {organisation} account {user_id}. It \
         was not approved, nothing has changed, and your password still works.\n\n\
         Further requests to your phone are stopped until your password is reset or your \
         help desk lifts the stop. If someone may know your password, change it now, and \
         tell your help desk.\n"
    );
    message(
        key,
        format!("approval-reported:{request}:{}", recipient.to_lowercase()),
        recipient,
        &format!("Someone tried to reset your {organisation} password"),
        body,
        None,
    )
}

/// "An administrator's password was reset", to the other administrators.
pub fn admin_reset(
    key: &Key,
    organisation: &str,
    flow_id: &str,
    recipient: &str,
    admin_user_id: &str,
) -> NewMessage {
    let body = format!(
        "The password of the {organisation} administrator account {admin_user_id} was just \
         reset with self-service password reset.\n\n\
         If you do not expect this, check with them and review the audit log.\n"
    );
    message(
        key,
        format!("admin-reset:{flow_id}:{}", recipient.to_lowercase()),
        recipient,
        &format!("{organisation}: an administrator's password was reset"),
        body,
        None,
    )
}
