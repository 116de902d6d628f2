//! `/v1/facilities`: nursing homes, service centres, rehabilitation stations, mutual-aid points and
//! public-area retrofits — status, progress and nursing-home occupancy.

use axum::{
    extract::{Path, Query, State},
    http::header,
    response::IntoResponse,
};
use kit::{
    Json, Principal, Problem,
    edge::idempotency::once,
    edge::{
        concurrency::{IfMatch, etag},
        idempotency::IdempotencyKey,
    },
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::update;
use crate::{
    commands::{
        facilities::{self, FacilityView, NewFacility, ProgressUpdate},
        today,
    },
    domain::facility::{FacilityKind, Occupancy},
    store::facility,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(progress))
        .routes(routes!(occupancy))
}

/// Registers a facility or project (planned).
#[utoipa::path(post, path = "/v1/facilities", operation_id = "registerFacility", request_body = NewFacility, tag = "facilities",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = FacilityView), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn register(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewFacility>,
) -> Result<super::Created, Problem> {
    once(
        &p,
        &who,
        &key,
        &input,
        axum::http::StatusCode::CREATED,
        async |tx| facilities::create(tx, &who, &input).await,
    )
    .await
}

#[derive(Debug, Deserialize, IntoParams)]
struct Filter {
    kind: Option<FacilityKind>,
    /// A township code within the caller's division.
    township_code: Option<String>,
}

/// Lists facilities of the caller's division.
#[utoipa::path(get, path = "/v1/facilities", operation_id = "listFacilities", params(Filter), tag = "facilities",
    responses((status = 200, body = Vec<FacilityView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(f): Query<Filter>,
) -> Result<axum::Json<Vec<FacilityView>>, Problem> {
    let mut q = facility::Entity::find();
    if let Some(kind) = f.kind {
        q = q.filter(facility::Column::Kind.eq(kind.as_str()));
    }
    if let Some(t) = &f.township_code {
        q = q.filter(facility::Column::TownshipCode.eq(t.as_str()));
    }
    Ok(axum::Json(
        q.order_by_asc(facility::Column::Id)
            .all(&p.db)
            .await?
            .into_iter()
            .filter(|f| facilities::sees(&who, f))
            .map(Into::into)
            .collect(),
    ))
}

fn with_etag(view: FacilityView) -> impl IntoResponse {
    ([(header::ETAG, etag(view.version))], axum::Json(view))
}

/// Moves a facility's status and progress (`If-Match`).
#[utoipa::path(post, path = "/v1/facilities/{id}/progress", operation_id = "recordFacilityProgress", request_body = ProgressUpdate, tag = "facilities",
    params(("If-Match" = String, Header, description = "the ETag read")),
    responses((status = 200, body = FacilityView), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn progress(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<ProgressUpdate>,
) -> Result<impl IntoResponse, Problem> {
    let view = update(&p, async |tx| {
        facilities::update_progress(tx, &who, id, version, &input, today()).await
    })
    .await?;
    Ok(with_etag(view))
}

/// Records a nursing home's beds, occupied beds and extreme-poverty residents (`If-Match`).
#[utoipa::path(post, path = "/v1/facilities/{id}/occupancy", operation_id = "recordOccupancy", request_body = Occupancy, tag = "facilities",
    params(("If-Match" = String, Header, description = "the ETag read")),
    responses((status = 200, body = FacilityView), (status = 409, body = Problem), (status = 412, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn occupancy(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(id): Path<Uuid>,
    Json(input): Json<Occupancy>,
) -> Result<impl IntoResponse, Problem> {
    let view = update(&p, async |tx| {
        facilities::update_occupancy(tx, &who, id, version, &input).await
    })
    .await?;
    Ok(with_etag(view))
}
