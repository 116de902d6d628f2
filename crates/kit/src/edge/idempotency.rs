//! `Idempotency-Key` on writes that create money or cases: the first response is stored in the
//! same transaction as the write, a retry gets it back, a different body under the same key is
//! refused, and a concurrent duplicate conflicts instead of writing twice. A key belongs to the
//! request it was first sent with — method, path and body: the same key and body sent to another
//! route is refused, never answered with the first route's response (which would skip that
//! route's write, a payment run say, while telling the caller it was done).

use axum::{
    extract::FromRequestParts,
    http::{StatusCode, request::Parts},
};
use chrono::Utc;
use sea_orm::{ConnectionTrait, DatabaseTransaction, DbErr, Statement, TransactionTrait};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{auth::Principal, problem::Problem};
use crate::service::Platform;

/// The `Idempotency-Key` header (required where extracted), with the request it came with.
#[derive(Debug, Clone)]
pub struct IdempotencyKey {
    key: String,
    /// `METHOD /path` of the request (the path with its identifiers).
    request: String,
}

impl IdempotencyKey {
    /// The key for `request` (`"POST /v1/things"`), as the extractor builds it.
    pub fn new(key: &str, request: &str) -> Self {
        Self {
            key: key.to_owned(),
            request: request.to_owned(),
        }
    }

    /// The key as the client sent it (without quotes).
    pub fn as_str(&self) -> &str {
        &self.key
    }

