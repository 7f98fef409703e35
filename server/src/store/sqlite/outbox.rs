//! The outbox: messages queued in the same transaction as the change they report, then
//! delivered by a worker with retries. The de-duplication key is unique, so queuing the
//! same notification twice keeps one. Bodies are sealed (they may carry codes).

use super::SqliteStore;
use crate::store::StoreError;
use rusqlite::{Connection, params};

use crate::store::records::{DeliveryStatus, MessageChannel, NewMessage, QueuedMessage};

/// Queues a message in the caller's transaction; returns false when the key was queued
/// before.
pub fn insert(conn: &Connection, message: &NewMessage, now: u64) -> Result<bool, StoreError> {
    let inserted = conn.execute(
        "INSERT INTO outbox (dedupe_key, recipient, subject, body, created_at, discard_after,
                             next_attempt_at, channel)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?5, ?7) ON CONFLICT (dedupe_key) DO NOTHING",
        params![
            message.dedupe_key,
            message.recipient,
            message.subject,
            message.sealed_body,
            now as i64,
            message.discard_after.map(|t| t as i64),
            message.channel.as_str()
        ],
    )?;
    Ok(inserted == 1)
}

fn from_row(row: &rusqlite::Row<'_>) -> rusqlite::Result<QueuedMessage> {
    let sent_at: Option<i64> = row.get(7)?;
    let failed_at: Option<i64> = row.get(8)?;
    let last_error: Option<String> = row.get(9)?;
    let channel: String = row.get(10)?;
    Ok(QueuedMessage {
        id: row.get(0)?,
        dedupe_key: row.get(1)?,
        channel: MessageChannel::parse(&channel).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(
                10,
                rusqlite::types::Type::Text,
                format!("unknown outbox channel {channel:?}").into(),
            )
        })?,
        recipient: row.get(2)?,
        subject: row.get(3)?,
        sealed_body: row.get(4)?,
        created_at: row.get::<_, i64>(5)? as u64,
        attempts: row.get(6)?,
        status: match (sent_at, failed_at) {
            (Some(_), _) => DeliveryStatus::Sent,
            (None, Some(_)) => DeliveryStatus::Failed(last_error.unwrap_or_default()),
            (None, None) => DeliveryStatus::Pending,
        },
    })
}

const COLUMNS: &str = "id, dedupe_key, recipient, subject, body, created_at, attempts, sent_at,
                       failed_at, last_error, channel";

/// `,email,sms,`: the channels as one parameter, matched with `instr`.
fn channel_list(channels: &[MessageChannel]) -> String {
    let mut list = String::from(",");
    for channel in channels {
        list.push_str(channel.as_str());
        list.push(',');
    }
    list
}

impl SqliteStore {
    /// Queues a message on its own (outside another change).
    pub async fn queue_message(&self, message: NewMessage, now: u64) -> Result<bool, StoreError> {
        self.call(move |conn| insert(conn, &message, now)).await
    }

    /// Messages due for delivery on `channels` (those this server can deliver), oldest
    /// first. Expired ones are marked failed on the way.
    pub async fn due_messages(
        &self,
        now: u64,
        limit: u32,
        channels: Vec<MessageChannel>,
    ) -> Result<Vec<QueuedMessage>, StoreError> {
        let channels = channel_list(&channels);
        self.call(move |conn| {
            conn.execute(
                "UPDATE outbox SET failed_at = ?1, last_error = 'expired before delivery'
                 WHERE sent_at IS NULL AND failed_at IS NULL AND discard_after <= ?1",
                [now as i64],
            )?;
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM outbox
                 WHERE sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?1
                   AND instr(?3, ',' || channel || ',') > 0
                 ORDER BY id LIMIT ?2"
            ))?;
            let rows = stmt.query_map(params![now as i64, limit, channels], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }

    /// When the next pending message on `channels` is due, if any.
    pub async fn next_message_due(
        &self,
        channels: Vec<MessageChannel>,
    ) -> Result<Option<u64>, StoreError> {
        let channels = channel_list(&channels);
        self.call(move |conn| {
            let next: Option<i64> = conn.query_row(
                "SELECT min(next_attempt_at) FROM outbox WHERE sent_at IS NULL AND failed_at IS NULL
                   AND instr(?1, ',' || channel || ',') > 0",
                [channels],
                |row| row.get(0),
            )?;
            Ok(next.map(|t| t.max(0) as u64))
        })
        .await
    }

    /// Takes a due message for one delivery try: it is not due again before `lease_until`,
    /// so another worker (or this one, after a crash mid-send) leaves it alone until then.
    /// False when someone else took it first or it is no longer pending.
    pub async fn claim_message(
        &self,
        id: i64,
        now: u64,
        lease_until: u64,
    ) -> Result<bool, StoreError> {
        self.call(move |conn| {
            let claimed = conn.execute(
                "UPDATE outbox SET next_attempt_at = ?3
                 WHERE id = ?1 AND sent_at IS NULL AND failed_at IS NULL AND next_attempt_at <= ?2",
                params![id, now as i64, lease_until as i64],
            )?;
            Ok(claimed == 1)
        })
        .await
    }

    pub async fn mark_sent(&self, id: i64, now: u64) -> Result<(), StoreError> {
        self.call(move |conn| {
            conn.execute(
                "UPDATE outbox SET sent_at = ?2, attempts = attempts + 1, last_error = NULL
                 WHERE id = ?1",
                params![id, now as i64],
            )?;
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
        self.call(move |conn| {
            match retry_at {
                Some(at) => conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, next_attempt_at = ?2, last_error = ?3
                     WHERE id = ?1",
                    params![id, at as i64, error],
                )?,
                None => conn.execute(
                    "UPDATE outbox SET attempts = attempts + 1, failed_at = ?2, last_error = ?3
                     WHERE id = ?1",
                    params![id, now as i64, error],
                )?,
            };
            Ok(())
        })
        .await
    }

    /// The newest messages whatever their state, newest first (the demo's dev outbox).
    pub async fn recent_messages(&self, limit: u32) -> Result<Vec<QueuedMessage>, StoreError> {
        self.call(move |conn| {
            let mut stmt = conn.prepare_cached(&format!(
                "SELECT {COLUMNS} FROM outbox ORDER BY id DESC LIMIT ?1"
            ))?;
            let rows = stmt.query_map([limit], from_row)?;
            Ok(rows.collect::<Result<Vec<_>, _>>()?)
        })
        .await
    }
}
