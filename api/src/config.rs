use serde::{Deserialize, Serialize};

/// A BCP 47 language tag the portal offers, such as `en` or `fr`.
pub type LocaleTag = String;

/// Body of `GET /api/v1/config`: what the app may show before anyone signs in.
///
/// Nothing here is secret; it is the organisation's branding and contact details.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "openapi", derive(utoipa::ToSchema))]
pub struct PublicConfig {
    /// Shown in the page header and the document title, e.g. "Contoso".
    pub organisation_name: String,
    /// Locales the organisation offers, best first; the app negotiates within these.
    // `LocaleTag` is an alias of `String`: inline it rather than name a `String` schema.
    #[cfg_attr(feature = "openapi", schema(value_type = Vec<String>))]
    pub locales: Vec<LocaleTag>,
    /// Where a person who cannot reset by themselves gets help (a URL, `mailto:` or `tel:`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub helpdesk_url: Option<String>,
    /// Where the done page's "Sign in" button goes (the organisation's sign-in page).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sign_in_url: Option<String>,
    /// How many methods the policy asks most people to prove (administrators: 2), said
    /// on the first page so that nobody expects one and meets two.
    pub methods_required: u8,
    /// The organisation's own security questions (`custom_1`, ...), with their text.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub custom_questions: Vec<crate::questions::CustomQuestion>,
    /// How a mobile phone may get its code, in the order to offer (the person chooses
    /// when there is more than one); empty when mobile phones are not enabled.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub phone_channels: Vec<crate::method::PhoneChannel>,
    /// The origins of the organisation's login pages that may embed the portal (`[server]
    /// embedding_origins`): a `?return=` URL of one of them is followed at the end, and
    /// the embedded portal talks to them only.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub embedding_origins: Vec<String>,
}

/// The languages the app and the server's messages ship (`locales/<tag>.json`,
/// `server/locales/<tag>.json`; tests/locales.rs keeps this list equal to the files).
/// Offered by default in the language switcher, in this order.
pub const SHIPPED_LOCALES: [&str; 13] = [
    "en", "ar", "de", "es", "fr", "he", "it", "ja", "nl", "pl", "pt", "pt-BR", "zh-Hans",
];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trips_through_json() {
        let config = PublicConfig {
            organisation_name: "Contoso".into(),
            locales: vec!["en".into(), "fr".into()],
            helpdesk_url: Some("mailto:help@contoso.example".into()),
            sign_in_url: Some("https://login.contoso.example/".into()),
            methods_required: 2,
            custom_questions: vec![crate::questions::CustomQuestion {
                id: "custom_1".into(),
                text: "Name of your first team?".into(),
                translations: Default::default(),
            }],
            phone_channels: vec![crate::method::PhoneChannel::Sms],
            embedding_origins: vec!["https://login.contoso.example".into()],
        };
        let json = serde_json::to_string(&config).unwrap();
        let back: PublicConfig = serde_json::from_str(&json).unwrap();
        assert_eq!(back, config);
    }

    #[test]
    fn helpdesk_link_is_optional() {
        let back: PublicConfig = serde_json::from_str(
            r#"{"organisation_name":"Contoso","locales":["en"],"methods_required":1}"#,
        )
        .unwrap();
        assert_eq!(back.helpdesk_url, None);
    }
}
