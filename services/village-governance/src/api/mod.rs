//! The REST edge of village-governance (`/v1/...`); handlers are thin: parse, call a command, answer.

use kit::service::Platform;
use utoipa_axum::router::OpenApiRouter;

/// Every route of the service, documented.
pub fn routes(platform: &Platform) -> OpenApiRouter {
    OpenApiRouter::new().with_state(platform.clone())
}
