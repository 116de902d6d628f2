//! `/v1/children/{id}/extreme-poverty-support`: the child's extreme-poverty support as aid
//! announced it and the holds it put on the allowance.

use axum::extract::{Path, State};
use kit::{Principal, Problem, service::Platform};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::commands::support::{self, SupportView};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new().routes(routes!(show))
}

/// The child's extreme-poverty support periods and allowance holds (staff of the child's area).
#[utoipa::path(get, path = "/v1/children/{id}/extreme-poverty-support", operation_id = "getExtremePovertySupport", tag = "children",
    responses((status = 200, body = SupportView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<SupportView>, Problem> {
    Ok(axum::Json(support::view(&p.db, &who, id).await?))
}
