//! `/v1/findings` (comparison findings: owner, due date, resolution) and `/v1/comparisons` (run
//! the comparison of a month on demand).

use axum::{
    Extension,
    extract::{Path, Query, State},
    http::header,
    response::IntoResponse,
};
use chrono::NaiveDate;
use contracts::common::Month;
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::{
        concurrency::{IfMatch, changed_meanwhile, etag},
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, EntityTrait, IntoActiveModel, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::{
    commands::{
        comparison::{Payees, compare},
        today,
    },
    store::{entities::finding, sealed::DataKeys},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(resolve))
        .routes(routes!(run_comparison))
}

/// A finding as shown.
#[derive(Debug, Serialize, ToSchema)]
struct FindingView {
    id: Uuid,
    kind: String,
    subsidy_kind: Option<String>,
    subsidy_id: Option<Uuid>,
    person_ref: String,
    comparison_month: String,
    amount_at_risk_fen: Option<i64>,
    township_code: String,
    owner: String,
    detected_on: NaiveDate,
    due_on: NaiveDate,
    status: String,
    resolution: Option<String>,
    resolved_by: Option<String>,
    version: i32,
}

impl From<finding::Model> for FindingView {
    fn from(f: finding::Model) -> Self {
        Self {
            id: f.id,
            kind: f.kind,
            subsidy_kind: f.subsidy_kind,
            subsidy_id: f.subsidy_id,
            person_ref: f.person_ref,
            comparison_month: f.comparison_month,
            amount_at_risk_fen: f.amount_at_risk_fen,
            township_code: f.township_code,
            owner: f.owner,
            detected_on: f.detected_on,
            due_on: f.due_on,
            status: f.status,
            resolution: f.resolution,
            resolved_by: f.resolved_by,
            version: f.version,
        }
    }
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    kind: Option<String>,
    status: Option<String>,
    person_ref: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the findings of the caller's township (all of them for the district).
#[utoipa::path(get, path = "/v1/findings", operation_id = "listFindings", params(ListQuery), tag = "findings",
    responses((status = 200, body = Page<FindingView>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<FindingView>>, Problem> {
    if who.role == Role::VillageStaff {
        return Err(Problem::forbidden("findings are handled by the township"));
    }
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut find = finding::Entity::find()
        .filter(finding::Column::TownshipCode.starts_with(who.division.as_str()))
        .order_by_asc(finding::Column::Id)
        .limit(page.limit());
    if let Some(c) = page.cursor {
        find = find.filter(finding::Column::Id.gt(c));
    }
    for (col, v) in [
        (finding::Column::Kind, &q.kind),
        (finding::Column::Status, &q.status),
        (finding::Column::PersonRef, &q.person_ref),
    ] {
        if let Some(v) = v {
            find = find.filter(col.eq(v.as_str()));
        }
    }
    let items = find
        .all(&p.db)
        .await?
        .into_iter()
        .map(FindingView::from)
        .collect();
    Ok(axum::Json(Page::new(
        items,
        page.limit(),
        |f: &FindingView| f.id,
    )))
}

/// How a finding was settled.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
struct Resolution {
    /// What was found and done (recovered, stopped, corrected, unfounded…).
    resolution: String,
}

/// The owning township settles a finding.
#[utoipa::path(post, path = "/v1/findings/{id}/resolution", operation_id = "resolveFinding", request_body = Resolution, tag = "findings",
    params(("If-Match" = String, Header, description = "the version of the finding as read")),
    responses((status = 200, body = FindingView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn resolve(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(version): IfMatch,
    Json(input): Json<Resolution>,
) -> Result<impl IntoResponse, Problem> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
    ])?;
    if input.resolution.trim().is_empty() {
        return Err(Problem::invalid("resolution", "required"));
    }
    let tx = p.db.begin().await?;
    let f = finding::Entity::find_by_id(id)
        .one(&tx)
        .await?
        .filter(|f| who.sees(&f.township_code))
        .ok_or_else(|| Problem::not_found("no such finding in your division"))?;
    if f.version != version {
        return Err(changed_meanwhile());
    }
    if f.status != "open" {
        return Err(Problem::conflict(
            "finding-resolved",
            "the finding is already resolved",
        ));
    }
    let mut a = f.into_active_model();
    a.status = Set("resolved".to_owned());
    a.resolution = Set(Some(input.resolution.trim().to_owned()));
    a.resolved_by = Set(Some(who.subject.clone()));
    a.resolved_on = Set(Some(today()));
    a.open_key = Set(None);
    a.version = Set(version + 1);
    let f = a.update(&tx).await?;
    audit::record(
        &tx,
        &who,
        "resolve-finding",
        "finding",
        &id.to_string(),
        &input.resolution,
    )
    .await?;
    tx.commit().await?;
    Ok((
        [(header::ETAG, etag(f.version))],
        axum::Json(FindingView::from(f)),
    ))
}

/// The month to compare or pay.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub(super) struct MonthInput {
    #[schema(value_type = String)]
    pub month: Month,
}

/// Runs the comparison of a month now (it also runs before every payment batch).
#[utoipa::path(post, path = "/v1/comparisons", operation_id = "runComparison", request_body = MonthInput, tag = "findings",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = crate::commands::comparison::ComparisonSummary), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn run_comparison(
    State(p): State<Platform>,
    Extension(keys): Extension<DataKeys>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<MonthInput>,
) -> Created {
    who.require(&[Role::DistrictOfficer])?;
    idempotent!(p, who, key, &input, 201, |tx| {
        let summary = compare(tx, &p.outbox, &keys, input.month, today(), Payees::Read).await?;
        audit::record(
            tx,
            &who,
            "run-comparison",
            "comparison",
            &input.month.to_string(),
            "",
        )
        .await?;
        summary
    })
}
