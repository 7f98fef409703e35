//! The reset flow over another implementation of the store interface: a wrapper around
//! SQLite that fails chosen operations, as a database in trouble does. Every failure must
//! fail closed (docs/SECURITY.md R11): nothing proven, nothing changed, nothing counted as done.

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use sspr_api::ErrorCode;
use sspr_api::MethodKind;
use sspr_api::captcha::CaptchaSolution;
use sspr_api::reset::{Proof, StartReset};
use sspr_server::clock::Clock;
use sspr_server::config::Config;
use sspr_server::crypto::keys::ServerKeys;
use sspr_server::crypto::passwords::PasswordHasher;
use sspr_server::crypto::totp::{self, TotpSecret};
use sspr_server::directory::Directory;
use sspr_server::limits::{Limit, Locked};
use sspr_server::reset::{FlowKey, ResetError, ResetService};
use sspr_server::store::interface::ProofChecker;
use sspr_server::store::records::NewMessage;
use sspr_server::store::records::Pauses;
use sspr_server::store::records::{
    Account, ChallengeOutcome, Completion, CompletionOutcome, FlowRecord, Limits, NewChallenge,
    ProofAttempt, ProofOutcome,
};
use sspr_server::store::records::{ApprovalRecord, DirectoryEntry, PromptsReported};
use sspr_server::store::{NewUser, ResetStore, SqliteStore, StoreError};
use std::future::Future;
use std::sync::{Arc, Mutex};

const START: u64 = 1_800_000_000;

/// SQLite, except for the one operation told to fail; it records every call.
#[derive(Clone)]
struct Flaky {
    inner: SqliteStore,
    failing: Arc<Mutex<Option<&'static str>>>,
    calls: Arc<Mutex<Vec<&'static str>>>,
}

impl Flaky {
    fn fail(&self, operation: Option<&'static str>) {
        *self.failing.lock().unwrap() = operation;
    }

    /// The operations called since the last time, in order.
    fn take_calls(&self) -> Vec<&'static str> {
        std::mem::take(&mut *self.calls.lock().unwrap())
    }

    fn check(&self, operation: &'static str) -> Result<(), StoreError> {
        self.calls.lock().unwrap().push(operation);
        match *self.failing.lock().unwrap() {
            Some(failing) if failing == operation => {
                Err(StoreError::Injected(operation.to_owned()))
            }
            _ => Ok(()),
        }
    }
}

/// Each operation: fail if told to, else what SQLite does.
macro_rules! delegate {
    ($self:ident, $name:literal, $call:expr) => {{
        let gate = $self.check($name);
        let call = $call;
        async move {
            gate?;
            call.await
        }
    }};
}

