//! `[phone]`: which provider carries messages and calls, and the region numbers are read
//! in when typed without a country code. Which channels a mobile phone may get codes on is
//! the policy's (`[policy.phone]`).

use serde::{Deserialize, Serialize};
use std::path::PathBuf;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct PhoneConfig {
    pub provider: ProviderChoice,
    /// ISO 3166 region a number typed without `+` is read in (`GB`, `US`, `FR`).
    pub default_region: String,
    pub twilio: TwilioConfig,
    pub webhook: WebhookConfig,
}

impl Default for PhoneConfig {
    fn default() -> Self {
        PhoneConfig {
            provider: ProviderChoice::None,
            default_region: "US".into(),
            twilio: TwilioConfig::default(),
            webhook: WebhookConfig::default(),
        }
    }
}

/// Which provider carries phone messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProviderChoice {
    /// No phone methods (a policy enabling them is refused at start).
    None,
    /// Demo mode's phone simulator (`/dev/phone`, loopback only); nothing leaves.
    Demo,
    /// A Twilio-compatible API (`[phone.twilio]`).
    Twilio,
    /// The operator's own gateway, called with signed webhooks (`[phone.webhook]`).
    Webhook,
}

/// `[phone.twilio]`: a Twilio account, or any API shaped like Twilio's.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TwilioConfig {
    /// `AC...`
    pub account_sid: String,
    /// A file holding the auth token (kept out of the configuration file); it
    /// authenticates the API calls and signs the callbacks.
    pub auth_token_file: Option<PathBuf>,
    /// The number messages and calls come from, in E.164.
    pub from: String,
    /// The WhatsApp sender in E.164 (without `whatsapp:`), when WhatsApp is offered.
    pub whatsapp_from: Option<String>,
    /// The API's base URL; a test points it at a local fake.
    pub api_base: String,
}

impl Default for TwilioConfig {
    fn default() -> Self {
        TwilioConfig {
            account_sid: String::new(),
            auth_token_file: None,
            from: String::new(),
            whatsapp_from: None,
            api_base: "https://api.twilio.com".into(),
        }
    }
}

/// `[phone.webhook]`: the operator's gateway, posted signed JSON.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct WebhookConfig {
    /// Where each message is posted.
    pub url: String,
    /// A file holding the shared secret both directions are signed with.
    pub secret_file: Option<PathBuf>,
}
