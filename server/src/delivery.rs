//! Delivery of the outbox (docs/SECURITY.md R10): e-mail over SMTP, phone messages and
//! calls through the telephony provider, Web Push wake-ups of authenticator pages. Messages are queued in the same transaction as
//! the change they report, and this worker sends them afterwards. A relay or provider
//! that is down never fails or delays a reset: the message waits in the outbox and is
//! retried with growing waits until it is sent, expires or runs out of tries.
//!
//! Exactly once: a message is claimed (leased) before each try and marked sent right after
//! the relay accepts it; each carries a Message-ID derived from its de-duplication key, so
//! a receiving server can drop the duplicate of a try whose acknowledgement was lost.

use crate::clock::Clock;
use crate::config::{SmtpConfig, SmtpSecurity};
use crate::crypto::keys::ServerKeys;
use crate::crypto::sealed;
use crate::phone::{OutboundChannel, Telephony, http_client};
use crate::push::config::PushSender;
use crate::push::{PushMessage, Subscription, push_request};
use crate::store::interface::OutboxStore;
use crate::store::records::{MessageChannel, QueuedMessage};
use crate::store::{Store, StoreError};
use lettre::message::header::ContentType;
use lettre::message::{Mailbox, Message};
use lettre::transport::smtp::authentication::Credentials;
use lettre::{AsyncSmtpTransport, AsyncTransport, Tokio1Executor};
use sha2::{Digest, Sha256};
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::Notify;

/// Messages taken per pass.
const BATCH: u32 = 20;
/// How long a claimed message is left alone (longer than any SMTP try).
pub const LEASE_SECONDS: u64 = 300;
/// The wait after the first failed try; it doubles with each try, up to [`MAX_WAIT_SECONDS`].
const FIRST_WAIT_SECONDS: u64 = 15;
const MAX_WAIT_SECONDS: u64 = 30 * 60;

#[derive(Debug, thiserror::Error)]
pub enum MailerError {
    #[error("cannot read smtp.password_file {path}: {source}")]
    PasswordFile {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("smtp.password_file {0} is empty")]
    EmptyPassword(PathBuf),
    #[error("cannot use the SMTP relay {host}: {message}")]
    Relay { host: String, message: String },
    #[error("smtp.from {0:?} is not an e-mail address")]
    From(String),
}

/// Why one try failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SendFailure {
    /// Worth another try later: the relay is down, busy or answered 4xx.
    Transient(String),
    /// Will never work: the relay refused the message or recipient (5xx).
    Permanent(String),
}

/// The SMTP relay, from `[smtp]`.
#[derive(Clone)]
pub struct Mailer {
    transport: AsyncSmtpTransport<Tokio1Executor>,
    from: Mailbox,
}

impl Mailer {
    /// The relay of `[smtp]`, or `None` when no host is configured.
    pub fn from_config(config: &SmtpConfig) -> Result<Option<Mailer>, MailerError> {
        let Some(host) = config.host.as_deref() else {
            return Ok(None);
        };
        let relay = |message: String| MailerError::Relay {
            host: host.to_owned(),
            message,
        };
        let builder = match config.security {
            SmtpSecurity::Starttls => AsyncSmtpTransport::<Tokio1Executor>::starttls_relay(host)
                .map_err(|err| relay(err.to_string()))?,
            SmtpSecurity::Tls => AsyncSmtpTransport::<Tokio1Executor>::relay(host)
                .map_err(|err| relay(err.to_string()))?,
            SmtpSecurity::None => AsyncSmtpTransport::<Tokio1Executor>::builder_dangerous(host),
        };
        let mut builder = builder
            .port(config.port)
            .timeout(Some(Duration::from_secs(config.timeout_seconds)));
        if let Some(username) = &config.username {
            let password = match &config.password_file {
                Some(path) => read_password(path)?,
                None => String::new(),
            };
            builder = builder.credentials(Credentials::new(username.clone(), password));
        }
        let from = config
            .from
            .parse()
            .map_err(|_| MailerError::From(config.from.clone()))?;
        Ok(Some(Mailer {
            transport: builder.build(),
            from,
        }))
    }

    /// One try at handing `message` with `body` to the relay.
    pub async fn send(&self, message: &QueuedMessage, body: String) -> Result<(), SendFailure> {
        let to: Mailbox = message
            .recipient
            .parse()
            .map_err(|_| SendFailure::Permanent("the recipient is not an address".into()))?;
        let email = Message::builder()
            .from(self.from.clone())
            .to(to)
            .subject(message.subject.clone())
            .message_id(Some(message_id(&message.dedupe_key, &self.from)))
            .header(ContentType::TEXT_PLAIN)
            .body(body)
            .map_err(|err| SendFailure::Permanent(err.to_string()))?;
        match self.transport.send(email).await {
            Ok(_) => Ok(()),
            Err(err) if err.is_permanent() => Err(SendFailure::Permanent(err.to_string())),
            Err(err) => Err(SendFailure::Transient(err.to_string())),
        }
    }
}

