//! `/v1/units`: the protection units of the three levels.

use axum::extract::{Path, State};
use kit::{
    Json, Principal, Problem,
    edge::{concurrency::IfMatch, idempotency::IdempotencyKey},
    service::Platform,
};
use sea_orm::TransactionTrait;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Answer, keyed};
use crate::commands::units::{self, Lead, NewVillageUnit, UnitView};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list, register))
        .routes(routes!(appoint_lead))
}

/// The units of the caller's division and those above it.
#[utoipa::path(get, path = "/v1/units", operation_id = "listUnits", tag = "units",
    responses((status = 200, body = Vec<UnitView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
) -> Result<axum::Json<Vec<UnitView>>, Problem> {
    Ok(axum::Json(units::list(&p.db, &who).await?))
}

/// Registers a village's child director post (township or district staff).
#[utoipa::path(post, path = "/v1/units", operation_id = "registerUnit", request_body = NewVillageUnit, tag = "units",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = UnitView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn register(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewVillageUnit>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, input, |tx| units::register_village(
        tx, &who, &input
    ))
}

/// Appoints a unit's lead (child supervisor or child director): staff of the level above.
#[utoipa::path(post, path = "/v1/units/{code}/lead", operation_id = "appointUnitLead", request_body = Lead, tag = "units",
    params(("If-Match" = String, Header, description = "the unit's version as read, \"v<n>\"")),
    responses((status = 200, body = UnitView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn appoint_lead(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(code): Path<String>,
    Json(input): Json<Lead>,
) -> Result<axum::Json<UnitView>, Problem> {
    let tx = p.db.begin().await?;
    let out = units::appoint_lead(&tx, &who, &code, version, &input).await?;
    tx.commit().await?;
    Ok(axum::Json(out))
}
