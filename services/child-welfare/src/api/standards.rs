//! `/v1/standards`: the effective-dated reference values (placeholders marked) and the
//! natural-growth rule.

use axum::{extract::State, http::StatusCode};
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use sea_orm::{EntityTrait, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Answer, idempotent};
use crate::{
    commands::{
        records::today,
        standards::{Growth, apply_growth},
    },
    store::reference_value,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(growth))
}

/// A reference value.
#[derive(Debug, Serialize, ToSchema)]
struct ValueView {
    name: String,
    valid_from: chrono::NaiveDate,
    value: i64,
    /// Seeded without an official source: the bureau must correct it.
    placeholder: bool,
    source: String,
}

/// Every reference value, by name and date.
#[utoipa::path(get, path = "/v1/standards", operation_id = "listStandards", tag = "standards",
    responses((status = 200, body = Vec<ValueView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<ValueView>>, Problem> {
    let rows = reference_value::Entity::find()
        .order_by_asc(reference_value::Column::Name)
        .order_by_asc(reference_value::Column::ValidFrom)
        .all(&p.db)
        .await?;
    Ok(axum::Json(
        rows.into_iter()
            .map(|r| ValueView {
                name: r.name,
                valid_from: r.valid_from,
                value: r.value,
                placeholder: r.placeholder,
                source: r.source,
            })
            .collect(),
    ))
}

/// Applies the natural-growth rule: every allowance standard raised by `per_mille` from
/// `valid_from`, rounded up to whole yuan (district approvers).
#[utoipa::path(post, path = "/v1/standards/natural-growth", operation_id = "applyNaturalGrowth", request_body = Growth, tag = "standards",
    params(("Idempotency-Key" = String, Header, description = "required")),
    responses((status = 201, body = Vec<crate::commands::standards::Raised>), (status = 403, body = Problem),
        (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn growth(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<Growth>,
) -> Result<Answer, Problem> {
    idempotent!(p, who, key, input, StatusCode::CREATED, |tx| {
        apply_growth(tx, &p.outbox, &who, &input, today()).await?
    })
}
