//! `/v1/households`: register and read households; ID numbers masked unless asked for by a role
//! that needs them, and then audited.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::idempotency::{self, Begin, IdempotencyKey},
    identity::IdNumber,
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, TransactionTrait};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::households::{NewHousehold, Registered, register_household},
    store::{household, member},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
}

/// Registers a household and its members.
#[utoipa::path(post, path = "/v1/households", request_body = NewHousehold, tag = "households",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = Registered), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewHousehold>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), Problem> {
    let tx = p.db.begin().await?;
    let fingerprint = idempotency::fingerprint(&input);
    if let Begin::Replay { status, body } =
        idempotency::begin(&tx, &who.key(), &key, &fingerprint).await?
    {
        return Ok((
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        ));
    }
    let registered = register_household(&tx, &p.config.person_ref_key, &who, &input).await?;
    let body = serde_json::to_value(&registered).unwrap_or_default();
    idempotency::complete(&tx, &who.key(), &key, &fingerprint, 201, &body).await?;
    tx.commit().await?;
    Ok((StatusCode::CREATED, axum::Json(body)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Show full ID numbers (township clerks and district officers; audited).
    #[serde(default)]
    unmasked: bool,
}

/// A member as shown.
#[derive(Debug, Serialize, ToSchema)]
struct MemberView {
    id: Uuid,
    name: String,
    /// Masked (`500112********123X`) unless asked for and allowed.
    id_number: String,
    person_ref: String,
    relationship: String,
    employed: bool,
    able_to_work: bool,
    monthly_income_fen: i64,
    deceased_on: Option<chrono::NaiveDate>,
}

/// A household as shown.
#[derive(Debug, Serialize, ToSchema)]
struct HouseholdView {
    id: Uuid,
    township_code: String,
    village_code: String,
    residence: String,
    staff_relative: bool,
    members: Vec<MemberView>,
}

/// Reads a household of the caller's division.
#[utoipa::path(get, path = "/v1/households/{id}", params(ShowQuery), tag = "households",
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<axum::Json<HouseholdView>, Problem> {
    let h = household::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| Problem::not_found("no such household in your division"))?;
    if q.unmasked {
        who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
        audit::record(
            &p.db,
            &who,
            "read-unmasked-id-numbers",
            "household",
            &id.to_string(),
            "",
        )
        .await?;
    }
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(id))
        .all(&p.db)
        .await?;
    Ok(axum::Json(HouseholdView {
        id: h.id,
        township_code: h.township_code,
        village_code: h.village_code,
        residence: h.residence,
        staff_relative: h.staff_relative,
        members: members
            .into_iter()
            .map(|m| MemberView {
                id: m.id,
                name: m.name,
                id_number: if q.unmasked {
                    m.id_number
                } else {
                    IdNumber::parse(&m.id_number)
                        .map(|i| i.masked())
                        .unwrap_or_default()
                },
                person_ref: m.person_ref,
                relationship: m.relationship,
                employed: m.employed,
                able_to_work: m.able_to_work,
                monthly_income_fen: m.monthly_income_fen,
                deceased_on: m.deceased_on,
            })
            .collect(),
    }))
}
