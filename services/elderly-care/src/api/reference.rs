//! `/v1/reference-values`: the effective-dated intervals, thresholds and targets; district
//! officers add values from a date on.

use axum::extract::State;
use kit::{
    Json, Principal, Problem, edge::idempotency::IdempotencyKey, edge::idempotency::once,
    service::Platform,
};
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::commands::reference::{self, ReferenceValue};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new().routes(routes!(set, list))
}

/// Lists every reference value.
#[utoipa::path(get, path = "/v1/reference-values", operation_id = "listReferenceValues", tag = "reference",
    responses((status = 200, body = Vec<ReferenceValue>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<ReferenceValue>>, Problem> {
    Ok(axum::Json(reference::list(&p.db).await?))
}

/// Sets a value from `valid_from` on (district officers); the same date corrects it.
#[utoipa::path(post, path = "/v1/reference-values", operation_id = "setReferenceValue", request_body = ReferenceValue, tag = "reference",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = ReferenceValue), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn set(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<ReferenceValue>,
) -> Result<super::Created, Problem> {
    once(
        &p,
        &who,
        &key,
        &input,
        axum::http::StatusCode::CREATED,
        async |tx| reference::set_value(tx, &who, &input).await,
    )
    .await
}
