//! App notifications (as `store/sqlite/devices.rs` over SQLite): authenticator pages
//! enrolled as a person's `app_notification` method, the approval requests a reset sends
//! them, and a reported prompt's pause. The requests are written and settled by the reset
//! flow's challenge and proof (`reset_store.rs`), under the flow's row lock.

use super::counters::{self, lock_subject};
use super::registrations::{method_of_kind, queue_notice};
use super::{GenericClient, PgStore, StoreError, all, audit_at, exec, narrow, opt, outbox_store};
use crate::store::records::{
    ApprovalRecord, DeviceEnrolment, DeviceRecord, PromptsReported, RegistrationOutcome,
    parse_numbers,
};
use sspr_api::MethodKind;
use tokio_postgres::Row;
use tokio_postgres::types::ToSql;

/// What every read of approval requests selects (`a`: the request, `u`: its account).
const APPROVAL_COLUMNS: &str = "a.id, a.flow_id, a.method, a.user_id, a.device, u.user_id,
    a.numbers, a.number, a.client_ip, a.browser, a.created_at, a.expires_at, a.settled_at,
    a.approved";

fn approval_row(row: &Row) -> Result<ApprovalRecord, StoreError> {
    Ok(ApprovalRecord {
        id: row.try_get(0)?,
        flow_id: row.try_get(1)?,
        method_id: row.try_get(2)?,
        user: row.try_get(3)?,
        device: row.try_get(4)?,
        user_id: row.try_get(5)?,
        numbers: parse_numbers(&row.try_get::<_, String>(6)?)?,
        number: narrow(row.try_get(7)?, "approval_requests.number")?,
        client_ip: row.try_get(8)?,
        browser: row.try_get(9)?,
        created_at: row.try_get::<_, i64>(10)? as u64,
        expires_at: row.try_get::<_, i64>(11)? as u64,
        settled_at: row.try_get::<_, Option<i64>>(12)?.map(|at| at as u64),
        approved: row.try_get(13)?,
    })
}