fn read_password(path: &PathBuf) -> Result<String, MailerError> {
    let text = std::fs::read_to_string(path).map_err(|source| MailerError::PasswordFile {
        path: path.clone(),
        source,
    })?;
    let password = text.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        return Err(MailerError::EmptyPassword(path.clone()));
    }
    Ok(password)
}

/// The same for every try of one message, so a duplicate can be recognised.
pub fn message_id(dedupe_key: &str, from: &Mailbox) -> String {
    let digest = Sha256::digest(dedupe_key.as_bytes());
    let local: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
    format!("<{local}@{}>", from.email.domain())
}

/// The wait before try number `attempts + 1`, after `attempts` failed ones.
pub fn retry_wait(attempts: u32) -> u64 {
    let doublings = attempts.saturating_sub(1).min(16);
    (FIRST_WAIT_SECONDS << doublings).min(MAX_WAIT_SECONDS)
}

/// What one pass did.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Pass {
    pub sent: usize,
    pub retrying: usize,
    pub given_up: usize,
}

/// Takes due messages from the outbox and hands them to the relay or the telephony
/// provider. A channel with neither is left alone (its messages wait: demo mode shows
/// them in the dev outbox).
#[derive(Clone)]
pub struct OutboxWorker<S: OutboxStore = Store> {
    pub store: S,
    pub keys: Arc<ServerKeys>,
    pub clock: Clock,
    pub mailer: Option<Mailer>,
    pub phone: Option<Arc<dyn Telephony>>,
    /// Web Push (`[push]`), when app notifications are enabled.
    pub push: Option<PushSender>,
    pub max_attempts: u32,
}

impl<S: OutboxStore> OutboxWorker<S> {
    /// The channels this worker can deliver.
    fn channels(&self) -> Vec<MessageChannel> {
        let mut channels = Vec::new();
        if self.mailer.is_some() {
            channels.push(MessageChannel::Email);
        }
        if self.phone.is_some() {
            channels.extend(OutboundChannel::ALL.map(MessageChannel::Phone));
        }
        if self.push.is_some() {
            channels.push(MessageChannel::Push);
        }
        channels
    }

    /// One try at waking an authenticator page: its subscription as it is now (it may
    /// have enrolled again since), the push request built and posted. The push service's
    /// 404 or 410 means the subscription is gone: the phone is marked stale and the
    /// message given up; 429 and 5xx are tried again later.
    async fn send_push(
        &self,
        push: &PushSender,
        message: &QueuedMessage,
    ) -> Result<(), SendFailure> {
        let payload = sealed::open(&self.keys.outbox, &message.dedupe_key, &message.sealed_body)
            .map_err(|_| {
                SendFailure::Permanent("the body cannot be opened with this server's key".into())
            })?;
        let device: i64 = message
            .recipient
            .parse()
            .map_err(|_| SendFailure::Permanent("the recipient is not a phone".into()))?;
        let Some(stored) = self
            .store
            .push_subscription(device)
            .await
            .map_err(|err| SendFailure::Transient(err.to_string()))?
        else {
            // Enrolled without push (refused, or no push service reachable): the page
            // sees the request when it is open. Nothing to send, so nothing failed.
            tracing::info!(
                device,
                "no push subscription: the request waits for the open page"
            );
            return Ok(());
        };
        let subscription: Subscription =
            crate::push::request::open_subscription(&self.keys.outbox, &stored).ok_or_else(
                || SendFailure::Permanent("the stored subscription cannot be opened".into()),
            )?;
        // Only to the push services configured: the endpoint came from the phone.
        let valid = subscription
            .validate()
            .map_err(|err| SendFailure::Permanent(err.to_string()))?;
        if !crate::push::config::service_allowed(&push.service_hosts, valid.host()) {
            return Err(SendFailure::Permanent(format!(
                "{} is not a push service in push.service_hosts",
                valid.host()
            )));
        }
        let now = self.clock.now();
        let wake_up = PushMessage {
            payload: &payload,
            ttl_seconds: crate::methods::app_notification::WAIT_SECONDS as u32,
            // A newer request replaces an older one still queued for an offline phone.
            topic: Some("approval"),
        };
        let request = push_request(&valid, &wake_up, &push.vapid, &push.subject, now)
            .map_err(|err| SendFailure::Permanent(err.to_string()))?;
        let answer = http_client::post(
            &request.endpoint,
            &request.headers,
            request.body,
            push.timeout,
        )
        .await;
        if let Ok(answer) = &answer
            && matches!(answer.status, 404 | 410)
        {
            self.store
                .push_subscription_gone(device, now)
                .await
                .map_err(|err| SendFailure::Transient(err.to_string()))?;
            return Err(SendFailure::Permanent(format!(
                "the push service answered {}: the subscription is gone",
                answer.status
            )));
        }
        http_client::delivery_outcome("push service", answer).map(|_| ())
    }

