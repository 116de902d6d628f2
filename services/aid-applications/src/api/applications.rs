//! `/v1/applications`: submit, read and list applications of the caller's division.

use axum::{
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::IntoResponse,
};
use kit::{
    Json, Principal, Problem,
    edge::{
        concurrency::etag,
        idempotency::IdempotencyKey,
        page::{Page, PageQuery},
    },
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder, QuerySelect};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::{
        procedure::steps::Reference,
        procedure::submission::{ApplicationView, NewApplication, submit_application},
        procedure::{Loaded, load},
    },
    store::application,
};
use kit::edge::idempotency::once;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show))
}

/// Submits an application for a household.
#[utoipa::path(post, path = "/v1/applications", operation_id = "createApplication", request_body = NewApplication, tag = "applications",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ApplicationView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewApplication>,
) -> Result<(StatusCode, axum::Json<serde_json::Value>), Problem> {
    let outbox = p.outbox.clone();
    once(&p, &who, &key, &input, StatusCode::CREATED, async |tx| {
        submit_application(tx, &outbox, &who, &input).await
    })
    .await
}

/// Reads an application of the caller's division, with its due dates; the ETag is its version.
#[utoipa::path(get, path = "/v1/applications/{id}", operation_id = "getApplication", tag = "applications",
    responses((status = 200, body = ApplicationView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<impl IntoResponse, Problem> {
    let loaded = load(&p.db, &who, id).await?;
    let reference = Reference::load(&p.db).await?;
    let view = ApplicationView::of(&loaded, Some((&reference.calendar, &reference.parameters)));
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// Only applications in this status (e.g. `in_publicity`).
    status: Option<String>,
    /// Only applications of this household.
    household_id: Option<Uuid>,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists the applications of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/applications", operation_id = "listApplications", params(ListQuery), tag = "applications",
    responses((status = 200, description = "a page of applications", body = Page<ApplicationView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<ApplicationView>>, Problem> {
    let page = PageQuery {
        cursor: q.cursor,
        limit: q.limit,
    };
    let mut query = application::Entity::find()
        .filter(application::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(application::Column::Id)
        .limit(page.limit());
    if let Some(cursor) = page.cursor {
        query = query.filter(application::Column::Id.gt(cursor));
    }
    if let Some(status) = q.status {
        query = query.filter(application::Column::Status.eq(status));
    }
    if let Some(household) = q.household_id {
        query = query.filter(application::Column::HouseholdId.eq(household));
    }
    let items = query
        .all(&p.db)
        .await?
        .into_iter()
        .map(|row| Loaded::from_row(row).map(|l| ApplicationView::of(&l, None)))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(axum::Json(Page::new(items, page.limit(), |v| v.id)))
}
