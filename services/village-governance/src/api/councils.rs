//! `/v1/councils`: 一约三会 councils with their members and meetings.

use axum::extract::{Path, State};
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::commands::councils::{
    CouncilView, NewCouncil, NewCouncilMember, NewMeeting, add_council_member, establish_council,
    record_meeting, show_council,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
        .routes(routes!(add_member))
        .routes(routes!(add_meeting))
}

/// Establishes a deliberation, ceremony or ethics council (one active of each kind per village).
#[utoipa::path(post, path = "/v1/councils", operation_id = "createCouncil", request_body = NewCouncil, tag = "councils",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CouncilView), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewCouncil>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| establish_council(tx, &who, &input)
        .await?)
}

/// Reads a council with its members and meetings.
#[utoipa::path(get, path = "/v1/councils/{id}", operation_id = "getCouncil", tag = "councils",
    responses((status = 200, body = CouncilView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<axum::Json<CouncilView>, Problem> {
    Ok(axum::Json(show_council(&p.db, &who, id).await?))
}

/// Adds a member to a council.
#[utoipa::path(post, path = "/v1/councils/{id}/members", operation_id = "addCouncilMember", request_body = NewCouncilMember, tag = "councils",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CouncilView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_member(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewCouncilMember>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, (id, &input), |tx| add_council_member(
        tx, &who, id, &input
    )
    .await?)
}

/// Records a council meeting and its resolutions.
#[utoipa::path(post, path = "/v1/councils/{id}/meetings", operation_id = "recordCouncilMeeting", request_body = NewMeeting, tag = "councils",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = CouncilView), (status = 404, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn add_meeting(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<NewMeeting>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, (id, &input), |tx| record_meeting(
        tx, &who, id, &input
    )
    .await?)
}
