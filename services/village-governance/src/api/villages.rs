//! `/v1/villages`: the register of villages and communities, and each village's publicity board.

use axum::extract::{Path, Query, State};
use chrono::NaiveDate;
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use super::{Created, idempotent};
use crate::commands::{
    publicity::{Board, board},
    villages::{NewVillage, VillageView, register_village, villages_in_scope},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(create, list))
        .routes(routes!(show_board))
}

/// Registers a village or community of the caller's township.
#[utoipa::path(post, path = "/v1/villages", operation_id = "registerVillage", request_body = NewVillage, tag = "villages",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 201, body = VillageView), (status = 403, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn create(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Json(input): Json<NewVillage>,
) -> Result<Created, Problem> {
    idempotent!(p, who, key, input, |tx| register_village(tx, &who, &input)
        .await?)
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// One township (9 digits); default: the caller's whole division.
    township_code: Option<String>,
}

/// The villages and communities of the caller's division.
#[utoipa::path(get, path = "/v1/villages", operation_id = "listVillages", params(ListQuery), tag = "villages",
    responses((status = 200, body = Vec<VillageView>), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<axum::Json<Vec<VillageView>>, Problem> {
    let all = villages_in_scope(&p.db, &who, q.township_code.as_deref()).await?;
    Ok(axum::Json(all.into_iter().map(Into::into).collect()))
}

#[derive(Debug, Deserialize, IntoParams)]
struct BoardQuery {
    /// The date to show (default today in China).
    on: Option<NaiveDate>,
}

/// The village's publicity board: aid publicity showing on the date, masked (no names).
#[utoipa::path(get, path = "/v1/villages/{code}/board", operation_id = "getVillageBoard", params(BoardQuery), tag = "publicity",
    responses((status = 200, body = Board), (status = 403, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn show_board(
    State(p): State<Platform>,
    who: Principal,
    Path(code): Path<String>,
    Query(q): Query<BoardQuery>,
) -> Result<axum::Json<Board>, Problem> {
    Ok(axum::Json(board(&p.db, &who, &code, q.on).await?))
}
