//! `/v1/applications`: submit and read applications.

use axum::{
    extract::{Path, State},
    http::StatusCode,
};
use kit::{
    Json, Principal, Problem,
    edge::idempotency::{self, Begin, IdempotencyKey},
    service::Platform,
};
use sea_orm::{EntityTrait, TransactionTrait};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use crate::{
    commands::applications::{ApplicationView, NewApplication, submit_application},
    store::application,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
}

/// Submits an application for a household.
#[utoipa::path(post, path = "/v1/applications", request_body = NewApplication, tag = "applications",
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
    let tx = p.db.begin().await?;
    let fingerprint = idempotency::fingerprint(&input);
    if let Begin::Replay { status, body } =
        idempotency::begin(&tx, &who.key(), &key, &fingerprint).await?
    {
        return Ok((
            StatusCode::from_u16(status).unwrap_or(StatusCode::OK),
            axum::Json(body),
        ));
    }
    let view = submit_application(&tx, &p.outbox, &who, &input).await?;
    let body = serde_json::to_value(&view).unwrap_or_default();
    idempotency::complete(&tx, &who.key(), &key, &fingerprint, 201, &body).await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok((StatusCode::CREATED, axum::Json(body)))
}

/// Reads an application of the caller's division.
#[utoipa::path(get, path = "/v1/applications/{id}", tag = "applications",
    responses((status = 200, body = ApplicationView), (status = 401, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<ApplicationView>, Problem> {
    let a = application::Entity::find_by_id(id)
        .one(&p.db)
        .await?
        .filter(|a| who.sees(&a.village_code))
        .ok_or_else(|| Problem::not_found("no such application in your division"))?;
    Ok(axum::Json(a.into()))
}
