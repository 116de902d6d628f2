//! `/v1/community-workers`: community workers with pay level and social-work qualification.

use axum::extract::{Path, State};
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::commands::workers::{NewWorker, WorkerView, register_worker, show_worker};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
}

/// Registers a community worker.
#[utoipa::path(post, path = "/v1/community-workers", operation_id = "registerCommunityWorker", request_body = NewWorker, tag = "community workers",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = WorkerView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewWorker>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| register_worker(tx, &who, &input)
        .await?)
}

/// Reads a community worker with the monthly pay the scale in force gives.
#[utoipa::path(get, path = "/v1/community-workers/{id}", operation_id = "getCommunityWorker", tag = "community workers",
    responses((status = 200, body = WorkerView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<WorkerView>, Problem> {
    Ok(axum::Json(show_worker(&p.db, &who, id).await?))
}
