//! Tests against a real PostgreSQL server: the one `SSPR_TEST_POSTGRES` names (a URL whose
//! role may `CREATE DATABASE`, e.g. `postgres://sspr@127.0.0.1:55432/postgres`), else a
//! throwaway server they start themselves (`throwaway.rs`, from the machine's PostgreSQL
//! programs; `./sspr.sh test` installs them). Each test works in a database of its own with
//! a random name, dropped at its end.

#![allow(clippy::unwrap_used)] // tests fail loudly on unexpected errors

use super::*;
use crate::limits::{Limit, Limits};
use crate::store::interface::{
    AdminStore, DirectoryStore, OutboxStore, ProofChecker, ResetStore, UpkeepStore,
};
use crate::store::records::{
    ChallengeOutcome, Completion, CompletionOutcome, DeliveryStatus, FlowMethod, FlowPurpose,
    FlowRecord, MessageChannel, NewChallenge, NewMessage, ProofAttempt, ProofCheck, ProofInput,
    ProofOutcome, ProofSource, PurgeReport,
};
use crate::store::{NewUser, SqliteStore};
use sspr_api::MethodKind;
use std::fmt::Debug;

const START: u64 = 1_800_000_000;
const DAY: u64 = 86_400;

const LIMITS: Limits = Limits {
    account: Limit {
        threshold: 10,
        lock_seconds: 900,
        growing: true,
    },
    method: Limit {
        threshold: 5,
        lock_seconds: 900,
        growing: false,
    },
    code_attempts: 3,
    sends_per_window: 3,
    send_window: crate::limits::HOUR,
    resend_per_account: false,
    resend_interval: 30,
};

/// A database of the test's own on the server `SSPR_TEST_POSTGRES` names.
struct TestDb {
    admin: Config,
    name: String,
    store: PgStore,
}

async fn admin_client(admin: &Config) -> tokio_postgres::Client {
    let (client, connection) = admin.connect(NoTls).await.unwrap();
    tokio::spawn(connection);
    client
}

fn random_name() -> String {
    let mut bytes = [0u8; 8];
    getrandom::fill(&mut bytes).unwrap();
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    format!("sspr_test_{hex}")
}

impl TestDb {
    /// A fresh, migrated database.
    async fn new() -> TestDb {
        let (admin, name) = TestDb::empty().await;
        let mut config = admin.clone();
        config.dbname(&name);
        let store = PgStore::from_config(config).await.unwrap();
        TestDb { admin, name, store }
    }

    /// A fresh database with nothing in it (not even the schema).
    async fn empty() -> (Config, String) {
        let url = std::env::var("SSPR_TEST_POSTGRES")
            .ok()
            .filter(|url| !url.is_empty())
            .unwrap_or_else(|| super::throwaway::cluster().url("postgres"));
        let admin: Config = url.parse().unwrap();
        let name = random_name();
        admin_client(&admin)
            .await
            .batch_execute(&format!("CREATE DATABASE {name}"))
            .await
            .unwrap();
        (admin, name)
    }

    fn config(&self) -> Config {
        let mut config = self.admin.clone();
        config.dbname(&self.name);
        config
    }

    /// A connection of the test's own, for looking at rows directly.
    async fn sql(&self) -> tokio_postgres::Client {
        admin_client(&self.config()).await
    }

    async fn count(&self, sql: &str) -> i64 {
        self.sql().await.query_one(sql, &[]).await.unwrap().get(0)
    }

    async fn drop_database(self) {
        self.store.pool.close();
        drop_database(&self.admin, &self.name).await;
    }
}

async fn drop_database(admin: &Config, name: &str) {
    admin_client(admin)
        .await
        .batch_execute(&format!("DROP DATABASE {name} WITH (FORCE)"))
        .await
        .unwrap();
}

/// The test's database.
macro_rules! test_db {
    () => {
        TestDb::new().await
    };
}