impl ResetStore for Flaky {
    fn account(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send {
        delegate!(self, "account", self.inner.account(user_id))
    }
    fn account_by_id(
        &self,
        id: i64,
    ) -> impl Future<Output = Result<Option<Account>, StoreError>> + Send {
        delegate!(self, "account_by_id", self.inner.account_by_id(id))
    }
    fn method_contact(
        &self,
        user: Option<i64>,
        method: Option<i64>,
    ) -> impl Future<Output = Result<Option<String>, StoreError>> + Send {
        delegate!(
            self,
            "method_contact",
            self.inner.method_contact(user, method)
        )
    }
    fn email_domains(&self) -> impl Future<Output = Result<Vec<(String, u64)>, StoreError>> + Send {
        delegate!(self, "email_domains", self.inner.email_domains())
    }
    fn create_flow(&self, flow: FlowRecord) -> impl Future<Output = Result<(), StoreError>> + Send {
        delegate!(self, "create_flow", self.inner.create_flow(flow))
    }
    fn flow(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<FlowRecord>, StoreError>> + Send {
        delegate!(self, "flow", self.inner.flow(id))
    }
    fn extend_flow(
        &self,
        id: &str,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        delegate!(
            self,
            "extend_flow",
            self.inner.extend_flow(id, expires_at, now)
        )
    }
    fn begin_challenge(
        &self,
        challenge: NewChallenge,
        limits: Limits,
    ) -> impl Future<Output = Result<ChallengeOutcome, StoreError>> + Send {
        delegate!(
            self,
            "begin_challenge",
            self.inner.begin_challenge(challenge, limits)
        )
    }
    fn attempt_proof(
        &self,
        attempt: ProofAttempt,
        limits: Limits,
        check: ProofChecker,
        notice: Vec<NewMessage>,
    ) -> impl Future<Output = Result<ProofOutcome, StoreError>> + Send {
        delegate!(
            self,
            "attempt_proof",
            self.inner.attempt_proof(attempt, limits, check, notice)
        )
    }
    fn password_hashes(
        &self,
        user: i64,
        recent: u32,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send {
        delegate!(
            self,
            "password_hashes",
            self.inner.password_hashes(user, recent)
        )
    }
    fn other_admin_emails(
        &self,
        except: i64,
    ) -> impl Future<Output = Result<Vec<(String, Option<String>)>, StoreError>> + Send {
        delegate!(
            self,
            "other_admin_emails",
            self.inner.other_admin_emails(except)
        )
    }
    fn complete_reset(
        &self,
        completion: Completion,
    ) -> impl Future<Output = Result<CompletionOutcome, StoreError>> + Send {
        delegate!(
            self,
            "complete_reset",
            self.inner.complete_reset(completion)
        )
    }
    fn account_lock(
        &self,
        subject: String,
        now: u64,
    ) -> impl Future<Output = Result<Option<Locked>, StoreError>> + Send {
        delegate!(self, "account_lock", self.inner.account_lock(subject, now))
    }
    fn pauses(
        &self,
        subject: String,
        kinds: Vec<MethodKind>,
        now: u64,
    ) -> impl Future<Output = Result<Pauses, StoreError>> + Send {
        delegate!(self, "pauses", self.inner.pauses(subject, kinds, now))
    }
    fn count_account_failure(
        &self,
        subject: String,
        limit: Limit,
        now: u64,
        event: &'static str,
    ) -> impl Future<Output = Result<Option<Locked>, StoreError>> + Send {
        delegate!(
            self,
            "count_account_failure",
            self.inner.count_account_failure(subject, limit, now, event)
        )
    }
    fn spend_captcha(
        &self,
        challenge: String,
        expires_at: u64,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        delegate!(
            self,
            "spend_captcha",
            self.inner.spend_captcha(challenge, expires_at, now)
        )
    }
    fn complete_flow(
        &self,
        id: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        delegate!(self, "complete_flow", self.inner.complete_flow(id, now))
    }
    fn change_password(
        &self,
        change: sspr_server::store::records::PasswordChange,
    ) -> impl Future<Output = Result<u64, StoreError>> + Send {
        delegate!(self, "change_password", self.inner.change_password(change))
    }
    fn approval(
        &self,
        flow_id: &str,
        method_id: &str,
    ) -> impl Future<Output = Result<Option<ApprovalRecord>, StoreError>> + Send {
        delegate!(self, "approval", self.inner.approval(flow_id, method_id))
    }
    fn approval_by_id(
        &self,
        id: &str,
    ) -> impl Future<Output = Result<Option<ApprovalRecord>, StoreError>> + Send {
        delegate!(self, "approval_by_id", self.inner.approval_by_id(id))
    }
    fn device_approvals(
        &self,
        device: i64,
        now: u64,
    ) -> impl Future<Output = Result<Vec<ApprovalRecord>, StoreError>> + Send {
        delegate!(
            self,
            "device_approvals",
            self.inner.device_approvals(device, now)
        )
    }
    fn report_prompts(
        &self,
        report: PromptsReported,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        delegate!(self, "report_prompts", self.inner.report_prompts(report))
    }
    fn sync_directory_entry(
        &self,
        user_id: String,
        entry: Option<DirectoryEntry>,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        delegate!(
            self,
            "sync_directory_entry",
            self.inner.sync_directory_entry(user_id, entry, now)
        )
    }
    fn mark_writeback(
        &self,
        flow_id: String,
        sent: bool,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        delegate!(
            self,
            "mark_writeback",
            self.inner.mark_writeback(flow_id, sent, now)
        )
    }
    fn complete_unlock(
        &self,
        flow_id: String,
        now: u64,
        messages: Vec<NewMessage>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        delegate!(
            self,
            "complete_unlock",
            self.inner.complete_unlock(flow_id, now, messages)
        )
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    store: Flaky,
    service: ResetService<Flaky>,
    directory: Directory,
    keys: Arc<ServerKeys>,
    clock: Clock,
    secret: TotpSecret,
}

/// One method, app codes: the policy of most tests here.
const APP_CODE_ONLY: &str =
    "[policy]\nscope = \"all\"\nmethods_required = 1\nmethods = [\"app_code\"]\n";

async fn fixture() -> Fixture {
    fixture_with(APP_CODE_ONLY).await
}

/// Noor has a password, an authenticator app and an e-mail address.
async fn fixture_with(policy: &str) -> Fixture {
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
    let keys = Arc::new(ServerKeys::ephemeral());
    let clock = Clock::manual(START);
    let hasher = PasswordHasher::new(1).unwrap();
    let directory = Directory {
        store: sqlite.clone().into(),
        keys: Arc::clone(&keys),
        hasher: hasher.clone(),
        clock: clock.clone(),
        custom_questions: 0,
        phone_region: phonenumber::country::Id::US,
    };
    sqlite
        .create_user_if_missing(&NewUser {
            user_id: "noor@contoso.example",
            display_name: "Noor",
            email: None,
            is_admin: false,
            groups: &[],
        })
        .await
        .unwrap();
    directory
        .set_password("noor@contoso.example", "lantern harbour seventeen")
        .await
        .unwrap();
    let secret = directory
        .add_totp("noor@contoso.example", None)
        .await
        .unwrap();
    directory
        .add_email("noor@contoso.example", "noor@home.example")
        .await
        .unwrap();
    let config = Config::parse(policy).unwrap();
    let store = Flaky {
        inner: sqlite,
        failing: Arc::new(Mutex::new(None)),
        calls: Arc::new(Mutex::new(Vec::new())),
    };
    let service = ResetService::new(
        store.clone(),
        Arc::clone(&keys),
        clock.clone(),
        Arc::new(config.policy),
        hasher,
        "Contoso",
        Arc::new(tokio::sync::Notify::new()),
    );
    Fixture {
        _dir: dir,
        store,
        service,
        directory,
        keys,
        clock,
        secret,
    }
}

impl Fixture {
    fn captcha(&self) -> CaptchaSolution {
        let challenge = sspr_server::captcha::issue(&self.keys.captcha, 1_000, self.clock.now());
        let number = sspr_server::captcha::solve(&challenge).unwrap();
        CaptchaSolution::new(&challenge, number)
    }

    async fn start(&self) -> Result<sspr_api::reset::ResetFlow, ResetError> {
        self.start_as("noor@contoso.example").await
    }

    async fn start_as(&self, user_id: &str) -> Result<sspr_api::reset::ResetFlow, ResetError> {
        self.service
            .start(
                StartReset {
                    user_id: user_id.into(),
                    captcha: self.captcha(),
                },
                None,
            )
            .await
    }

    fn code(&self) -> Proof {
        Proof::Code(totp::code_at(&self.secret, self.clock.now()))
    }
}

/// The flow's id and secret, as the app sends them.
fn key(flow: &sspr_api::reset::ResetFlow) -> FlowKey<'_> {
    FlowKey {
        id: &flow.flow_id,
        secret: flow.flow_secret.as_deref().unwrap_or_default(),
    }
}

fn fails_closed(result: Result<impl std::fmt::Debug, ResetError>) {
    let error = result.expect_err("succeeded with the store failing");
    assert_eq!(error.code(), ErrorCode::ServiceUnavailable, "{error:?}");
    assert_eq!(error.problem().status, 503);
}

#[tokio::test]
async fn a_store_that_fails_stops_every_step_and_changes_nothing() {
    let f = fixture().await;
    // No flow without the CAPTCHA recorded as spent, nor without the account read.
    for operation in ["spend_captcha", "account", "pauses", "create_flow"] {
        f.store.fail(Some(operation));
        fails_closed(f.start().await);
    }
    f.store.fail(None);
    let flow = f.start().await.unwrap();
    let method = flow.methods[0].id.clone();

    // More time is not given while it cannot be written.
    f.clock.advance(60);
    f.store.fail(Some("extend_flow"));
    fails_closed(f.service.extend(key(&flow)).await);
    f.store.fail(None);

    // The right code is refused while its check cannot be recorded: counters are never
    // skipped, so nothing is proven without them.
    f.store.fail(Some("attempt_proof"));
    fails_closed(f.service.verify(key(&flow), &method, f.code()).await);
    f.store.fail(None);
    let proven = f
        .service
        .verify(key(&flow), &method, f.code())
        .await
        .unwrap();
    assert!(proven.ready_for_password());

    // The change itself: nothing written while the store fails.
    for operation in ["password_hashes", "complete_reset"] {
        f.store.fail(Some(operation));
        fails_closed(
            f.service
                .set_password(key(&flow), "a brand new passphrase", None, None)
                .await,
        );
        assert!(
            f.directory
                .check_password("noor@contoso.example", "lantern harbour seventeen")
                .await
                .unwrap(),
            "{operation}"
        );
    }
    f.store.fail(None);
    f.service
        .set_password(key(&flow), "a brand new passphrase", None, None)
        .await
        .unwrap();
    assert!(
        f.directory
            .check_password("noor@contoso.example", "a brand new passphrase")
            .await
            .unwrap()
    );
}

/// Finding 6 of the security review (docs/SECURITY.md, equal work): a real account and an
/// unknown user ID make the same store calls, in the same order, at every step. Before
/// the fix only the real flow read the method's address when sending.
#[tokio::test]
async fn real_and_unknown_accounts_make_the_same_store_calls_at_every_step() {
    let f = fixture_with(
        "[policy]\nscope = \"all\"\nmethods_required = 2\nmethods = [\"email\", \"app_code\"]\n",
    )
    .await;
    let mut sequences = Vec::new();
    for user_id in ["noor@contoso.example", "nobody.here@contoso.example"] {
        f.store.take_calls();
        let flow = f.start_as(user_id).await.unwrap();
        let mut steps = vec![("start".to_owned(), f.store.take_calls())];
        for method in &flow.methods {
            f.service
                .challenge(key(&flow), &method.id, Default::default())
                .await
                .unwrap();
            steps.push((format!("send {:?}", method.kind), f.store.take_calls()));
            let wrong = f
                .service
                .verify(key(&flow), &method.id, Proof::Code("00000000".into()))
                .await;
            assert!(wrong.is_err(), "{user_id}: a wrong code was taken");
            steps.push((format!("verify {:?}", method.kind), f.store.take_calls()));
        }
        let refused = f
            .service
            .set_password(key(&flow), "a brand new passphrase", None, None)
            .await;
        assert_eq!(
            refused.unwrap_err().code(),
            ErrorCode::NotVerified,
            "{user_id}"
        );
        steps.push(("password".to_owned(), f.store.take_calls()));
        f.service.extend(key(&flow)).await.unwrap();
        steps.push(("extend".to_owned(), f.store.take_calls()));
        sequences.push(steps);
    }
    assert_eq!(sequences[0].len(), 7, "{:?}", sequences[0]);
    assert_eq!(sequences[0], sequences[1]);
}

/// Equal work for app notifications: sending the prompt, waiting for it and its end (a
/// real person who does not answer, a decoy whose "person" says no) make the same store
/// calls for a real account and an unknown user ID, and the end fails for both.
#[tokio::test]
async fn real_and_unknown_accounts_wait_for_app_notifications_with_the_same_store_calls() {
    use sspr_server::store::records::{
        ChangeNotice, DeviceEnrolment, NewRegistration, NewSession, RegistrationPurpose,
    };
    let f = fixture_with(
        "[policy]\nscope = \"all\"\nmethods_required = 1\nmethods = [\"app_notification\"]\n",
    )
    .await;
    // Noor's phone, enrolled as the security-info page does it.
    let sqlite = &f.store.inner;
    let noor = sqlite
        .account("noor@contoso.example")
        .await
        .unwrap()
        .unwrap();
    let session = vec![1; 32];
    sqlite
        .create_session(NewSession {
            id_hash: session.clone(),
            user: noor.id,
            now: START,
            expires_at: START + 3600,
            proven_at: Some(START),
            replaces: None,
            user_id: noor.user_id.clone(),
            locale: None,
        })
        .await
        .unwrap();
    let limit = Limit {
        threshold: 10,
        lock_seconds: 900,
        growing: false,
    };
    let limits = Limits {
        account: limit,
        method: limit,
        code_attempts: 5,
        sends_per_window: 10,
        send_window: 3600,
        resend_interval: 0,
        resend_per_account: false,
    };
    sqlite
        .begin_registration(
            NewRegistration {
                id: "r1".into(),
                session,
                user: noor.id,
                user_id: noor.user_id.clone(),
                subject: "s".into(),
                kind: MethodKind::AppNotification,
                purpose: RegistrationPurpose::Method,
                contact: None,
                sealed_secret: None,
                code_hash: Some(vec![9; 32]),
                now: START,
                expires_at: START + 900,
                message: None,
            },
            limits,
        )
        .await
        .unwrap();
    sqlite
        .enrol_device(DeviceEnrolment {
            token_hash: vec![9; 32],
            user: noor.id,
            device_id: "d1".into(),
            public_key: vec![4; 65],
            name: "Pixel".into(),
            subscription: None,
            now: START,
            session_seen_after: START - 900,
            notice: Box::new(|_, _, _| ChangeNotice::default()),
        })
        .await
        .unwrap();

    // An unknown user ID whose decoy is not an administrator's (who would need two).
    let unknown = (0..)
        .map(|n| format!("nobody.{n}@contoso.example"))
        .find(|id| !sspr_server::reset::decoy::looks_like_admin(&f.keys.decoy, id))
        .unwrap();
    let mut sequences = Vec::new();
    for user_id in ["noor@contoso.example", unknown.as_str()] {
        f.store.take_calls();
        let flow = f.start_as(user_id).await.unwrap();
        assert_eq!(flow.methods.len(), 1, "{user_id}");
        assert_eq!(flow.methods[0].kind, MethodKind::AppNotification);
        let method = &flow.methods[0].id;
        let mut steps = vec![("start", f.store.take_calls())];
        let sent = f
            .service
            .challenge(key(&flow), method, Default::default())
            .await
            .unwrap();
        assert_eq!(sent.wait_seconds, Some(60));
        steps.push(("send", f.store.take_calls()));
        let wait = std::time::Duration::ZERO;
        let waiting = f.service.approval_status(key(&flow), method, wait).await;
        assert_eq!(
            waiting.unwrap().state,
            sspr_api::authenticator::ApprovalState::Waiting
        );
        steps.push(("waiting", f.store.take_calls()));
        f.clock.advance(60);
        let ended = f.service.approval_status(key(&flow), method, wait).await;
        assert_eq!(
            ended.unwrap().state,
            sspr_api::authenticator::ApprovalState::NotApproved,
            "{user_id}"
        );
        steps.push(("ended", f.store.take_calls()));
        sequences.push(steps);
    }
    assert!(
        sequences[0][3].1.contains(&"attempt_proof"),
        "{:?}",
        sequences[0]
    );
    assert_eq!(sequences[0], sequences[1]);
}
