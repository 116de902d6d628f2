//! The REST edge of elderly-care (`/v1/...`); handlers are thin: parse, call a command in one
//! transaction, answer.

mod facilities;
mod home_beds;
mod left_behind;
mod reference;
mod reports;
mod visit_plans;

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
        .merge(visit_plans::routes())
        .merge(home_beds::routes())
        .merge(left_behind::routes())
        .merge(facilities::routes())
        .merge(reports::routes())
        .merge(reference::routes())
        .with_state(platform.clone())
}

type Created = (StatusCode, axum::Json<serde_json::Value>);

/// Runs a creating command under its `Idempotency-Key`: a retry gets the first answer back, the
/// stored answer commits with the write, and the relay is woken after commit.
async fn create<T: Serialize>(
    p: &Platform,
    who: &Principal,
    key: &IdempotencyKey,
    input: &impl Serialize,
    command: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, Problem>,
) -> Result<Created, Problem> {
    let tx = p.db.begin().await?;
    let fingerprint = idempotency::fingerprint(input);
    if let Begin::Replay { status, body } =
        idempotency::begin(&tx, &who.key(), key, &fingerprint).await?
    {
        return Ok((
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        ));
    }
    let done = command(&tx).await?;
    let body = serde_json::to_value(&done).unwrap_or_default();
    idempotency::complete(&tx, &who.key(), key, &fingerprint, 201, &body).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// Runs an updating command in one transaction and wakes the relay after commit.
async fn update<T>(
    p: &Platform,
    command: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, Problem>,
) -> Result<T, Problem> {
    let tx = p.db.begin().await?;
    let done = command(&tx).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(done)
}
