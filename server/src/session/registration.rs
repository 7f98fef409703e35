//! Adding and changing methods on the security-info page (docs/SECURITY.md, "Registering
//! methods"), and the second proof of a person who has none.
//!
//! A method counts only once verified: an e-mail address once the code sent to it is
//! typed, an authenticator app once it shows a right code. Until then it is a
//! registration, bound to the session that started it, that no reset ever sees. A
//! registration of a kind the person has replaces that method when confirmed, so a
//! changed address is used only after it is verified. Starting one needs a recent proof;
//! the policy decides the kinds, and administrators never register security questions.
//!
//! A person with no method cannot prove one at sign-in, and a password alone must not be
//! enough to plant methods: they prove their session with a code sent to the address the
//! directory holds for them, or with an administrator's one-time pass.

use super::{Session, SessionError, SessionService, cookie, pass};
use crate::crypto::codes;
use crate::crypto::totp::{self, TotpSecret};
use crate::directory::{Directory, DirectoryError};
use crate::methods::mobile_phone;
use crate::methods::{app_code, sent_code};
use crate::phone::OutboundChannel;
use crate::phone::messages as phone_messages;
use crate::phone::number as phone_number;
use crate::reset::{ResetError, decoy, messages};
use crate::store::interface::{RegistrationCheck, RegistrationChecker};
use crate::store::records::{
    Account, NewRegistration, RegistrationAttempt, RegistrationInput, RegistrationOutcome,
    RegistrationPurpose, RegistrationStart,
};
use crate::store::records::{ChangeNotice, NoticeFor};
use crate::store::{DirectoryStore, ResetStore, SessionStore};
use crate::texts::Language;
use sspr_api::MethodKind;
use sspr_api::session::{MethodList, NewMethod, PendingMethod, QuestionChoice, ReportedChange};
use std::sync::Arc;

/// Where a registration's code goes.
#[derive(Clone, Copy)]
enum Destination<'a> {
    Email(&'a str),
    /// A number in E.164, on a phone channel, for a phone method of `kind`.
    Phone {
        kind: MethodKind,
        number: &'a str,
        channel: OutboundChannel,
    },
}

/// Seconds an authenticator app's registration waits for its first code (installing an
/// app takes longer than reading an e-mail).
pub const APP_REGISTRATION_SECONDS: u64 = 15 * 60;

impl<S: SessionStore + DirectoryStore + ResetStore> SessionService<S> {
    fn directory(&self) -> Directory<S> {
        Directory {
            store: self.store.clone(),
            keys: Arc::clone(&self.keys),
            hasher: self.hasher.clone(),
            clock: self.clock.clone(),
            custom_questions: self.policy.security_questions.custom.len(),
            phone_region: self.phone_region,
        }
    }

    /// A session with a recent proof, for a change to the person's methods.
    async fn changing(&self, id: &str) -> Result<(Session, Account), SessionError> {
        let (session, account) = self.signed_in(id).await?;
        if !self.recently_proven(&session) {
            return Err(SessionError::ProofNeeded);
        }
        Ok((session, account))
    }

    /// Whether the policy lets this person register `kind`.
    pub(crate) fn may_register(
        &self,
        account: &Account,
        kind: MethodKind,
    ) -> Result<(), SessionError> {
        if !self.policy.methods.contains(&kind) || !crate::methods::can_prove(kind) {
            return Err(SessionError::MethodDisabled);
        }
        if kind == MethodKind::SecurityQuestions && account.is_admin {
            return Err(SessionError::MethodNotForAdmins);
        }
        Ok(())
    }

