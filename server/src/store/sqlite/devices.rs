//! App notifications over SQLite: authenticator pages enrolled as a person's
//! `app_notification` method (their key, push subscription, last sight), the approval
//! requests a reset sends them, and a reported prompt's pause. The requests themselves are
//! written and settled by the reset flow's challenge and proof (`reset.rs`).

use super::registrations::{method_of_kind, queue_notice};
use super::{SqliteStore, audit_at, counters, outbox};
use crate::store::StoreError;
use crate::store::records::{
    ApprovalRecord, DeviceEnrolment, DeviceRecord, PromptsReported, RegistrationOutcome,
    parse_numbers,
};
use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sspr_api::MethodKind;

/// What every read of approval requests selects (`a`: the request, `u`: its account).
const APPROVAL_COLUMNS: &str = "a.id, a.flow_id, a.method, a.user_id, a.device, u.user_id,
    a.numbers, a.number, a.client_ip, a.browser, a.created_at, a.expires_at, a.settled_at,
    a.approved";

fn approval_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<(ApprovalRecord, String)> {
    Ok((
        ApprovalRecord {
            id: row.get(0)?,
            flow_id: row.get(1)?,
            method_id: row.get(2)?,
            user: row.get(3)?,
            device: row.get(4)?,
            user_id: row.get(5)?,
            numbers: Vec::new(),
            number: row.get(7)?,
            client_ip: row.get(8)?,
            browser: row.get(9)?,
            created_at: row.get::<_, i64>(10)? as u64,
            expires_at: row.get::<_, i64>(11)? as u64,
            settled_at: row.get::<_, Option<i64>>(12)?.map(|at| at as u64),
            approved: row.get(13)?,
        },
        row.get(6)?,
    ))
}

fn approvals(
    conn: &Connection,
    condition: &str,
    params: &[&dyn rusqlite::ToSql],
) -> Result<Vec<ApprovalRecord>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT {APPROVAL_COLUMNS} FROM approval_requests a
         JOIN reset_flows f ON f.id = a.flow_id
         LEFT JOIN users u ON u.id = a.user_id
         WHERE {condition} ORDER BY a.created_at DESC, a.rowid DESC"
    ))?;
    let rows = stmt
        .query_map(params, approval_row)?
        .collect::<Result<Vec<_>, _>>()?;
    rows.into_iter()
        .map(|(mut record, numbers)| {
            record.numbers = parse_numbers(&numbers)?;
            Ok(record)
        })
        .collect()
}

impl SqliteStore {
    /// See [`crate::store::ResetStore::approval`].
    pub async fn approval(
        &self,
        flow_id: &str,
        method_id: &str,
    ) -> Result<Option<ApprovalRecord>, StoreError> {
        let (flow_id, method_id) = (flow_id.to_owned(), method_id.to_owned());
        self.call(move |conn| {
            Ok(approvals(
                conn,
                "a.flow_id = ?1 AND a.method = ?2",
                &[&flow_id, &method_id],
            )?
            .into_iter()
            .next())
        })
        .await
    }

    /// See [`crate::store::ResetStore::approval_by_id`].
    pub async fn approval_by_id(&self, id: &str) -> Result<Option<ApprovalRecord>, StoreError> {
        let id = id.to_owned();
        self.call(move |conn| Ok(approvals(conn, "a.id = ?1", &[&id])?.into_iter().next()))
            .await
    }

    /// See [`crate::store::ResetStore::device_approvals`].
    pub async fn device_approvals(
        &self,
        device: i64,
        now: u64,
    ) -> Result<Vec<ApprovalRecord>, StoreError> {
        self.call(move |conn| {
            approvals(
                conn,
                "a.device = ?1 AND a.settled_at IS NULL AND a.expires_at > ?2
                 AND f.completed_at IS NULL AND f.expires_at > ?2",
                &[&device, &(now as i64)],
            )
        })
        .await
    }

