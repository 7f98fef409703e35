//! SQLite backend: one file, WAL journal, `synchronous=FULL`, foreign keys on.

mod counters;
mod devices;
mod directory;
mod directory_sync;
mod migrations;
mod outbox;
mod registrations;
mod reset;
mod retention;
mod sessions;

use crate::clock::Clock;
use crate::store::records::FaultPoint;
use crate::store::{NewUser, StoreError, UserSummary};
use rusqlite::{Connection, params};
use std::path::Path;
use std::sync::{Arc, Mutex};

impl From<rusqlite::Error> for StoreError {
    fn from(error: rusqlite::Error) -> StoreError {
        StoreError::Database(error.to_string())
    }
}

/// A handle to the database; cheap to clone. Queries run on tokio's blocking pool so they
/// never stall the request-serving threads.
#[derive(Clone)]
pub struct SqliteStore {
    conn: Arc<Mutex<Connection>>,
    fault: Arc<Mutex<Option<FaultPoint>>>,
}

impl SqliteStore {
    /// Opens (creating when missing) the database at `path` and brings its schema up to
    /// date. A new database file is created with mode 0600 (SQLite gives its `-wal` and
    /// `-shm` files the same mode) and missing folders with 0700, before SQLite writes a
    /// byte, so the process umask never exposes it.
    pub fn open(path: &Path) -> Result<SqliteStore, StoreError> {
        if let Some(dir) = path.parent().filter(|dir| !dir.as_os_str().is_empty()) {
            crate::private_files::create_dir_all(dir).map_err(|source| StoreError::CreateDir {
                path: dir.to_owned(),
                source,
            })?;
        }
        crate::private_files::create_file_if_missing(path).map_err(|source| {
            StoreError::CreateFile {
                path: path.to_owned(),
                source,
            }
        })?;
        let mut conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        conn.pragma_update(None, "synchronous", "FULL")?;
        conn.pragma_update(None, "foreign_keys", "ON")?;
        conn.busy_timeout(std::time::Duration::from_secs(5))?;
        migrations::apply(&mut conn)?;
        Ok(SqliteStore {
            conn: Arc::new(Mutex::new(conn)),
            fault: Arc::new(Mutex::new(None)),
        })
    }

    /// Makes the completing transaction fail at `point` (tests of "nothing half done").
    pub fn arm_fault(&self, point: Option<FaultPoint>) {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner()) = point;
    }

    pub(super) fn armed_fault(&self) -> Option<FaultPoint> {
        *self.fault.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Runs `work` with the connection on the blocking pool.
    pub(super) async fn call<T, F>(&self, work: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.conn);
        tokio::task::spawn_blocking(move || {
            // A poisoned lock means a query panicked mid-way; SQLite rolled back whatever
            // transaction was open, so the connection itself is still usable.
            let mut guard = conn.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
            work(&mut guard)
        })
        .await
        .map_err(|_| StoreError::WorkerGone)?
    }

    /// Proves the database answers (used by the health endpoint).
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.call(|conn| {
            conn.query_row("SELECT 1", [], |_| Ok(()))?;
            Ok(())
        })
        .await
    }

    /// The journal mode and `synchronous` level actually in force.
    pub async fn durability(&self) -> Result<(String, i64), StoreError> {
        self.call(|conn| {
            let mode: String = conn.query_row("PRAGMA journal_mode", [], |row| row.get(0))?;
            let sync: i64 = conn.query_row("PRAGMA synchronous", [], |row| row.get(0))?;
            Ok((mode, sync))
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
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let inserted = tx.execute(
                "INSERT INTO users (user_id, display_name, email, is_admin, created_at)
                 VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT (user_id) DO NOTHING",
                params![user_id, display_name, email, is_admin, unix_now()],
            )?;
            if inserted == 0 {
                return Ok(false);
            }
            let id = tx.last_insert_rowid();
            for group in &groups {
                tx.execute(
                    "INSERT INTO groups (name) VALUES (?1) ON CONFLICT (name) DO NOTHING",
                    [group],
                )?;
                tx.execute(
                    "INSERT INTO group_members (group_id, user_id)
                     SELECT id, ?2 FROM groups WHERE name = ?1",
                    params![group, id],
                )?;
            }
            audit(&tx, "user_created", Some(&user_id), None)?;
            tx.commit()?;
            Ok(true)
        })
        .await
    }

    /// Every user with their groups, ordered by user ID.
    pub async fn list_users(&self) -> Result<Vec<UserSummary>, StoreError> {
        self.call(|conn| {
            let mut stmt = conn.prepare(
                "SELECT u.user_id, u.display_name, u.enabled, u.is_admin,
                        (SELECT group_concat(g.name, ',') FROM group_members m
                         JOIN groups g ON g.id = m.group_id WHERE m.user_id = u.id)
                 FROM users u ORDER BY u.user_id",
            )?;
            let rows = stmt.query_map([], |row| {
                let groups: Option<String> = row.get(4)?;
                Ok(UserSummary {
                    user_id: row.get(0)?,
                    display_name: row.get(1)?,
                    enabled: row.get(2)?,
                    is_admin: row.get(3)?,
                    groups: groups
                        .map(|g| g.split(',').map(str::to_owned).collect())
                        .unwrap_or_default(),
                })
            })?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
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
        self.call(move |conn| {
            let tx = conn.transaction()?;
            tx.execute(
                "DELETE FROM captcha_spent WHERE expires_at <= ?1",
                [now as i64],
            )?;
            let inserted = tx.execute(
                "INSERT INTO captcha_spent (challenge, expires_at) VALUES (?1, ?2)
                 ON CONFLICT (challenge) DO NOTHING",
                params![challenge, expires_at as i64],
            )?;
            tx.commit()?;
            Ok(inserted == 1)
        })
        .await
    }

    /// The newest audit events, newest first (for tests and the command line).
    pub async fn recent_audit_events(&self, limit: u32) -> Result<Vec<String>, StoreError> {
        self.call(move |conn| {
            let mut stmt = conn.prepare("SELECT event FROM audit_log ORDER BY id DESC LIMIT ?1")?;
            let rows = stmt.query_map([limit], |row| row.get(0))?;
            Ok(rows.collect::<Result<Vec<String>, _>>()?)
        })
        .await
    }

    /// The schema version recorded in the file.
    pub async fn schema_version(&self) -> Result<i64, StoreError> {
        self.call(|conn| Ok(conn.query_row("PRAGMA user_version", [], |row| row.get(0))?))
            .await
    }
}

/// Appends a security event to the audit log. Never pass secrets in `detail`.
fn audit(
    conn: &Connection,
    event: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    audit_at(conn, unix_now() as u64, event, subject, detail)
}

/// [`audit`] at a given time (the caller's clock).
pub(super) fn audit_at(
    conn: &Connection,
    at: u64,
    event: &str,
    subject: Option<&str>,
    detail: Option<&str>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO audit_log (at, event, subject, detail) VALUES (?1, ?2, ?3, ?4)",
        params![at as i64, event, subject, detail],
    )?;
    Ok(())
}

