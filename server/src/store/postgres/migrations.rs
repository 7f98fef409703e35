//! The PostgreSQL schema, as migrations applied in order at start. The `schema_version`
//! table records how many have run (its own numbering, not SQLite's `user_version`). They
//! run in one transaction under an advisory lock, so two servers starting at once over one
//! database apply each migration once, and a failure leaves the schema as it was.
//!
//! Migration 1 is SQLite's schema after its six migrations (`store/sqlite/migrations.rs`), in
//! PostgreSQL's types: BIGINT unix-second times and counts, identity keys, BOOLEAN flags,
//! BYTEA blobs and TEXT for JSON (the same text SQLite stores). Text is in the "C"
//! collation (bytewise, like SQLite's BINARY); user IDs and group names are unique without
//! case through an index on `lower(...)`, which in "C" folds ASCII letters only, exactly as
//! SQLite's NOCASE does.

use super::StoreError;

/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the directory, the audit log, spent CAPTCHAs, methods, reset flows and their
    // challenges, failure counters, sends, sessions, password history and the outbox.
    r#"
    CREATE TABLE users (
        id                  BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id             TEXT COLLATE "C" NOT NULL,
        display_name        TEXT COLLATE "C" NOT NULL,
        email               TEXT COLLATE "C",
        enabled             BOOLEAN NOT NULL DEFAULT TRUE,
        is_admin            BOOLEAN NOT NULL DEFAULT FALSE,
        password_hash       TEXT COLLATE "C",
        credential_version  BIGINT NOT NULL DEFAULT 0,
        created_at          BIGINT NOT NULL,
        password_changed_at BIGINT
    );
    CREATE UNIQUE INDEX users_user_id_key ON users (lower(user_id));
    CREATE TABLE groups (
        id   BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        name TEXT COLLATE "C" NOT NULL
    );
    CREATE UNIQUE INDEX groups_name_key ON groups (lower(name));
    CREATE TABLE group_members (
        group_id BIGINT NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id  BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        -- The order memberships were made in (SQLite lists a user's groups in rowid order).
        position BIGINT GENERATED ALWAYS AS IDENTITY,
        PRIMARY KEY (group_id, user_id)
    );
    CREATE INDEX group_members_by_user ON group_members (user_id);
    CREATE TABLE audit_log (
        id      BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        at      BIGINT NOT NULL,
        event   TEXT COLLATE "C" NOT NULL,
        subject TEXT COLLATE "C",
        detail  TEXT COLLATE "C"
    );
    CREATE INDEX audit_log_by_time ON audit_log (at);
    CREATE TABLE captcha_spent (
        challenge  TEXT COLLATE "C" PRIMARY KEY,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX captcha_spent_by_expiry ON captcha_spent (expires_at);
    CREATE TABLE methods (
        id             BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id        BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind           TEXT COLLATE "C" NOT NULL,
        contact        TEXT COLLATE "C",  -- e-mail address or phone number
        secret         BYTEA,             -- TOTP secret, sealed with the server's key
        last_used_step BIGINT,            -- TOTP: a step at or before this is a replay
        is_default     BOOLEAN NOT NULL DEFAULT FALSE,
        created_at     BIGINT NOT NULL
    );
    CREATE INDEX methods_by_user ON methods (user_id);
    CREATE TABLE security_answers (
        user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        question    TEXT COLLATE "C" NOT NULL,
        answer_hash BYTEA NOT NULL,  -- keyed hash of the normalised answer
        PRIMARY KEY (user_id, question)
    );
    CREATE TABLE password_history (
        id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        password_hash TEXT COLLATE "C" NOT NULL,
        retired_at    BIGINT NOT NULL
    );
    CREATE INDEX password_history_by_user ON password_history (user_id, id);
    CREATE TABLE sessions (
        id_hash    BYTEA PRIMARY KEY,
        user_id    BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    CREATE INDEX sessions_by_user ON sessions (user_id);
    CREATE TABLE reset_flows (
        id               TEXT COLLATE "C" PRIMARY KEY,
        subject          TEXT COLLATE "C" NOT NULL,  -- keyed hash of the user ID, for decoys too
        user_id          BIGINT REFERENCES users(id) ON DELETE CASCADE,  -- NULL: decoy
        methods_required BIGINT NOT NULL,
        offered          TEXT COLLATE "C" NOT NULL,  -- JSON: the methods offered
        created_at       BIGINT NOT NULL,
        expires_at       BIGINT NOT NULL,
        completed_at     BIGINT,
        -- The hash of the secret that binds the flow to the browser that started it.
        secret_hash      BYTEA NOT NULL DEFAULT '\x'::bytea
    );
    CREATE INDEX reset_flows_by_expiry ON reset_flows (expires_at);
    CREATE INDEX reset_flows_by_user ON reset_flows (user_id);
    CREATE TABLE reset_challenges (
        flow_id         TEXT COLLATE "C" NOT NULL REFERENCES reset_flows(id) ON DELETE CASCADE,
        method          TEXT COLLATE "C" NOT NULL,
        code_hash       BYTEA,
        code_expires_at BIGINT,
        code_attempts   BIGINT NOT NULL DEFAULT 0,
        sent_at         BIGINT,
        questions       TEXT COLLATE "C",  -- JSON: the question ids asked
        verified_at     BIGINT,
        PRIMARY KEY (flow_id, method)
    );
    -- Per day-long window (at most 100 failures in one), with when the owner was last told;
    -- `updated_at` lets idle counters be purged.
    CREATE TABLE failure_counters (
        subject         TEXT COLLATE "C" NOT NULL,
        scope           TEXT COLLATE "C" NOT NULL,  -- 'account' or a method kind
        failures        BIGINT NOT NULL DEFAULT 0,
        locked_until    BIGINT NOT NULL DEFAULT 0,
        updated_at      BIGINT NOT NULL DEFAULT 0,
        window_start    BIGINT NOT NULL DEFAULT 0,
        window_failures BIGINT NOT NULL DEFAULT 0,
        notified_at     BIGINT NOT NULL DEFAULT 0,
        PRIMARY KEY (subject, scope)
    );
    CREATE TABLE sends (
        subject TEXT COLLATE "C" NOT NULL,
        channel TEXT COLLATE "C" NOT NULL,
        at      BIGINT NOT NULL
    );
    CREATE INDEX sends_by_subject ON sends (subject, channel, at);
    CREATE INDEX sends_by_time ON sends (at);
    CREATE TABLE outbox (
        id              BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
        dedupe_key      TEXT COLLATE "C" NOT NULL UNIQUE,
        recipient       TEXT COLLATE "C" NOT NULL,
        subject         TEXT COLLATE "C" NOT NULL,
        body            BYTEA NOT NULL,  -- sealed: it may carry a code
        created_at      BIGINT NOT NULL,
        discard_after   BIGINT,          -- codes are useless once expired
        attempts        BIGINT NOT NULL DEFAULT 0,
        next_attempt_at BIGINT NOT NULL,
        sent_at         BIGINT,
        failed_at       BIGINT,
        last_error      TEXT COLLATE "C"
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
    "#,
    // 2: sessions of the security-info page: when each was last used (idle timeout) and
    // when its person last proved a method (NULL: only their password so far).
    r#"
    ALTER TABLE sessions ADD COLUMN last_seen_at BIGINT NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN proven_at BIGINT;
    "#,
    // 3: what a flow is for: 'reset', or 'sign_in' (a sign-in's method proof, which can
    // never set a password).
    r#"
    ALTER TABLE reset_flows ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reset';
    "#,
    // 4: self-service registration. When each method was last proven; registrations
    // waiting for their code (never methods until confirmed; gone with their session);
    // administrators' one-time passes (hashed), one per person.
    r#"
    ALTER TABLE methods ADD COLUMN last_used_at BIGINT;
    CREATE TABLE method_registrations (
        id            TEXT PRIMARY KEY,
        session_hash  BYTEA NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
        user_id       BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind          TEXT NOT NULL,
        purpose       TEXT NOT NULL,  -- 'method', or 'contact' (proves the session only)
        contact       TEXT,
        secret        BYTEA,          -- an app's TOTP secret, sealed for this registration
        code_hash     BYTEA,
        code_attempts INTEGER NOT NULL DEFAULT 0,
        created_at    BIGINT NOT NULL,
        expires_at    BIGINT NOT NULL
    );
    CREATE INDEX method_registrations_by_session ON method_registrations (session_hash);
    CREATE TABLE one_time_passes (
        user_id    BIGINT PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        pass_hash  BYTEA NOT NULL,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL
    );
    "#,
    // 5: when each person last confirmed their methods (registration's reconfirmation).
    r#"
    ALTER TABLE users ADD COLUMN methods_confirmed_at BIGINT;
    "#,
    // 6: "this wasn't me". The language a person's notices are written in; when they
    // reported a change (their methods are blocked on the security-info page until a
    // reset or an administrator restores them); methods a reported change added or
    // changed (suspended: never offered); each change notice's report link (hashed).
    r#"
    ALTER TABLE users ADD COLUMN preferred_locale TEXT COLLATE "C";
    ALTER TABLE users ADD COLUMN methods_blocked_at BIGINT;
    ALTER TABLE methods ADD COLUMN suspended_at BIGINT;
    CREATE TABLE change_reports (
        token_hash  BYTEA PRIMARY KEY,
        user_id     BIGINT NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        change      TEXT NOT NULL,  -- method_added, method_changed, method_removed, password_changed
        method_kind TEXT,
        method_id   BIGINT,         -- the method added or changed
        created_at  BIGINT NOT NULL,
        expires_at  BIGINT NOT NULL,
        reported_at BIGINT
    );
    "#,
    // 7: phone methods. How each queued message leaves (e-mail, or a phone channel of
    // the telephony provider).
    r#"
    ALTER TABLE outbox ADD COLUMN channel TEXT COLLATE "C" NOT NULL DEFAULT 'email';
    "#,
    // 8: app notifications (SQLite's 13). An authenticator page's method row holds its
    // device: a public id, its P-256 public key, its push subscription (JSON), when it was
    // last seen and when its push service said the subscription is gone. Approval requests,
    // one per prompt, with the numbers shown, where the reset was asked from, and how it
    // was settled.
    r#"
    ALTER TABLE methods ADD COLUMN device_id TEXT COLLATE "C";
    ALTER TABLE methods ADD COLUMN device_key BYTEA;
    ALTER TABLE methods ADD COLUMN push_subscription TEXT;
    ALTER TABLE methods ADD COLUMN device_seen_at BIGINT;
    ALTER TABLE methods ADD COLUMN push_gone_at BIGINT;
    CREATE UNIQUE INDEX methods_by_device ON methods (device_id) WHERE device_id IS NOT NULL;
    CREATE TABLE approval_requests (
        id         TEXT COLLATE "C" PRIMARY KEY,
        flow_id    TEXT COLLATE "C" NOT NULL REFERENCES reset_flows(id) ON DELETE CASCADE,
        method     TEXT COLLATE "C" NOT NULL,
        user_id    BIGINT REFERENCES users(id) ON DELETE CASCADE,
        device     BIGINT REFERENCES methods(id) ON DELETE CASCADE,
        numbers    TEXT NOT NULL,
        number     BIGINT NOT NULL,
        client_ip  TEXT,
        browser    TEXT,
        created_at BIGINT NOT NULL,
        expires_at BIGINT NOT NULL,
        settled_at BIGINT,
        approved   BOOLEAN NOT NULL DEFAULT FALSE
    );
    CREATE INDEX approval_requests_by_flow ON approval_requests (flow_id, method);
    CREATE INDEX approval_requests_by_device ON approval_requests (device) WHERE settled_at IS NULL;
    "#,
    // 9: people of an LDAP directory (SQLite's 14), keyed by the directory's stable id;
    // when a flow's password was sent to the directory.
    r#"
    ALTER TABLE users ADD COLUMN directory_id TEXT COLLATE "C";
    ALTER TABLE reset_flows ADD COLUMN writeback_at BIGINT;
    CREATE UNIQUE INDEX users_by_directory_id ON users (directory_id) WHERE directory_id IS NOT NULL;
    "#,
];

/// The schema version this server writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

/// The advisory lock that migrations run under: ("SSPR", 1) in the two-key space, which
/// never meets the one-key locks of the counters.
const LOCK: (i32, i32) = (0x5353_5052, 1);

/// Brings the schema up to date; returns its version. Refuses a schema newer than this
/// server knows.
pub(super) async fn apply(client: &mut tokio_postgres::Client) -> Result<i64, StoreError> {
    let tx = client.transaction().await?;
    tx.execute("SELECT pg_advisory_xact_lock($1, $2)", &[&LOCK.0, &LOCK.1])
        .await?;
    // Creating only when missing: a server account without CREATE rights can run against
    // a schema that is up to date.
    let exists: bool = tx
        .query_one("SELECT to_regclass('schema_version') IS NOT NULL", &[])
        .await?
        .try_get(0)?;
    if !exists {
        tx.batch_execute(
            "CREATE TABLE schema_version (
                 only_row BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (only_row),
                 version  BIGINT NOT NULL
             );
             INSERT INTO schema_version (version) VALUES (0);",
        )
        .await?;
    }
    let current: i64 = tx
        .query_one("SELECT version FROM schema_version", &[])
        .await?
        .try_get(0)?;
    if current > LATEST {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: LATEST,
        });
    }
    if current == LATEST {
        return Ok(LATEST);
    }
    for sql in MIGRATIONS.iter().skip(current.max(0) as usize) {
        tx.batch_execute(sql).await?;
    }
    tx.execute("UPDATE schema_version SET version = $1", &[&LATEST])
        .await?;
    tx.commit().await?;
    tracing::info!(from = current, to = LATEST, "applied database migrations");
    Ok(LATEST)
}
