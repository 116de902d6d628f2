//! `/v1/staff-relatives`: the staff-relative register (近亲属备案), and
//! `/v1/households/{id}/staff-relatives`: what the register says about one household.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::idempotency::once,
    edge::{
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::EntityTrait;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::integrity::relatives::{self, NewStaffRelative, StaffRelativeView, Withdrawal},
    domain::integrity::StaffRelativeLookup,
    store::household,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
        .routes(routes!(withdraw))
        .routes(routes!(household_lookup))
}

/// Registers a close relative of a staff member.
#[utoipa::path(post, path = "/v1/staff-relatives", operation_id = "fileStaffRelative", request_body = NewStaffRelative, tag = "staff-relatives",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = StaffRelativeView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewStaffRelative>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), Problem> {
    once(&p, &who, &key, &input, StatusCode::CREATED, async |tx| {
        relatives::register(tx, &p.config.person_ref_key, &who, &input).await
    })
    .await
}

/// Registrations of staff within the caller's division.
#[utoipa::path(get, path = "/v1/staff-relatives", operation_id = "listStaffRelatives", params(PageQuery), tag = "staff-relatives",
    responses((status = 200, body = Page<StaffRelativeView>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<Page<StaffRelativeView>>, Problem> {
    let items = relatives::list(&p.db, &who, page.cursor, page.limit()).await?;
    Ok(axum::Json(Page::new(items, page.limit(), |v| v.id)))
}

/// One registration.
#[utoipa::path(get, path = "/v1/staff-relatives/{id}", operation_id = "getStaffRelative", tag = "staff-relatives",
    responses((status = 200, body = StaffRelativeView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<StaffRelativeView>, Problem> {
    Ok(axum::Json(
        relatives::find_visible(&p.db, &who, id).await?.into(),
    ))
}

/// Ends a registration (the staff member left the post, or it was recorded in error).
#[utoipa::path(post, path = "/v1/staff-relatives/{id}/withdrawal", operation_id = "withdrawStaffRelative", request_body = Withdrawal, tag = "staff-relatives",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = StaffRelativeView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn withdraw(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Withdrawal>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), Problem> {
    once(&p, &who, &key, &(id, &input), StatusCode::OK, async |tx| {
        relatives::withdraw(tx, &who, id, &input).await
    })
    .await
}

/// What the register says about a household of the caller's division: `not_registered`, or
/// `registered` with the related staff (their cases need the district's home visit and approval,
/// and those staff may not act on them). The read is audited.
#[utoipa::path(get, path = "/v1/households/{id}/staff-relatives", operation_id = "listHouseholdStaffRelatives", tag = "staff-relatives",
    responses((status = 200, body = serde_json::Value), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn household_lookup(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<StaffRelativeLookup>, Problem> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
        Role::DistrictApprover,
        Role::Auditor,
    ])?;
    household::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| Problem::not_found("no such household in your division"))?;
    let found = relatives::lookup(&p.db, id).await?;
    audit::record(
        &p.db,
        &who,
        "read-staff-relatives",
        "household",
        &id.to_string(),
        if found.is_registered() {
            "registered"
        } else {
            "not_registered"
        },
    )
    .await?;
    Ok(axum::Json(found))
}
