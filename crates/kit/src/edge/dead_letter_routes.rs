//! `/v1/dead-letters`: list, inspect and replay the events this service could not apply.

use axum::{
    Json,
    extract::{Path, Query, State},
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::{
    KitState,
    auth::{Principal, Role},
    problem::Problem,
};
use crate::{
    audit,
    dead_letters::{self, DeadLetter, ReplayError},
    inbox::Applied,
};

pub(super) fn routes() -> OpenApiRouter<KitState> {
    OpenApiRouter::new()
        .routes(routes!(list))
        .routes(routes!(show))
        .routes(routes!(replay))
}

#[derive(Debug, Deserialize, IntoParams)]
struct ListQuery {
    /// Only letters not yet replayed.
    #[serde(default)]
    pending: bool,
    /// Cursor: the last id of the previous page.
    cursor: Option<Uuid>,
    /// Page size (1–200, default 50).
    #[serde(default, deserialize_with = "super::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// A page of dead letters.
#[derive(Debug, Serialize, ToSchema)]
struct DeadLetterPage {
    items: Vec<DeadLetter>,
    next_cursor: Option<Uuid>,
}

/// Lists dead letters, newest first.
#[utoipa::path(get, path = "/v1/dead-letters", operation_id = "listDeadLetters", params(ListQuery), tag = "dead letters",
    responses((status = 200, body = DeadLetterPage), (status = 401, body = Problem), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn list(
    State(k): State<KitState>,
    who: Principal,
    Query(q): Query<ListQuery>,
) -> Result<Json<DeadLetterPage>, Problem> {
    who.require(&[Role::Auditor, Role::DistrictOfficer])?;
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = dead_letters::list(&k.db, q.pending, q.cursor, limit).await?;
    let next_cursor = (items.len() as u64 == limit)
        .then(|| items.last().map(|d| d.id))
        .flatten();
    Ok(Json(DeadLetterPage { items, next_cursor }))
}

/// A dead letter with its payload.
#[derive(Debug, Serialize, ToSchema)]
struct DeadLetterDetail {
    #[serde(flatten)]
    letter: DeadLetter,
    /// The message body as text (partner facts may carry ID numbers: auditors only, audited);
    /// bytes that are not UTF-8 are replaced, a NUL shown as U+FFFD.
    payload: String,
    /// The message body's exact bytes, base64 (standard alphabet).
    payload_base64: String,
    headers: serde_json::Value,
}

/// One dead letter with its payload; every read is audited.
#[utoipa::path(get, path = "/v1/dead-letters/{id}", operation_id = "getDeadLetter", tag = "dead letters",
    responses((status = 200, body = DeadLetterDetail), (status = 404, body = Problem)), security(("bearer" = [])))]
async fn show(
    State(k): State<KitState>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<DeadLetterDetail>, Problem> {
    who.require(&[Role::Auditor])?;
    let (letter, payload, headers) = dead_letters::get(&k.db, id)
        .await?
        .ok_or_else(|| Problem::not_found("no such dead letter"))?;
    audit::record(
        &k.db,
        &who,
        "read-dead-letter-payload",
        "dead-letter",
        &id.to_string(),
        "",
    )
    .await?;
    use base64::Engine as _;
    Ok(Json(DeadLetterDetail {
        letter,
        payload: dead_letters::storable(&String::from_utf8_lossy(&payload)).into_owned(),
        payload_base64: base64::engine::general_purpose::STANDARD.encode(&payload),
        headers: serde_json::from_str(&headers).unwrap_or_default(),
    }))
}

/// The outcome of a replay.
#[derive(Debug, Serialize, ToSchema)]
struct ReplayOutcome {
    /// `applied`, or `duplicate` when the event had been applied meanwhile.
    outcome: String,
}

/// Applies a dead letter again through its consumer (after the cause was fixed).
#[utoipa::path(post, path = "/v1/dead-letters/{id}/replay", operation_id = "replayDeadLetter", tag = "dead letters",
    responses((status = 200, body = ReplayOutcome), (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn replay(
    State(k): State<KitState>,
    who: Principal,
    Path(id): Path<Uuid>,
) -> Result<Json<ReplayOutcome>, Problem> {
    who.require(&[Role::DistrictOfficer])?;
    let applied = dead_letters::replay(&k.db, &k.consumers, id)
        .await
        .map_err(|e| match e {
            ReplayError::NotFound => Problem::not_found("no such dead letter"),
            ReplayError::AlreadyReplayed => {
                Problem::conflict("already-replayed", "this dead letter was replayed already")
            }
            ReplayError::UnknownConsumer(c) => Problem::conflict(
                "unknown-consumer",
                format!("no consumer {c} in this service"),
            ),
            ReplayError::Refused(r) => Problem::new(
                axum::http::StatusCode::UNPROCESSABLE_ENTITY,
                "replay-refused",
                "The event still cannot be applied",
            )
            .detail(r),
            ReplayError::Db(e) => e.into(),
        })?;
    audit::record(
        &k.db,
        &who,
        "replay-dead-letter",
        "dead-letter",
        &id.to_string(),
        "",
    )
    .await?;
    let outcome = if applied == Applied::Applied {
        "applied"
    } else {
        "duplicate"
    };
    Ok(Json(ReplayOutcome {
        outcome: outcome.into(),
    }))
}
