//! Schema migrations, applied in order at start. `PRAGMA user_version` records how many
//! have run; each runs in its own transaction, so a crash leaves a consistent schema.

use crate::store::StoreError;
use rusqlite::Connection;

/// Append only: never edit a migration that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the directory and the audit log.
    r#"
    CREATE TABLE users (
        id                 INTEGER PRIMARY KEY,
        user_id            TEXT NOT NULL UNIQUE COLLATE NOCASE,
        display_name       TEXT NOT NULL,
        email              TEXT,
        enabled            INTEGER NOT NULL DEFAULT 1,
        is_admin           INTEGER NOT NULL DEFAULT 0,
        password_hash      TEXT,
        credential_version INTEGER NOT NULL DEFAULT 0,
        created_at         INTEGER NOT NULL
    );
    CREATE TABLE groups (
        id   INTEGER PRIMARY KEY,
        name TEXT NOT NULL UNIQUE COLLATE NOCASE
    );
    CREATE TABLE group_members (
        group_id INTEGER NOT NULL REFERENCES groups(id) ON DELETE CASCADE,
        user_id  INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        PRIMARY KEY (group_id, user_id)
    );
    CREATE TABLE audit_log (
        id      INTEGER PRIMARY KEY,
        at      INTEGER NOT NULL,
        event   TEXT NOT NULL,
        subject TEXT,
        detail  TEXT
    );
    "#,
    // 2: CAPTCHA solutions already used, kept until their challenge expires.
    r#"
    CREATE TABLE captcha_spent (
        challenge  TEXT PRIMARY KEY,
        expires_at INTEGER NOT NULL
    );
    "#,
    // 3: sign-in methods, reset flows and their challenges, failure counters, sends,
    // sessions, password history and the outbox.
    r#"
    ALTER TABLE users ADD COLUMN password_changed_at INTEGER;
    CREATE TABLE methods (
        id              INTEGER PRIMARY KEY,
        user_id         INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind            TEXT NOT NULL,
        contact         TEXT,     -- e-mail address or phone number
        secret          BLOB,     -- TOTP secret, sealed with the server's key
        last_used_step  INTEGER,  -- TOTP: a step at or before this is a replay
        is_default      INTEGER NOT NULL DEFAULT 0,
        created_at      INTEGER NOT NULL
    );
    CREATE INDEX methods_by_user ON methods (user_id);
    CREATE TABLE security_answers (
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        question    TEXT NOT NULL,
        answer_hash BLOB NOT NULL,  -- keyed hash of the normalised answer
        PRIMARY KEY (user_id, question)
    );
    CREATE TABLE password_history (
        id            INTEGER PRIMARY KEY,
        user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        password_hash TEXT NOT NULL,
        retired_at    INTEGER NOT NULL
    );
    CREATE TABLE sessions (
        id_hash    BLOB PRIMARY KEY,
        user_id    INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    CREATE TABLE reset_flows (
        id               TEXT PRIMARY KEY,
        subject          TEXT NOT NULL,  -- keyed hash of the user ID, for decoys too
        user_id          INTEGER REFERENCES users(id) ON DELETE CASCADE,  -- NULL: decoy
        methods_required INTEGER NOT NULL,
        offered          TEXT NOT NULL,  -- JSON: the methods offered
        created_at       INTEGER NOT NULL,
        expires_at       INTEGER NOT NULL,
        completed_at     INTEGER
    );
    CREATE TABLE reset_challenges (
        flow_id         TEXT NOT NULL REFERENCES reset_flows(id) ON DELETE CASCADE,
        method          TEXT NOT NULL,
        code_hash       BLOB,
        code_expires_at INTEGER,
        code_attempts   INTEGER NOT NULL DEFAULT 0,
        sent_at         INTEGER,
        questions       TEXT,      -- JSON: the question ids asked
        verified_at     INTEGER,
        PRIMARY KEY (flow_id, method)
    );
    CREATE TABLE failure_counters (
        subject      TEXT NOT NULL,
        scope        TEXT NOT NULL,  -- 'account' or a method kind
        failures     INTEGER NOT NULL DEFAULT 0,
        locked_until INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (subject, scope)
    );
    CREATE TABLE sends (
        subject TEXT NOT NULL,
        channel TEXT NOT NULL,
        at      INTEGER NOT NULL
    );
    CREATE INDEX sends_by_subject ON sends (subject, channel, at);
    CREATE TABLE outbox (
        id              INTEGER PRIMARY KEY,
        dedupe_key      TEXT NOT NULL UNIQUE,
        recipient       TEXT NOT NULL,
        subject         TEXT NOT NULL,
        body            BLOB NOT NULL,  -- sealed: it may carry a code
        created_at      INTEGER NOT NULL,
        discard_after   INTEGER,        -- codes are useless once expired
        attempts        INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER NOT NULL,
        sent_at         INTEGER,
        failed_at       INTEGER,
        last_error      TEXT
    );
    CREATE INDEX outbox_due ON outbox (next_attempt_at) WHERE sent_at IS NULL AND failed_at IS NULL;
    "#,
    // 4: retention. When a failure counter last changed (0: before this version), so that
    // idle counters can be purged; the audit log by time, for its purge.
    r#"
    ALTER TABLE failure_counters ADD COLUMN updated_at INTEGER NOT NULL DEFAULT 0;
    CREATE INDEX audit_log_by_time ON audit_log (at);
    "#,
    // 5: the hash of the secret that binds a flow to the browser that started it. Flows
    // from before have none and can no longer be used (they last 20 minutes anyway).
    r#"
    ALTER TABLE reset_flows ADD COLUMN secret_hash BLOB NOT NULL DEFAULT x'';
    "#,
    // 6: failure counters count per day-long window (at most 100 failures in one) and
    // remember when the owner was last told of failures against the account.
    r#"
    ALTER TABLE failure_counters ADD COLUMN window_start INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE failure_counters ADD COLUMN window_failures INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE failure_counters ADD COLUMN notified_at INTEGER NOT NULL DEFAULT 0;
    "#,
    // 7: sessions of the security-info page: when each was last used (idle timeout) and
    // when its person last proved a method (NULL: only their password so far).
    r#"
    ALTER TABLE sessions ADD COLUMN last_seen_at INTEGER NOT NULL DEFAULT 0;
    ALTER TABLE sessions ADD COLUMN proven_at INTEGER;
    "#,
    // 8: what a flow is for: 'reset', or 'sign_in' (a sign-in's method proof, which can
    // never set a password).
    r#"
    ALTER TABLE reset_flows ADD COLUMN purpose TEXT NOT NULL DEFAULT 'reset';
    "#,
    // 9: self-service registration. When each method was last proven; registrations
    // waiting for their code (never methods until confirmed; gone with their session);
    // administrators' one-time passes (hashed), one per person.
    r#"
    ALTER TABLE methods ADD COLUMN last_used_at INTEGER;
    CREATE TABLE method_registrations (
        id            TEXT PRIMARY KEY,
        session_hash  BLOB NOT NULL REFERENCES sessions(id_hash) ON DELETE CASCADE,
        user_id       INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        kind          TEXT NOT NULL,
        purpose       TEXT NOT NULL,  -- 'method', or 'contact' (proves the session only)
        contact       TEXT,
        secret        BLOB,           -- an app's TOTP secret, sealed for this registration
        code_hash     BLOB,
        code_attempts INTEGER NOT NULL DEFAULT 0,
        created_at    INTEGER NOT NULL,
        expires_at    INTEGER NOT NULL
    );
    CREATE INDEX method_registrations_by_session ON method_registrations (session_hash);
    CREATE TABLE one_time_passes (
        user_id    INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
        pass_hash  BLOB NOT NULL,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL
    );
    "#,
    // 10: when each person last confirmed their methods (registration's reconfirmation).
    r#"
    ALTER TABLE users ADD COLUMN methods_confirmed_at INTEGER;
    "#,
    // 11: "this wasn't me". The language a person's notices are written in; when they
    // reported a change (their methods are blocked on the security-info page until a
    // reset or an administrator restores them); methods a reported change added or
    // changed (suspended: never offered); each change notice's report link (hashed).
    r#"
    ALTER TABLE users ADD COLUMN preferred_locale TEXT;
    ALTER TABLE users ADD COLUMN methods_blocked_at INTEGER;
    ALTER TABLE methods ADD COLUMN suspended_at INTEGER;
    CREATE TABLE change_reports (
        token_hash  BLOB PRIMARY KEY,
        user_id     INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
        change      TEXT NOT NULL,  -- method_added, method_changed, method_removed, password_changed
        method_kind TEXT,
        method_id   INTEGER,        -- the method added or changed
        created_at  INTEGER NOT NULL,
        expires_at  INTEGER NOT NULL,
        reported_at INTEGER
    );
    "#,
    // 12: phone methods. How each queued message leaves (e-mail, or a phone channel of
    // the telephony provider).
    r#"
    ALTER TABLE outbox ADD COLUMN channel TEXT NOT NULL DEFAULT 'email';
    "#,
    // 13: app notifications. An authenticator page's method row holds its device: a public
    // id, its P-256 public key, its push subscription (JSON), when it was last seen and when
    // its push service said the subscription is gone. Approval requests, one per prompt,
    // with the numbers shown, where the reset was asked from, and how it was settled.
    r#"
    ALTER TABLE methods ADD COLUMN device_id TEXT;
    ALTER TABLE methods ADD COLUMN device_key BLOB;
    ALTER TABLE methods ADD COLUMN push_subscription TEXT;
    ALTER TABLE methods ADD COLUMN device_seen_at INTEGER;
    ALTER TABLE methods ADD COLUMN push_gone_at INTEGER;
    CREATE UNIQUE INDEX methods_by_device ON methods (device_id) WHERE device_id IS NOT NULL;
    CREATE TABLE approval_requests (
        id         TEXT PRIMARY KEY,
        flow_id    TEXT NOT NULL REFERENCES reset_flows(id) ON DELETE CASCADE,
        method     TEXT NOT NULL,      -- the flow's method id
        user_id    INTEGER REFERENCES users(id) ON DELETE CASCADE,   -- NULL: a decoy's
        device     INTEGER REFERENCES methods(id) ON DELETE CASCADE, -- NULL: a decoy's
        numbers    TEXT NOT NULL,      -- the three shown on the phone, comma-separated
        number     INTEGER NOT NULL,   -- the one the portal shows
        client_ip  TEXT,
        browser    TEXT,
        created_at INTEGER NOT NULL,
        expires_at INTEGER NOT NULL,
        settled_at INTEGER,            -- answered, or its timeout counted
        approved   INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX approval_requests_by_flow ON approval_requests (flow_id, method);
    CREATE INDEX approval_requests_by_device ON approval_requests (device) WHERE settled_at IS NULL;
    "#,
    // 14: people of an LDAP directory. Their row is keyed by the directory's stable id
    // (entryUUID, objectGUID), so a rename there keeps their methods; NULL for people of
    // the embedded directory. A flow notes when its password was sent to the directory
    // and may have been taken (a retry then binds with it first).
    r#"
    ALTER TABLE users ADD COLUMN directory_id TEXT;
    ALTER TABLE reset_flows ADD COLUMN writeback_at INTEGER;
    CREATE UNIQUE INDEX users_by_directory_id ON users (directory_id) WHERE directory_id IS NOT NULL;
    "#,
];

/// The schema version this server writes.
pub const LATEST: i64 = MIGRATIONS.len() as i64;

pub fn apply(conn: &mut Connection) -> Result<i64, StoreError> {
    let current: i64 = conn.query_row("PRAGMA user_version", [], |row| row.get(0))?;
    if current > LATEST {
        return Err(StoreError::SchemaTooNew {
            found: current,
            known: LATEST,
        });
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
        let tx = conn.transaction()?;
        tx.execute_batch(sql)?;
        tx.pragma_update(None, "user_version", index as i64 + 1)?;
        tx.commit()?;
        tracing::info!(version = index + 1, "applied database migration");
    }
    Ok(LATEST)
}
