//! The REST edge of village-governance (`/v1/...`); handlers are thin: parse, call a command,
//! answer. Creating writes take `Idempotency-Key`; steps on an existing record take `If-Match`.

mod centres;
mod committee;
mod councils;
mod lists;
mod objections;
mod reports;
mod rules;
mod schemas;
mod villages;
mod workers;

use axum::http::{HeaderName, HeaderValue, header::ETAG};
use kit::{edge::concurrency::etag, service::Platform};
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::with_openapi(kit::api_document!())
        .merge(villages::routes())
        .merge(objections::routes())
        .merge(lists::routes())
        .merge(rules::routes())
        .merge(councils::routes())
        .merge(committee::routes())
        .merge(workers::routes())
        .merge(centres::routes())
        .merge(reports::routes())
        .with_state(platform.clone())
}

/// A body answered with its `ETag`.
type Tagged<T> = ([(HeaderName, HeaderValue); 1], axum::Json<T>);

fn tagged<T>(version: i32, body: T) -> Tagged<T> {
    ([(ETAG, etag(version))], axum::Json(body))
}

/// The answer of a creating write: 201 with the body, or the stored answer of a retry.
type Created = (axum::http::StatusCode, axum::Json<serde_json::Value>);

/// Runs a creating write under `Idempotency-Key`: a retry with the same key and body gets the first
/// answer; the write, the stored answer and any outbox rows commit together.
macro_rules! idempotent {
    ($p:expr, $who:expr, $key:expr, $fingerprint_of:expr, |$tx:ident| $body:expr) => {
        kit::edge::idempotency::once(
            &$p,
            &$who,
            &$key,
            &$fingerprint_of,
            axum::http::StatusCode::CREATED,
            async |$tx| Ok::<_, kit::Problem>($body),
        )
        .await
    };
}
use idempotent;
