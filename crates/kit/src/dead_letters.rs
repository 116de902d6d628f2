//! Dead letters: messages a consumer could not apply (bytes that are not UTF-8 or hold a NUL, over
//! the size limit, not JSON, an envelope that does not check, not matching the schema, refused by
//! the handler, or still failing after the delivery limit), kept with their bytes exactly and the
//! reason, so that staff can see them and replay them through the service's edge once the cause
//! is fixed.

use async_nats::HeaderMap;
use chrono::{DateTime, Utc};
use sea_orm::{ConnectionTrait, DatabaseConnection, DbErr, Statement};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::{
    inbox::{self, Applied, Consumers, EventMeta, HandlerError},
    telemetry::TraceContext,
};

/// A dead letter about to be recorded.
pub struct NewDeadLetter<'a> {
    pub consumer: &'a str,
    pub subject: &'a str,
    pub event_id: &'a str,
    /// The message's bytes, exactly as received.
    pub payload: &'a [u8],
    pub headers: &'a str,
    /// What kind of failure (a metric label: `not_utf8`, `too_large`, `not_json`, `envelope`,
    /// `schema`, `id_reused`, `refused`, `gave_up`).
    pub kind: &'static str,
    pub reason: &'a str,
    pub stream_seq: u64,
    pub deliveries: i64,
}

/// Text a database stores whatever it came from: a NUL (which PostgreSQL's text cannot hold) is
/// shown as U+FFFD; the exact bytes are kept beside it.
pub fn storable(text: &str) -> std::borrow::Cow<'_, str> {
    if text.contains('\0') {
        text.replace('\0', "\u{FFFD}").into()
    } else {
        text.into()
    }
}

/// A recorded dead letter, as the edge lists it. The payload is not listed: partner facts may
/// carry ID numbers, so it is shown only to auditors on the single-letter view.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DeadLetter {
    pub id: Uuid,
    pub consumer: String,
    pub subject: String,
    pub event_id: String,
    pub reason: String,
    pub stream_seq: i64,
    pub deliveries: i64,
    pub created_at: DateTime<Utc>,
    pub replayed_at: Option<DateTime<Utc>>,
}

/// The CloudEvents and trace headers of a message as a JSON object.
pub fn headers_json(headers: Option<&HeaderMap>) -> String {
    let mut map = serde_json::Map::new();
    if let Some(h) = headers {
        for (name, values) in h.iter() {
            let name = name.to_string();
            if (name.starts_with("ce-") || name == "traceparent" || name == "Nats-Msg-Id")
                && let Some(v) = values.first()
            {
                map.insert(name, v.as_str().into());
            }
        }
    }
    serde_json::Value::Object(map).to_string()
}

/// Records a dead letter — the payload as text for reading (NULs shown as U+FFFD, invalid UTF-8
/// replaced) and as its exact bytes; returns its id.
pub async fn record(db: &impl ConnectionTrait, d: NewDeadLetter<'_>) -> Result<Uuid, DbErr> {
    let id = insert(db, &d).await?;
    count(&d);
    Ok(id)
}

/// Records several dead letters in one transaction (a burst of poison costs one commit).
pub async fn record_all(
    db: &DatabaseConnection,
    letters: &[NewDeadLetter<'_>],
) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait as _;
    let tx = db.begin().await?;
    for d in letters {
        insert(&tx, d).await?;
    }
    tx.commit().await?;
    letters.iter().for_each(count);
    Ok(())
}

fn count(d: &NewDeadLetter<'_>) {
    metrics::counter!("dead_letters_total", "subject" => d.subject.to_owned(), "kind" => d.kind)
        .increment(1);
}

async fn insert(db: &impl ConnectionTrait, d: &NewDeadLetter<'_>) -> Result<Uuid, DbErr> {
    let id = Uuid::now_v7();
    let text = String::from_utf8_lossy(d.payload);
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "INSERT INTO kit_dead_letters (id, consumer, subject, event_id, payload, payload_bytes, headers, reason, stream_seq, deliveries, created_at, replayed_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, NULL)",
        [
            id.into(),
            d.consumer.into(),
            storable(d.subject).into_owned().into(),
            storable(d.event_id).into_owned().into(),
            storable(&text).into_owned().into(),
            d.payload.to_vec().into(),
            storable(d.headers).into_owned().into(),
            storable(d.reason).into_owned().into(),
            (d.stream_seq as i64).into(),
            d.deliveries.into(),
            Utc::now().into(),
        ],
    ))
    .await?;
    Ok(id)
}

const COLUMNS: &str =
    "id, consumer, subject, event_id, reason, stream_seq, deliveries, created_at, replayed_at";

