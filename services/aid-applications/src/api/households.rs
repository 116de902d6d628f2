//! `/v1/households`: register and read households, record their changes (members joining and
//! leaving, income items, property, address) and read the change history; ID numbers masked unless
//! asked for by a role that needs them, and then audited.

use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::{DateTime, NaiveDate, Utc};
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    identity::IdNumber,
    service::Platform,
};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect,
    TransactionTrait,
};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::{
        households::changes::{
            AddressChange, AssetChange, DisposalInput, IncomeChange, JoinInput, LeaveInput,
            add_asset, change_address, change_income, dispose_asset, join, leave,
        },
        households::{NewHousehold, Registered, register_household},
        procedure::facts::{Register, alive_on, build_household},
        procedure::today,
        reference::load_parameters,
    },
    domain::{property::over_limits, reference::ParameterSet},
    store::household_register::{change, former_member},
};
use kit::edge::idempotency::once;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(join_member))
        .routes(routes!(member_departure))
        .routes(routes!(member_income))
        .routes(routes!(add_property))
        .routes(routes!(property_disposal))
        .routes(routes!(address))
        .routes(routes!(history))
}

/// Registers a household and its members.
#[utoipa::path(post, path = "/v1/households", operation_id = "createHousehold", request_body = NewHousehold, tag = "households",
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
    once(&p, &who, &key, &input, StatusCode::CREATED, async |tx| {
        register_household(tx, &p.config.person_ref_key, &who, &input).await
    })
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Show full ID numbers (township clerks and district officers; audited).
    #[serde(default)]
    unmasked: bool,
}

/// One income item as shown.
#[derive(Debug, Serialize, ToSchema)]
struct IncomeView {
    id: Uuid,
    kind: String,
    monthly_fen: i64,
    source: Option<String>,
    recorded_on: NaiveDate,
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
    /// The sum of the income items.
    monthly_income_fen: i64,
    income: Vec<IncomeView>,
    deceased_on: Option<NaiveDate>,
}

/// A member who left, as shown.
#[derive(Debug, Serialize, ToSchema)]
struct FormerMemberView {
    id: Uuid,
    name: String,
    /// Always masked.
    id_number: String,
    relationship: String,
    left_on: NaiveDate,
    reason: String,
}

/// A property item as shown.
#[derive(Debug, Serialize, ToSchema)]
struct AssetView {
    id: Uuid,
    kind: String,
    description: String,
    value_fen: i64,
    member_id: Option<Uuid>,
    exempt: bool,
    exempt_reason: Option<String>,
    employs_others: bool,
    recorded_on: NaiveDate,
    disposed_on: Option<NaiveDate>,
    disposal_reason: Option<String>,
}

/// A household as shown.
#[derive(Debug, Serialize, ToSchema)]
struct HouseholdView {
    id: Uuid,
    township_code: String,
    village_code: String,
    residence: String,
    address: String,
    staff_relative: bool,
    /// The version to send as `If-Match: "v<version>"` with a change (also the `ETag`).
    version: i32,
    members: Vec<MemberView>,
    former_members: Vec<FormerMemberView>,
    /// Property items, disposed ones included (with their date).
    property: Vec<AssetView>,
    /// What the property predicates in force today say about the registered property (empty:
    /// within the limits).
    property_over_limits: Vec<String>,
}

