//! `/v1/reference/parameters`: the effective-dated time limits and thresholds.

use axum::extract::State;
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Answer, keyed};
use crate::commands::reference::{self, ParameterValue};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new().routes(routes!(list, set))
}

/// Every value of every parameter.
#[utoipa::path(get, path = "/v1/reference/parameters", operation_id = "listParameters", tag = "reference",
    responses((status = 200, body = Vec<ParameterValue>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<ParameterValue>>, Problem> {
    Ok(axum::Json(reference::list(&p.db).await?))
}

/// Sets a parameter's value from a date on (district approvers; audited).
#[utoipa::path(post, path = "/v1/reference/parameters", operation_id = "setParameter", request_body = ParameterValue, tag = "reference",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = ParameterValue), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn set(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<ParameterValue>,
) -> Result<Answer, Problem> {
    keyed!(p, who, key, input, |tx| reference::set(tx, &who, &input))
}
