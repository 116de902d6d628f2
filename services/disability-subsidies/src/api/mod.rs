//! The REST edge of disability-subsidies (`/v1/...`); handlers are thin: parse, call a command,
//! answer. Every creating write takes an `Idempotency-Key`; decisions take `If-Match`.

mod findings;
mod holders;
mod payments;
mod programmes;
mod reminders;
mod schemas;
mod subsidies;

use kit::service::Platform;

use crate::store::sealed::DataKeys;
use utoipa_axum::router::OpenApiRouter;

/// Runs `$body` in a transaction guarded by the caller's `Idempotency-Key`: a retry gets the first
/// answer back, a refusal writes nothing.
macro_rules! idempotent {
    ($p:expr, $who:expr, $key:expr, $fingerprint:expr, $status:expr, |$tx:ident| $body:expr) => {
        kit::edge::idempotency::once(
            &$p,
            &$who,
            &$key,
            $fingerprint,
            axum::http::StatusCode::from_u16($status).unwrap_or(axum::http::StatusCode::OK),
            async |$tx| Ok::<_, kit::Problem>($body),
        )
        .await
    };
}
pub(crate) use idempotent;

/// The answer of an idempotent write.
pub(crate) type Created =
    Result<(axum::http::StatusCode, axum::Json<serde_json::Value>), kit::Problem>;

/// Every route of the service, documented; handlers that seal or open personal data take the
/// data keys as an `Extension`.
pub fn routes(platform: &Platform, keys: &DataKeys) -> OpenApiRouter {
    OpenApiRouter::with_openapi(kit::api_document!())
        .merge(subsidies::routes())
        .merge(holders::routes())
        .merge(findings::routes())
        .merge(payments::routes())
        .merge(programmes::routes())
        .merge(reminders::routes())
        .with_state(platform.clone())
        .layer(axum::Extension(keys.clone()))
}

/// A command's failure as the REST edge answers it: through its refusal.
impl From<crate::commands::CommandError> for kit::Problem {
    fn from(e: crate::commands::CommandError) -> Self {
        kit::Refusal::from(e).into()
    }
}
