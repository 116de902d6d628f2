//! `/v1/vagrants`: vagrant relief stays — admission, identification, the family-tracing notice
//! (and the list of overdue ones), return or settlement.

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use chrono::{DateTime, FixedOffset, Utc};
use kit::{
    Json, Principal, Problem,
    edge::{idempotency::IdempotencyKey, page::Page},
    service::Platform,
};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::assistance_edge::once;
use crate::commands::vagrant::{self, Exit, Identification, NewAdmission, StayView, TracingNotice};

type Written = Result<(StatusCode, axum::Json<serde_json::Value>), Problem>;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(admit, list))
        .routes(routes!(overdue))
        .routes(routes!(show))
        .routes(routes!(identify))
        .routes(routes!(tracing_notice))
        .routes(routes!(leave))
}

/// Admits a person at the caller's office.
#[utoipa::path(post, path = "/v1/vagrants", operation_id = "admitVagrant", request_body = NewAdmission, tag = "vagrant-relief",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = StayView), (status = 400, body = Problem), (status = 401, body = Problem),
        (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn admit(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewAdmission>,
) -> Written {
    once!(p, who, key, &input, StatusCode::CREATED, |tx| {
        vagrant::admit(tx, &p.config.person_ref_key, &who, &input).await?
    })
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// Only people still at the station.
    #[serde(default)]
    in_station: bool,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Stays of the caller's division, oldest first.
#[utoipa::path(get, path = "/v1/vagrants", operation_id = "listVagrants", params(ListQuery), tag = "vagrant-relief",
    responses((status = 200, body = Page<StayView>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Page<StayView>>, Problem> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = vagrant::list(&p.db, &who, q.in_station, q.cursor, limit).await?;
    Ok(axum::Json(Page::new(items, limit, |v| v.id)))
}

#[derive(Debug, Deserialize, IntoParams)]
struct OverdueQuery {
    /// The time to judge at (default now).
    at: Option<DateTime<FixedOffset>>,
}

/// Unidentified people whose family-tracing notice is past due.
#[utoipa::path(get, path = "/v1/vagrants/tracing-overdue", operation_id = "listOverdueTracing", params(OverdueQuery), tag = "vagrant-relief",
    responses((status = 200, body = Vec<StayView>), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn overdue(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<OverdueQuery>,
) -> Result<axum::Json<Vec<StayView>>, Problem> {
    let at = q.at.map_or_else(kit::clock::now, |t| t.with_timezone(&Utc));
    Ok(axum::Json(vagrant::tracing_overdue(&p.db, &who, at).await?))
}

/// One stay.
#[utoipa::path(get, path = "/v1/vagrants/{id}", operation_id = "getVagrant", tag = "vagrant-relief",
    responses((status = 200, body = StayView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<StayView>, Problem> {
    let row = vagrant::find_visible(&p.db, &who, id).await?;
    Ok(axum::Json(StayView::of(row, kit::clock::now())))
}

/// Records who the person is.
#[utoipa::path(post, path = "/v1/vagrants/{id}/identification", operation_id = "identifyVagrant", request_body = Identification, tag = "vagrant-relief",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = StayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn identify(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Identification>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        vagrant::identify(tx, &p.config.person_ref_key, &who, id, &input).await?
    })
}

/// Records the family-tracing notice of an unidentified person.
#[utoipa::path(post, path = "/v1/vagrants/{id}/tracing-notice", operation_id = "publishTracingNotice", request_body = TracingNotice, tag = "vagrant-relief",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = StayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn tracing_notice(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<TracingNotice>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        vagrant::publish_tracing_notice(tx, &who, id, &input).await?
    })
}

/// Ends the stay: returned home or settled.
#[utoipa::path(post, path = "/v1/vagrants/{id}/exit", operation_id = "recordVagrantExit", request_body = Exit, tag = "vagrant-relief",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = StayView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn leave(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Exit>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        vagrant::leave(tx, &who, id, &input).await?
    })
}