fn unix_now() -> i64 {
    Clock::system().now() as i64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn temp_store() -> (tempfile::TempDir, SqliteStore) {
        let dir = tempfile::tempdir().unwrap();
        let store = SqliteStore::open(&dir.path().join("nested/sspr.sqlite3")).unwrap();
        (dir, store)
    }

    #[tokio::test]
    async fn creates_the_file_and_folder_with_the_latest_schema() {
        let (dir, store) = temp_store();
        assert!(dir.path().join("nested/sspr.sqlite3").exists());
        assert_eq!(store.schema_version().await.unwrap(), migrations::LATEST);
    }

    #[cfg(unix)]
    #[tokio::test]
    async fn a_new_database_and_the_folders_created_for_it_are_private() {
        use std::os::unix::fs::PermissionsExt;
        let mode = |path: &Path| std::fs::metadata(path).unwrap().permissions().mode() & 0o777;
        let (dir, store) = temp_store();
        // A write, so that SQLite creates the -wal and -shm files.
        store.spend_captcha("c".into(), 200, 100).await.unwrap();
        assert_eq!(mode(&dir.path().join("nested")), 0o700);
        for file in ["sspr.sqlite3", "sspr.sqlite3-wal", "sspr.sqlite3-shm"] {
            assert_eq!(mode(&dir.path().join("nested").join(file)), 0o600, "{file}");
        }
    }

    #[tokio::test]
    async fn runs_in_wal_mode_with_full_sync() {
        let (_dir, store) = temp_store();
        let (mode, sync) = store.durability().await.unwrap();
        assert_eq!(mode, "wal");
        assert_eq!(sync, 2, "synchronous=FULL is 2");
    }

    #[tokio::test]
    async fn reopening_keeps_data_and_does_not_migrate_twice() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sspr.sqlite3");
        let store = SqliteStore::open(&path).unwrap();
        let user = NewUser {
            user_id: "a@example.org",
            display_name: "A",
            email: None,
            is_admin: false,
            groups: &["sspr-users"],
        };
        assert!(store.create_user_if_missing(&user).await.unwrap());
        drop(store);
        let store = SqliteStore::open(&path).unwrap();
        assert!(!store.create_user_if_missing(&user).await.unwrap());
        let users = store.list_users().await.unwrap();
        assert_eq!(users.len(), 1);
        assert_eq!(users[0].groups, ["sspr-users"]);
    }

    #[tokio::test]
    async fn user_ids_are_case_insensitive() {
        let (_dir, store) = temp_store();
        let mut user = NewUser {
            user_id: "Adele@Example.org",
            display_name: "Adele",
            email: None,
            is_admin: false,
            groups: &[],
        };
        assert!(store.create_user_if_missing(&user).await.unwrap());
        user.user_id = "adele@example.org";
        assert!(!store.create_user_if_missing(&user).await.unwrap());
    }

    #[tokio::test]
    async fn a_newer_schema_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sspr.sqlite3");
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "user_version", 999).unwrap();
        drop(conn);
        let err = SqliteStore::open(&path).err().unwrap();
        assert!(matches!(err, StoreError::SchemaTooNew { found: 999, .. }));
    }

    #[tokio::test]
    async fn a_captcha_is_spent_once_and_forgotten_after_expiry() {
        let (_dir, store) = temp_store();
        assert!(store.spend_captcha("c1".into(), 200, 100).await.unwrap());
        assert!(!store.spend_captcha("c1".into(), 200, 150).await.unwrap());
        // After expiry the record is purged (the signature check refuses it anyway).
        assert!(store.spend_captcha("c1".into(), 400, 200).await.unwrap());
    }

    #[tokio::test]
    async fn creating_a_user_is_audited() {
        let (_dir, store) = temp_store();
        let user = NewUser {
            user_id: "b@example.org",
            display_name: "B",
            email: None,
            is_admin: true,
            groups: &[],
        };
        store.create_user_if_missing(&user).await.unwrap();
        assert_eq!(
            store.recent_audit_events(5).await.unwrap(),
            ["user_created"]
        );
    }
}

// Each trait method is the inherent method of the same name.
macro_rules! inherent {
    ($self:ident, $trait:ident :: $name:ident ( $($arg:expr),* )) => {
        Self::$name($self, $($arg),*).await
    };
}
crate::store::interface::implement_store_traits!(SqliteStore, inherent);