fn user<'a>(user_id: &'a str, email: Option<&'a str>, groups: &'a [&'a str]) -> NewUser<'a> {
    NewUser {
        user_id,
        display_name: "Someone",
        email,
        is_admin: false,
        groups,
    }
}

/// A user with an e-mail method: the user's and the method's row ids.
async fn user_with_email(store: &PgStore, user_id: &str, email: &str) -> (i64, i64) {
    assert!(
        store
            .create_user_if_missing(&user(user_id, Some(email), &["sspr-users"]))
            .await
            .unwrap()
    );
    let method = store
        .add_method(
            user_id,
            MethodKind::Email,
            Some(email.into()),
            START,
            |_| None,
        )
        .await
        .unwrap();
    let account = ResetStore::account(store, user_id).await.unwrap().unwrap();
    (account.id, method)
}

/// A flow of `subject` offering one e-mail method "m1" (a decoy without `user`).
fn flow(id: &str, subject: &str, user: Option<i64>, method: Option<i64>) -> FlowRecord {
    FlowRecord {
        purpose: FlowPurpose::Reset,
        id: id.into(),
        secret_hash: vec![1; 32],
        subject: subject.into(),
        user,
        methods_required: 1,
        methods: vec![FlowMethod {
            id: "m1".into(),
            kind: MethodKind::Email,
            hint: Some("•••@home.example".into()),
            record: method,
            questions: Vec::new(),
        }],
        created_at: START,
        expires_at: START + 1200,
        completed_at: None,
        verified: Vec::new(),
    }
}

fn message(key: &str) -> NewMessage {
    NewMessage {
        dedupe_key: key.into(),
        channel: MessageChannel::Email,
        recipient: "someone@home.example".into(),
        subject: "Your code".into(),
        sealed_body: vec![7; 16],
        discard_after: None,
    }
}

/// A code ("right") for method "m1" of `flow`, sent by e-mail.
fn code(flow: &str, subject: &str, now: u64) -> NewChallenge {
    NewChallenge {
        flow_id: flow.into(),
        method_id: "m1".into(),
        subject: subject.into(),
        kind: MethodKind::Email,
        send_channel: "email".into(),
        now,
        code: Some((b"right".to_vec(), now + 600)),
        questions: Vec::new(),
        message: Some(message(&format!("code:{flow}:{now}"))),
        deliver: true,
        approval: None,
    }
}

fn attempt(flow: &str, now: u64) -> ProofAttempt {
    ProofAttempt {
        flow_id: flow.into(),
        method_id: "m1".into(),
        source: ProofSource::SentCode,
        now,
    }
}

/// The sent-code check: right when `typed` is the code the store holds.
fn typed(typed: &'static [u8]) -> ProofChecker {
    Box::new(move |input: &ProofInput| {
        if input.code_hash.as_deref() == Some(typed) {
            ProofCheck::Right { totp_step: None }
        } else {
            ProofCheck::Wrong
        }
    })
}

#[tokio::test]
async fn migrations_apply_once_and_a_second_time_change_nothing() {
    let db = test_db!();
    assert_eq!(db.store.schema_version().await.unwrap(), migrations::LATEST);
    let tables = "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'";
    let before = db.count(tables).await;
    assert_eq!(before, 19, "18 tables and schema_version");
    let mut client = db.store.pool.get().await.unwrap();
    let lock_timeout: String = client
        .query_one("SHOW lock_timeout", &[])
        .await
        .unwrap()
        .get(0);
    assert_eq!(lock_timeout, "5s", "set on every new connection");
    assert_eq!(
        migrations::apply(&mut client).await.unwrap(),
        migrations::LATEST
    );
    drop(client);
    // A second server over the same database.
    let again = PgStore::from_config(db.config()).await.unwrap();
    assert_eq!(again.schema_version().await.unwrap(), migrations::LATEST);
    again.pool.close();
    assert_eq!(db.count(tables).await, before);
    assert_eq!(db.count("SELECT count(*) FROM schema_version").await, 1);
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn servers_starting_at_once_migrate_once() {
    let (admin, name) = TestDb::empty().await;
    let mut config = admin.clone();
    config.dbname(&name);
    let starts: Vec<_> = (0..4)
        .map(|_| tokio::spawn(PgStore::from_config(config.clone())))
        .collect();
    for start in starts {
        let store = start.await.unwrap().unwrap();
        assert_eq!(store.schema_version().await.unwrap(), migrations::LATEST);
        store.pool.close();
    }
    drop_database(&admin, &name).await;
}

#[tokio::test]
async fn a_newer_schema_is_refused() {
    let db = test_db!();
    db.sql()
        .await
        .batch_execute("UPDATE schema_version SET version = 999")
        .await
        .unwrap();
    let err = PgStore::from_config(db.config()).await.err().unwrap();
    assert!(
        matches!(err, StoreError::SchemaTooNew { found: 999, known } if known == migrations::LATEST),
        "{err:?}"
    );
    db.drop_database().await;
}

#[tokio::test]
async fn urls_are_parsed_and_tls_is_never_skipped_when_required() {
    let db = test_db!();
    let config = db.config();
    let host = match &config.get_hosts()[0] {
        tokio_postgres::config::Host::Tcp(host) => host.clone(),
        // The test server is named by a socket folder: the URL form takes it as `?host=`.
        tokio_postgres::config::Host::Unix(_) => {
            db.drop_database().await;
            return;
        }
    };
    let user = config.get_user().unwrap();
    let port = config.get_ports().first().copied().unwrap_or(5432);
    let url = format!("postgresql://{user}@{host}:{port}/{}", db.name);
    let store = PgStore::connect(&url).await.unwrap();
    store.ping().await.unwrap();
    store.pool.close();
    assert!(matches!(
        PgStore::connect("postgres://nobody@host:port/db").await,
        Err(StoreError::Database(message)) if message.starts_with("invalid PostgreSQL URL")
    ));
    let ssl: String = db
        .sql()
        .await
        .query_one("SHOW ssl", &[])
        .await
        .unwrap()
        .get(0);
    let required = PgStore::connect(&format!("{url}?sslmode=require")).await;
    match (ssl.as_str(), required) {
        // The server speaks no TLS: asked for, it is refused, not skipped.
        ("off", Err(StoreError::Database(message))) => {
            assert!(message.contains("TLS"), "{message}")
        }
        // A certificate that the Mozilla roots do not vouch for (a test server's own) is
        // refused; a trusted one is used.
        (_, Err(StoreError::Database(message))) => {
            assert!(message.contains("certificate"), "{message}")
        }
        ("off", other) => panic!("TLS was required: {:?}", other.map(|_| ())),
        (_, Ok(store)) => store.pool.close(),
        (_, Err(err)) => panic!("{err:?}"),
    }
    db.drop_database().await;
}

#[tokio::test]
async fn users_methods_and_accounts_round_trip() {
    let db = test_db!();
    let store = &db.store;
    let groups = ["sspr-users", "Staff"];
    assert!(
        store
            .create_user_if_missing(&user(
                "Adele@Example.org",
                Some("adele@example.org"),
                &groups
            ))
            .await
            .unwrap()
    );
    assert!(
        !store
            .create_user_if_missing(&user("adele@EXAMPLE.org", None, &[]))
            .await
            .unwrap(),
        "user IDs compare without case"
    );
    // Like SQLite's NOCASE, only ASCII letters fold: these are two other people.
    assert!(
        store
            .create_user_if_missing(&user("Ádele@example.org", None, &[]))
            .await
            .unwrap()
    );
    assert!(
        ResetStore::account(store, "ádele@example.org")
            .await
            .unwrap()
            .is_none()
    );
    assert_eq!(
        ResetStore::account(store, "ÁDELE@EXAMPLE.ORG")
            .await
            .unwrap()
            .unwrap()
            .user_id,
        "Ádele@example.org"
    );

    let email = store
        .add_method(
            "ADELE@example.org",
            MethodKind::Email,
            Some("adele@Home.Example".into()),
            START,
            |_| None,
        )
        .await
        .unwrap();
    let app = store
        .add_method(
            "adele@example.org",
            MethodKind::AppCode,
            None,
            START,
            |id| Some(id.to_be_bytes().to_vec()),
        )
        .await
        .unwrap();
    let account = ResetStore::account(store, "ADELE@EXAMPLE.ORG")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(account.user_id, "Adele@Example.org");
    assert_eq!(account.email.as_deref(), Some("adele@example.org"));
    assert!(account.enabled && !account.is_admin);
    assert_eq!(
        account.groups,
        ["sspr-users", "Staff"],
        "by name, without case"
    );
    let methods: Vec<_> = account
        .methods
        .iter()
        .map(|m| (m.id, m.kind, m.contact.clone(), m.is_default))
        .collect();
    assert_eq!(
        methods,
        [
            (
                email,
                MethodKind::Email,
                Some("adele@Home.Example".into()),
                true
            ),
            (app, MethodKind::AppCode, None, false),
        ]
    );
    let secret: Vec<u8> = db
        .sql()
        .await
        .query_one("SELECT secret FROM methods WHERE id = $1", &[&app])
        .await
        .unwrap()
        .get(0);
    assert_eq!(secret, app.to_be_bytes(), "sealed for the new row's id");
    let by_id = account_by_id(store, account.id).await;
    assert_eq!(by_id.user_id, "Adele@Example.org");

    store
        .set_security_answers(
            "adele@example.org",
            account.id,
            vec![
                ("first_pet".into(), vec![1; 32]),
                ("birth_city".into(), vec![2; 32]),
            ],
            START,
            Default::default(),
        )
        .await
        .unwrap();
    assert!(matches!(
        store
            .set_security_answers(
                "adele@example.org",
                account.id + 1000,
                vec![],
                START,
                Default::default(),
            )
            .await,
        Err(StoreError::NoSuchUser(_))
    ));
    // A refused statement rolls the whole change back, and its error names the constraint
    // and SQLSTATE, not the row's values.
    let twice = vec![("q".to_owned(), vec![1; 32]), ("q".to_owned(), vec![2; 32])];
    let err = store
        .set_security_answers(
            "adele@example.org",
            account.id,
            twice,
            START,
            Default::default(),
        )
        .await
        .err()
        .unwrap();
    assert!(
        matches!(&err, StoreError::Database(m) if m.contains("security_answers_pkey") && m.contains("23505") && !m.contains("DETAIL")),
        "{err:?}"
    );
    let account = account_by_id(store, account.id).await;
    assert_eq!(account.questions, ["birth_city", "first_pet"]);
    assert_eq!(
        account.methods.last().map(|m| m.kind),
        Some(MethodKind::SecurityQuestions)
    );

    store
        .add_to_group("adele@example.org", "STAFF", START)
        .await
        .unwrap();
    store
        .add_to_group("adele@example.org", "admins", START)
        .await
        .unwrap();
    let users = store.list_users().await.unwrap();
    let listed: Vec<_> = users
        .iter()
        .map(|u| (u.user_id.as_str(), u.groups.clone()))
        .collect();
    assert_eq!(
        listed,
        [
            (
                "Adele@Example.org",
                vec!["sspr-users".to_owned(), "Staff".into(), "admins".into()]
            ),
            ("Ádele@example.org", vec![]),
        ],
        "groups in the order they were joined, STAFF being Staff"
    );

    assert_eq!(
        store
            .method_contact(Some(account.id), Some(email))
            .await
            .unwrap(),
        Some("adele@Home.Example".into())
    );
    assert_eq!(store.method_contact(None, None).await.unwrap(), None);
    assert_eq!(
        store
            .method_contact(Some(account.id + 1), Some(email))
            .await
            .unwrap(),
        None,
        "only through its owner"
    );
    assert_eq!(
        store.email_domains().await.unwrap(),
        [("home.example".to_owned(), 1)]
    );
    let listing = store.list_methods("Adele@example.org").await.unwrap();
    assert_eq!(listing.len(), 3);
    assert!(matches!(
        store.list_methods("nobody@example.org").await,
        Err(StoreError::NoSuchUser(_))
    ));
    assert!(
        ResetStore::account(store, "nobody@example.org")
            .await
            .unwrap()
            .is_none()
    );

    store
        .set_password_hash("adele@example.org", "h1".into(), START)
        .await
        .unwrap();
    store
        .set_password_hash("adele@example.org", "h2".into(), START)
        .await
        .unwrap();
    assert_eq!(
        store.password_hash_of("ADELE@example.org").await.unwrap(),
        Some("h2".into())
    );
    assert_eq!(
        store.password_hashes(account.id, 5).await.unwrap(),
        ["h2", "h1"]
    );
    store
        .set_enabled("adele@example.org", false, START)
        .await
        .unwrap();
    assert!(!account_by_id(store, account.id).await.enabled);
    assert_eq!(
        store.recent_audit_events(3).await.unwrap(),
        [
            "user_disabled",
            "password_set_by_admin",
            "password_set_by_admin"
        ]
    );
    db.drop_database().await;
}

async fn account_by_id(store: &PgStore, id: i64) -> crate::store::records::Account {
    store.account_by_id(id).await.unwrap().unwrap()
}

#[tokio::test]
async fn challenges_and_proofs_count_and_pause() {
    let db = test_db!();
    let store = &db.store;
    let (user, method) = user_with_email(store, "a@example.org", "a@home.example").await;
    store
        .create_flow(flow("f1", "sa", Some(user), Some(method)))
        .await
        .unwrap();
    let t = START;
    assert_eq!(
        store
            .begin_challenge(code("f1", "sa", t), LIMITS)
            .await
            .unwrap(),
        ChallengeOutcome::Ready {
            resend_in: Some(30)
        }
    );
    assert_eq!(
        store
            .begin_challenge(code("f1", "sa", t + 10), LIMITS)
            .await
            .unwrap(),
        ChallengeOutcome::RateLimited { retry_after: 20 }
    );
    let wrong = |now| store.attempt_proof(attempt("f1", now), LIMITS, typed(b"wrong"), vec![]);
    assert_eq!(
        wrong(t + 1).await.unwrap(),
        ProofOutcome::Wrong { attempts_left: 2 }
    );
    assert_eq!(
        wrong(t + 2).await.unwrap(),
        ProofOutcome::Wrong { attempts_left: 1 }
    );
    assert_eq!(
        wrong(t + 3).await.unwrap(),
        ProofOutcome::Wrong { attempts_left: 0 }
    );
    assert_eq!(
        wrong(t + 4).await.unwrap(),
        ProofOutcome::CodeExpired,
        "the code's tries are used up"
    );
    assert_eq!(
        store
            .begin_challenge(code("f1", "sa", t + 30), LIMITS)
            .await
            .unwrap(),
        ChallengeOutcome::Ready {
            resend_in: Some(30)
        }
    );
    assert_eq!(
        wrong(t + 31).await.unwrap(),
        ProofOutcome::Wrong { attempts_left: 1 }
    );
    let locked = wrong(t + 32).await.unwrap();
    assert!(
        matches!(locked, ProofOutcome::Locked { account: false, lock } if lock.retry_after == Some(900)),
        "{locked:?}"
    );
    assert!(matches!(
        store
            .attempt_proof(attempt("f1", t + 33), LIMITS, typed(b"right"), vec![])
            .await
            .unwrap(),
        ProofOutcome::Locked { account: false, .. }
    ));
    assert!(matches!(
        store
            .begin_challenge(code("f1", "sa", t + 60), LIMITS)
            .await
            .unwrap(),
        ChallengeOutcome::Locked { account: false, .. }
    ));
    let pauses = store
        .pauses(
            "sa".into(),
            vec![MethodKind::Email, MethodKind::AppCode],
            t + 33,
        )
        .await
        .unwrap();
    assert_eq!(pauses.account, None);
    assert!(pauses.methods[0].is_some() && pauses.methods[1].is_none());
    assert_eq!(store.account_lock("sa".into(), t + 33).await.unwrap(), None);
    assert_eq!(
        db.count("SELECT failures FROM failure_counters WHERE subject = 'sa' AND scope = 'email'")
            .await,
        5
    );
    assert_eq!(
        db.count(
            "SELECT failures FROM failure_counters WHERE subject = 'sa' AND scope = 'account'"
        )
        .await,
        5
    );

    // After the pause, a new code and the right one.
    let later = t + 32 + 900;
    assert!(store.extend_flow("f1", later + 600, t + 40).await.unwrap());
    assert_eq!(
        store
            .begin_challenge(code("f1", "sa", later), LIMITS)
            .await
            .unwrap(),
        ChallengeOutcome::Ready {
            resend_in: Some(30)
        }
    );
    assert_eq!(
        store
            .attempt_proof(attempt("f1", later + 1), LIMITS, typed(b"right"), vec![])
            .await
            .unwrap(),
        ProofOutcome::Verified
    );
    assert_eq!(
        db.count("SELECT count(*) FROM failure_counters WHERE subject = 'sa' AND scope = 'email'")
            .await,
        0,
        "success clears the method's counter"
    );
    assert_eq!(
        store
            .begin_challenge(code("f1", "sa", later + 60), LIMITS)
            .await
            .unwrap(),
        ChallengeOutcome::Ready { resend_in: None },
        "nothing to send for a proven method"
    );
    let flow = store.flow("f1").await.unwrap().unwrap();
    assert_eq!(flow.verified, ["m1"]);
    assert_eq!(
        store
            .attempt_proof(attempt("nope", later), LIMITS, typed(b"right"), vec![])
            .await
            .unwrap(),
        ProofOutcome::FlowGone
    );

    // The account's own counter, and the lock that the tenth failure makes.
    for i in 0..4 {
        assert_eq!(
            store
                .count_account_failure("sa".into(), LIMITS.account, later + 100 + i, "test")
                .await
                .unwrap(),
            None
        );
    }
    assert!(
        store
            .count_account_failure("sa".into(), LIMITS.account, later + 200, "test")
            .await
            .unwrap()
            .is_some()
    );
    assert!(
        store
            .account_lock("sa".into(), later + 201)
            .await
            .unwrap()
            .is_some()
    );
    store
        .unlock("a@example.org", "sa".into(), later + 202)
        .await
        .unwrap();
    assert_eq!(
        store.account_lock("sa".into(), later + 203).await.unwrap(),
        None
    );
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_wrong_proofs_all_count_and_none_slips_past_a_pause() {
    let db = test_db!();
    let (user, method) = user_with_email(&db.store, "m@example.org", "m@home.example").await;
    let limits = Limits {
        sends_per_window: 100,
        send_window: crate::limits::HOUR,
        resend_per_account: false,
        ..LIMITS
    };
    for i in 0..8 {
        let id = format!("f{i}");
        db.store
            .create_flow(flow(&id, "sm", Some(user), Some(method)))
            .await
            .unwrap();
        db.store
            .begin_challenge(code(&id, "sm", START), limits)
            .await
            .unwrap();
    }
    let tries: Vec<_> = (0..8)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move {
                store
                    .attempt_proof(
                        attempt(&format!("f{i}"), START + 1),
                        limits,
                        typed(b"no"),
                        vec![],
                    )
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for try_ in tries {
        outcomes.push(try_.await.unwrap());
    }
    let wrong = outcomes
        .iter()
        .filter(|o| matches!(o, ProofOutcome::Wrong { .. }))
        .count();
    let locked = outcomes
        .iter()
        .filter(|o| matches!(o, ProofOutcome::Locked { account: false, .. }))
        .count();
    // One after the other: four wrong, the fifth pauses the method, three are refused.
    assert_eq!((wrong, locked), (4, 4), "{outcomes:?}");
    let mut left: Vec<_> = outcomes
        .iter()
        .filter_map(|o| match o {
            ProofOutcome::Wrong { attempts_left } => Some(*attempts_left),
            _ => None,
        })
        .collect();
    left.sort();
    assert_eq!(left, [1, 2, 2, 2], "each try saw the ones before it");
    assert_eq!(
        db.count("SELECT failures FROM failure_counters WHERE subject = 'sm' AND scope = 'email'")
            .await,
        5
    );
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_sends_keep_to_the_hourly_limit() {
    let db = test_db!();
    let (user, method) = user_with_email(&db.store, "s@example.org", "s@home.example").await;
    for i in 0..6 {
        db.store
            .create_flow(flow(&format!("f{i}"), "ss", Some(user), Some(method)))
            .await
            .unwrap();
    }
    let sends: Vec<_> = (0..6)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move {
                store
                    .begin_challenge(code(&format!("f{i}"), "ss", START), LIMITS)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut ready = 0;
    for send in sends {
        match send.await.unwrap() {
            ChallengeOutcome::Ready { .. } => ready += 1,
            ChallengeOutcome::TooManySends { .. } => {}
            other => panic!("{other:?}"),
        }
    }
    assert_eq!(ready, 3);
    assert_eq!(db.count("SELECT count(*) FROM sends").await, 3);
    assert_eq!(db.count("SELECT count(*) FROM outbox").await, 3);
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_captcha_is_spent_once_even_at_once() {
    let db = test_db!();
    let store = &db.store;
    assert!(
        store
            .spend_captcha("c1".into(), START + 100, START)
            .await
            .unwrap()
    );
    assert!(
        !store
            .spend_captcha("c1".into(), START + 100, START + 50)
            .await
            .unwrap()
    );
    // After expiry the record is purged (the signature check refuses it anyway).
    assert!(
        store
            .spend_captcha("c1".into(), START + 300, START + 100)
            .await
            .unwrap()
    );
    let spends: Vec<_> = (0..8)
        .map(|_| {
            let store = store.clone();
            tokio::spawn(async move {
                store
                    .spend_captcha("c2".into(), START + 100, START)
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut spent = 0;
    for spend in spends {
        spent += usize::from(spend.await.unwrap());
    }
    assert_eq!(spent, 1);
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_workers_claiming_one_message_get_one_lease() {
    let db = test_db!();
    let store = &db.store;
    for i in 0..20 {
        assert!(
            store
                .queue_message(message(&format!("m{i}")), START)
                .await
                .unwrap()
        );
    }
    assert!(
        !store.queue_message(message("m0"), START).await.unwrap(),
        "one message per key"
    );
    let due = store
        .due_messages(START, 100, vec![MessageChannel::Email])
        .await
        .unwrap();
    assert_eq!(due.len(), 20);
    let claims: Vec<_> = due
        .iter()
        .flat_map(|m| [m.id, m.id])
        .map(|id| {
            let store = store.clone();
            tokio::spawn(async move {
                (
                    id,
                    store.claim_message(id, START, START + 300).await.unwrap(),
                )
            })
        })
        .collect();
    let mut won = std::collections::HashMap::new();
    for claim in claims {
        let (id, claimed) = claim.await.unwrap();
        *won.entry(id).or_insert(0) += usize::from(claimed);
    }
    assert!(won.values().all(|&n| n == 1), "{won:?}");
    assert!(
        store
            .due_messages(START + 299, 100, vec![MessageChannel::Email])
            .await
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        store
            .next_message_due(vec![MessageChannel::Email])
            .await
            .unwrap(),
        Some(START + 300)
    );
    // The lease over (a worker died mid-send): due again, with the same key.
    let again = store
        .due_messages(START + 300, 100, vec![MessageChannel::Email])
        .await
        .unwrap();
    assert_eq!(again.len(), 20);
    assert_eq!(again[0].dedupe_key, due[0].dedupe_key);
    store.mark_sent(again[0].id, START + 301).await.unwrap();
    store
        .mark_failed_attempt(again[1].id, START + 301, "busy".into(), Some(START + 400))
        .await
        .unwrap();
    store
        .mark_failed_attempt(again[2].id, START + 301, "refused".into(), None)
        .await
        .unwrap();
    let recent = store.recent_messages(20).await.unwrap();
    let status = |id| recent.iter().find(|m| m.id == id).unwrap();
    assert_eq!(status(again[0].id).status, DeliveryStatus::Sent);
    assert_eq!(status(again[0].id).attempts, 1);
    assert_eq!(status(again[1].id).status, DeliveryStatus::Pending);
    assert_eq!(
        status(again[2].id).status,
        DeliveryStatus::Failed("refused".into())
    );
    // An expired message is given up when due.
    let mut expiring = message("expiring");
    expiring.discard_after = Some(START + 500);
    store.queue_message(expiring, START + 301).await.unwrap();
    store
        .due_messages(START + 500, 100, vec![MessageChannel::Email])
        .await
        .unwrap();
    let recent = store.recent_messages(1).await.unwrap();
    assert_eq!(
        recent[0].status,
        DeliveryStatus::Failed("expired before delivery".into())
    );
    db.drop_database().await;
}

#[tokio::test]
async fn completion_is_all_or_nothing() {
    let db = test_db!();
    let store = &db.store;
    let (user, method) = user_with_email(store, "c@example.org", "c@home.example").await;
    store
        .set_password_hash("c@example.org", "old".into(), START)
        .await
        .unwrap();
    db.sql()
        .await
        .execute(
            "INSERT INTO sessions (id_hash, user_id, created_at, expires_at)
             VALUES ('\\x01', $1, 0, 0), ('\\x02', $1, 0, 0)",
            &[&user],
        )
        .await
        .unwrap();
    for subject in ["sc", "sc:tag", "scx"] {
        store
            .count_account_failure(subject.into(), LIMITS.account, START, "test")
            .await
            .unwrap();
    }
    store
        .create_flow(flow("fc", "sc", Some(user), Some(method)))
        .await
        .unwrap();
    let completion = |flow: &str, user: i64| Completion {
        flow_id: flow.into(),
        user,
        new_hash: Some("new".into()),
        now: START + 10,
        messages: vec![message("done:fc")],
    };
    assert_eq!(
        store.complete_reset(completion("fc", user)).await.unwrap(),
        CompletionOutcome::NotReady
    );
    store
        .begin_challenge(code("fc", "sc", START), LIMITS)
        .await
        .unwrap();
    assert_eq!(
        store
            .attempt_proof(attempt("fc", START + 1), LIMITS, typed(b"right"), vec![])
            .await
            .unwrap(),
        ProofOutcome::Verified
    );
    assert_eq!(
        store
            .complete_reset(completion("fc", user + 1))
            .await
            .unwrap(),
        CompletionOutcome::FlowGone,
        "another account's flow"
    );
    let counters = "SELECT count(*) FROM failure_counters";
    for point in [
        FaultPoint::AfterPasswordWritten,
        FaultPoint::AfterSessionsRevoked,
        FaultPoint::AfterMessagesQueued,
    ] {
        store.arm_fault(Some(point));
        assert!(matches!(
            store.complete_reset(completion("fc", user)).await,
            Err(StoreError::Injected(_))
        ));
        assert_eq!(store.flow("fc").await.unwrap().unwrap().completed_at, None);
        assert_eq!(
            store.password_hash_of("c@example.org").await.unwrap(),
            Some("old".into()),
            "{point:?}"
        );
        assert_eq!(db.count("SELECT count(*) FROM sessions").await, 2);
        assert_eq!(db.count(counters).await, 3);
        assert_eq!(
            db.count("SELECT count(*) FROM outbox WHERE dedupe_key = 'done:fc'")
                .await,
            0
        );
        assert_eq!(db.count("SELECT count(*) FROM password_history").await, 0);
        assert_eq!(
            db.count("SELECT count(*) FROM audit_log WHERE event = 'password_reset'")
                .await,
            0
        );
    }
    store.arm_fault(None);
    assert_eq!(
        store.complete_reset(completion("fc", user)).await.unwrap(),
        CompletionOutcome::Done {
            sessions_revoked: 2
        }
    );
    assert_eq!(
        store.password_hash_of("c@example.org").await.unwrap(),
        Some("new".into())
    );
    assert_eq!(
        store.password_hashes(user, 5).await.unwrap(),
        ["new", "old"]
    );
    assert_eq!(db.count("SELECT count(*) FROM sessions").await, 0);
    assert_eq!(
        db.count("SELECT count(*) FROM failure_counters WHERE subject = 'scx'")
            .await,
        1,
        "another account's counters, whose subject merely starts the same, stay"
    );
    assert_eq!(db.count(counters).await, 1);
    assert_eq!(
        db.count("SELECT count(*) FROM outbox WHERE dedupe_key = 'done:fc'")
            .await,
        1
    );
    assert_eq!(
        db.count("SELECT credential_version FROM users WHERE user_id = 'c@example.org'")
            .await,
        2
    );
    assert_eq!(
        store.complete_reset(completion("fc", user)).await.unwrap(),
        CompletionOutcome::AlreadyCompleted
    );
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_flow_completes_once_when_completed_twice_at_once() {
    let db = test_db!();
    let (user, method) = user_with_email(&db.store, "d@example.org", "d@home.example").await;
    db.store
        .create_flow(flow("fd", "sd", Some(user), Some(method)))
        .await
        .unwrap();
    db.store
        .begin_challenge(code("fd", "sd", START), LIMITS)
        .await
        .unwrap();
    db.store
        .attempt_proof(attempt("fd", START + 1), LIMITS, typed(b"right"), vec![])
        .await
        .unwrap();
    let completions: Vec<_> = (0..2)
        .map(|i| {
            let store = db.store.clone();
            tokio::spawn(async move {
                store
                    .complete_reset(Completion {
                        flow_id: "fd".into(),
                        user,
                        new_hash: Some(format!("new{i}")),
                        now: START + 10,
                        messages: vec![message(&format!("done:{i}"))],
                    })
                    .await
                    .unwrap()
            })
        })
        .collect();
    let mut outcomes = Vec::new();
    for completion in completions {
        outcomes.push(completion.await.unwrap());
    }
    outcomes.sort_by_key(|o| format!("{o:?}"));
    assert_eq!(
        outcomes,
        [
            CompletionOutcome::AlreadyCompleted,
            CompletionOutcome::Done {
                sessions_revoked: 0
            }
        ]
    );
    assert_eq!(db.count("SELECT count(*) FROM password_history").await, 0);
    assert_eq!(
        db.count("SELECT count(*) FROM outbox WHERE dedupe_key LIKE 'done:%'")
            .await,
        1
    );
    db.drop_database().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_operation_on_one_account_at_once_ends_without_a_deadlock() {
    let db = test_db!();
    let (user, method) = user_with_email(&db.store, "e@example.org", "e@home.example").await;
    let limits = Limits {
        sends_per_window: 1000,
        send_window: crate::limits::HOUR,
        resend_per_account: false,
        ..LIMITS
    };
    for i in 0..6 {
        let id = format!("f{i}");
        let subject = if i % 2 == 0 { "se" } else { "se:tag" };
        db.store
            .create_flow(flow(&id, subject, Some(user), Some(method)))
            .await
            .unwrap();
        db.store
            .begin_challenge(code(&id, subject, START), limits)
            .await
            .unwrap();
    }
    let tasks: Vec<_> = (0..60u64)
        .map(|n| {
            let store = db.store.clone();
            tokio::spawn(async move {
                let i = n % 6;
                let id = format!("f{i}");
                let subject = if i % 2 == 0 { "se" } else { "se:tag" };
                let now = START + 40 + n;
                let result = match n % 7 {
                    0 => store
                        .begin_challenge(code(&id, subject, now), limits)
                        .await
                        .map(|_| ()),
                    1 => store
                        .attempt_proof(attempt(&id, now), limits, typed(b"no"), vec![message("w")])
                        .await
                        .map(|_| ()),
                    2 => store
                        .attempt_proof(attempt(&id, now), limits, typed(b"right"), vec![])
                        .await
                        .map(|_| ()),
                    3 => store
                        .complete_reset(Completion {
                            flow_id: id.clone(),
                            user,
                            new_hash: Some(format!("h{n}")),
                            now,
                            messages: vec![message(&format!("done:{id}"))],
                        })
                        .await
                        .map(|_| ()),
                    4 => store.unlock("e@example.org", "se".into(), now).await,
                    5 => store
                        .count_account_failure(subject.into(), limits.account, now, "test")
                        .await
                        .map(|_| ()),
                    _ => store
                        .purge(now + 2 * DAY, std::time::Duration::from_secs(DAY))
                        .await
                        .map(|_| ()),
                };
                result.map_err(|err| format!("operation {n}: {err}"))
            })
        })
        .collect();
    for task in tasks {
        task.await.unwrap().unwrap();
    }
    db.drop_database().await;
}

#[tokio::test]
async fn purge_deletes_what_no_longer_decides_anything() {
    let db = test_db!();
    let now = START as i64;
    let day = DAY as i64;
    let sql = db.sql().await;
    for (event, at) in [
        ("old", now - 401 * day),
        ("kept", now - 399 * day),
        ("new", now),
    ] {
        sql.execute(
            "INSERT INTO audit_log (at, event) VALUES ($1, $2)",
            &[&at, &event],
        )
        .await
        .unwrap();
    }
    for (challenge, expires_at) in [("spent", now), ("live", now + 60)] {
        sql.execute(
            "INSERT INTO captcha_spent (challenge, expires_at) VALUES ($1, $2)",
            &[&challenge, &expires_at],
        )
        .await
        .unwrap();
    }
    for (subject, at) in [("old", now - 3601), ("kept", now - 3599)] {
        sql.execute(
            "INSERT INTO sends (subject, channel, at) VALUES ($1, 'email', $2)",
            &[&subject, &at],
        )
        .await
        .unwrap();
    }
    for (id, expires_at) in [("old", now - day - 1), ("kept", now - day + 1)] {
        sql.execute(
            "INSERT INTO reset_flows (id, subject, methods_required, offered, created_at, expires_at)
             VALUES ($1, 's', 1, '[]', $2, $3)",
            &[&id, &(expires_at - 1200), &expires_at],
        )
        .await
        .unwrap();
        sql.execute(
            "INSERT INTO reset_challenges (flow_id, method) VALUES ($1, 'email')",
            &[&id],
        )
        .await
        .unwrap();
    }
    for (subject, failures, locked_until, updated_at) in [
        ("idle", 3, 0, now - day - 1),
        ("idle-lock-over", 10, now - 10, now - day - 1),
        ("before-v4", 2, 0, 0),
        ("recent", 3, 0, now - day + 1),
        ("locked", 10, now + 60, 0),
    ] {
        sql.execute(
            "INSERT INTO failure_counters (subject, scope, failures, locked_until, updated_at)
             VALUES ($1, 'account', $2, $3, $4)",
            &[&subject, &(failures as i64), &locked_until, &updated_at],
        )
        .await
        .unwrap();
    }
    let retention = std::time::Duration::from_secs(400 * DAY);
    assert_eq!(
        db.store.purge(START, retention).await.unwrap(),
        PurgeReport {
            audit_events: 1,
            spent_captchas: 1,
            sends: 1,
            reset_flows: 1,
            failure_counters: 3,
            sessions: 0,
            registrations: 0,
        }
    );
    assert_eq!(db.count("SELECT count(*) FROM reset_challenges").await, 1);
    assert_eq!(
        db.store.purge(START, retention).await.unwrap(),
        PurgeReport::default()
    );
    db.drop_database().await;
}

/// What one backend answers to the same story, as text (row ids left out: they are the
/// backends' own).
async fn story<S>(store: S) -> Vec<String>
where
    S: ResetStore + DirectoryStore + OutboxStore + AdminStore + UpkeepStore,
{
    let mut log = Vec::new();
    fn note(log: &mut Vec<String>, what: &str, value: impl Debug) {
        log.push(format!("{what}: {value:?}"));
    }
    let people = [
        (
            "Adele@Example.org",
            Some("adele@example.org"),
            false,
            &["sspr-users", "Staff"][..],
        ),
        ("adele@EXAMPLE.ORG", None, false, &[][..]),
        ("Ádele@example.org", None, false, &["STAFF"][..]),
        (
            "bob@example.org",
            Some("bob@corp.example"),
            true,
            &["sspr-admins"][..],
        ),
        ("cara@example.org", Some("cara@corp.example"), true, &[][..]),
    ];
    for (user_id, email, is_admin, groups) in people {
        let created = store
            .create_user_if_missing(&NewUser {
                user_id,
                display_name: "Someone",
                email,
                is_admin,
                groups,
            })
            .await;
        note(&mut log, "create", created);
    }
    note(&mut log, "users", store.list_users().await);
    let email = store
        .add_method(
            "ADELE@example.org",
            MethodKind::Email,
            Some("adele@Home.Example".into()),
            START,
            |_| None,
        )
        .await
        .unwrap();
    let app = store
        .add_method(
            "adele@example.org",
            MethodKind::AppCode,
            None,
            START,
            |_| Some(b"sealed".to_vec()),
        )
        .await
        .unwrap();
    for (user_id, contact) in [
        ("bob@example.org", "bob.alt@corp.example"),
        ("cara@example.org", "Cara@Corp.Example"),
    ] {
        store
            .add_method(
                user_id,
                MethodKind::Email,
                Some(contact.into()),
                START,
                |_| None,
            )
            .await
            .unwrap();
    }
    let adele = ResetStore::account(&store, "adele@example.org")
        .await
        .unwrap()
        .unwrap();
    let bob = ResetStore::account(&store, "BOB@example.org")
        .await
        .unwrap()
        .unwrap();
    store
        .set_security_answers(
            "adele@example.org",
            adele.id,
            vec![
                ("first_pet".into(), vec![1; 32]),
                ("birth_city".into(), vec![2; 32]),
            ],
            START,
            Default::default(),
        )
        .await
        .unwrap();
    for user_id in [
        "ADELE@EXAMPLE.ORG",
        "ádele@example.org",
        "ÁDELE@example.org",
        "x",
    ] {
        let account = ResetStore::account(&store, user_id)
            .await
            .unwrap()
            .map(|a| {
                let methods: Vec<_> = a
                    .methods
                    .iter()
                    .map(|m| (m.kind, m.contact.clone(), m.is_default))
                    .collect();
                (
                    a.user_id,
                    a.email,
                    a.enabled,
                    a.is_admin,
                    a.groups,
                    methods,
                    a.questions,
                )
            });
        note(&mut log, "account", account);
    }
    let methods: Vec<_> = store
        .list_methods("adele@example.org")
        .await
        .unwrap()
        .into_iter()
        .map(|m| (m.kind, m.contact, m.is_default))
        .collect();
    note(&mut log, "methods", methods);
    note(
        &mut log,
        "list unknown",
        store.list_methods("x").await.map(|_| ()),
    );
    note(&mut log, "domains", store.email_domains().await);
    note(
        &mut log,
        "contact",
        store.method_contact(Some(adele.id), Some(email)).await,
    );
    note(
        &mut log,
        "not owner",
        store.method_contact(Some(bob.id), Some(email)).await,
    );
    note(&mut log, "admins", store.other_admin_emails(adele.id).await);
    note(
        &mut log,
        "admins but bob",
        store.other_admin_emails(bob.id).await,
    );
    store
        .set_enabled("cara@example.org", false, START)
        .await
        .unwrap();
    note(
        &mut log,
        "admins, cara off",
        store.other_admin_emails(adele.id).await,
    );
    store
        .add_to_group("adele@example.org", "staff", START)
        .await
        .unwrap();
    store
        .add_to_group("adele@example.org", "Admins", START)
        .await
        .unwrap();
    note(&mut log, "users", store.list_users().await);
    store
        .set_password_hash("adele@example.org", "h1".into(), START)
        .await
        .unwrap();
    note(
        &mut log,
        "hash",
        store.password_hash_of("Adele@example.org").await,
    );

    // A flow with two methods, one needed.
    let mut record = flow("f1", "sa", Some(adele.id), Some(email));
    record.methods.push(FlowMethod {
        id: "m2".into(),
        kind: MethodKind::AppCode,
        hint: None,
        record: Some(app),
        questions: Vec::new(),
    });
    store.create_flow(record).await.unwrap();
    store
        .create_flow(flow("decoy", "sd", None, None))
        .await
        .unwrap();
    let shown = |flow: Option<FlowRecord>| {
        flow.map(|f| {
            (
                f.subject,
                f.user.is_some(),
                f.methods_required,
                f.methods.iter().map(|m| m.id.clone()).collect::<Vec<_>>(),
                f.created_at,
                f.expires_at,
                f.completed_at,
                f.verified,
                f.secret_hash,
            )
        })
    };
    note(&mut log, "flow", shown(store.flow("f1").await.unwrap()));
    let t = START;
    for (now, subject) in [
        (t, "sa"),
        (t + 10, "sa"),
        (t + 30, "sa"),
        (t + 60, "sa"),
        (t + 90, "sa"),
    ] {
        note(
            &mut log,
            "challenge",
            store
                .begin_challenge(code("f1", subject, now), LIMITS)
                .await,
        );
    }
    let mut decoy = code("decoy", "sd", t);
    decoy.deliver = false;
    note(
        &mut log,
        "decoy challenge",
        store.begin_challenge(decoy, LIMITS).await,
    );
    let questions = NewChallenge {
        flow_id: "f1".into(),
        method_id: "m2".into(),
        subject: "sa".into(),
        kind: MethodKind::AppCode,
        send_channel: "app_code".into(),
        now: t,
        code: None,
        questions: vec!["q".into()],
        message: None,
        deliver: true,
        approval: None,
    };
    note(
        &mut log,
        "no-code challenge",
        store.begin_challenge(questions, LIMITS).await,
    );
    for now in t + 61..t + 66 {
        note(
            &mut log,
            "wrong",
            store
                .attempt_proof(
                    attempt("f1", now),
                    LIMITS,
                    typed(b"no"),
                    vec![message("warn")],
                )
                .await,
        );
    }
    let app_try = ProofAttempt {
        flow_id: "f1".into(),
        method_id: "m2".into(),
        source: ProofSource::Totp,
        now: t + 70,
    };
    let seen: ProofChecker = Box::new(|input: &ProofInput| {
        assert_eq!(input.totp_secret.as_deref(), Some(&b"sealed"[..]));
        ProofCheck::Wrong
    });
    note(
        &mut log,
        "app wrong",
        store.attempt_proof(app_try, LIMITS, seen, vec![]).await,
    );
    note(
        &mut log,
        "pauses",
        store
            .pauses(
                "sa".into(),
                vec![MethodKind::Email, MethodKind::AppCode],
                t + 70,
            )
            .await,
    );
    for i in 0..6 {
        note(
            &mut log,
            "account failure",
            store
                .count_account_failure("sa".into(), LIMITS.account, t + 80 + i, "test_failure")
                .await,
        );
    }
    note(
        &mut log,
        "account lock",
        store.account_lock("sa".into(), t + 90).await,
    );
    store
        .unlock("adele@example.org", "sa".into(), t + 91)
        .await
        .unwrap();
    note(
        &mut log,
        "after unlock",
        store
            .pauses("sa".into(), vec![MethodKind::Email], t + 92)
            .await,
    );
    // The try that pauses the account warns its owner.
    let strict = Limits {
        account: Limit {
            threshold: 2,
            lock_seconds: 900,
            growing: true,
        },
        ..LIMITS
    };
    for now in [t + 93, t + 94, t + 95] {
        let app_try = ProofAttempt {
            flow_id: "f1".into(),
            method_id: "m2".into(),
            source: ProofSource::Totp,
            now,
        };
        let wrong: ProofChecker = Box::new(|_: &ProofInput| ProofCheck::Wrong);
        note(
            &mut log,
            "app wrong, strict",
            store
                .attempt_proof(app_try, strict, wrong, vec![message("warn")])
                .await,
        );
    }
    note(
        &mut log,
        "pauses, strict",
        store
            .pauses("sa".into(), vec![MethodKind::AppCode], t + 96)
            .await,
    );
    note(
        &mut log,
        "extend",
        store.extend_flow("f1", t + 4000, t + 100).await,
    );
    let later = t + 3700;
    note(
        &mut log,
        "challenge later",
        store.begin_challenge(code("f1", "sa", later), LIMITS).await,
    );
    let totp = ProofAttempt {
        flow_id: "f1".into(),
        method_id: "m2".into(),
        source: ProofSource::Totp,
        now: later,
    };
    let right: ProofChecker = Box::new(|_: &ProofInput| ProofCheck::Right {
        totp_step: Some(42),
    });
    note(
        &mut log,
        "app right",
        store.attempt_proof(totp, LIMITS, right, vec![]).await,
    );
    note(&mut log, "flow", shown(store.flow("f1").await.unwrap()));
    note(
        &mut log,
        "complete",
        store
            .complete_reset(Completion {
                flow_id: "f1".into(),
                user: adele.id,
                new_hash: Some("h2".into()),
                now: later + 5,
                messages: vec![message("done:f1"), message("done:f1")],
            })
            .await,
    );
    note(
        &mut log,
        "complete again",
        store
            .complete_reset(Completion {
                flow_id: "f1".into(),
                user: adele.id,
                new_hash: Some("h3".into()),
                now: later + 6,
                messages: vec![],
            })
            .await,
    );
    note(&mut log, "hashes", store.password_hashes(adele.id, 5).await);
    note(
        &mut log,
        "extend done",
        store.extend_flow("f1", t + 5000, later + 7).await,
    );
    for (challenge, expires_at, now) in [
        ("c", t + 100, t),
        ("c", t + 100, t + 50),
        ("c", t + 300, t + 100),
    ] {
        note(
            &mut log,
            "captcha",
            store.spend_captcha(challenge.into(), expires_at, now).await,
        );
    }

    // The outbox: codes, the owner's warning, the completion's message.
    let shown_messages = |messages: Vec<crate::store::records::QueuedMessage>| {
        messages
            .into_iter()
            .map(|m| {
                (
                    m.dedupe_key,
                    m.recipient,
                    m.subject,
                    m.sealed_body,
                    m.created_at,
                    m.attempts,
                    m.status,
                )
            })
            .collect::<Vec<_>>()
    };
    let due = store
        .due_messages(later + 10, 100, vec![MessageChannel::Email])
        .await
        .unwrap();
    let ids: Vec<i64> = due.iter().map(|m| m.id).collect();
    note(&mut log, "due", shown_messages(due));
    note(
        &mut log,
        "claim",
        store.claim_message(ids[0], later + 10, later + 310).await,
    );
    note(
        &mut log,
        "claim again",
        store.claim_message(ids[0], later + 10, later + 310).await,
    );
    store.mark_sent(ids[0], later + 11).await.unwrap();
    store
        .mark_failed_attempt(ids[1], later + 11, "busy".into(), Some(later + 100))
        .await
        .unwrap();
    store
        .mark_failed_attempt(ids[2], later + 11, "refused".into(), None)
        .await
        .unwrap();
    note(
        &mut log,
        "next due",
        store.next_message_due(vec![MessageChannel::Email]).await,
    );
    note(
        &mut log,
        "recent",
        shown_messages(store.recent_messages(100).await.unwrap()),
    );
    note(&mut log, "audit", store.recent_audit_events(200).await);
    note(
        &mut log,
        "purge",
        store
            .purge(later + 3 * DAY, std::time::Duration::from_secs(DAY))
            .await,
    );
    note(
        &mut log,
        "audit after purge",
        store.recent_audit_events(200).await,
    );
    log
}

#[tokio::test]
async fn postgres_answers_the_story_as_sqlite_does() {
    let db = test_db!();
    let dir = tempfile::tempdir().unwrap();
    let sqlite = SqliteStore::open(&dir.path().join("db.sqlite3")).unwrap();
    let expected = story(sqlite).await;
    let got = story(db.store.clone()).await;
    for (line, (expected, got)) in expected.iter().zip(&got).enumerate() {
        assert_eq!(got, expected, "line {line} differs");
    }
    assert_eq!(got.len(), expected.len());
    db.drop_database().await;
}
