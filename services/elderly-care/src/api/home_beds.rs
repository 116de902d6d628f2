//! `/v1/home-beds` (application → assessment → installation → service visits → closure) and
//! `/v1/providers` (contracted providers). ID numbers masked unless a role that needs them asks,
//! and then audited.

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::IntoResponse,
};
use kit::{
    Json, Principal, Problem, Role, audit,
    edge::idempotency::once,
    edge::{
        concurrency::{IfMatch, etag},
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

use super::update;
use crate::{
    commands::{
        home_beds::{
            self, Assessment, Closure, HomeBedView, Installation, NewHomeBed, NewService,
            ServiceView,
        },
        providers::{self, NewProvider, ProviderView},
        today,
    },
    store::{home_bed, provider},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(apply, list))
        .routes(routes!(show))
        .routes(routes!(assess))
        .routes(routes!(install))
        .routes(routes!(close))
        .routes(routes!(record_service))
        .routes(routes!(create_provider, list_providers))
}

/// Applies for a home care bed for an older person.
#[utoipa::path(post, path = "/v1/home-beds", operation_id = "applyHomeBed", request_body = NewHomeBed, tag = "home-beds",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = HomeBedView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn apply(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewHomeBed>,
) -> Result<super::Created, Problem> {
    once(
        &p,
        &who,
        &key,
        &input,
        axum::http::StatusCode::CREATED,
        async |tx| home_beds::apply(tx, &p.config.person_ref_key, &who, &input, today()).await,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
struct Filter {
    /// applied, assessed, established, closed, rejected or withdrawn.
    status: Option<String>,
    /// The last id of the previous page.
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50); another number is refused (400 naming `limit`).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Lists home care beds of the caller's division (ID numbers masked), oldest first.
#[utoipa::path(get, path = "/v1/home-beds", operation_id = "listHomeBeds", params(Filter), tag = "home-beds",
    responses((status = 200, body = Page<HomeBedView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(f): Query<Filter>,
) -> Result<axum::Json<Page<HomeBedView>>, Problem> {
    let mut q = home_bed::Entity::find()
        .filter(home_bed::Column::VillageCode.starts_with(who.division.as_str()));
    if let Some(status) = &f.status {
        q = q.filter(home_bed::Column::Status.eq(status.as_str()));
    }
    if let Some(cursor) = f.cursor {
        q = q.filter(home_bed::Column::Id.gt(cursor));
    }
    let limit = PageQuery {
        cursor: f.cursor,
        limit: f.limit,
    }
    .limit();
    let items = q
        .order_by_asc(home_bed::Column::Id)
        .limit(limit)
        .all(&p.db)
        .await?
        .into_iter()
        .map(|b| HomeBedView::of(b, false))
        .collect();
    Ok(axum::Json(Page::new(items, limit, |v: &HomeBedView| v.id)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Show the full ID number (township clerks and district officers; audited).
    #[serde(default)]
    unmasked: bool,
}

/// Reads a home care bed of the caller's division.
#[utoipa::path(get, path = "/v1/home-beds/{id}", operation_id = "getHomeBed", params(ShowQuery), tag = "home-beds",
    responses((status = 200, body = HomeBedView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<impl IntoResponse, Problem> {
    let bed = home_beds::visible_bed(&p.db, &who, id).await?;
    if q.unmasked {
        who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
        audit::record(
            &p.db,
            &who,
            "read-unmasked-id-number",
            "home-bed",
            &id.to_string(),
            "",
        )
        .await?;
    }
    Ok((
        [(header::ETAG, etag(bed.version))],
        axum::Json(HomeBedView::of(bed, q.unmasked)),
    ))
}

fn with_etag(view: HomeBedView) -> impl IntoResponse {
    ([(header::ETAG, etag(view.version))], axum::Json(view))
}

/// Records the capability assessment (`If-Match` required).
#[utoipa::path(post, path = "/v1/home-beds/{id}/assessment", operation_id = "assessHomeBed", request_body = Assessment, tag = "home-beds",
    params(("If-Match" = String, Header, description = "the ETag read")),
    responses((status = 200, body = HomeBedView), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn assess(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Assessment>,
) -> Result<impl IntoResponse, Problem> {
    let view = update(&p, async |tx| {
        home_beds::assess(tx, &who, id, version, &input, today()).await
    })
    .await?;
    Ok(with_etag(view))
}

/// Records the installation by a contracted provider; the bed is established (`If-Match`).
#[utoipa::path(post, path = "/v1/home-beds/{id}/installation", operation_id = "installHomeBed", request_body = Installation, tag = "home-beds",
    params(("If-Match" = String, Header, description = "the ETag read")),
    responses((status = 200, body = HomeBedView), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn install(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Installation>,
) -> Result<impl IntoResponse, Problem> {
    let view = update(&p, async |tx| {
        home_beds::install(tx, &p.outbox, &who, id, version, &input, today()).await
    })
    .await?;
    Ok(with_etag(view))
}

/// Closes the bed, or withdraws an application not yet established (`If-Match`).
#[utoipa::path(post, path = "/v1/home-beds/{id}/closure", operation_id = "closeHomeBed", request_body = Closure, tag = "home-beds",
    params(("If-Match" = String, Header, description = "the ETag read")),
    responses((status = 200, body = HomeBedView), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn close(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Closure>,
) -> Result<impl IntoResponse, Problem> {
    let view = update(&p, async |tx| {
        home_beds::close(tx, &p.outbox, &who, id, version, &input, today()).await
    })
    .await?;
    Ok(with_etag(view))
}

/// Records a service visit by the provider's staff to an established bed.
#[utoipa::path(post, path = "/v1/home-beds/{id}/services", operation_id = "recordHomeBedService", request_body = NewService, tag = "home-beds",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ServiceView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn record_service(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewService>,
) -> Result<super::Created, Problem> {
    let fingerprint_input = (id, &input);
    once(
        &p,
        &who,
        &key,
        &fingerprint_input,
        axum::http::StatusCode::CREATED,
        async |tx| home_beds::record_service(tx, &who, id, &input, today()).await,
    )
    .await
}

/// Registers a contracted provider (district officers).
#[utoipa::path(post, path = "/v1/providers", operation_id = "createProvider", request_body = NewProvider, tag = "home-beds",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ProviderView), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create_provider(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewProvider>,
) -> Result<super::Created, Problem> {
    once(
        &p,
        &who,
        &key,
        &input,
        axum::http::StatusCode::CREATED,
        async |tx| providers::create_provider(tx, &who, &input).await,
    )
    .await
}

/// Lists contracted providers.
#[utoipa::path(get, path = "/v1/providers", operation_id = "listProviders", tag = "home-beds",
    responses((status = 200, body = Vec<ProviderView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list_providers(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<ProviderView>>, Problem> {
    Ok(axum::Json(
        provider::Entity::find()
            .order_by_asc(provider::Column::Name)
            .all(&p.db)
            .await?
            .into_iter()
            .map(Into::into)
            .collect(),
    ))
}
