//! Sessions of the security-info page (as `store/sqlite/sessions.rs` over SQLite): created
//! (ending the browser's previous one), read with their person, touched, ended. Only the
//! hash of a session id is stored.

use super::{PgStore, StoreError, audit_at, exec, opt};
use crate::store::records::{NewSession, SessionRecord};

impl PgStore {
    pub async fn create_session(&self, session: NewSession) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            if let Some(old) = &session.replaces {
                exec(&tx, "DELETE FROM sessions WHERE id_hash = $1", &[old]).await?;
            }
            let now = session.now as i64;
            let expires_at = session.expires_at as i64;
            let proven_at = session.proven_at.map(|at| at as i64);
            exec(
                &tx,
                "INSERT INTO sessions (id_hash, user_id, created_at, expires_at, last_seen_at,
                                       proven_at)
                 VALUES ($1, $2, $3, $4, $3, $5)",
                &[
                    &session.id_hash,
                    &session.user,
                    &now,
                    &expires_at,
                    &proven_at,
                ],
            )
            .await?;
            if let Some(locale) = &session.locale {
                exec(
                    &tx,
                    "UPDATE users SET preferred_locale = $2 WHERE id = $1",
                    &[&session.user, locale],
                )
                .await?;
            }
            audit_at(&tx, session.now, "signed_in", Some(&session.user_id), None).await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    pub async fn session(&self, id_hash: Vec<u8>) -> Result<Option<SessionRecord>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let row = opt(
                &client,
                "SELECT s.user_id, u.user_id, u.display_name, s.created_at, s.expires_at,
                        s.last_seen_at, s.proven_at
                 FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = $1",
                &[&id_hash],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            Ok(Some(SessionRecord {
                user: row.try_get(0)?,
                user_id: row.try_get(1)?,
                display_name: row.try_get(2)?,
                created_at: row.try_get::<_, i64>(3)? as u64,
                expires_at: row.try_get::<_, i64>(4)? as u64,
                last_seen_at: row.try_get::<_, i64>(5)? as u64,
                proven_at: row.try_get::<_, Option<i64>>(6)?.map(|at| at as u64),
            }))
        })
        .await
    }

    pub async fn touch_session(&self, id_hash: Vec<u8>, now: u64) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            exec(
                &client,
                "UPDATE sessions SET last_seen_at = $2 WHERE id_hash = $1",
                &[&id_hash, &(now as i64)],
            )
            .await?;
            Ok(())
        })
        .await
    }

    pub async fn prove_session(&self, id_hash: Vec<u8>, now: u64) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let changed = exec(
                &client,
                "UPDATE sessions SET proven_at = $2, last_seen_at = $2 WHERE id_hash = $1",
                &[&id_hash, &(now as i64)],
            )
            .await?;
            Ok(changed == 1)
        })
        .await
    }

    pub async fn end_session(&self, id_hash: Vec<u8>, now: u64) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let row = opt(
                &tx,
                "SELECT u.user_id FROM sessions s JOIN users u ON u.id = s.user_id
                 WHERE s.id_hash = $1 FOR UPDATE OF s",
                &[&id_hash],
            )
            .await?;
            let Some(row) = row else {
                return Ok(false);
            };
            let user_id: String = row.try_get(0)?;
            exec(&tx, "DELETE FROM sessions WHERE id_hash = $1", &[&id_hash]).await?;
            audit_at(&tx, now, "signed_out", Some(&user_id), None).await?;
            tx.commit().await?;
            Ok(true)
        })
        .await
    }
}
