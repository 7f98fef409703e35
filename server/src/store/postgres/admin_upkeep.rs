//! Administering people and upkeep (the [`AdminStore`] and [`UpkeepStore`] traits) over
//! the inherent operations of `mod.rs`, `directory_store.rs`, `outbox_store.rs` and
//! `retention.rs`.

use super::PgStore;
use crate::store::interface::{AdminStore, UpkeepStore};
use crate::store::records::{MethodListing, PurgeReport, QueuedMessage};
use crate::store::{NewUser, StoreError, UserSummary};
use std::future::Future;
use std::time::Duration;

impl AdminStore for PgStore {
    fn create_user_if_missing(
        &self,
        user: &NewUser<'_>,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        PgStore::create_user_if_missing(self, user)
    }
    fn list_users(&self) -> impl Future<Output = Result<Vec<UserSummary>, StoreError>> + Send {
        PgStore::list_users(self)
    }
    fn set_enabled(
        &self,
        user_id: &str,
        enabled: bool,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        PgStore::set_enabled(self, user_id, enabled, now)
    }
    fn add_to_group(
        &self,
        user_id: &str,
        group: &str,
        now: u64,
    ) -> impl Future<Output = Result<(), StoreError>> + Send {
        PgStore::add_to_group(self, user_id, group, now)
    }
    fn list_methods(
        &self,
        user_id: &str,
    ) -> impl Future<Output = Result<Vec<MethodListing>, StoreError>> + Send {
        PgStore::list_methods(self, user_id)
    }
    fn rename_user(
        &self,
        user_id: &str,
        new_user_id: &str,
        now: u64,
    ) -> impl Future<Output = Result<bool, StoreError>> + Send {
        PgStore::rename_user(self, user_id, new_user_id, now)
    }
}

impl UpkeepStore for PgStore {
    fn ping(&self) -> impl Future<Output = Result<(), StoreError>> + Send {
        PgStore::ping(self)
    }
    fn purge(
        &self,
        now: u64,
        audit_retention: Duration,
    ) -> impl Future<Output = Result<PurgeReport, StoreError>> + Send {
        PgStore::purge(self, now, audit_retention)
    }
    fn recent_messages(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<QueuedMessage>, StoreError>> + Send {
        PgStore::recent_messages(self, limit)
    }
    fn recent_audit_events(
        &self,
        limit: u32,
    ) -> impl Future<Output = Result<Vec<String>, StoreError>> + Send {
        PgStore::recent_audit_events(self, limit)
    }
}
