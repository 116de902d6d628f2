//! `/v1/children`: submit a registration, list and read children of the caller's division. ID
//! numbers, the account and HIV status are masked unless a role that needs them asks, and that
//! read is audited.

use axum::{
    extract::{Path, Query, State},
    http::{HeaderMap, StatusCode, header},
};
use chrono::NaiveDate;
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::{
        concurrency::etag,
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    identity::IdNumber,
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, idempotent, masked_account};
use crate::{
    commands::{
        programmes::GrantView,
        records::{self, ChildRecord, load_visible, today},
        registration::{NewChild, Origin, submit_registration},
    },
    domain::category::{Category, parse_word, word},
    store::{child, condition, grant},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
}

/// Submits a child's registration (pending a district approver's decision).
#[utoipa::path(post, path = "/v1/children", operation_id = "registerChild", request_body = NewChild, tag = "children",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = crate::commands::registration::Submitted), (status = 400, body = Problem),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewChild>,
) -> Result<Answer, Problem> {
    let k = p.config.person_ref_key.clone();
    idempotent!(p, who, key, input, StatusCode::CREATED, |tx| {
        submit_registration(tx, &k, &who, &input, Origin::Application, today()).await?
    })
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// pending_approval, registered, rejected or ended.
    status: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// A child in a list.
#[derive(Debug, Serialize, ToSchema)]
struct ChildSummary {
    id: Uuid,
    person_ref: String,
    /// Masked.
    id_number: Option<String>,
    township_code: String,
    village_code: String,
    /// orphan or de_facto_unsupported.
    category: String,
    care_mode: String,
    status: String,
}

fn wire_category(stored: &str) -> String {
    parse_word::<Category>(stored)
        .map(|c| word(c.wire()))
        .unwrap_or_default()
}

fn masked_id(raw: Option<&str>) -> Option<String> {
    raw.and_then(|r| IdNumber::parse(r).ok())
        .map(|i| i.masked())
}

/// Lists the children of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/children", operation_id = "listChildren", params(ListQuery), tag = "children",
    responses((status = 200, body = Page<ChildSummary>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<ChildSummary>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut query = child::Entity::find()
        .filter(child::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(child::Column::Id)
        .limit(page.limit());
    if let Some(c) = page.cursor {
        query = query.filter(child::Column::Id.gt(c));
    }
    if let Some(s) = &q.status {
        query = query.filter(child::Column::Status.eq(s.as_str()));
    }
    let items = query
        .all(&p.db)
        .await?
        .into_iter()
        .map(|c| ChildSummary {
            id: c.id,
            id_number: masked_id(c.id_number.as_deref()),
            person_ref: c.person_ref,
            township_code: c.township_code,
            village_code: c.village_code,
            category: wire_category(&c.category),
            care_mode: c.care_mode,
            status: c.status,
        })
        .collect();
    Ok(axum::Json(Page::new(items, page.limit(), |c| c.id)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Show full ID numbers, the account and HIV status (township clerks, district officers and
    /// approvers; audited).
    #[serde(default)]
    unmasked: bool,
}

/// A condition as shown.
#[derive(Debug, Serialize, ToSchema)]
struct ConditionView {
    id: Uuid,
    situation: String,
    since: Option<NaiveDate>,
    expected_end: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
    disability_category: Option<String>,
    disability_level: Option<i32>,
    evidence: String,
}

impl From<&condition::Model> for ConditionView {
    fn from(c: &condition::Model) -> Self {
        Self {
            id: c.id,
            situation: c.situation.clone(),
            since: c.since,
            expected_end: c.expected_end,
            ended_on: c.ended_on,
            disability_category: c.disability_category.clone(),
            disability_level: c.disability_level,
            evidence: c.evidence.clone(),
        }
    }
}

/// A parent as shown.
#[derive(Debug, Serialize, ToSchema)]
struct ParentView {
    role: String,
    person_ref: Option<String>,
    id_number: Option<String>,
    name: Option<String>,
    conditions: Vec<ConditionView>,
}

/// An allowance as shown.
#[derive(Debug, Serialize, ToSchema)]
struct AllowanceView {
    id: Uuid,
    category: String,
    care_mode: String,
    start_month: String,
    /// Last month paid.
    end_month: Option<String>,
    end_reason: Option<String>,
}

/// A child as shown.
#[derive(Debug, Serialize, ToSchema)]
struct ChildView {
    id: Uuid,
    person_ref: String,
    id_number: Option<String>,
    name: Option<String>,
    birth_date: Option<NaiveDate>,
    township_code: String,
    village_code: String,
    /// orphan or de_facto_unsupported; hiv_infected only unmasked.
    category: String,
    /// Only unmasked.
    hiv_infected: Option<bool>,
    care_mode: String,
    status: String,
    origin: String,
    at_risk_flag_id: Option<Uuid>,
    /// Registered from a flag and still missing the identity or dated evidence of a parent.
    evidence_pending: bool,
    guardian_name: Option<String>,
    guardian_relationship: Option<String>,
    guardian_id_number: Option<String>,
    account_holder: Option<String>,
    bank_account: Option<String>,
    decided_by: Option<String>,
    decided_on: Option<NaiveDate>,
    decision_reason: Option<String>,
    deceased_on: Option<NaiveDate>,
    adopted_on: Option<NaiveDate>,
    /// The predicate today, with its reason.
    assessment: String,
    parents: Vec<ParentView>,
    school: Option<serde_json::Value>,
    allowances: Vec<AllowanceView>,
    grants: Vec<GrantView>,
    version: i32,
}

fn view(r: ChildRecord, assessment: String, grants: Vec<GrantView>, unmasked: bool) -> ChildView {
    let c = r.child;
    let id = |raw: Option<String>| {
        if unmasked {
            raw
        } else {
            masked_id(raw.as_deref())
        }
    };
    let parents = [r.father, r.mother]
        .into_iter()
        .flatten()
        .map(|(p, cs)| ParentView {
            role: p.role,
            person_ref: p.person_ref,
            id_number: id(p.id_number),
            name: p.name,
            conditions: cs.iter().map(ConditionView::from).collect(),
        })
        .collect::<Vec<_>>();
    let evidence_pending = c.id_number.is_none()
        || parents
            .iter()
            .flat_map(|p| &p.conditions)
            .any(|c| c.since.is_none() && c.ended_on.is_none() && c.situation != "present");
    ChildView {
        id: c.id,
        person_ref: c.person_ref,
        id_number: id(c.id_number),
        name: c.name,
        birth_date: c.birth_date,
        township_code: c.township_code,
        village_code: c.village_code,
        category: if unmasked {
            c.category.clone()
        } else {
            wire_category(&c.category)
        },
        hiv_infected: unmasked.then_some(c.hiv_infected),
        care_mode: c.care_mode,
        status: c.status,
        origin: c.origin,
        at_risk_flag_id: c.at_risk_flag_id,
        evidence_pending,
        guardian_name: c.guardian_name,
        guardian_relationship: c.guardian_relationship,
        guardian_id_number: id(c.guardian_id_number),
        account_holder: c.account_holder,
        bank_account: if unmasked {
            c.bank_account
        } else {
            c.bank_account.as_deref().map(masked_account)
        },
        decided_by: c.decided_by,
        decided_on: c.decided_on,
        decision_reason: c.decision_reason,
        deceased_on: c.deceased_on,
        adopted_on: c.adopted_on,
        assessment,
        parents,
        school: r.enrollment.map(|e| {
            serde_json::json!({ "level": e.level, "school": e.school, "full_time": e.full_time,
                "enrolled_on": e.enrolled_on, "course_end": e.course_end })
        }),
        allowances: r
            .allowances
            .into_iter()
            .map(|a| AllowanceView {
                id: a.id,
                category: wire_category(&a.category),
                care_mode: a.care_mode,
                start_month: a.start_month,
                end_month: a.end_month,
                end_reason: a.end_reason,
            })
            .collect(),
        grants,
        version: c.version,
    }
}

/// Reads a child of the caller's division; `ETag` carries the version updates must match.
#[utoipa::path(get, path = "/v1/children/{id}", operation_id = "getChild", params(ShowQuery), tag = "children",
    responses((status = 200, body = ChildView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<(HeaderMap, axum::Json<ChildView>), Problem> {
    let record = load_visible(&p.db, &who, id).await?;
    if q.unmasked {
        who.require(&[
            Role::TownshipClerk,
            Role::DistrictOfficer,
            Role::DistrictApprover,
        ])?;
        audit::record(&p.db, &who, "read-unmasked", "child", &id.to_string(), "").await?;
    }
    let reference = records::reference(&p.db).await?;
    let assessment = record
        .assess(&reference, today())
        .map(|a| a.reason)
        .unwrap_or_else(|e| e.detail.unwrap_or_default());
    let grants = grant::Entity::find()
        .filter(grant::Column::ChildId.eq(id))
        .order_by_asc(grant::Column::Id)
        .all(&p.db)
        .await?
        .into_iter()
        .map(GrantView::from)
        .collect();
    let mut headers = HeaderMap::new();
    headers.insert(header::ETAG, etag(record.child.version));
    Ok((
        headers,
        axum::Json(view(record, assessment, grants, q.unmasked)),
    ))
}
