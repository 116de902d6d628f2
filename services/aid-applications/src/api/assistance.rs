//! `/v1/temporary-assistance` (requests, tiered decisions, act-first paperwork) and
//! `/v1/reserve-funds/{township}` (balance, ledger, the district's replenishments).

use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use chrono::NaiveDate;
use kit::{
    Json, Principal, Problem,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::TransactionTrait as _;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::assistance_edge::once;
use crate::commands::{
    assistance::clock::today,
    assistance::fund::{self, FundView, Replenishment},
    assistance::paperwork,
    assistance::payee,
    assistance::{self, Decision, GrantView, NewRequest, Paperwork},
    enrollment::Payee,
};

type Written = Result<(StatusCode, axum::Json<serde_json::Value>), Problem>;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(record, list))
        .routes(routes!(overdue))
        .routes(routes!(show))
        .routes(routes!(decide))
        .routes(routes!(paperwork))
        .routes(routes!(payee))
        .routes(routes!(fund))
        .routes(routes!(replenish))
}

/// Records a request for temporary assistance (handled by the caller's township).
#[utoipa::path(post, path = "/v1/temporary-assistance", operation_id = "recordTemporaryAssistance", request_body = NewRequest, tag = "temporary-assistance",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = GrantView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn record(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewRequest>,
) -> Written {
    once!(p, who, key, &input, StatusCode::CREATED, |tx| {
        assistance::record_request(tx, &who, &input).await?
    })
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// requested, granted or rejected.
    status: Option<String>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Requests and grants of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/temporary-assistance", operation_id = "listTemporaryAssistance", params(ListQuery), tag = "temporary-assistance",
    responses((status = 200, body = Page<GrantView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<GrantView>>, Problem> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let mut items = assistance::list(&p.db, &who, q.status.as_deref(), q.cursor, limit).await?;
    payee::with_payments(&p.db, &mut items).await?;
    Ok(axum::Json(Page::new(items, limit, |g| g.id)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct OverdueQuery {
    /// The day to judge at (default today).
    on: Option<NaiveDate>,
}

/// Act-first grants whose paperwork is past its deadline.
#[utoipa::path(get, path = "/v1/temporary-assistance/paperwork-overdue", operation_id = "listOverduePaperwork", params(OverdueQuery), tag = "temporary-assistance",
    responses((status = 200, body = Vec<GrantView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn overdue(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<OverdueQuery>,
) -> Result<axum::Json<Vec<GrantView>>, Problem> {
    let on = q.on.unwrap_or_else(today);
    Ok(axum::Json(
        paperwork::paperwork_overdue(&p.db, &who, on).await?,
    ))
}

/// One request or grant, with how it was paid; `ETag` = version.
#[utoipa::path(get, path = "/v1/temporary-assistance/{id}", operation_id = "getTemporaryAssistance", tag = "temporary-assistance",
    responses((status = 200, body = GrantView, headers(("ETag" = String, description = "the version, for If-Match"))),
        (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    let found = assistance::find_visible(&p.db, &who, id).await?;
    let view = payee::view(&p.db, found).await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

/// Sets or corrects the account a grant without act-first is paid to by the monthly payment
/// batch (`If-Match` with the grant's ETag); a held or returned line is paid to it by the re-issue.
#[utoipa::path(put, path = "/v1/temporary-assistance/{id}/payee", operation_id = "setTemporaryAssistancePayee", request_body = Payee, tag = "temporary-assistance",
    params(("If-Match" = String, Header, description = "the grant's ETag")),
    responses((status = 200, body = GrantView, headers(("ETag" = String, description = "the new version"))),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem),
        (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn payee(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Payee>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = payee::set_payee(&tx, &who, id, version, &input).await?;
    tx.commit().await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

/// Approves (by the township within its cap, the district above; act-first pays from the
/// reserve fund at once) or rejects with written reasons.
#[utoipa::path(post, path = "/v1/temporary-assistance/{id}/decision", operation_id = "decideTemporaryAssistance", request_body = Decision, tag = "temporary-assistance",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = GrantView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn decide(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Decision>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        assistance::decide(tx, &p.outbox, &who, id, &input).await?
    })
}

/// Records the completed paperwork of an act-first grant.
#[utoipa::path(post, path = "/v1/temporary-assistance/{id}/paperwork", operation_id = "completePaperwork", request_body = Paperwork, tag = "temporary-assistance",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = GrantView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn paperwork(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Paperwork>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        paperwork::complete_paperwork(tx, &who, id, &input).await?
    })
}

/// A township's reserve fund: balance and ledger (oldest first).
#[utoipa::path(get, path = "/v1/reserve-funds/{township}", operation_id = "getReserveFund", params(PageQuery), tag = "reserve-funds",
    responses((status = 200, body = FundView), (status = 401, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn fund(
    State(p): State<Platform>,
    who: Principal,
    Path(township): Path<String>,
    Query(page): Query<PageQuery>,
) -> Result<axum::Json<FundView>, Problem> {
    Ok(axum::Json(
        fund::show(&p.db, &who, &township, page.cursor, page.limit()).await?,
    ))
}

/// The district replenishes a township's reserve fund.
#[utoipa::path(post, path = "/v1/reserve-funds/{township}/replenishments", operation_id = "replenishReserveFund", request_body = Replenishment, tag = "reserve-funds",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = FundView), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn replenish(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(township): Path<String>,
    Json(input): Json<Replenishment>,
) -> Written {
    once!(
        p,
        who,
        key,
        &(&township, &input),
        StatusCode::CREATED,
        |tx| fund::replenish(tx, &who, &township, &input).await?
    )
}
