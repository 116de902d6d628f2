//! `/v1/low-income` (the population view), `/v1/discovery-tasks` (active discovery) and
//! `/v1/referrals` (分层分类).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use kit::{
    Json, Principal, Problem,
    edge::{
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::assistance_edge::once;
use crate::commands::{
    monitoring::referrals::{self, NewReferral, ReferralView},
    monitoring::{self, Closure, LowIncomeHousehold, TaskView},
};

type Written = Result<(StatusCode, axum::Json<serde_json::Value>), Problem>;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(population))
        .routes(routes!(tasks))
        .routes(routes!(task))
        .routes(routes!(close))
        .routes(routes!(refer, referrals))
}

/// The low-income population of the caller's division (dibao, extreme poverty, marginal,
/// partner-flagged), by household.
#[utoipa::path(get, path = "/v1/low-income", operation_id = "listLowIncomePopulation", params(PageQuery), tag = "monitoring",
    responses((status = 200, body = Page<LowIncomeHousehold>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn population(
    State(p): State<Platform>,
    who: Principal,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<Page<LowIncomeHousehold>>, Problem> {
    let items = monitoring::population(&p.db, &who, page.cursor, page.limit()).await?;
    Ok(axum::Json(Page::new(items, page.limit(), |h| {
        h.household_id
    })))
}

#[derive(Debug, Deserialize, IntoParams)]
struct TaskQuery {
    /// Only open tasks.
    #[serde(default)]
    open: bool,
    /// assess_household or single_person_dibao_candidate.
    kind: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Active-discovery tasks of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/discovery-tasks", operation_id = "listDiscoveryTasks", params(TaskQuery), tag = "monitoring",
    responses((status = 200, body = Page<TaskView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn tasks(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<TaskQuery>,
) -> Result<axum::Json<Page<TaskView>>, Problem> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = monitoring::list(&p.db, &who, q.open, q.kind.as_deref(), q.cursor, limit).await?;
    Ok(axum::Json(Page::new(items, limit, |t| t.id)))
}

/// One task.
#[utoipa::path(get, path = "/v1/discovery-tasks/{id}", operation_id = "getDiscoveryTask", tag = "monitoring",
    responses((status = 200, body = TaskView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn task(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<TaskView>, Problem> {
    Ok(axum::Json(
        monitoring::find_visible(&p.db, &who, id).await?.into(),
    ))
}

/// Closes a task after the visit (a `referred` outcome requests the referral).
#[utoipa::path(post, path = "/v1/discovery-tasks/{id}/closure", operation_id = "closeDiscoveryTask", request_body = Closure, tag = "monitoring",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = TaskView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn close(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Closure>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        monitoring::close(tx, &p.outbox, &who, id, &input).await?
    })
}

/// Refers a household (or a member) to specialised assistance; publishes
/// `aid.referral.requested.v1`.
#[utoipa::path(post, path = "/v1/referrals", operation_id = "createReferral", request_body = NewReferral, tag = "monitoring",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ReferralView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn refer(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewReferral>,
) -> Written {
    once!(p, who, key, &input, StatusCode::CREATED, |tx| {
        referrals::refer(tx, &p.outbox, &who, &input, None).await?
    })
}

/// Referrals of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/referrals", operation_id = "listReferrals", params(PageQuery), tag = "monitoring",
    responses((status = 200, body = Page<ReferralView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn referrals(
    State(p): State<Platform>,
    who: Principal,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<Page<ReferralView>>, Problem> {
    let items = referrals::list(&p.db, &who, page.cursor, page.limit()).await?;
    Ok(axum::Json(Page::new(items, page.limit(), |r| r.id)))
}
