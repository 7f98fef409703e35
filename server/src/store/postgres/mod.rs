//! PostgreSQL backend: the same operations as the SQLite one (`sqlite/` and its
//! neighbours), for several server instances sharing one database.
//!
//! Each operation is one transaction, like SQLite's. SQLite serialises every writer with its
//! single connection; here each transaction locks what it reads and then writes:
//!
//! - a reset flow's row (`SELECT ... FOR UPDATE`), which also guards its challenges;
//! - the failure counters and sends of an account, with a transaction-level advisory lock
//!   on the account's subject ([`counters::lock_subject`]): it covers the account's own
//!   scopes, those of its recognised browsers (`subject:tag`) and counters not written yet;
//! - a user's row (`FOR NO KEY UPDATE`) where its password or methods change;
//! - an authenticator method's row, whose last used step guards against replays.
//!
//! Locks are always taken in that order (flow, user, subject, method), so two operations
//! never wait on each other in a circle. Housekeeping deletes (expired flows, sends and
//! CAPTCHAs) skip rows another transaction holds (`SKIP LOCKED`) rather than wait for them.
//!
//! Text columns use the "C" collation, so comparisons and ordering are bytewise like
//! SQLite's default, and `lower()` folds ASCII letters only, like SQLite's `NOCASE`.
//! Driver types never leave this module: errors become [`StoreError::Database`].

mod counters;
mod devices;
mod directory_store;
mod directory_sync;
mod migrations;
mod outbox_store;
mod registrations;
mod reset_store;
mod retention;
mod sessions;
#[cfg(test)]
mod tests;
#[cfg(test)]
mod throwaway;

use super::records::FaultPoint;
use super::{NewUser, StoreError, UserSummary};
use crate::clock::Clock;
use deadpool_postgres::{
    GenericClient, Hook, HookError, Manager, ManagerConfig, Pool, PoolError, RecyclingMethod,
    Runtime,
};
use std::future::Future;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio_postgres::config::SslMode;
use tokio_postgres::types::ToSql;
use tokio_postgres::{Config, NoTls, Row};

/// Connections kept open to the database.
const POOL_SIZE: usize = 8;
/// How long an operation waits for a free connection, or for a new one to open.
const CONNECTION_WAIT: Duration = Duration::from_secs(10);
/// How long a statement waits for a lock another transaction holds before it fails (SQLite's
/// `busy_timeout`): a stuck transaction elsewhere fails requests closed instead of hanging them.
const LOCK_TIMEOUT: &str = "SET lock_timeout = '5s'";

impl From<tokio_postgres::Error> for StoreError {
    fn from(error: tokio_postgres::Error) -> StoreError {
        StoreError::Database(describe(&error))
    }
}

impl From<PoolError> for StoreError {
    fn from(error: PoolError) -> StoreError {
        StoreError::Database(format!("PostgreSQL connection pool: {}", describe(&error)))
    }
}

/// An error with its causes (the driver's own text names only the kind: "db error",
/// "error performing TLS handshake"). A server's error is told by its severity, message
/// and SQLSTATE, without the DETAIL that may quote row values (user IDs, addresses).
fn describe(error: &(dyn std::error::Error + 'static)) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let line = match cause.downcast_ref::<tokio_postgres::error::DbError>() {
            Some(db) => format!("{}: {} ({})", db.severity(), db.message(), db.code().code()),
            None => cause.to_string(),
        };
        if !text.contains(&line) {
            text.push_str(": ");
            text.push_str(&line);
        }
        source = cause.source();
    }
    text
}

/// A handle to the database; cheap to clone (the pool is shared).
#[derive(Clone)]
pub struct PgStore {
    pool: Pool,
    fault: Arc<Mutex<Option<FaultPoint>>>,
}