    /// See [`crate::store::ResetStore::report_prompts`].
    pub async fn report_prompts(&self, report: PromptsReported) -> Result<(), StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let scope = report.kind.as_str();
            let mut counter = counters::load(&tx, &report.subject, scope)?;
            counter.lock_until_lifted();
            counters::save(&tx, &report.subject, scope, counter, report.now as i64)?;
            for message in &report.messages {
                outbox::insert(&tx, message, report.now)?;
            }
            audit_at(
                &tx,
                report.now,
                "app_notification_reported",
                Some(&report.user_id),
                Some(scope),
            )?;
            tx.commit()?;
            Ok(())
        })
        .await
    }

    /// See [`crate::store::OutboxStore::push_subscription`].
    pub async fn push_subscription(&self, device: i64) -> Result<Option<String>, StoreError> {
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT push_subscription FROM methods
                     WHERE id = ?1 AND kind = 'app_notification' AND push_gone_at IS NULL
                       AND suspended_at IS NULL",
                    [device],
                    |row| row.get(0),
                )
                .optional()?
                .flatten())
        })
        .await
    }

    /// See [`crate::store::OutboxStore::push_subscription_gone`].
    pub async fn push_subscription_gone(&self, device: i64, now: u64) -> Result<(), StoreError> {
        self.call(move |conn| {
            let tx = conn.transaction()?;
            let changed = tx.execute(
                "UPDATE methods SET push_gone_at = ?2
                 WHERE id = ?1 AND kind = 'app_notification' AND push_gone_at IS NULL",
                params![device, now as i64],
            )?;
            if changed > 0 {
                audit_at(&tx, now, "push_subscription_gone", None, None)?;
            }
            tx.commit()?;
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
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT r.user_id FROM method_registrations r
                     JOIN sessions s ON s.id_hash = r.session_hash
                     WHERE r.code_hash = ?1 AND r.kind = 'app_notification'
                       AND r.purpose = 'method' AND r.expires_at > ?2 AND s.expires_at > ?2",
                    params![token_hash, now as i64],
                    |row| row.get(0),
                )
                .optional()?)
        })
        .await
    }

    /// See [`crate::store::SessionStore::enrol_device`].
    pub async fn enrol_device(
        &self,
        enrolment: DeviceEnrolment,
    ) -> Result<RegistrationOutcome, StoreError> {
        self.call(move |conn| {
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
            let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let at = now as i64;
            let kind = MethodKind::AppNotification.as_str();
            let row: Option<(String, String)> = tx
                .query_row(
                    "SELECT r.id, u.user_id FROM method_registrations r
                     JOIN users u ON u.id = r.user_id
                     JOIN sessions s ON s.id_hash = r.session_hash
                     WHERE r.code_hash = ?1 AND r.kind = ?2 AND r.purpose = 'method'
                       AND r.expires_at > ?3 AND r.user_id = ?4
                       AND s.expires_at > ?3 AND s.last_seen_at > ?5",
                    params![token_hash, kind, at, user, session_seen_after as i64],
                    |row| Ok((row.get(0)?, row.get(1)?)),
                )
                .optional()?;
            let Some((registration, user_id)) = row else {
                return Ok(RegistrationOutcome::Gone);
            };
            tx.execute(
                "DELETE FROM method_registrations WHERE id = ?1",
                [&registration],
            )?;
            let (method, replaced) = method_of_kind(&tx, user, kind, at)?;
            tx.execute(
                "UPDATE methods SET contact = ?2, secret = NULL, last_used_step = NULL,
                   created_at = ?3, last_used_at = NULL, device_id = ?4, device_key = ?5,
                   push_subscription = ?6, device_seen_at = ?3, push_gone_at = NULL
                 WHERE id = ?1",
                params![method, name, at, device_id, public_key, subscription],
            )?;
            let notice = notice(MethodKind::AppNotification, replaced, Some(&name));
            queue_notice(&tx, user, &notice, Some(method), now)?;
            let event = if replaced {
                "method_changed"
            } else {
                "method_added"
            };
            audit_at(&tx, now, event, Some(&user_id), Some(kind))?;
            tx.commit()?;
            Ok(RegistrationOutcome::Added { method, replaced })
        })
        .await
    }

    /// See [`crate::store::SessionStore::device`].
    pub async fn device(&self, device_id: String) -> Result<Option<DeviceRecord>, StoreError> {
        self.call(move |conn| {
            Ok(conn
                .query_row(
                    "SELECT id, user_id, device_id, device_key FROM methods
                     WHERE device_id = ?1 AND kind = 'app_notification'
                       AND suspended_at IS NULL AND device_key IS NOT NULL",
                    [&device_id],
                    |row| {
                        Ok(DeviceRecord {
                            method: row.get(0)?,
                            user: row.get(1)?,
                            device_id: row.get(2)?,
                            public_key: row.get(3)?,
                        })
                    },
                )
                .optional()?)
        })
        .await
    }

    /// See [`crate::store::SessionStore::device_seen`].
    pub async fn device_seen(&self, method: i64, now: u64) -> Result<(), StoreError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE methods SET device_seen_at = ?2 WHERE id = ?1 AND kind = 'app_notification'",
                params![method, now as i64],
            )?;
            Ok(())
        })
        .await
    }
}