async fn approvals<C: GenericClient>(
    conn: &C,
    condition: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<ApprovalRecord>, StoreError> {
    all(
        conn,
        &format!(
            "SELECT {APPROVAL_COLUMNS} FROM approval_requests a
             JOIN reset_flows f ON f.id = a.flow_id
             LEFT JOIN users u ON u.id = a.user_id
             WHERE {condition} ORDER BY a.created_at DESC, a.id DESC"
        ),
        params,
    )
    .await?
    .iter()
    .map(approval_row)
    .collect()
}

impl PgStore {
    /// See [`crate::store::ResetStore::approval`].
    pub async fn approval(
        &self,
        flow_id: &str,
        method_id: &str,
    ) -> Result<Option<ApprovalRecord>, StoreError> {
        let (flow_id, method_id) = (flow_id.to_owned(), method_id.to_owned());
        self.run(move |store| async move {
            let client = store.client().await?;
            let found = approvals(
                &client,
                "a.flow_id = $1 AND a.method = $2",
                &[&flow_id, &method_id],
            )
            .await?;
            Ok(found.into_iter().next())
        })
        .await
    }

    /// See [`crate::store::ResetStore::approval_by_id`].
    pub async fn approval_by_id(&self, id: &str) -> Result<Option<ApprovalRecord>, StoreError> {
        let id = id.to_owned();
        self.run(move |store| async move {
            let client = store.client().await?;
            let found = approvals(&client, "a.id = $1", &[&id]).await?;
            Ok(found.into_iter().next())
        })
        .await
    }

    /// See [`crate::store::ResetStore::device_approvals`].
    pub async fn device_approvals(
        &self,
        device: i64,
        now: u64,
    ) -> Result<Vec<ApprovalRecord>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            approvals(
                &client,
                "a.device = $1 AND a.settled_at IS NULL AND a.expires_at > $2
                 AND f.completed_at IS NULL AND f.expires_at > $2",
                &[&device, &(now as i64)],
            )
            .await
        })
        .await
    }

    /// See [`crate::store::ResetStore::report_prompts`].
    pub async fn report_prompts(&self, report: PromptsReported) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            lock_subject(&tx, &report.subject).await?;
            let scope = report.kind.as_str();
            let mut counter = counters::load(&tx, &report.subject, scope).await?;
            counter.lock_until_lifted();
            counters::save(&tx, &report.subject, scope, counter, report.now as i64).await?;
            for message in &report.messages {
                outbox_store::insert(&tx, message, report.now).await?;
            }
            audit_at(
                &tx,
                report.now,
                "app_notification_reported",
                Some(&report.user_id),
                Some(scope),
            )
            .await?;
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::OutboxStore::push_subscription`].
    pub async fn push_subscription(&self, device: i64) -> Result<Option<String>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let row = opt(
                &client,
                "SELECT push_subscription FROM methods
                 WHERE id = $1 AND kind = 'app_notification' AND push_gone_at IS NULL
                   AND suspended_at IS NULL",
                &[&device],
            )
            .await?;
            Ok(match row {
                Some(row) => row.try_get(0)?,
                None => None,
            })
        })
        .await
    }

    /// See [`crate::store::OutboxStore::push_subscription_gone`].
    pub async fn push_subscription_gone(&self, device: i64, now: u64) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let changed = exec(
                &tx,
                "UPDATE methods SET push_gone_at = $2
                 WHERE id = $1 AND kind = 'app_notification' AND push_gone_at IS NULL",
                &[&device, &(now as i64)],
            )
            .await?;
            if changed > 0 {
                audit_at(&tx, now, "push_subscription_gone", None, None).await?;
            }
            tx.commit().await?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::SessionStore::device_registration`].
    pub async fn device_registration(
        &self,
        token_hash: Vec<u8>,
        now: u64,
    ) -> Result<Option<i64>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let row = opt(
                &client,
                "SELECT r.user_id FROM method_registrations r
                 JOIN sessions s ON s.id_hash = r.session_hash
                 WHERE r.code_hash = $1 AND r.kind = 'app_notification'
                   AND r.purpose = 'method' AND r.expires_at > $2 AND s.expires_at > $2",
                &[&token_hash, &(now as i64)],
            )
            .await?;
            Ok(match row {
                Some(row) => Some(row.try_get(0)?),
                None => None,
            })
        })
        .await
    }

    /// See [`crate::store::SessionStore::enrol_device`].
    pub async fn enrol_device(
        &self,
        enrolment: DeviceEnrolment,
    ) -> Result<RegistrationOutcome, StoreError> {
        self.run(move |store| async move {
            let DeviceEnrolment {
                token_hash,
                user,
                device_id,
                public_key,
                name,
                subscription,
                now,
                session_seen_after,
                notice,
            } = enrolment;
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let at = now as i64;
            let kind = MethodKind::AppNotification.as_str();
            // The registration locked: a token is used once, however many phones try.
            let row = opt(
                &tx,
                "SELECT r.id, u.user_id FROM method_registrations r
                 JOIN users u ON u.id = r.user_id
                 JOIN sessions s ON s.id_hash = r.session_hash
                 WHERE r.code_hash = $1 AND r.kind = $2 AND r.purpose = 'method'
                   AND r.expires_at > $3 AND r.user_id = $4
                   AND s.expires_at > $3 AND s.last_seen_at > $5
                 FOR UPDATE OF r",
                &[&token_hash, &kind, &at, &user, &(session_seen_after as i64)],
            )
            .await?;
            let Some(row) = row else {
                return Ok(RegistrationOutcome::Gone);
            };
            let registration: String = row.try_get(0)?;
            let user_id: String = row.try_get(1)?;
            exec(
                &tx,
                "DELETE FROM method_registrations WHERE id = $1",
                &[&registration],
            )
            .await?;
            let (method, replaced) = method_of_kind(&tx, user, kind, at).await?;
            exec(
                &tx,
                "UPDATE methods SET contact = $2, secret = NULL, last_used_step = NULL,
                   created_at = $3, last_used_at = NULL, device_id = $4, device_key = $5,
                   push_subscription = $6, device_seen_at = $3, push_gone_at = NULL
                 WHERE id = $1",
                &[&method, &name, &at, &device_id, &public_key, &subscription],
            )
            .await?;
            let notice = notice(MethodKind::AppNotification, replaced, Some(&name));
            queue_notice(&tx, user, &notice, Some(method), now).await?;
            let event = if replaced {
                "method_changed"
            } else {
                "method_added"
            };
            audit_at(&tx, now, event, Some(&user_id), Some(kind)).await?;
            tx.commit().await?;
            Ok(RegistrationOutcome::Added { method, replaced })
        })
        .await
    }

    /// See [`crate::store::SessionStore::device`].
    pub async fn device(&self, device_id: String) -> Result<Option<DeviceRecord>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let row = opt(
                &client,
                "SELECT id, user_id, device_id, device_key FROM methods
                 WHERE device_id = $1 AND kind = 'app_notification'
                   AND suspended_at IS NULL AND device_key IS NOT NULL",
                &[&device_id],
            )
            .await?;
            let Some(row) = row else {
                return Ok(None);
            };
            Ok(Some(DeviceRecord {
                method: row.try_get(0)?,
                user: row.try_get(1)?,
                device_id: row.try_get(2)?,
                public_key: row.try_get(3)?,
            }))
        })
        .await
    }

    /// See [`crate::store::SessionStore::device_seen`].
    pub async fn device_seen(&self, method: i64, now: u64) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            exec(
                &client,
                "UPDATE methods SET device_seen_at = $2 WHERE id = $1 AND kind = 'app_notification'",
                &[&method, &(now as i64)],
            )
            .await?;
            Ok(())
        })
        .await
    }
}
