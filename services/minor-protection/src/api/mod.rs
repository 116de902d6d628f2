//! The REST edge of minor-protection (`/v1/...`); handlers are thin: parse, call a command, answer.

mod cases;
mod handover;
mod left_behind;
mod reference;
mod units;

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
        .merge(cases::routes())
        .merge(handover::routes())
        .merge(left_behind::routes())
        .merge(units::routes())
        .merge(reference::routes())
        .with_state(platform.clone())
}

/// A JSON answer with its status.
type Answer = (StatusCode, axum::Json<serde_json::Value>);

/// A write under an `Idempotency-Key`, inside its one transaction.
struct Keyed {
    tx: DatabaseTransaction,
    caller: String,
    key: IdempotencyKey,
    fingerprint: String,
}

/// Either the stored answer of an earlier identical request, or a fresh transaction to work in.
enum Start {
    Replay(Answer),
    Fresh(Keyed),
}

/// Begins a keyed write; `request` is what identifies it (path ids and body).
async fn start(
    p: &Platform,
    who: &Principal,
    key: IdempotencyKey,
    request: &impl Serialize,
) -> Result<Start, Problem> {
    let tx = p.db.begin().await?;
    let fingerprint = idempotency::fingerprint(request);
    let caller = who.key();
    match idempotency::begin(&tx, &caller, &key, &fingerprint).await? {
        Begin::Replay { status, body } => Ok(Start::Replay((
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        ))),
        Begin::Proceed => Ok(Start::Fresh(Keyed {
            tx,
            caller,
            key,
            fingerprint,
        })),
    }
}

impl Keyed {
    /// Stores the answer with the write, commits, and wakes the relay.
    async fn finish(
        self,
        p: &Platform,
        status: StatusCode,
        body: &impl Serialize,
    ) -> Result<Answer, Problem> {
        let body = serde_json::to_value(body).map_err(|_| Problem::internal())?;
        idempotency::complete(
            &self.tx,
            &self.caller,
            &self.key,
            &self.fingerprint,
            status.as_u16(),
            &body,
        )
        .await?;
        self.tx.commit().await?;
        p.outbox.wake();
        Ok((status, axum::Json(body)))
    }
}

/// Runs the keyed write `$call` (an expression using `$tx`) and answers 201 with its result.
macro_rules! keyed {
    ($p:expr, $who:expr, $key:expr, $request:expr, |$tx:ident| $call:expr) => {{
        match crate::api::start(&$p, &$who, $key, &$request).await? {
            crate::api::Start::Replay(answer) => Ok(answer),
            crate::api::Start::Fresh(k) => {
                let out = {
                    let $tx = &k.tx;
                    $call.await?
                };
                k.finish(&$p, axum::http::StatusCode::CREATED, &out).await
            }
        }
    }};
}
pub(crate) use keyed;
