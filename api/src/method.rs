//! Kinds of sign-in method a person can register and prove their identity with.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum MethodKind {
    /// A push to the authenticator companion, approved with number matching.
    AppNotification,
    /// A TOTP code from an authenticator app.
    AppCode,
    /// A code sent by e-mail.
    Email,
    /// A code by SMS or a voice call to a mobile phone.
    MobilePhone,
    /// A voice call to an office phone, answered by pressing #.
    OfficePhone,
    /// Answers to security questions (never the only proof; not for administrators).
    SecurityQuestions,
}

impl MethodKind {
    pub const ALL: [MethodKind; 6] = [
        MethodKind::AppNotification,
        MethodKind::AppCode,
        MethodKind::Email,
        MethodKind::MobilePhone,
        MethodKind::OfficePhone,
        MethodKind::SecurityQuestions,
    ];

    /// The snake_case name used on the wire and in the configuration.
    pub fn as_str(self) -> &'static str {
        match self {
            MethodKind::AppNotification => "app_notification",
            MethodKind::AppCode => "app_code",
            MethodKind::Email => "email",
            MethodKind::MobilePhone => "mobile_phone",
            MethodKind::OfficePhone => "office_phone",
            MethodKind::SecurityQuestions => "security_questions",
        }
    }

    /// The kind a wire name names; `None` for a name this version does not know.
    pub fn parse(name: &str) -> Option<MethodKind> {
        MethodKind::ALL
            .into_iter()
            .find(|kind| kind.as_str() == name)
    }
}

/// How a mobile phone gets its code: the person chooses where the policy offers more than
/// one (`[phone] mobile_channels`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
#[serde(rename_all = "snake_case")]
pub enum PhoneChannel {
    /// A text message.
    Sms,
    /// A WhatsApp message.
    Whatsapp,
    /// A voice call that reads the code out.
    Voice,
}

impl PhoneChannel {
    pub const ALL: [PhoneChannel; 3] = [
        PhoneChannel::Sms,
        PhoneChannel::Whatsapp,
        PhoneChannel::Voice,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            PhoneChannel::Sms => "sms",
            PhoneChannel::Whatsapp => "whatsapp",
            PhoneChannel::Voice => "voice",
        }
    }
}

/// An e-mail address a code can be sent to, trimmed; `None` when it is not one. The app
/// checks a typed address with it before sending; the server checks it again.
pub fn email_address(address: &str) -> Option<&str> {
    let address = address.trim();
    let valid = address
        .split_once('@')
        .is_some_and(|(local, domain)| !local.is_empty() && domain.contains('.'));
    (valid && !address.chars().any(char::is_whitespace)).then_some(address)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_match_serde() {
        for kind in MethodKind::ALL {
            assert_eq!(serde_json::to_value(kind).unwrap(), kind.as_str());
            assert_eq!(MethodKind::parse(kind.as_str()), Some(kind));
        }
        assert_eq!(MethodKind::parse("carrier_pigeon"), None);
    }

    #[test]
    fn an_address_needs_a_local_part_and_a_domain() {
        assert_eq!(
            email_address(" adele@home.example "),
            Some("adele@home.example")
        );
        assert_eq!(email_address("adele@home"), None);
        assert_eq!(email_address("@home.example"), None);
        assert_eq!(email_address("adele @home.example"), None);
    }
}