    /// Starts adding (or changing) a method: a code to a new address, or a new app secret
    /// to scan. Needs a recent proof. A code is written in `language` (the page's, from
    /// the request), else in the account's.
    pub async fn start_registration(
        &self,
        id: &str,
        method: NewMethod,
        language: Option<Language>,
    ) -> Result<PendingMethod, SessionError> {
        let (_, account) = self.changing(id).await?;
        let kind = match &method {
            NewMethod::Email { .. } => MethodKind::Email,
            NewMethod::AppCode => MethodKind::AppCode,
            NewMethod::MobilePhone { .. } => MethodKind::MobilePhone,
            NewMethod::OfficePhone { .. } => MethodKind::OfficePhone,
            NewMethod::AppNotification => MethodKind::AppNotification,
        };
        self.may_register(&account, kind)?;
        let replaces = account
            .methods
            .iter()
            .find(|m| m.kind == kind)
            .map(|m| m.id.to_string());
        let pending = match method {
            NewMethod::Email { address } => {
                let address = sent_code::email_address(&address)
                    .ok_or(SessionError::InvalidAddress)?
                    .to_owned();
                self.send_code(
                    id,
                    &account,
                    Destination::Email(&address),
                    RegistrationPurpose::Method,
                    language,
                )
                .await?
            }
            NewMethod::AppCode => self.new_app(id, &account).await?,
            NewMethod::AppNotification => self.new_device(id, &account).await?,
            NewMethod::MobilePhone { number, channel } => {
                let channel = mobile_phone::channel(&self.policy.phone.mobile_channels, channel)
                    .ok_or(ResetError::InvalidProof("this channel is not offered"))?;
                let number = phone_number::e164(&number, self.phone_region)
                    .ok_or(SessionError::InvalidPhoneNumber)?;
                let to = Destination::Phone {
                    kind,
                    number: &number,
                    channel: mobile_phone::outbound(channel),
                };
                self.send_code(id, &account, to, RegistrationPurpose::Method, language)
                    .await?
            }
            NewMethod::OfficePhone { number } => {
                let number = phone_number::e164(&number, self.phone_region)
                    .ok_or(SessionError::InvalidPhoneNumber)?;
                let to = Destination::Phone {
                    kind,
                    number: &number,
                    channel: OutboundChannel::Voice,
                };
                self.send_code(id, &account, to, RegistrationPurpose::Method, language)
                    .await?
            }
        };
        Ok(PendingMethod {
            replaces,
            ..pending
        })
    }

    /// A registration of a code sent to an address or number, within the send limits, in
    /// `language` or else the account's.
    async fn send_code(
        &self,
        id: &str,
        account: &Account,
        to: Destination<'_>,
        purpose: RegistrationPurpose,
        language: Option<Language>,
    ) -> Result<PendingMethod, SessionError> {
        let language =
            language.unwrap_or_else(|| Language::of(account.preferred_locale.as_deref()));
        let (kind, address) = match to {
            Destination::Email(address) => (MethodKind::Email, address),
            Destination::Phone { kind, number, .. } => (kind, number),
        };
        let now = self.clock.now();
        let registration = crate::seeded::hex(&crate::crypto::random_bytes::<16>());
        let policy = &self.policy.codes;
        let binding = sent_code::registration_binding(&registration);
        let code = sent_code::draw_bound(&self.keys, policy, &binding, now);
        let dedupe_key = format!("registration:{registration}");
        let message = match to {
            Destination::Email(address) => messages::registration_code(
                &self.keys.outbox,
                language,
                self.reset.organisation(),
                dedupe_key,
                address,
                messages::SentCode {
                    code: &code.code,
                    lifetime_minutes: policy.lifetime_minutes,
                    expires_at: code.expires_at,
                },
                purpose == RegistrationPurpose::Contact,
            ),
            Destination::Phone {
                number, channel, ..
            } => phone_messages::code(
                &self.keys.outbox,
                language,
                channel,
                self.reset.organisation(),
                dedupe_key,
                number,
                &code.code,
                code.expires_at,
            ),
        };
        let started = self
            .store
            .begin_registration(
                NewRegistration {
                    code_hash: Some(code.hash),
                    sealed_secret: None,
                    contact: Some(address.to_owned()),
                    message: Some(message),
                    expires_at: code.expires_at,
                    kind,
                    ..self.registration(id, account, &registration, purpose, now)
                },
                self.reset.limits(),
            )
            .await?;
        match started {
            RegistrationStart::Started => self.reset.wake_outbox(),
            RegistrationStart::RateLimited { retry_after } => {
                return Err(ResetError::RateLimited { retry_after }.into());
            }
            RegistrationStart::TooManySends { retry_after } => {
                return Err(ResetError::TooManyCodes { retry_after }.into());
            }
        }
        Ok(PendingMethod {
            registration_id: registration,
            kind,
            sent_to: Some(address.to_owned()),
            secret: None,
            otpauth_uri: None,
            expires_in_seconds: code.lifetime,
            replaces: None,
            enrol_url: None,
        })
    }