/// The household as the caller may see it (404 outside the caller's division).
async fn view(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    unmasked: bool,
) -> Result<HouseholdView, Problem> {
    let register = Register::load(db, id)
        .await
        .ok()
        .filter(|r| who.sees(&r.household.village_code))
        .ok_or_else(|| Problem::not_found("no such household in your division"))?;
    let former = former_member::Entity::find()
        .filter(former_member::Column::HouseholdId.eq(id))
        .order_by_asc(former_member::Column::LeftOn)
        .all(db)
        .await?;
    let on = today();
    let parameters: Option<ParameterSet> = load_parameters(db).await?.at(on).ok();
    let household = build_household(&register, &Default::default(), None, on);
    let property_over_limits = parameters
        .map(|p| {
            let living = register.members.iter().filter(|m| alive_on(m, on)).count();
            over_limits(
                &household.assets,
                &p.property_limits,
                p.dibao_standard(household.residence),
                i64::try_from(living).unwrap_or(1),
            )
        })
        .unwrap_or_default();
    let Register {
        household: h,
        members,
        incomes,
        assets,
        ..
    } = register;
    Ok(HouseholdView {
        id: h.id,
        township_code: h.township_code,
        village_code: h.village_code,
        residence: h.residence,
        address: h.address,
        staff_relative: h.staff_relative,
        version: h.version,
        members: members
            .into_iter()
            .map(|m| MemberView {
                id: m.id,
                name: m.name,
                id_number: if unmasked {
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
                income: incomes
                    .iter()
                    .filter(|i| i.member_id == m.id)
                    .map(|i| IncomeView {
                        id: i.id,
                        kind: i.kind.clone(),
                        monthly_fen: i.monthly_fen,
                        source: i.source.clone(),
                        recorded_on: i.recorded_on,
                    })
                    .collect(),
                deceased_on: m.deceased_on,
            })
            .collect(),
        former_members: former
            .into_iter()
            .map(|f| FormerMemberView {
                id: f.id,
                name: f.name,
                id_number: f.masked_id_number,
                relationship: f.relationship,
                left_on: f.left_on,
                reason: f.reason,
            })
            .collect(),
        property: assets
            .into_iter()
            .map(|a| AssetView {
                id: a.id,
                kind: a.kind,
                description: a.description,
                value_fen: a.value_fen,
                member_id: a.member_id,
                exempt: a.exempt,
                exempt_reason: a.exempt_reason,
                employs_others: a.employs_others,
                recorded_on: a.recorded_on,
                disposed_on: a.disposed_on,
                disposal_reason: a.disposal_reason,
            })
            .collect(),
        property_over_limits,
    })
}

/// Reads a household of the caller's division, with its income items, property and former
/// members; `ETag` = version.
#[utoipa::path(get, path = "/v1/households/{id}", operation_id = "getHousehold", params(ShowQuery), tag = "households",
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<impl IntoResponse, Problem> {
    if q.unmasked {
        who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    }
    // Read once; 404 outside the caller's division before anything is audited.
    let household = view(&p.db, &who, id, q.unmasked).await?;
    if q.unmasked {
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
    Ok(tagged(household))
}

/// The household with its version as the `ETag`.
fn tagged(household: HouseholdView) -> impl IntoResponse {
    (
        [(header::ETAG, etag(household.version))],
        axum::Json(household),
    )
}

type Answer = Result<(StatusCode, axum::Json<Value>), Problem>;

/// A member joins the household (birth, marriage, adoption, moving in, return): validated like a
/// registration; a running enrollment's member lists are updated and published, and it is
/// flagged for review. Answers the household.
#[utoipa::path(post, path = "/v1/households/{id}/members", operation_id = "addHouseholdMember", request_body = JoinInput, tag = "households",
    params(("If-Match" = String, Header, description = "the household's ETag"),
        ("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn join_member(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<JoinInput>,
) -> Answer {
    let (outbox, person_key) = (p.outbox.clone(), p.config.person_ref_key.clone());
    once(
        &p,
        &who,
        &key,
        &(id, version, &input),
        StatusCode::CREATED,
        async |tx| {
            join(tx, &outbox, &person_key, &who, id, version, &input).await?;
            view(tx, &who, id, false).await
        },
    )
    .await
}

/// A member leaves the household (moved or married out, imprisoned, …): kept as a former member;
/// refused for the head and for the beneficiary of a person's own enrollment.
#[utoipa::path(post, path = "/v1/households/{id}/members/{member_id}/departure", operation_id = "recordMemberDeparture", request_body = LeaveInput, tag = "households",
    params(("If-Match" = String, Header, description = "the household's ETag"),
        ("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn member_departure(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    IfMatch(version): IfMatch,
    Path((id, member_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<LeaveInput>,
) -> Answer {
    let outbox = p.outbox.clone();
    let request = (id, member_id, version, &input);
    once(&p, &who, &key, &request, StatusCode::OK, async |tx| {
        leave(tx, &outbox, &who, id, member_id, version, &input).await?;
        view(tx, &who, id, false).await
    })
    .await
}

/// Replaces a member's income items (and, when given, whether they are employed or able to
/// work); a running enrollment is flagged for review.
#[utoipa::path(put, path = "/v1/households/{id}/members/{member_id}/income", operation_id = "setMemberIncome", request_body = IncomeChange, tag = "households",
    params(("If-Match" = String, Header, description = "the household's ETag")),
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn member_income(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path((id, member_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<IncomeChange>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    change_income(&tx, &who, id, member_id, version, &input).await?;
    let household = view(&tx, &who, id, false).await?;
    tx.commit().await?;
    Ok(tagged(household))
}

/// Records a property item of the household; a running enrollment is flagged for review.
#[utoipa::path(post, path = "/v1/households/{id}/property", operation_id = "addHouseholdProperty", request_body = AssetChange, tag = "households",
    params(("If-Match" = String, Header, description = "the household's ETag"),
        ("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_property(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<AssetChange>,
) -> Answer {
    once(
        &p,
        &who,
        &key,
        &(id, version, &input),
        StatusCode::CREATED,
        async |tx| {
            add_asset(tx, &who, id, version, &input).await?;
            view(tx, &who, id, false).await
        },
    )
    .await
}

/// Records that a property item was disposed of (sold, demolished, spent): it no longer counts
/// from that date.
#[utoipa::path(post, path = "/v1/households/{id}/property/{asset_id}/disposal", operation_id = "recordPropertyDisposal", request_body = DisposalInput, tag = "households",
    params(("If-Match" = String, Header, description = "the household's ETag"),
        ("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn property_disposal(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    IfMatch(version): IfMatch,
    Path((id, asset_id)): Path<(Uuid, Uuid)>,
    Json(input): Json<DisposalInput>,
) -> Answer {
    let request = (id, asset_id, version, &input);
    once(&p, &who, &key, &request, StatusCode::OK, async |tx| {
        dispose_asset(tx, &who, id, asset_id, version, &input).await?;
        view(tx, &who, id, false).await
    })
    .await
}

/// Records a new address in the same village.
#[utoipa::path(put, path = "/v1/households/{id}/address", operation_id = "setHouseholdAddress", request_body = AddressChange, tag = "households",
    params(("If-Match" = String, Header, description = "the household's ETag")),
    responses((status = 200, body = HouseholdView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn address(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<AddressChange>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    change_address(&tx, &who, id, version, &input).await?;
    let household = view(&tx, &who, id, false).await?;
    tx.commit().await?;
    Ok(tagged(household))
}

/// One entry of the change history.
#[derive(Debug, Serialize, ToSchema)]
struct ChangeView {
    id: Uuid,
    /// registered, member_joined, member_left, member_died, income_changed, property_added,
    /// property_disposed, address_changed.
    kind: String,
    member_id: Option<Uuid>,
    effective_on: NaiveDate,
    /// What changed (no ID numbers).
    #[schema(value_type = Object)]
    detail: Value,
    recorded_by: String,
    recorded_at: DateTime<Utc>,
}

/// The household's change history, oldest first (cursor page).
#[utoipa::path(get, path = "/v1/households/{id}/history", operation_id = "getHouseholdHistory", params(PageQuery), tag = "households",
    responses((status = 200, body = Page<ChangeView>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn history(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<Page<ChangeView>>, Problem> {
    crate::store::household::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| Problem::not_found("no such household in your division"))?;
    let mut query = change::Entity::find().filter(change::Column::HouseholdId.eq(id));
    if let Some(cursor) = page.cursor {
        query = query.filter(change::Column::Id.gt(cursor));
    }
    let rows = query
        .order_by_asc(change::Column::Id)
        .limit(page.limit())
        .all(&p.db)
        .await?;
    let items = rows
        .into_iter()
        .map(|c| ChangeView {
            id: c.id,
            kind: c.kind,
            member_id: c.member_id,
            effective_on: c.effective_on,
            detail: serde_json::from_str(&c.detail).unwrap_or(Value::Null),
            recorded_by: c.recorded_by,
            recorded_at: c.recorded_at,
        })
        .collect();
    Ok(axum::Json(Page::new(
        items,
        page.limit(),
        |c: &ChangeView| c.id,
    )))
}
