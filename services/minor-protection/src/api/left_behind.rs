//! `/v1/left-behind-children`: the named register, visits, and the overdue-visit list.

use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use kit::{
    Json, Principal, Problem,
    edge::{
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::TransactionTrait;
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Answer, keyed};
use crate::commands::{
    china_today,
    left_behind::{self, LeftBehindView, NewLeftBehindChild, NewVisit},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(overdue))
        .routes(routes!(show))
        .routes(routes!(visit))
}

/// Registers a left-behind child (the village's child director).
#[utoipa::path(post, path = "/v1/left-behind-children", operation_id = "registerLeftBehindChild", request_body = NewLeftBehindChild, tag = "left-behind children",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = LeftBehindView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn register(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewLeftBehindChild>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, input, |tx| left_behind::register(
        tx,
        &p.config.person_ref_key,
        &who,
        &input
    ))
}

/// The register of the caller's division (names for the village's own staff only; audited).
#[utoipa::path(get, path = "/v1/left-behind-children", operation_id = "listLeftBehindChildren", params(PageQuery), tag = "left-behind children",
    responses((status = 200, body = Page<LeftBehindView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<PageQuery>,
) -> Result<axum::Json<Page<LeftBehindView>>, Problem> {
    let tx = p.db.begin().await?;
    let items = left_behind::list(&tx, &who, None, q.cursor, q.limit()).await?;
    tx.commit().await?;
    Ok(axum::Json(Page::new(items, q.limit(), |v| v.id)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct OverdueQuery {
    /// The day to look from; today (China) by default.
    today: Option<NaiveDate>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Children whose visit is overdue (audited).
#[utoipa::path(get, path = "/v1/left-behind-children/overdue-visits", operation_id = "listOverdueChildVisits", params(OverdueQuery), tag = "left-behind children",
    responses((status = 200, body = Page<LeftBehindView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn overdue(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<OverdueQuery>,
) -> Result<axum::Json<Page<LeftBehindView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let today = q.today.unwrap_or_else(china_today);
    let tx = p.db.begin().await?;
    let items = left_behind::list(&tx, &who, Some(today), page.cursor, page.limit()).await?;
    tx.commit().await?;
    Ok(axum::Json(Page::new(items, page.limit(), |v| v.id)))
}

/// One child on the register (audited).
#[utoipa::path(get, path = "/v1/left-behind-children/{id}", operation_id = "getLeftBehindChild", tag = "left-behind children",
    responses((status = 200, body = LeftBehindView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<LeftBehindView>, Problem> {
    let tx = p.db.begin().await?;
    let v = left_behind::show(&tx, &who, id).await?;
    tx.commit().await?;
    Ok(axum::Json(v))
}

/// Records a visit (the village's child director).
#[utoipa::path(post, path = "/v1/left-behind-children/{id}/visits", operation_id = "recordChildVisit", request_body = NewVisit, tag = "left-behind children",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = LeftBehindView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn visit(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewVisit>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, (id, &input), |tx| left_behind::record_visit(
        tx, &who, id, &input
    ))
}
