//! Why a directory refused a password, read from what it answered: the password policy
//! response control (draft-behera-ldap-password-policy, OpenLDAP's ppolicy overlay) when
//! present, else Active Directory's extended error in the diagnostic text. Each becomes a
//! [`PasswordProblem`] the person is shown in their language, and the flow stays on the
//! new-password step so they can try another.

use sspr_api::password::PasswordProblem;

/// The password policy request control: asked on every password write so the directory
/// says which rule refused it.
pub const PASSWORD_POLICY_OID: &str = "1.3.6.1.4.1.42.2.27.8.5.1";

/// Active Directory's policy hints control (`LDAP_SERVER_POLICY_HINTS_OID`): an
/// administrator's `unicodePwd` write is then checked against the password history too.
pub const AD_POLICY_HINTS_OID: &str = "1.2.840.113556.1.4.2239";

/// The BER value of the policy hints control: `SEQUENCE { flags INTEGER 1 }`.
pub const AD_POLICY_HINTS_VALUE: [u8; 5] = [0x30, 0x03, 0x02, 0x01, 0x01];

/// LDAP result codes that mean "this password is not accepted" rather than a fault.
const CONSTRAINT_VIOLATION: u32 = 19;
const UNWILLING_TO_PERFORM: u32 = 53;

/// The `error` of a password policy response control's value, if it has one:
/// `SEQUENCE { warning [0] ... OPTIONAL, error [1] ENUMERATED OPTIONAL }`.
pub fn policy_error(value: &[u8]) -> Option<u8> {
    let (&tag, rest) = value.split_first()?;
    if tag != 0x30 {
        return None;
    }
    let (length, mut body) = ber_length(rest)?;
    body = body.get(..length)?;
    while let Some((&tag, rest)) = body.split_first() {
        let (length, rest) = ber_length(rest)?;
        let content = rest.get(..length)?;
        if tag == 0x81 {
            return content.last().copied().filter(|_| length == 1);
        }
        body = &rest[length..];
    }
    None
}

/// A BER definite length and what follows it.
fn ber_length(bytes: &[u8]) -> Option<(usize, &[u8])> {
    let (&first, rest) = bytes.split_first()?;
    if first < 0x80 {
        return Some((usize::from(first), rest));
    }
    let count = usize::from(first & 0x7f);
    if count == 0 || count > 2 || rest.len() < count {
        return None;
    }
    let length = rest[..count]
        .iter()
        .fold(0usize, |length, byte| (length << 8) | usize::from(*byte));
    Some((length, &rest[count..]))
}

/// What a refused password write means for the person, or `None` when the answer is no
/// refusal of the password (a fault: access, a lost connection...).
///
/// `policy` is the password policy control's error; `text` the diagnostic message.
pub fn refusal(rc: u32, policy: Option<u8>, text: &str) -> Option<PasswordProblem> {
    match policy {
        // passwordInHistory
        Some(8) => return Some(PasswordProblem::SameAsCurrent),
        // passwordTooShort
        Some(6) => return Some(PasswordProblem::DirectoryTooShort),
        // passwordTooYoung
        Some(7) => return Some(PasswordProblem::ChangedTooRecently),
        // insufficientPasswordQuality, passwordQualityCheck failures
        Some(5) => return Some(PasswordProblem::DirectoryRules),
        _ => {}
    }
    if rc != CONSTRAINT_VIOLATION && rc != UNWILLING_TO_PERFORM {
        return None;
    }
    // Active Directory: "0000052D: Constraint violation - check_password_restrictions:
    // the password does not meet the complexity policy" (length, complexity or history;
    // AD does not say which).
    let upper = text.to_ascii_uppercase();
    if upper.starts_with("0000052D") || upper.contains("CHECK_PASSWORD_RESTRICTIONS") {
        return Some(PasswordProblem::DirectoryRules);
    }
    // Directories without the control still say it in words.
    let lower = text.to_ascii_lowercase();
    if lower.contains("history") || lower.contains("not being changed") {
        Some(PasswordProblem::SameAsCurrent)
    } else if lower.contains("too short") {
        Some(PasswordProblem::DirectoryTooShort)
    } else if lower.contains("too young") {
        Some(PasswordProblem::ChangedTooRecently)
    } else if rc == CONSTRAINT_VIOLATION {
        Some(PasswordProblem::DirectoryRules)
    } else {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_error_of_openldaps_control() {
        // As slapd sent them: too short (6), in history (8).
        assert_eq!(policy_error(&[0x30, 0x03, 0x81, 0x01, 0x06]), Some(6));
        assert_eq!(policy_error(&[0x30, 0x03, 0x81, 0x01, 0x08]), Some(8));
        // A warning ([0], here timeBeforeExpiration 300) before the error.
        let warned = [
            0x30, 0x09, 0xa0, 0x04, 0x80, 0x02, 0x01, 0x2c, 0x81, 0x01, 0x05,
        ];
        assert_eq!(policy_error(&warned), Some(5));
        // A warning alone, nothing, or garbage: no error.
        assert_eq!(
            policy_error(&[0x30, 0x06, 0xa0, 0x04, 0x80, 0x02, 0x01, 0x2c]),
            None
        );
        assert_eq!(policy_error(&[0x30, 0x00]), None);
        assert_eq!(policy_error(&[0x30, 0x05, 0x81]), None);
        assert_eq!(policy_error(&[]), None);
    }

    #[test]
    fn refusals_become_reasons_and_faults_stay_faults() {
        assert_eq!(
            refusal(19, Some(8), ""),
            Some(PasswordProblem::SameAsCurrent)
        );
        assert_eq!(
            refusal(19, Some(6), ""),
            Some(PasswordProblem::DirectoryTooShort)
        );
        assert_eq!(
            refusal(19, Some(7), ""),
            Some(PasswordProblem::ChangedTooRecently)
        );
        assert_eq!(
            refusal(
                19,
                None,
                "0000052D: Constraint violation - check_password_restrictions: the password does not meet the complexity policy"
            ),
            Some(PasswordProblem::DirectoryRules)
        );
        assert_eq!(
            refusal(19, None, "Password is in history of old passwords"),
            Some(PasswordProblem::SameAsCurrent)
        );
        // Insufficient access, a busy server: not the password's fault.
        assert_eq!(refusal(50, None, "no write access"), None);
        assert_eq!(refusal(51, None, "busy"), None);
    }
}
