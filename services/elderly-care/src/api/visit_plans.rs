//! `/v1/visit-plans`: dispersed-support and left-behind visit plans, their visits, and
//! `/v1/overdue-checks` to run the overdue check now.

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::IntoResponse,
};
use kit::{
    Json, Principal, Problem, Role,
    edge::idempotency::once,
    edge::{
        concurrency::etag,
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::{
        today,
        visits::{self, CheckReport, NewVisit, VisitPlanKind, VisitPlanView, VisitView},
    },
    store::visit_plan,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(record_visit))
        .routes(routes!(run_check))
}

#[derive(Debug, Deserialize, IntoParams)]
struct Filter {
    /// `dispersed_support` or `left_behind`.
    #[param(inline)]
    kind: Option<VisitPlanKind>,
    /// `active` or `cancelled`.
    status: Option<String>,
    /// Only plans with missed visits.
    #[serde(default)]
    overdue: bool,
    /// The last id of the previous page.
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the visit plans of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/visit-plans", operation_id = "listVisitPlans", params(Filter), tag = "visits",
    responses((status = 200, body = Page<VisitPlanView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(f): Query<Filter>,
) -> Result<axum::Json<Page<VisitPlanView>>, Problem> {
    let mut q = visit_plan::Entity::find()
        .filter(visit_plan::Column::VillageCode.starts_with(who.division.as_str()));
    if let Some(kind) = f.kind {
        q = q.filter(visit_plan::Column::Kind.eq(kind.as_str()));
    }
    if let Some(status) = &f.status {
        q = q.filter(visit_plan::Column::Status.eq(status.as_str()));
    }
    if f.overdue {
        q = q.filter(visit_plan::Column::MissedVisits.gt(0));
    }
    if let Some(cursor) = f.cursor {
        q = q.filter(visit_plan::Column::Id.gt(cursor));
    }
    let limit = PageQuery {
        cursor: f.cursor,
        limit: f.limit,
    }
    .limit();
    let items: Vec<VisitPlanView> = q
        .order_by_asc(visit_plan::Column::Id)
        .limit(limit)
        .all(&p.db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect();
    Ok(axum::Json(Page::new(items, limit, |v| v.id)))
}

/// A plan with its visits.
#[derive(Debug, Serialize, ToSchema)]
struct PlanWithVisits {
    #[serde(flatten)]
    plan: VisitPlanView,
    visits: Vec<VisitView>,
}

/// Reads a visit plan of the caller's division with its visits, newest first.
#[utoipa::path(get, path = "/v1/visit-plans/{id}", operation_id = "getVisitPlan", tag = "visits",
    responses((status = 200, body = PlanWithVisits), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    let plan = visits::visible_plan(&p.db, &who, id).await?;
    let visits = visits::visits_of(&p.db, id).await?;
    Ok((
        [(header::ETAG, etag(plan.version))],
        axum::Json(PlanWithVisits {
            plan: plan.into(),
            visits,
        }),
    ))
}

/// Records a visit with its findings; the plan's next due date moves on.
#[utoipa::path(post, path = "/v1/visit-plans/{id}/visits", operation_id = "recordVisit", request_body = NewVisit, tag = "visits",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = VisitPlanView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn record_visit(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewVisit>,
) -> Result<super::Created, Problem> {
    let fingerprint_input = (id, &input);
    once(
        &p,
        &who,
        &key,
        &fingerprint_input,
        axum::http::StatusCode::CREATED,
        async |tx| visits::record_visit(tx, &who, id, &input, today()).await,
    )
    .await
}

/// Runs the overdue check for today now (it also runs by itself every hour); idempotent.
#[utoipa::path(post, path = "/v1/overdue-checks", operation_id = "runOverdueCheck", tag = "visits",
    responses((status = 200, body = CheckReport), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn run_check(
    State(p): State<Platform>,
    who: Principal,
) -> Result<axum::Json<CheckReport>, Problem> {
    who.require(&[Role::DistrictOfficer, Role::Service])?;
    Ok(axum::Json(
        visits::check_overdue(&p.db, &p.outbox, today()).await?,
    ))
}