    /// One try at one message.
    async fn send(&self, message: &QueuedMessage) -> Result<(), SendFailure> {
        let unopened =
            || SendFailure::Permanent("the body cannot be opened with this server's key".into());
        match (message.channel, &self.mailer, &self.phone) {
            (MessageChannel::Email, Some(mailer), _) => {
                let body =
                    sealed::open(&self.keys.outbox, &message.dedupe_key, &message.sealed_body)
                        .ok()
                        .and_then(|bytes| String::from_utf8(bytes).ok())
                        .ok_or_else(unopened)?;
                mailer.send(message, body).await
            }
            (MessageChannel::Phone(_), _, Some(phone)) => {
                let outbound = crate::phone::messages::outbound(&self.keys.outbox, message)
                    .ok_or_else(unopened)?;
                phone.send(&outbound).await
            }
            (MessageChannel::Push, _, _) => match &self.push {
                Some(push) => self.send_push(push, message).await,
                None => Err(SendFailure::Transient(
                    "no way to deliver this channel".into(),
                )),
            },
            _ => Err(SendFailure::Transient(
                "no way to deliver this channel".into(),
            )),
        }
    }

    /// Tries every message that is due now once.
    pub async fn deliver_due(&self) -> Result<Pass, StoreError> {
        let now = self.clock.now();
        let mut pass = Pass::default();
        let channels = self.channels();
        if channels.is_empty() {
            return Ok(pass);
        }
        for message in self.store.due_messages(now, BATCH, channels).await? {
            if !self
                .store
                .claim_message(message.id, now, now + LEASE_SECONDS)
                .await?
            {
                continue;
            }
            let outcome = self.send(&message).await;
            let tries = message.attempts + 1;
            match outcome {
                Ok(()) => {
                    self.store.mark_sent(message.id, self.clock.now()).await?;
                    tracing::info!(id = message.id, tries, "message sent");
                    pass.sent += 1;
                }
                Err(SendFailure::Transient(error)) if tries < self.max_attempts => {
                    let retry_at = self.clock.now() + retry_wait(tries);
                    tracing::warn!(id = message.id, tries, %error, retry_at, "message not sent yet");
                    self.store
                        .mark_failed_attempt(message.id, now, error, Some(retry_at))
                        .await?;
                    pass.retrying += 1;
                }
                Err(SendFailure::Transient(error) | SendFailure::Permanent(error)) => {
                    tracing::error!(id = message.id, tries, %error, "message given up");
                    self.store
                        .mark_failed_attempt(message.id, now, error, None)
                        .await?;
                    pass.given_up += 1;
                }
            }
        }
        Ok(pass)
    }

    /// Delivers until the process ends: at once when `doorbell` rings (a message was
    /// queued), otherwise when the next retry is due, checking at least once a minute.
    pub async fn run(self, doorbell: Arc<Notify>) {
        loop {
            let wait = match self.deliver_due().await {
                Ok(_) => match self.store.next_message_due(self.channels()).await {
                    Ok(Some(due)) => due.saturating_sub(self.clock.now()).clamp(1, 60),
                    Ok(None) => 60,
                    Err(err) => {
                        tracing::error!(%err, "outbox unreadable");
                        10
                    }
                },
                Err(err) => {
                    tracing::error!(%err, "outbox delivery pass failed");
                    10
                }
            };
            tokio::select! {
                () = doorbell.notified() => {}
                () = tokio::time::sleep(Duration::from_secs(wait)) => {}
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn waits_double_from_fifteen_seconds_up_to_half_an_hour() {
        assert_eq!(retry_wait(1), 15);
        assert_eq!(retry_wait(2), 30);
        assert_eq!(retry_wait(3), 60);
        assert_eq!(retry_wait(8), 1920.min(MAX_WAIT_SECONDS));
        assert_eq!(retry_wait(40), MAX_WAIT_SECONDS);
    }

    #[test]
    fn message_ids_are_stable_per_message_and_differ_between_messages() {
        let from: Mailbox = "SSPR <no-reply@contoso.example>"
            .parse()
            .unwrap_or_else(|_| {
                panic!("valid mailbox");
            });
        let a = message_id("reset:abc", &from);
        assert_eq!(a, message_id("reset:abc", &from));
        assert_ne!(a, message_id("reset:abd", &from));
        assert!(
            a.starts_with('<') && a.ends_with("@contoso.example>"),
            "{a}"
        );
    }

    #[test]
    fn no_host_means_no_mailer() {
        assert!(
            Mailer::from_config(&SmtpConfig::default())
                .map(|m| m.is_none())
                .unwrap_or(false)
        );
    }
}
