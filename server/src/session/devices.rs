//! The authenticator page as a method (docs/SECURITY.md, "App notifications"): its
//! registration on the security-info page (a one-time enrol link for the phone), the
//! enrolment that completes it, and the signature every later request of the page carries.
//!
//! The enrol link's token (192 random bits) lives in the link's fragment, which browsers
//! never send to a server; the store keeps only its SHA-256, on the registration, bound to
//! the session that made it and gone with it. The token works once, for
//! [`app_notification::ENROL_SECONDS`].

use super::{SessionError, SessionService};
use crate::methods::app_notification;
use crate::push::Subscription;
use crate::push::request::SubscriptionKeys;
use crate::reset::ResetError;
use crate::store::records::{
    Account, DeviceEnrolment, DeviceRecord, NewRegistration, NoticeFor, RegistrationOutcome,
    RegistrationPurpose, RegistrationStart,
};
use crate::store::{DirectoryStore, ResetStore, SessionStore};
use sha2::{Digest, Sha256};
use sspr_api::MethodKind;
use sspr_api::authenticator::{DEVICE_CLOCK_SKEW_SECONDS, Enrol, Enrolled, signed_string};
use sspr_api::session::{PendingMethod, ReportedChange};

/// Enrol links a person may make in an hour (nothing is sent; a bound all the same).
const ENROL_LINKS_PER_HOUR: i64 = 10;

/// A request a device signed, as it arrived: its three headers (absent when missing), the
/// method, the path without the query, and the exact body.
#[derive(Debug, Clone, Copy)]
pub struct SignedCall<'a> {
    pub device_id: Option<&'a str>,
    pub time: Option<&'a str>,
    pub signature: Option<&'a str>,
    pub method: &'a str,
    pub path: &'a str,
    pub body: &'a [u8],
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.trim().as_bytes()).to_vec()
}

impl<S: SessionStore + DirectoryStore + ResetStore> SessionService<S> {
    /// A registration of the authenticator page: the enrol link to open on the phone.
    pub(super) async fn new_device(
        &self,
        id: &str,
        account: &Account,
    ) -> Result<PendingMethod, SessionError> {
        let now = self.clock.now();
        let registration = crate::seeded::hex(&crate::crypto::random_bytes::<16>());
        let token = crate::seeded::hex(&crate::crypto::random_bytes::<24>());
        let mut limits = self.reset.limits();
        limits.resend_interval = 0;
        limits.sends_per_window = ENROL_LINKS_PER_HOUR;
        let started = self
            .store
            .begin_registration(
                NewRegistration {
                    code_hash: Some(token_hash(&token)),
                    expires_at: now + app_notification::ENROL_SECONDS,
                    kind: MethodKind::AppNotification,
                    ..self.registration(
                        id,
                        account,
                        &registration,
                        RegistrationPurpose::Method,
                        now,
                    )
                },
                limits,
            )
            .await?;
        match started {
            RegistrationStart::Started => {}
            RegistrationStart::RateLimited { retry_after } => {
                return Err(ResetError::RateLimited { retry_after }.into());
            }
            RegistrationStart::TooManySends { retry_after } => {
                return Err(ResetError::TooManyCodes { retry_after }.into());
            }
        }
        Ok(PendingMethod {
            registration_id: registration,
            kind: MethodKind::AppNotification,
            sent_to: None,
            secret: None,
            otpauth_uri: None,
            expires_in_seconds: app_notification::ENROL_SECONDS,
            replaces: None,
            enrol_url: Some(format!(
                "{}{}#enrol={token}",
                self.public_base,
                sspr_api::paths::AUTHENTICATOR_PAGE
            )),
        })
    }

    /// `POST /api/v1/authenticator/enrol`: the phone holding an enrol link's token becomes
    /// the person's app-notification method (replacing their phone), told to their
    /// addresses as any new method is.
    pub async fn enrol(&self, request: Enrol) -> Result<Enrolled, SessionError> {
        let public_key = app_notification::public_key(&request.public_key).ok_or_else(|| {
            SessionError::InvalidDevice(
                "public_key is not base64url of an uncompressed P-256 point".into(),
            )
        })?;
        let name = app_notification::device_name(&request.device_name)
            .ok_or_else(|| SessionError::InvalidDevice("device_name is empty".into()))?;
        let subscription = match request.push_subscription {
            Some(given) => {
                let subscription = Subscription {
                    endpoint: given.endpoint,
                    keys: SubscriptionKeys {
                        p256dh: given.keys.p256dh,
                        auth: given.keys.auth,
                    },
                };
                subscription
                    .validate()
                    .map_err(|err| SessionError::InvalidDevice(err.to_string()))?;
                // Sealed at rest: the endpoint wakes the phone, `auth` is its key.
                Some(crate::push::request::seal_subscription(
                    &self.keys.outbox,
                    &subscription,
                ))
            }
            None => None,
        };
        let hash = token_hash(&request.token);
        let now = self.clock.now();
        let user = self
            .store
            .device_registration(hash.clone(), now)
            .await?
            .ok_or(SessionError::RegistrationNotFound)?;
        let account = self
            .account_of(user)
            .await
            .map_err(|_| SessionError::RegistrationNotFound)?;
        // The policy may have changed since the link was made.
        self.may_register(&account, MethodKind::AppNotification)?;
        let device_id = crate::seeded::hex(&crate::crypto::random_bytes::<16>());
        let service = self.clone();
        let before = account.clone();
        let notice: NoticeFor = Box::new(move |kind, replaced, _| {
            let change = if replaced {
                ReportedChange::MethodChanged
            } else {
                ReportedChange::MethodAdded
            };
            service.notice(&before, change, Some(kind), None)
        });
        let outcome = self
            .store
            .enrol_device(DeviceEnrolment {
                token_hash: hash,
                user,
                device_id: device_id.clone(),
                public_key,
                name,
                subscription,
                now,
                session_seen_after: now.saturating_sub(self.idle_seconds()),
                notice,
            })
            .await?;
        match outcome {
            RegistrationOutcome::Added { .. } => {
                self.reset.wake_outbox();
                Ok(Enrolled {
                    device_id,
                    organisation_name: self.reset.organisation().to_owned(),
                    account_hint: account.display_name,
                })
            }
            _ => Err(SessionError::RegistrationNotFound),
        }
    }

    /// The enrolled device that signed `call`, within the allowed clock skew; anything else
    /// (no such device, another key, an old or future time, a changed body) is
    /// `device_not_recognised`. Its `last seen` moves to now.
    pub async fn signed_device(&self, call: SignedCall<'_>) -> Result<DeviceRecord, SessionError> {
        let refused = SessionError::DeviceNotRecognised;
        let now = self.clock.now();
        let (Some(device_id), Some(time), Some(signature)) =
            (call.device_id, call.time, call.signature)
        else {
            return Err(refused);
        };
        let time: u64 = time
            .trim()
            .parse()
            .map_err(|_| SessionError::DeviceNotRecognised)?;
        if now.abs_diff(time) > DEVICE_CLOCK_SKEW_SECONDS {
            return Err(refused);
        }
        let device_id = device_id.trim();
        if device_id.is_empty()
            || device_id.len() > 64
            || !device_id.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return Err(refused);
        }
        let Some(device) = self.store.device(device_id.to_owned()).await? else {
            return Err(refused);
        };
        let body = crate::seeded::hex(&Sha256::digest(call.body));
        let signed = signed_string(call.method, call.path, time, &body);
        if !app_notification::verify_signature(&device.public_key, signature.trim(), &signed) {
            return Err(refused);
        }
        self.store.device_seen(device.method, now).await?;
        Ok(device)
    }
}