fn from_row(r: &sea_orm::QueryResult) -> Result<DeadLetter, DbErr> {
    Ok(DeadLetter {
        id: r.try_get("", "id")?,
        consumer: r.try_get("", "consumer")?,
        subject: r.try_get("", "subject")?,
        event_id: r.try_get("", "event_id")?,
        reason: r.try_get("", "reason")?,
        stream_seq: r.try_get("", "stream_seq")?,
        deliveries: r.try_get("", "deliveries")?,
        created_at: r.try_get("", "created_at")?,
        replayed_at: r.try_get("", "replayed_at")?,
    })
}

/// Lists dead letters, newest first, `limit` after the cursor (an id).
pub async fn list(
    db: &impl ConnectionTrait,
    pending_only: bool,
    after: Option<Uuid>,
    limit: u64,
) -> Result<Vec<DeadLetter>, DbErr> {
    let mut sql = format!("SELECT {COLUMNS} FROM kit_dead_letters WHERE 1 = 1");
    let mut values: Vec<sea_orm::Value> = Vec::new();
    if pending_only {
        sql.push_str(" AND replayed_at IS NULL");
    }
    if let Some(cursor) = after {
        values.push(cursor.into());
        sql.push_str(&format!(" AND id < ${}", values.len()));
    }
    values.push((limit as i64).into());
    sql.push_str(&format!(" ORDER BY id DESC LIMIT ${}", values.len()));
    db.query_all_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        sql,
        values,
    ))
    .await?
    .iter()
    .map(from_row)
    .collect()
}

/// One dead letter with its payload (the exact bytes; the stored text for a letter recorded before
/// bytes were kept) and headers.
pub async fn get(
    db: &impl ConnectionTrait,
    id: Uuid,
) -> Result<Option<(DeadLetter, Vec<u8>, String)>, DbErr> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            format!(
                "SELECT {COLUMNS}, payload, payload_bytes, headers FROM kit_dead_letters WHERE id = $1"
            ),
            [id.into()],
        ))
        .await?;
    row.map(|r| {
        let bytes: Option<Vec<u8>> = r.try_get("", "payload_bytes")?;
        let payload = match bytes {
            Some(b) => b,
            None => r.try_get::<String>("", "payload")?.into_bytes(),
        };
        Ok((from_row(&r)?, payload, r.try_get("", "headers")?))
    })
    .transpose()
}

/// Why a replay did not apply the event.
#[derive(Debug, thiserror::Error)]
pub enum ReplayError {
    #[error("no such dead letter")]
    NotFound,
    #[error("already replayed")]
    AlreadyReplayed,
    #[error("no consumer {0} in this service")]
    UnknownConsumer(String),
    #[error("still not applicable: {0}")]
    Refused(String),
    #[error(transparent)]
    Db(#[from] DbErr),
}

/// Applies a dead letter again through its consumer's handler and inbox, then marks it replayed.
pub async fn replay(
    db: &DatabaseConnection,
    consumers: &Consumers,
    id: Uuid,
) -> Result<Applied, ReplayError> {
    let (letter, payload, headers) = get(db, id).await?.ok_or(ReplayError::NotFound)?;
    if letter.replayed_at.is_some() {
        return Err(ReplayError::AlreadyReplayed);
    }
    let subscription = consumers
        .by_durable(&letter.consumer)
        .ok_or_else(|| ReplayError::UnknownConsumer(letter.consumer.clone()))?;
    let data: serde_json::Value = serde_json::from_slice(&payload)
        .map_err(|e| ReplayError::Refused(format!("not JSON: {e}")))?;
    contracts::validate_tolerant(subscription.subject, &data)
        .map_err(|e| ReplayError::Refused(e.to_string()))?;
    let headers: serde_json::Value = serde_json::from_str(&headers).unwrap_or_default();
    let trace = headers
        .get("traceparent")
        .and_then(|t| t.as_str())
        .and_then(TraceContext::parse)
        .map_or_else(TraceContext::new_root, |t| t.child());
    let meta = EventMeta {
        event_id: letter.event_id.clone(),
        subject: letter.subject.clone(),
        source: headers
            .get("ce-source")
            .and_then(|s| s.as_str())
            .map(str::to_owned),
        time: headers
            .get("ce-time")
            .and_then(|t| t.as_str())
            .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok()),
        trace,
        stream_seq: letter.stream_seq as u64,
        deliveries: letter.deliveries,
        // A replay is the message received again, now: its dates are checked against today.
        received: crate::clock::now(),
        digest: crate::envelope::digest(&payload),
    };
    let applied = inbox::apply(db, subscription, data, &meta)
        .await
        .map_err(|e| match e {
            HandlerError::Permanent(r) | HandlerError::Transient(r) => ReplayError::Refused(r),
            e @ HandlerError::IdReused(_) => ReplayError::Refused(e.to_string()),
        })?;
    db.execute_raw(Statement::from_sql_and_values(
        db.get_database_backend(),
        "UPDATE kit_dead_letters SET replayed_at = $1 WHERE id = $2",
        [Utc::now().into(), id.into()],
    ))
    .await?;
    Ok(applied)
}
