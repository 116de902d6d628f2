//! The REST edge of elderly-care (`/v1/...`); handlers are thin: parse, call a command in one
//! transaction, answer.

mod facilities;
mod home_beds;
mod left_behind;
mod reference;
mod reports;
mod schemas;
mod visit_plans;

use axum::http::StatusCode;
use kit::{Problem, service::Platform};
use sea_orm::{DatabaseTransaction, TransactionTrait};
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::with_openapi(kit::api_document!())
        .merge(visit_plans::routes())
        .merge(home_beds::routes())
        .merge(left_behind::routes())
        .merge(facilities::routes())
        .merge(reports::routes())
        .merge(reference::routes())
        .with_state(platform.clone())
}

type Created = (StatusCode, axum::Json<serde_json::Value>);

/// Runs an updating command in one transaction and wakes the relay after commit.
async fn update<T, E>(
    p: &Platform,
    command: impl AsyncFnOnce(&DatabaseTransaction) -> Result<T, E>,
) -> Result<T, Problem>
where
    Problem: From<E>,
{
    let tx = p.db.begin().await?;
    let done = command(&tx).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok(done)
}

/// A consumer-shared step's failure as the REST edge answers it: through its refusal.
impl From<crate::commands::ApplyError> for Problem {
    fn from(e: crate::commands::ApplyError) -> Self {
        kit::Refusal::from(e).into()
    }
}
