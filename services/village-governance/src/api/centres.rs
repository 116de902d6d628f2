//! `/v1/service-centre-projects`: village service-centre construction and its progress.

use axum::extract::{Path, State};
use kit::{
    Json, Principal, Problem,
    edge::{concurrency::IfMatch, idempotency::IdempotencyKey},
    service::Platform,
};
use sea_orm::TransactionTrait;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, Tagged, idempotent, tagged};
use crate::commands::service_centres::{
    NewProgress, NewProject, ProjectView, register_project, report_progress, show_project,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(progress))
}

/// Registers a service-centre construction project.
#[utoipa::path(post, path = "/v1/service-centre-projects", operation_id = "createServiceCentreProject", request_body = NewProject, tag = "service centres",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ProjectView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewProject>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| register_project(tx, &who, &input)
        .await?)
}

/// Reads a project (answers its `ETag`).
#[utoipa::path(get, path = "/v1/service-centre-projects/{id}", operation_id = "getServiceCentreProject", tag = "service centres",
    responses((status = 200, body = ProjectView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<Tagged<ProjectView>, Problem> {
    let v = show_project(&p.db, &who, id).await?;
    Ok(tagged(v.etag_version, v))
}

/// Reports progress: the stage only moves forward; a built centre is 100 % complete.
#[utoipa::path(post, path = "/v1/service-centre-projects/{id}/progress", operation_id = "recordProjectProgress", request_body = NewProgress, tag = "service centres",
    params(("If-Match" = String, Header, description = "the ETag last read")),
    responses((status = 200, body = ProjectView), (status = 412, body = Problem), (status = 422, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn progress(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    IfMatch(v): IfMatch,
    Json(input): Json<NewProgress>,
) -> Result<Tagged<ProjectView>, Problem> {
    let tx = p.db.begin().await?;
    let view = report_progress(&tx, &who, id, v, &input).await?;
    tx.commit().await?;
    Ok(tagged(view.etag_version, view))
}