impl PgStore {
    /// Connects to the database at `url` (`postgres://user:password@host:port/db`, also
    /// `postgresql://`, `?host=/socket/dir` for a Unix socket, or `key=value` pairs),
    /// checks that it answers and brings its schema up to date.
    ///
    /// TLS: `sslmode=require` connects only over TLS, with the server's certificate checked
    /// against the Mozilla roots and its host name (stricter than libpq's `require`, which
    /// checks nothing without a root file). `sslmode=prefer` (the default) and `disable`
    /// connect without TLS: use `require` wherever the network is not trusted.
    pub async fn connect(url: &str) -> Result<PgStore, StoreError> {
        // The parser's errors never repeat the URL (nor its password).
        let config: Config = url.parse().map_err(|err: tokio_postgres::Error| {
            StoreError::Database(format!("invalid PostgreSQL URL: {}", describe(&err)))
        })?;
        PgStore::from_config(config).await
    }

    /// [`PgStore::connect`] with a parsed configuration (kept inside the module: the
    /// driver's types never leave it).
    async fn from_config(mut config: Config) -> Result<PgStore, StoreError> {
        if config.get_application_name().is_none() {
            config.application_name("sspr-server");
        }
        if config.get_connect_timeout().is_none() {
            config.connect_timeout(CONNECTION_WAIT);
        }
        let manager_config = ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        };
        let manager = match config.get_ssl_mode() {
            SslMode::Require => Manager::from_config(config, tls()?, manager_config),
            // `prefer` (the default) connects in clear, as tokio-postgres does without a
            // TLS connector. libpq's `prefer` takes TLS without checking the certificate,
            // which stops only passive listeners; checking it would refuse the self-signed
            // certificates many servers come with. Ask `require` for TLS.
            _ => Manager::from_config(config, NoTls, manager_config),
        };
        let pool = Pool::builder(manager)
            .max_size(POOL_SIZE)
            .runtime(Runtime::Tokio1)
            .wait_timeout(Some(CONNECTION_WAIT))
            .create_timeout(Some(CONNECTION_WAIT))
            .recycle_timeout(Some(CONNECTION_WAIT))
            .post_create(Hook::async_fn(|client, _| {
                Box::pin(async move {
                    client
                        .batch_execute(LOCK_TIMEOUT)
                        .await
                        .map_err(HookError::Backend)
                })
            }))
            .build()
            .map_err(|err| StoreError::Database(format!("PostgreSQL connection pool: {err}")))?;
        let mut client = pool.get().await?;
        migrations::apply(&mut client).await?;
        drop(client);
        Ok(PgStore {
            pool,
            fault: Arc::new(Mutex::new(None)),
        })
    }

    /// Makes the completing transaction fail at `point` (tests of "nothing half done").
    pub fn arm_fault(&self, point: Option<FaultPoint>) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = point;
    }

    fn armed_fault(&self) -> Option<FaultPoint> {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs one operation to its end on its own task, whatever becomes of the caller (as
    /// SQLite's work on the blocking pool does): a request that goes away mid-way never
    /// leaves an operation cut short.
    async fn run<T, F, Fut>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(PgStore) -> Fut,
        Fut: Future<Output = Result<T, StoreError>> + Send + 'static,
    {
        tokio::spawn(work(self.clone()))
            .await
            .map_err(|_| StoreError::WorkerGone)?
    }

    /// A connection from the pool.
    async fn client(&self) -> Result<deadpool_postgres::Client, StoreError> {
        Ok(self.pool.get().await?)
    }

    /// Proves the database answers (used by the health endpoint).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.run(|store| async move {
            let client = store.client().await?;
            one(&client, "SELECT 1", &[]).await?;
            Ok(())
        })
        .await
    }

    /// Creates the user unless one with the same user ID exists; returns whether it was
    /// created. Groups are created as needed.
    pub async fn create_user_if_missing(&self, user: &NewUser<'_>) -> Result<bool, StoreError> {
        let user_id = user.user_id.to_owned();
        let display_name = user.display_name.to_owned();
        let email = user.email.map(str::to_owned);
        let is_admin = user.is_admin;
        let groups: Vec<String> = user.groups.iter().map(|g| (*g).to_owned()).collect();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let inserted = opt(
                &tx,
                "INSERT INTO users (user_id, display_name, email, is_admin, created_at)
                 VALUES ($1, $2, $3, $4, $5) ON CONFLICT ((lower(user_id))) DO NOTHING
                 RETURNING id",
                &[&user_id, &display_name, &email, &is_admin, &unix_now()],
            )
            .await?;
            let Some(row) = inserted else {
                return Ok(false);
            };
            let id: i64 = row.try_get(0)?;
            for group in &groups {
                exec(
                    &tx,
                    "INSERT INTO groups (name) VALUES ($1) ON CONFLICT ((lower(name))) DO NOTHING",
                    &[group],
                )
                .await?;
                exec(
                    &tx,
                    "INSERT INTO group_members (group_id, user_id)
                     SELECT id, $2 FROM groups WHERE lower(name) = lower($1::text COLLATE \"C\")",
                    &[group, &id],
                )
                .await?;
            }
            audit(&tx, "user_created", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }

    /// Every user with their groups, ordered by user ID (without case, as SQLite's NOCASE).
    pub async fn list_users(&self) -> Result<Vec<UserSummary>, StoreError> {
        self.run(|store| async move {
            let client = store.client().await?;
            // Groups in the order the memberships were made, joined and split on ',' as
            // SQLite's group_concat does.
            let rows = all(
                &client,
                "SELECT u.user_id, u.display_name, u.enabled, u.is_admin,
                        (SELECT string_agg(g.name, ',' ORDER BY m.position) FROM group_members m
                         JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id)
                 FROM users u ORDER BY lower(u.user_id)",
                &[],
            )
            .await?;
            rows.iter()
                .map(|row| {
                    let groups: Option<String> = row.try_get(4)?;
                    Ok(UserSummary {
                        user_id: row.try_get(0)?,
                        display_name: row.try_get(1)?,
                        enabled: row.try_get(2)?,
                        is_admin: row.try_get(3)?,
                        groups: groups
                            .map(|g| g.split(',').map(str::to_owned).collect())
                            .unwrap_or_default(),
                    })
                })
                .collect()
        })
        .await
    }

    /// Records a CAPTCHA challenge as used; false when it was used before. Expired
    /// records are dropped on the way.
    pub async fn spend_captcha(
        &self,
        challenge: String,
        expires_at: u64,
        now: u64,
    ) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let now = now as i64;
            exec(
                &tx,
                "DELETE FROM captcha_spent WHERE challenge IN
                 (SELECT challenge FROM captcha_spent WHERE expires_at <= $1
                  FOR UPDATE SKIP LOCKED)",
                &[&now],
            )
            .await?;
            // An expired record of the same challenge that the delete skipped (another
            // transaction held it) counts as gone, as it would after SQLite's delete.
            let spent = opt(
                &tx,
                "INSERT INTO captcha_spent (challenge, expires_at) VALUES ($1, $2)
                 ON CONFLICT (challenge) DO UPDATE SET expires_at = EXCLUDED.expires_at
                   WHERE captcha_spent.expires_at <= $3
                 RETURNING true",
                &[&challenge, &(expires_at as i64), &now],
            )
            .await?
            .is_some();
            tx.commit().await?;
            Ok(spent)
        })
        .await
    }

    /// The newest audit events, newest first (for tests and the command line).
    pub async fn recent_audit_events(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let rows = all(
                &client,
                "SELECT event FROM audit_log ORDER BY id DESC LIMIT $1",
                &[&i64::from(limit)],
            )
            .await?;
            rows.iter()
                .map(|row| Ok(row.try_get(0)?))
                .collect::<Result<_, StoreError>>()
        })
        .await
    }

    /// The schema version recorded in the database.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        self.run(|store| async move {
            let client = store.client().await?;
            Ok(one(&client, "SELECT version FROM schema_version", &[])
                .await?
                .try_get(0)?)
        })
        .await
    }
}

