//! `/v1/left-behind-elders`: the register of left-behind rural elderly, each with a visit plan.

use axum::extract::{Path, State};
use kit::{
    Json, Principal, Problem, edge::idempotency::IdempotencyKey, edge::idempotency::once,
    service::Platform,
};
use sea_orm::{ColumnTrait, EntityTrait, QueryFilter, QueryOrder};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::update;
use crate::{
    commands::{
        left_behind::{self, Ending, LeftBehindElderView, NewLeftBehindElder},
        today,
    },
    store::left_behind_elder,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(register, list))
        .routes(routes!(end))
}

/// Registers a left-behind older person; a visit plan starts today.
#[utoipa::path(post, path = "/v1/left-behind-elders", operation_id = "registerLeftBehindElder", request_body = NewLeftBehindElder, tag = "left-behind",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = LeftBehindElderView), (status = 403, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn register(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewLeftBehindElder>,
) -> Result<super::Created, Problem> {
    once(
        &p,
        &who,
        &key,
        &input,
        axum::http::StatusCode::CREATED,
        async |tx| left_behind::register(tx, &p.config.person_ref_key, &who, &input, today()).await,
    )
    .await
}

/// Lists the active registrations of the caller's division (ID numbers masked).
#[utoipa::path(get, path = "/v1/left-behind-elders", operation_id = "listLeftBehindElders", tag = "left-behind",
    responses((status = 200, body = Vec<LeftBehindElderView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
) -> Result<axum::Json<Vec<LeftBehindElderView>>, Problem> {
    let mut out = Vec::new();
    for e in left_behind_elder::Entity::find()
        .filter(left_behind_elder::Column::VillageCode.starts_with(who.division.as_str()))
        .filter(left_behind_elder::Column::Status.eq("active"))
        .order_by_asc(left_behind_elder::Column::Id)
        .all(&p.db)
        .await?
    {
        out.push(left_behind::view(&p.db, e).await?);
    }
    Ok(axum::Json(out))
}

/// Ends a registration (a family member returned, moved…); its visit plan is cancelled.
#[utoipa::path(post, path = "/v1/left-behind-elders/{id}/ending", operation_id = "endLeftBehindElder", request_body = Ending, tag = "left-behind",
    responses((status = 200, body = LeftBehindElderView), (status = 404, body = Problem), (status = 409, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn end(
    State(p): State<Platform>,
    who: Principal,
    Path(id): Path<Uuid>,
    Json(input): Json<Ending>,
) -> Result<axum::Json<LeftBehindElderView>, Problem> {
    Ok(axum::Json(
        update(&p, async |tx| {
            left_behind::end_registration(tx, &who, id, &input, today()).await
        })
        .await?,
    ))
}
