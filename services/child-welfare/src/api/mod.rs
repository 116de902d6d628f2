//! The REST edge of child-welfare (`/v1/...`); handlers are thin: parse, call a command in one
//! transaction, answer. Creating writes replay their first answer for a repeated Idempotency-Key.

mod changes;
mod children;
mod evaluations;
mod payments;
mod standards;
mod support;

use axum::http::StatusCode;
use kit::service::Platform;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::with_openapi(kit::api_document!())
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

/// Runs `$work` (an expression using `tx`) as an idempotent creating write answering `$status`.
macro_rules! idempotent {
    ($p:expr, $who:expr, $key:expr, $body:expr, $status:expr, |$tx:ident| $work:expr) => {
        kit::edge::idempotency::once(&$p, &$who, &$key, &$body, $status, async |$tx| {
            Ok::<_, kit::Problem>($work)
        })
        .await
    };
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