/// TLS for `sslmode=require`: rustls with the ring provider and the Mozilla roots.
fn tls() -> Result<tokio_postgres_rustls::MakeRustlsConnect, StoreError> {
    let roots = rustls::RootCertStore {
        roots: webpki_roots::TLS_SERVER_ROOTS.to_vec(),
    };
    let config = rustls::ClientConfig::builder_with_provider(Arc::new(
        rustls::crypto::ring::default_provider(),
    ))
    .with_safe_default_protocol_versions()
    .map_err(|err| StoreError::Database(format!("TLS for PostgreSQL: {err}")))?
    .with_root_certificates(roots)
    .with_no_client_auth();
    Ok(tokio_postgres_rustls::MakeRustlsConnect::new(config))
}

/// A read-only transaction that sees one snapshot throughout (what a multi-query read
/// of SQLite sees behind its single connection).
async fn read_tx(
    client: &mut deadpool_postgres::Client,
) -> Result<deadpool_postgres::Transaction<'_>, StoreError> {
    Ok(client
        .build_transaction()
        .isolation_level(tokio_postgres::IsolationLevel::RepeatableRead)
        .read_only(true)
        .start()
        .await?)
}

/// The parameters of a statement.
type Params<'a> = &'a [&'a (dyn ToSql + Sync)];

/// Every row of a query (prepared once per connection).
async fn all<C: GenericClient>(
    conn: &C,
    sql: &str,
    params: Params<'_>,
) -> Result<Vec<Row>, StoreError> {
    let statement = conn.prepare_cached(sql).await?;
    Ok(conn.query(&statement, params).await?)
}

/// The row of a query that returns at most one.
async fn opt<C: GenericClient>(
    conn: &C,
    sql: &str,
    params: Params<'_>,
) -> Result<Option<Row>, StoreError> {
    let statement = conn.prepare_cached(sql).await?;
    Ok(conn.query_opt(&statement, params).await?)
}

/// The row of a query that returns exactly one.
async fn one<C: GenericClient>(conn: &C, sql: &str, params: Params<'_>) -> Result<Row, StoreError> {
    let statement = conn.prepare_cached(sql).await?;
    Ok(conn.query_one(&statement, params).await?)
}

/// Runs a statement; returns how many rows it changed.
async fn exec<C: GenericClient>(
    conn: &C,
    sql: &str,
    params: Params<'_>,
) -> Result<u64, StoreError> {
    let statement = conn.prepare_cached(sql).await?;
    Ok(conn.execute(&statement, params).await?)
}

/// Appends a security event to the audit log at the system clock's time. Never pass
/// secrets in `detail`.
async fn audit<C: GenericClient>(
    conn: &C,
    event: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    audit_at(conn, unix_now() as u64, event, subject, detail).await
}

/// [`audit`] at a given time (the caller's clock).
async fn audit_at<C: GenericClient>(
    conn: &C,
    at: u64,
    event: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    exec(
        conn,
        "INSERT INTO audit_log (at, event, subject, detail) VALUES ($1, $2, $3, $4)",
        &[&(at as i64), &event, &subject, &detail],
    )
    .await?;
    Ok(())
}

fn unix_now() -> i64 {
    Clock::system().now() as i64
}

/// A column's integer as a narrower type, or the row is unreadable.
fn narrow<T: TryFrom<i64>>(value: i64, column: &str) -> Result<T, StoreError> {
    T::try_from(value).map_err(|_| StoreError::Corrupt(format!("{column} out of range: {value}")))
}

// Each trait method is the inherent method of the same name.
macro_rules! inherent {
    ($self:ident, $trait:ident :: $name:ident ( $($arg:expr),* )) => {
        Self::$name($self, $($arg),*).await
    };
}
crate::store::interface::implement_store_traits!(PgStore, inherent);
