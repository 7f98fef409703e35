//! The directory store: users, groups and (in later schema versions) methods, flows,
//! counters, the outbox and the audit log.
//!
//! SQLite is the default backend ([`sqlite::SqliteStore`]); PostgreSQL
//! ([`postgres::PgStore`]) serves several server instances over one database. The rest of
//! the server holds a [`Store`] (whichever the configuration names) and reaches it only
//! through the traits of [`interface`], one per concern.

pub mod backend;
pub mod interface;
pub mod location;
pub mod postgres;
pub mod records;
pub mod sqlite;

pub use backend::Store;
pub use interface::{
    AdminStore, DirectoryStore, OutboxStore, ResetStore, SessionStore, UpkeepStore,
};
pub use location::DatabaseLocation;
pub use sqlite::SqliteStore;

/// Why the store could not do what was asked. Every variant fails closed: the HTTP layer
/// turns it into `503 service_unavailable` without details.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The backend's own error, as text: no backend's types leave its module.
    #[error("database error: {0}")]
    Database(String),
    #[error("cannot create the database folder {path}: {source}")]
    CreateDir {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "cannot create the database file {path}: {source} (check that the server's account may write to its folder)"
    )]
    CreateFile {
        path: std::path::PathBuf,
        source: std::io::Error,
    },
    #[error(
        "the database schema version {found} is newer than this server knows ({known}); upgrade the server"
    )]
    SchemaTooNew { found: i64, known: i64 },
    #[error("the database worker stopped")]
    WorkerGone,
    #[error("no user with the user ID {0}")]
    NoSuchUser(String),
    #[error("unreadable data in the database: {0}")]
    Corrupt(String),
    #[error("fault injected for a test at {0}")]
    Injected(String),
}

/// A person in the directory, as listed by the command line and the demo banner.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UserSummary {
    pub user_id: String,
    pub display_name: String,
    pub enabled: bool,
    pub is_admin: bool,
    pub groups: Vec<String>,
}

/// A user to create (used by the demo seed and, later, the admin command line).
#[derive(Debug, Clone)]
pub struct NewUser<'a> {
    pub user_id: &'a str,
    pub display_name: &'a str,
    pub email: Option<&'a str>,
    pub is_admin: bool,
    pub groups: &'a [&'a str],
}
