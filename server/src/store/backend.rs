//! The store the configuration names, as one type: every part of the server holds a
//! [`Store`] and reaches storage through the traits in [`super::interface`], whichever
//! backend is behind it. A new backend is a module implementing those traits, a variant
//! here and an arm in `on_backend!`.

use super::interface::{
    AdminStore, DirectoryStore, OutboxStore, ResetStore, SessionStore, UpkeepStore,
};
use super::postgres::PgStore;
use super::{SqliteStore, StoreError};

/// The server's store: one of the backends. Cheap to clone.
#[derive(Clone)]
pub enum Store {
    /// One file on this machine (the default).
    Sqlite(SqliteStore),
    /// A PostgreSQL database, which several instances can share.
    Postgres(PgStore),
}

impl From<SqliteStore> for Store {
    fn from(store: SqliteStore) -> Store {
        Store::Sqlite(store)
    }
}

/// Runs `$body` with `$store` bound to the backend behind `$self`.
macro_rules! on_backend {
    ($self:expr, $store:ident => $body:expr) => {
        match $self {
            Store::Sqlite($store) => $body,
            Store::Postgres($store) => $body,
        }
    };
}

// Each trait method is the backend's own.
macro_rules! to_backend {
    ($self:ident, $trait:ident :: $name:ident ( $($arg:expr),* )) => {
        on_backend!($self, store => $trait::$name(store, $($arg),*).await)
    };
}

super::interface::implement_store_traits!(Store, to_backend);

impl Store {
    /// Opens the store at `location`, bringing its schema up to date.
    pub async fn open(location: &super::DatabaseLocation) -> Result<Store, StoreError> {
        match location {
            super::DatabaseLocation::Sqlite(path) => Ok(Store::Sqlite(SqliteStore::open(path)?)),
            super::DatabaseLocation::Postgres(url) => {
                Ok(Store::Postgres(PgStore::connect(url).await?))
            }
        }
    }
}

impl Store {
    /// Makes the completing transaction fail at `point` (tests of "nothing half done").
    pub fn arm_fault(&self, point: Option<super::records::FaultPoint>) {
        on_backend!(self, store => store.arm_fault(point))
    }
}
