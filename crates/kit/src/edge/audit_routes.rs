//! `/v1/audit/verification`: whether this service's audit trail is intact (see [`crate::audit`]).

use axum::{Json, extract::State};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{
    KitState,
    auth::{Principal, Role},
    problem::Problem,
};
use crate::audit::{self, Verification};

pub(super) fn routes() -> OpenApiRouter<KitState> {
    OpenApiRouter::new().routes(routes!(verification))
}

/// Checks the whole audit trail: every entry's MAC, the chain from the first entry to the last,
/// no position missing. Names each entry (by id and position) that does not check out; shows no
/// entry's content. The check is itself recorded on the trail.
#[utoipa::path(get, path = "/v1/audit/verification", operation_id = "verifyAuditTrail", tag = "audit",
    responses((status = 200, body = Verification), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn verification(
    State(k): State<KitState>,
    who: Principal,
) -> Result<Json<Verification>, Problem> {
    who.require(&[Role::Auditor, Role::DistrictOfficer])?;
    let found = audit::verify(&k.db).await?;
    // Who checked the trail, and what they were shown, is itself on the trail.
    audit::record(
        &k.db,
        &who,
        "verify_audit",
        "audit",
        "trail",
        &format!(
            "intact={} sealed={} problems={}",
            found.intact, found.sealed, found.problem_count
        ),
    )
    .await?;
    if !found.intact {
        tracing::error!(
            problems = found.problem_count,
            "the audit trail does not check out"
        );
    }
    Ok(Json(found))
}
