//! The REST edge of child-welfare (`/v1/...`); handlers are thin: parse, call a command in one
//! transaction, answer. Creating writes replay their first answer for a repeated Idempotency-Key.

mod changes;
mod children;
mod evaluations;
mod payments;
mod standards;
mod support;

use axum::http::StatusCode;
use kit::{
    Principal, Problem,
    edge::idempotency::{self, Begin, IdempotencyKey},
    service::Platform,
};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use serde::Serialize;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::new()
        .merge(children::routes())
        .merge(changes::routes())
        .merge(evaluations::routes())
        .merge(payments::routes())
        .merge(standards::routes())
        .merge(support::routes())
        .with_state(platform.clone())
}

/// A JSON answer.
type Answer = (StatusCode, axum::Json<serde_json::Value>);

/// A creating write under an Idempotency-Key: either the work to do in `tx`, or the first answer.
enum Write {
    Fresh {
        tx: DatabaseTransaction,
        fingerprint: String,
    },
    Replay(Answer),
}

async fn begin_write(
    p: &Platform,
    who: &Principal,
    key: &IdempotencyKey,
    body: &impl Serialize,
) -> Result<Write, Problem> {
    let tx = p.db.begin().await?;
    let fingerprint = idempotency::fingerprint(body);
    match idempotency::begin(&tx, &who.key(), key, &fingerprint).await? {
        Begin::Replay { status, body } => Ok(Write::Replay((
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        ))),
        Begin::Proceed => Ok(Write::Fresh { tx, fingerprint }),
    }
}

/// Stores the answer with the write, commits, and wakes the relay for the events written.
async fn finish_write(
    p: &Platform,
    tx: DatabaseTransaction,
    fingerprint: &str,
    who: &Principal,
    key: &IdempotencyKey,
    status: StatusCode,
    value: &impl Serialize,
) -> Result<Answer, Problem> {
    let body = serde_json::to_value(value).unwrap_or_default();
    idempotency::complete(&tx, &who.key(), key, fingerprint, status.as_u16(), &body).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok((status, axum::Json(body)))
}

/// Runs `$work` (an expression using `tx`) as an idempotent creating write answering `$status`.
macro_rules! idempotent {
    ($p:expr, $who:expr, $key:expr, $body:expr, $status:expr, |$tx:ident| $work:expr) => {{
        match crate::api::begin_write(&$p, &$who, &$key, &$body).await? {
            crate::api::Write::Replay(answer) => Ok(answer),
            crate::api::Write::Fresh {
                tx: $tx,
                fingerprint,
            } => {
                let value = $work;
                crate::api::finish_write(&$p, $tx, &fingerprint, &$who, &$key, $status, &value)
                    .await
            }
        }
    }};
}
pub(crate) use idempotent;

/// An account number as most screens may show it: its last 4 digits.
fn masked_account(account: &str) -> String {
    let tail: String = account
        .chars()
        .rev()
        .take(4)
        .collect::<Vec<_>>()
        .into_iter()
        .rev()
        .collect();
    format!("****{tail}")
}
