//! The REST edge of aid-applications (`/v1/...`); handlers are thin: parse, call a command, answer.

pub mod actor;
mod applications;
mod assistance_edge;
mod households;
mod relatives;
mod vagrant;

use kit::service::Platform;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::new()
        .merge(households::routes())
        .merge(applications::routes())
        .merge(relatives::routes())
        .merge(vagrant::routes())
        .with_state(platform.clone())
}
