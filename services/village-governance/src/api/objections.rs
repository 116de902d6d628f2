//! `/v1/objections`: residents' objections to an aid publicity, recorded at the village edge.

use axum::extract::{Path, Query, State};
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{Created, idempotent};
use crate::commands::publicity::{NewObjection, ObjectionView, raise_objection, show_objection};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create))
        .routes(routes!(show))
}

/// Records an objection while the publicity shows; publishes `village.publicity.objection.raised.v1`
/// (without the objector). 409 before the publicity opens or after it closed.
#[utoipa::path(post, path = "/v1/objections", operation_id = "raiseObjection", request_body = NewObjection, tag = "publicity",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ObjectionView), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewObjection>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| raise_objection(
        tx, &p.outbox, &who, &input
    )
    .await?)
}

#[derive(Debug, Deserialize, IntoParams)]
struct ShowQuery {
    /// Show the objector's name and phone (township clerks and district officers; audited).
    #[serde(default)]
    unmasked: bool,
}

/// Reads an objection; the objector is masked unless an allowed role asks (audited).
#[utoipa::path(get, path = "/v1/objections/{id}", operation_id = "getObjection", params(ShowQuery), tag = "publicity",
    responses((status = 200, body = ObjectionView), (status = 403, body = Problem), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Query(q): Query<ShowQuery>,
) -> Result<axum::Json<ObjectionView>, Problem> {
    Ok(axum::Json(
        show_objection(&p.db, &who, id, q.unmasked).await?,
    ))
}
