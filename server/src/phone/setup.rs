//! The provider `[phone]` names, built at start; a configuration that cannot carry the
//! policy's phone methods is refused with what to change.

use super::demo::DemoPhone;
use super::twilio::{Twilio, TwilioError};
use super::webhook::{Webhook, WebhookError};
use super::{ProviderChoice, Telephony, number};
use crate::clock::Clock;
use crate::config::Config;
use sspr_api::MethodKind;
use std::sync::Arc;

#[derive(Debug, thiserror::Error)]
pub enum PhoneSetupError {
    #[error(
        "the policy enables {0} but [phone] provider is not set: set provider = \"twilio\" or \"webhook\", or disable the method"
    )]
    NoProvider(&'static str),
    #[error("[phone] provider = \"demo\" works in demo mode only (--demo)")]
    DemoOnly,
    #[error("[phone] provider = \"{0}\" needs [server] public_url: the provider calls back there")]
    NoPublicUrl(&'static str),
    #[error("[phone] default_region {0:?} is not a region code such as \"GB\", \"US\" or \"FR\"")]
    Region(String),
    #[error(transparent)]
    Twilio(#[from] TwilioError),
    #[error(transparent)]
    Webhook(#[from] WebhookError),
}

/// The provider, and the simulator when it is the demo's.
#[derive(Clone, Default)]
pub struct PhoneSetup {
    pub telephony: Option<Arc<dyn Telephony>>,
    pub demo: Option<Arc<DemoPhone>>,
}

/// Builds what `config.phone` names. `demo`: the server runs in demo mode.
pub fn provider(config: &Config, demo: bool, clock: Clock) -> Result<PhoneSetup, PhoneSetupError> {
    let phone = &config.phone;
    if number::region(&phone.default_region).is_none() {
        return Err(PhoneSetupError::Region(phone.default_region.clone()));
    }
    let needs_phone = config
        .policy
        .methods
        .iter()
        .filter(|_| config.policy.scope != crate::policy::Scope::Disabled)
        .find(|kind| matches!(kind, MethodKind::MobilePhone | MethodKind::OfficePhone));
    match phone.provider {
        ProviderChoice::None => match needs_phone {
            Some(kind) => Err(PhoneSetupError::NoProvider(kind.as_str())),
            None => Ok(PhoneSetup::default()),
        },
        ProviderChoice::Demo if !demo => Err(PhoneSetupError::DemoOnly),
        ProviderChoice::Demo => {
            let simulator = Arc::new(DemoPhone::new(clock));
            Ok(PhoneSetup {
                telephony: Some(simulator.clone()),
                demo: Some(simulator),
            })
        }
        ProviderChoice::Twilio => {
            let base = config
                .public_origin()
                .ok_or(PhoneSetupError::NoPublicUrl("twilio"))?;
            let twilio = Twilio::from_config(&phone.twilio, &base)?;
            Ok(PhoneSetup {
                telephony: Some(Arc::new(twilio)),
                demo: None,
            })
        }
        ProviderChoice::Webhook => {
            let base = config
                .public_origin()
                .ok_or(PhoneSetupError::NoPublicUrl("webhook"))?;
            let webhook = Webhook::from_config(&phone.webhook, &base, clock)?;
            Ok(PhoneSetup {
                telephony: Some(Arc::new(webhook)),
                demo: None,
            })
        }
    }
}
