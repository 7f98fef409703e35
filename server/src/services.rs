//! What the server runs on, bundled once: its database, its keys, its clock, the password
//! hasher (one, so its bound on concurrent hashes holds for the whole process) and the
//! outbox's doorbell. The HTTP surface, the reset flow, the directory and the CLI all
//! take their parts from here instead of each assembling its own.

use crate::clock::Clock;
use crate::crypto::keys::ServerKeys;
use crate::crypto::passwords::{HashError, PasswordHasher};
use crate::directory::Directory;
use crate::phone::Telephony;
use crate::phone::demo::DemoPhone;
use crate::policy::Policy;
use crate::reset::ResetService;
use crate::store::Store;
use std::sync::Arc;
use tokio::sync::Notify;

/// What the server runs on: its database, its keys, its clock, the password hasher and
/// the outbox's doorbell.
#[derive(Clone)]
pub struct Services {
    pub store: Store,
    pub keys: Arc<ServerKeys>,
    pub clock: Clock,
    pub hasher: PasswordHasher,
    /// Rung when messages are queued so the outbox worker delivers at once.
    pub outbox: Arc<Notify>,
    /// Demo mode: the dev outbox is served (to loopback peers only).
    pub demo: bool,
    /// The telephony provider (`[phone]`), when phone methods are set up.
    pub phone: Option<Arc<dyn Telephony>>,
    /// Demo mode's phone simulator (the demo provider), for its pages.
    pub demo_phone: Option<Arc<DemoPhone>>,
    /// Where people and their passwords are (`[directory]`): the embedded directory or
    /// LDAP.
    pub people: crate::people::People,
}

impl Services {
    pub fn new(
        store: impl Into<Store>,
        keys: Arc<ServerKeys>,
        clock: Clock,
    ) -> Result<Services, HashError> {
        Ok(Services {
            store: store.into(),
            keys,
            clock,
            hasher: PasswordHasher::for_this_machine()?,
            outbox: Arc::new(Notify::new()),
            demo: false,
            phone: None,
            demo_phone: None,
            people: crate::people::People::Embedded,
        })
    }

    /// The directory (people and their methods) over these services.
    pub fn directory(&self) -> Directory {
        Directory {
            store: self.store.clone(),
            keys: Arc::clone(&self.keys),
            hasher: self.hasher.clone(),
            clock: self.clock.clone(),
            custom_questions: 0,
            phone_region: phonenumber::country::Id::US,
        }
    }

    /// Sign-in and sessions of the security-info page over these services, under `policy`,
    /// proving methods through `reset`; `public_base` is the portal's origin, for the
    /// links in notices.
    pub fn sessions(
        &self,
        policy: Arc<Policy>,
        reset: ResetService,
        public_base: &str,
    ) -> crate::session::SessionService {
        crate::session::SessionService {
            store: self.store.clone(),
            reset,
            keys: Arc::clone(&self.keys),
            clock: self.clock.clone(),
            hasher: self.hasher.clone(),
            policy,
            public_base: public_base.trim_end_matches('/').into(),
            phone_region: phonenumber::country::Id::US,
        }
    }

    /// The reset flow over these services, under `policy`, with `organisation` naming the
    /// sender of its messages.
    pub fn reset(&self, policy: Arc<Policy>, organisation: &str) -> ResetService {
        ResetService::new(
            self.store.clone(),
            Arc::clone(&self.keys),
            self.clock.clone(),
            policy,
            self.hasher.clone(),
            organisation,
            Arc::clone(&self.outbox),
        )
        .with_people(self.people.clone())
    }
}
