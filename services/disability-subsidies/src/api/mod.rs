//! The REST edge of disability-subsidies (`/v1/...`); handlers are thin: parse, call a command,
//! answer. Every creating write takes an `Idempotency-Key`; decisions take `If-Match`.

mod findings;
mod holders;
mod payments;
mod programmes;
mod reminders;
mod subsidies;

use kit::service::Platform;

use crate::store::sealed::DataKeys;
use utoipa_axum::router::OpenApiRouter;

/// Runs `$body` in a transaction guarded by the caller's `Idempotency-Key`: a retry gets the first
/// answer back, a refusal writes nothing.
macro_rules! idempotent {
    ($p:expr, $who:expr, $key:expr, $fingerprint:expr, $status:expr, |$tx:ident| $body:expr) => {{
        use sea_orm::TransactionTrait as _;
        let $tx = $p.db.begin().await?;
        let fingerprint = kit::edge::idempotency::fingerprint($fingerprint);
        if let kit::edge::idempotency::Begin::Replay { status, body } =
            kit::edge::idempotency::begin(&$tx, &$who.key(), &$key, &fingerprint).await?
        {
            return Ok((
                axum::http::StatusCode::from_u16(status).unwrap_or(axum::http::StatusCode::OK),
                axum::Json(body),
            ));
        }
        let value = $body;
        let body = serde_json::to_value(&value).unwrap_or_default();
        kit::edge::idempotency::complete(&$tx, &$who.key(), &$key, &fingerprint, $status, &body)
            .await?;
        $tx.commit().await?;
        $p.outbox.wake();
        Ok((
            axum::http::StatusCode::from_u16($status).unwrap_or(axum::http::StatusCode::OK),
            axum::Json(body),
        ))
    }};
}
pub(crate) use idempotent;

/// The answer of an idempotent write.
pub(crate) type Created =
    Result<(axum::http::StatusCode, axum::Json<serde_json::Value>), kit::Problem>;

/// Every route of the service, documented; handlers that seal or open personal data take the
/// data keys as an `Extension`.
pub fn routes(platform: &Platform, keys: &DataKeys) -> OpenApiRouter {
    OpenApiRouter::new()
        .merge(subsidies::routes())
        .merge(holders::routes())
        .merge(findings::routes())
        .merge(payments::routes())
        .merge(programmes::routes())
        .merge(reminders::routes())
        .with_state(platform.clone())
        .layer(axum::Extension(keys.clone()))
}
