//! The outbox (as `store/sqlite/outbox.rs` over SQLite): messages queued in the same transaction
//! as the change they report, then delivered by workers with a lease and retries (the
//! `OutboxStore` trait, through `implement_store_traits!`). The de-duplication key is unique, so queuing the same
//! notification twice keeps one, and a message keeps its key (and so its Message-ID) across
//! every try. Bodies are sealed (they may carry codes).

use super::{GenericClient, PgStore, StoreError, all, exec, narrow, one};
use crate::store::records::{DeliveryStatus, MessageChannel, NewMessage, QueuedMessage};
use tokio_postgres::Row;

/// Queues a message in the caller's transaction; returns false when the key was queued
/// before.
pub(super) async fn insert<C: GenericClient>(
    conn: &C,
    message: &NewMessage,
    now: u64,
) -> Result<bool, StoreError> {
    let inserted = exec(
        conn,
        "INSERT INTO outbox (dedupe_key, recipient, subject, body, created_at, discard_after,
                             next_attempt_at, channel)
         VALUES ($1, $2, $3, $4, $5, $6, $5, $7) ON CONFLICT (dedupe_key) DO NOTHING",
        &[
            &message.dedupe_key,
            &message.recipient,
            &message.subject,
            &message.sealed_body,
            &(now as i64),
            &message.discard_after.map(|t| t as i64),
            &message.channel.as_str(),
        ],
    )
    .await?;
    Ok(inserted == 1)
}

fn from_row(row: &Row) -> Result<QueuedMessage, StoreError> {
    let sent_at: Option<i64> = row.try_get(7)?;
    let failed_at: Option<i64> = row.try_get(8)?;
    let last_error: Option<String> = row.try_get(9)?;
    let channel: String = row.try_get(10)?;
    Ok(QueuedMessage {
        id: row.try_get(0)?,
        dedupe_key: row.try_get(1)?,
        channel: MessageChannel::parse(&channel)
            .ok_or_else(|| StoreError::Corrupt(format!("unknown outbox channel {channel:?}")))?,
        recipient: row.try_get(2)?,
        subject: row.try_get(3)?,
        sealed_body: row.try_get(4)?,
        created_at: row.try_get::<_, i64>(5)? as u64,
        attempts: narrow(row.try_get(6)?, "outbox.attempts")?,
        status: match (sent_at, failed_at) {
            (Some(_), _) => DeliveryStatus::Sent,
            (None, Some(_)) => DeliveryStatus::Failed(last_error.unwrap_or_default()),
            (None, None) => DeliveryStatus::Pending,
        },
    })
}

impl PgStore {
    /// Queues a message on its own (outside another change).
    pub async fn queue_message(&self, message: NewMessage, now: u64) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            insert(&client, &message, now).await
        })
        .await
    }

    /// Messages due for delivery, oldest first. Expired ones are marked failed on the way.
    /// Rows another worker is changing at this moment are skipped, not waited for.
    pub async fn due_messages(
        &self,
        now: u64,
        limit: u32,
        channels: Vec<MessageChannel>,
    ) -> Result<Vec<QueuedMessage>, StoreError> {
        let channels: Vec<&'static str> = channels.iter().map(|c| c.as_str()).collect();
        self.run(move |store| async move {
            let mut client = store.client().await?;
            let tx = client.transaction().await?;
            let now = now as i64;
            exec(
                &tx,
                "UPDATE outbox SET failed_at = $1, last_error = 'expired before delivery'
                 WHERE id IN (SELECT id FROM outbox
                              WHERE sent_at IS NULL AND failed_at IS NULL AND discard_after <= $1
                              FOR UPDATE SKIP LOCKED)",
                &[&now],
            )
            .await?;
            let rows = all(
                &tx,
                "SELECT id, dedupe_key, recipient, subject, body, created_at, attempts, sent_at,
                        failed_at, last_error, channel
                 FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $1
                   AND channel = ANY($3)
                 ORDER BY id LIMIT $2 FOR UPDATE SKIP LOCKED",
                &[&now, &i64::from(limit), &channels],
            )
            .await?;
            let messages = rows.iter().map(from_row).collect::<Result<Vec<_>, _>>()?;
            tx.commit().await?;
            Ok(messages)
        })
        .await
    }

    /// When the next pending message is due, if any.
    pub async fn next_message_due(
        &self,
        channels: Vec<MessageChannel>,
    ) -> Result<Option<u64>, StoreError> {
        let channels: Vec<&'static str> = channels.iter().map(|c| c.as_str()).collect();
        self.run(move |store| async move {
            let client = store.client().await?;
            let next: Option<i64> = one(
                &client,
                "SELECT min(next_attempt_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
                   AND channel = ANY($1)",
                &[&channels],
            )
            .await?
            .try_get(0)?;
            Ok(next.map(|t| t.max(0) as u64))
        })
        .await
    }

    /// Takes a due message for one delivery try: it is not due again before `lease_until`,
    /// so another worker (or this one, after a crash mid-send) leaves it alone until then.
    /// False when someone else took it first or it is no longer pending. Two workers at
    /// once: the second waits for the first's update, finds the lease taken and gets false.
    pub async fn claim_message(
        &self,
        id: i64,
        now: u64,
        lease_until: u64,
    ) -> Result<bool, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let claimed = exec(
                &client,
                "UPDATE outbox SET next_attempt_at = $3
                 WHERE id = $1 AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= $2",
                &[&id, &(now as i64), &(lease_until as i64)],
            )
            .await?;
            Ok(claimed == 1)
        })
        .await
    }

    pub async fn mark_sent(&self, id: i64, now: u64) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            exec(
                &client,
                "UPDATE outbox SET sent_at = $2, attempts = attempts + 1, last_error = NULL
                 WHERE id = $1",
                &[&id, &(now as i64)],
            )
            .await?;
            Ok(())
        })
        .await
    }

    /// A failed try: retry at `retry_at`, or give up when `retry_at` is `None`.
    pub async fn mark_failed_attempt(
        &self,
        id: i64,
        now: u64,
        error: String,
        retry_at: Option<u64>,
    ) -> Result<(), StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            match retry_at {
                Some(at) => {
                    exec(
                        &client,
                        "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = $2,
                           last_error = $3
                         WHERE id = $1",
                        &[&id, &(at as i64), &error],
                    )
                    .await?
                }
                None => {
                    exec(
                        &client,
                        "UPDATE outbox SET attempts = attempts + 1, failed_at = $2, last_error = $3
                         WHERE id = $1",
                        &[&id, &(now as i64), &error],
                    )
                    .await?
                }
            };
            Ok(())
        })
        .await
    }

    /// The newest messages whatever their state, newest first (the demo's dev outbox).
    pub async fn recent_messages(&self, limit: u32) -> Result<Vec<QueuedMessage>, StoreError> {
        self.run(move |store| async move {
            let client = store.client().await?;
            let rows = all(
                &client,
                "SELECT id, dedupe_key, recipient, subject, body, created_at, attempts, sent_at,
                        failed_at, last_error, channel
                 FROM outbox ORDER BY id DESC LIMIT $1",
                &[&i64::from(limit)],
            )
            .await?;
            rows.iter().map(from_row).collect()
        })
        .await
    }
}
