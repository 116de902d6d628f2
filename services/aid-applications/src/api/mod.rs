//! The REST edge of aid-applications (`/v1/...`); handlers are thin: parse, call a command, answer.

mod applications;
mod assistance;
mod assistance_edge;
mod benefits;
mod enrollment;
mod households;
mod monitoring;
mod payment;
mod procedure;
mod procedure_views;
mod reference;
mod relatives;
mod vagrant;

use kit::service::Platform;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::with_openapi(kit::api_document!())
        .merge(households::routes())
        .merge(applications::routes())
        .merge(procedure::routes())
        .merge(procedure_views::routes())
        .merge(reference::routes())
        .merge(enrollment::routes())
        .merge(payment::routes())
        .merge(relatives::routes())
        .merge(monitoring::routes())
        .merge(benefits::routes())
        .merge(assistance::routes())
        .merge(vagrant::routes())
        .with_state(platform.clone())
}