    /// A registration of a new authenticator app secret, shown once.
    async fn new_app(&self, id: &str, account: &Account) -> Result<PendingMethod, SessionError> {
        let now = self.clock.now();
        let registration = crate::seeded::hex(&crate::crypto::random_bytes::<16>());
        let secret = TotpSecret::generate();
        let uri = secret
            .provisioning_uri(self.reset.organisation(), &account.user_id)
            .map_err(|_| SessionError::InvalidAddress)?;
        let sealed_secret = app_code::seal_in(
            &self.keys,
            &app_code::registration_context(&registration),
            &secret,
        );
        let started = self
            .store
            .begin_registration(
                NewRegistration {
                    sealed_secret: Some(sealed_secret),
                    expires_at: now + APP_REGISTRATION_SECONDS,
                    kind: MethodKind::AppCode,
                    ..self.registration(
                        id,
                        account,
                        &registration,
                        RegistrationPurpose::Method,
                        now,
                    )
                },
                self.reset.limits(),
            )
            .await?;
        debug_assert_eq!(started, RegistrationStart::Started);
        Ok(PendingMethod {
            registration_id: registration,
            kind: MethodKind::AppCode,
            sent_to: None,
            secret: Some(secret.base32()),
            otpauth_uri: Some(uri),
            expires_in_seconds: APP_REGISTRATION_SECONDS,
            replaces: None,
            enrol_url: None,
        })
    }

    /// The parts of a new registration every kind shares.
    pub(super) fn registration(
        &self,
        id: &str,
        account: &Account,
        registration: &str,
        purpose: RegistrationPurpose,
        now: u64,
    ) -> NewRegistration {
        NewRegistration {
            id: registration.to_owned(),
            session: cookie::id_hash(id),
            user: account.id,
            user_id: account.user_id.clone(),
            subject: decoy::subject(&self.keys.decoy, &account.user_id),
            kind: MethodKind::Email,
            purpose,
            contact: None,
            sealed_secret: None,
            code_hash: None,
            now,
            expires_at: now,
            message: None,
        }
    }

    /// Checks `code` against a registration (a sent code's hash, or the app secret) and,
    /// when right, seals the app secret for the method row it becomes.
    fn checker(&self, registration: &str, code: &str, now: u64) -> RegistrationChecker {
        let keys = Arc::clone(&self.keys);
        let registration = registration.to_owned();
        let typed = code.trim().to_owned();
        Box::new(move |input: &RegistrationInput| {
            if let Some(sealed_secret) = &input.sealed_secret {
                let context = app_code::registration_context(&registration);
                let secret = app_code::open_in(&keys, &context, sealed_secret);
                let Some(secret) = secret else {
                    return RegistrationCheck::Wrong;
                };
                return match totp::verify(&secret, &typed, now, None) {
                    Ok(step) => RegistrationCheck::Right {
                        totp_step: Some(step),
                        seal: Box::new(move |method| Some(app_code::seal(&keys, method, &secret))),
                    },
                    Err(_) => RegistrationCheck::Wrong,
                };
            }
            let right = input.code_hash.as_deref().is_some_and(|hash| {
                codes::verify(
                    &keys.codes,
                    &sent_code::registration_binding(&registration),
                    &typed,
                    hash,
                )
            });
            if right {
                RegistrationCheck::Right {
                    totp_step: None,
                    seal: Box::new(|_| None),
                }
            } else {
                RegistrationCheck::Wrong
            }
        })
    }

    /// Confirms a registration of this session with its code: `Method` ones become a
    /// method (the answer), `Contact` ones prove the session.
    async fn confirm(
        &self,
        id: &str,
        session: &Session,
        registration: &str,
        code: &str,
        purpose: RegistrationPurpose,
    ) -> Result<RegistrationOutcome, SessionError> {
        let now = self.clock.now();
        // The person's other addresses are told of a method added or changed, from the
        // account as it was.
        let notice: NoticeFor = match purpose {
            RegistrationPurpose::Method => {
                let account = self.account_of(session.user).await?;
                let service = self.clone();
                Box::new(move |kind, replaced, contact| {
                    let change = if replaced {
                        ReportedChange::MethodChanged
                    } else {
                        ReportedChange::MethodAdded
                    };
                    service.notice(&account, change, Some(kind), contact)
                })
            }
            RegistrationPurpose::Contact => Box::new(|_, _, _| ChangeNotice::default()),
        };
        let outcome = self
            .store
            .confirm_registration(
                RegistrationAttempt {
                    id: registration.to_owned(),
                    session: cookie::id_hash(id),
                    user: session.user,
                    purpose,
                    now,
                    max_attempts: self.policy.codes.max_attempts,
                    notice,
                },
                self.checker(registration, code, now),
            )
            .await?;
        match outcome {
            RegistrationOutcome::Wrong { attempts_left } => {
                Err(ResetError::CodeIncorrect { attempts_left }.into())
            }
            RegistrationOutcome::Gone => Err(SessionError::RegistrationNotFound),
            done => Ok(done),
        }
    }