    /// What is stored for this key: the body's fingerprint bound to the method and path.
    fn scoped(&self, fingerprint: &str) -> String {
        hex::encode(Sha256::digest(
            format!("{}\n{fingerprint}", self.request).as_bytes(),
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for IdempotencyKey {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let value = parts
            .headers
            .get("idempotency-key")
            .ok_or_else(|| {
                Problem::bad_request(
                    "idempotency-key-missing",
                    "this write requires an Idempotency-Key header",
                )
                .field("Idempotency-Key", "required")
            })?
            .to_str()
            .ok()
            .and_then(parse_key)
            .ok_or_else(|| {
                Problem::invalid(
                    "Idempotency-Key",
                    "must be 1 to 255 visible ASCII characters without spaces or quotes, \
                     optionally in double quotes",
                )
            })?;
        Ok(Self::new(
            value,
            &format!("{} {}", parts.method, parts.uri.path()),
        ))
    }
}

/// The keys [`IdempotencyKey`] accepts, as the OpenAPI documents declare them: 1 to 255 visible
/// ASCII characters other than `"`, bare or in one pair of double quotes (a structured-field
/// string, as the IETF draft writes it).
pub const KEY_PATTERN: &str = r#"^(?:[!#-~]{1,255}|"[!#-~]{1,255}")$"#;

/// The key in a header value matching [`KEY_PATTERN`].
fn parse_key(raw: &str) -> Option<&str> {
    let key = raw
        .strip_prefix('"')
        .and_then(|k| k.strip_suffix('"'))
        .unwrap_or(raw);
    let visible = |b: u8| b.is_ascii_graphic() && b != b'"';
    (1..=255)
        .contains(&key.len())
        .then_some(key)
        .filter(|k| k.bytes().all(visible))
}

/// What to do with a request carrying a key.
#[derive(Debug)]
pub enum Begin {
    /// First time: do the work, then call [`complete`] in the same transaction.
    Proceed,
    /// Done before: answer with the stored response.
    Replay {
        status: u16,
        body: serde_json::Value,
    },
}

/// The answer of a write under `Idempotency-Key`: its status and JSON body, first or replayed.
pub type Written = Result<(StatusCode, axum::Json<serde_json::Value>), Problem>;

/// The one way a route writes under `Idempotency-Key`: in one transaction, a retry with the same
/// key and body gets the first answer back (nothing runs again), `work` runs otherwise; its
/// refusal rolls everything back, its success is stored as the answer, committed with the write
/// and its outbox rows, and the relay is woken.
pub async fn once<T, E>(
    platform: &Platform,
    who: &Principal,
    key: &IdempotencyKey,
    request: &impl Serialize,
    status: StatusCode,
    work: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Written
where
    T: Serialize,
    Problem: From<E>,
{
    let tx = platform.db.begin().await?;
    let fingerprint = fingerprint(request);
    if let Begin::Replay { status, body } = begin(&tx, &who.key(), key, &fingerprint).await? {
        return Ok((
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        ));
    }
    let out = work(&tx).await?;
    let body = serde_json::to_value(&out).map_err(|e| {
        tracing::error!(error = %e, "a response did not serialize");
        Problem::internal()
    })?;
    complete(&tx, &who.key(), key, &fingerprint, status.as_u16(), &body).await?;
    tx.commit().await?;
    platform.outbox.wake();
    Ok((status, axum::Json(body)))
}

/// A stable fingerprint of the request body.
pub fn fingerprint(body: &impl Serialize) -> String {
    hex::encode(Sha256::digest(serde_json::to_vec(body).unwrap_or_default()))
}

/// Looks the key up for this caller: a replay when it was used with this request (method, path
/// and body fingerprint), a refusal when it was used with another.
pub async fn begin(
    db: &impl ConnectionTrait,
    caller: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
) -> Result<Begin, Problem> {
    let row = db
        .query_one_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "SELECT request_hash, status, body FROM kit_idempotency WHERE principal = $1 AND key = $2",
            [caller.into(), key.key.clone().into()],
        ))
        .await?;
    let Some(row) = row else {
        return Ok(Begin::Proceed);
    };
    let hash: String = row.try_get("", "request_hash")?;
    if hash != key.scoped(fingerprint) {
        return Err(Problem::invalid(
            "Idempotency-Key",
            "this key was used with another request (another body, or another route)",
        ));
    }
    let status: i32 = row.try_get("", "status")?;
    let body: String = row.try_get("", "body")?;
    Ok(Begin::Replay {
        status: status as u16,
        body: serde_json::from_str(&body).unwrap_or_default(),
    })
}

/// Stores the response in the write's transaction. A concurrent request with the same key fails
/// here on the primary key, and its transaction (its whole write) rolls back.
pub async fn complete(
    db: &impl ConnectionTrait,
    caller: &str,
    key: &IdempotencyKey,
    fingerprint: &str,
    status: u16,
    body: &impl Serialize,
) -> Result<(), Problem> {
    let result = db
        .execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "INSERT INTO kit_idempotency (principal, key, request_hash, status, body, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
            [
                caller.into(),
                key.key.clone().into(),
                key.scoped(fingerprint).into(),
                i32::from(status).into(),
                serde_json::to_string(body).unwrap_or_default().into(),
                Utc::now().into(),
            ],
        ))
        .await;
    match result {
        Ok(_) => Ok(()),
        Err(e) if is_unique_violation(&e) => Err(Problem::conflict(
            "idempotency-key-in-use",
            "a request with this Idempotency-Key is already being processed",
        )),
        Err(e) => Err(e.into()),
    }
}

fn is_unique_violation(e: &DbErr) -> bool {
    matches!(
        e.sql_err(),
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_))
    )
}

#[cfg(test)]
mod tests {
    use super::parse_key;

    #[test]
    fn keys_are_visible_ascii_bare_or_quoted_up_to_255() {
        assert_eq!(
            parse_key("0193a5c2-7b1e-7000-8000-000000000001"),
            Some("0193a5c2-7b1e-7000-8000-000000000001")
        );
        assert_eq!(parse_key("\"batch-2026-12\""), Some("batch-2026-12"));
        assert_eq!(parse_key(&"k".repeat(255)), Some("k".repeat(255).as_str()));
        for refused in ["", "\"\"", "a b", "a\"b", "\"a", "é", &"k".repeat(256)] {
            assert_eq!(parse_key(refused), None, "{refused:?}");
        }
    }
}
