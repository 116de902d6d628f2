//! The REST edge of minor-protection (`/v1/...`); handlers are thin: parse, call a command, answer.

mod cases;
mod handover;
mod left_behind;
mod reference;
mod schemas;
mod units;

use axum::http::StatusCode;
use kit::service::Platform;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::with_openapi(kit::api_document!())
        .merge(cases::routes())
        .merge(handover::routes())
        .merge(left_behind::routes())
        .merge(units::routes())
        .merge(reference::routes())
        .with_state(platform.clone())
}

/// A JSON answer with its status.
type Answer = (StatusCode, axum::Json<serde_json::Value>);

/// Runs the keyed write `$call` (an expression using `$tx`) and answers 201 with its result.
macro_rules! keyed {
    ($p:expr, $who:expr, $key:expr, $request:expr, |$tx:ident| $call:expr) => {
        kit::edge::idempotency::once(
            &$p,
            &$who,
            &$key,
            &$request,
            axum::http::StatusCode::CREATED,
            async |$tx| Ok::<_, kit::Problem>($call.await?),
        )
        .await
    };
}
pub(crate) use keyed;