    /// Confirms a method registration with its code; the methods, the new one counting.
    pub async fn confirm_registration(
        &self,
        id: &str,
        registration: &str,
        code: &str,
    ) -> Result<MethodList, SessionError> {
        // A proof at sign-in is enough here: the registration was started with a recent
        // one, and an app may take a while to set up.
        let (session, _) = self.signed_in(id).await?;
        self.confirm(
            id,
            &session,
            registration,
            code,
            RegistrationPurpose::Method,
        )
        .await?;
        let account = self.account_of(session.user).await?;
        Ok(self.list(&account))
    }

    /// The questions to choose answers for.
    pub async fn question_choice(&self, id: &str) -> Result<QuestionChoice, SessionError> {
        let (_, account) = self.signed_in(id).await?;
        self.may_register(&account, MethodKind::SecurityQuestions)?;
        Ok(QuestionChoice {
            questions: self.policy.security_questions.ids(),
            register: self.policy.security_questions.register,
            registered: !account.questions.is_empty(),
        })
    }

    /// Registers security answers (replacing any before); needs a recent proof.
    pub async fn set_answers(
        &self,
        id: &str,
        answers: Vec<sspr_api::reset::Answer>,
    ) -> Result<MethodList, SessionError> {
        let (_, account) = self.changing(id).await?;
        self.may_register(&account, MethodKind::SecurityQuestions)?;
        let had = !account.questions.is_empty();
        let answers: Vec<(String, String)> = answers
            .into_iter()
            .map(|answer| (answer.question, answer.answer))
            .collect();
        let required = usize::from(self.policy.security_questions.register);
        let change = if had {
            ReportedChange::MethodChanged
        } else {
            ReportedChange::MethodAdded
        };
        let kind = Some(MethodKind::SecurityQuestions);
        let notice = self.notice(&account, change, kind, None);
        match self
            .directory()
            .set_answers_told(&account.user_id, &answers, required, notice)
            .await
        {
            Ok(()) => {}
            Err(DirectoryError::Answers(problem)) => return Err(SessionError::Answers(problem)),
            Err(DirectoryError::Hash(error)) => return Err(error.into()),
            Err(DirectoryError::Store(error)) => return Err(error.into()),
            Err(_) => return Err(SessionError::NotSignedIn),
        }
        let account = self.account_of(account.id).await?;
        Ok(self.list(&account))
    }

    /// For a person with no method: sends a code to the address the directory holds for
    /// them, which proves the session once typed; in `language` (the page's), else the
    /// account's.
    pub async fn send_contact_code(
        &self,
        id: &str,
        language: Option<Language>,
    ) -> Result<PendingMethod, SessionError> {
        let session = self.session(id).await?;
        let account = self.account_of(session.user).await?;
        // Someone with methods proves one of them; the directory's address is for the
        // first registration only.
        let address = match &account.email {
            Some(address) if account.methods.is_empty() => address.clone(),
            _ => return Err(ResetError::MethodNotOffered.into()),
        };
        let pending = self
            .send_code(
                id,
                &account,
                Destination::Email(&address),
                RegistrationPurpose::Contact,
                language,
            )
            .await?;
        Ok(PendingMethod {
            // They did not type it: show it masked, as a reset would.
            sent_to: crate::methods::hint(MethodKind::Email, &address),
            ..pending
        })
    }

    /// Proves the session with the code sent to the directory's address.
    pub async fn prove_with_contact(
        &self,
        id: &str,
        registration: &str,
        code: &str,
    ) -> Result<Session, SessionError> {
        let mut session = self.session(id).await?;
        self.confirm(
            id,
            &session,
            registration,
            code,
            RegistrationPurpose::Contact,
        )
        .await?;
        session.proven_at = Some(self.clock.now());
        Ok(session)
    }

    /// Proves the session with an administrator's one-time pass, which is used up. A
    /// wrong one counts against the account's failure limit.
    pub async fn prove_with_pass(&self, id: &str, typed: &str) -> Result<Session, SessionError> {
        let mut session = self.session(id).await?;
        let now = self.clock.now();
        let subject = decoy::subject(&self.keys.decoy, &session.user_id);
        if let Some(lock) = self.store.account_lock(subject.clone(), now).await? {
            return Err(lock.into());
        }
        if !self
            .store
            .prove_with_pass(cookie::id_hash(id), session.user, pass::hash(typed), now)
            .await?
        {
            let wrong = SessionError::PassInvalid;
            return Err(self
                .failed(subject, now, "one_time_pass_wrong", wrong)
                .await?);
        }
        session.proven_at = Some(now);
        Ok(session)
    }
}
