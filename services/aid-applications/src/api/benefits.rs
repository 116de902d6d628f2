//! `/v1/low-income/{household_id}` (a household's low-income monitoring view: what other
//! departments pay each member, their certificate's grade, open reviews) and `/v1/review-flags`
//! (enrollments to review after a certificate change or revocation).

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
};
use kit::edge::page::Page;
use kit::{Json, Principal, Problem, edge::idempotency::IdempotencyKey, service::Platform};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};
use uuid::Uuid;

use super::assistance_edge::once;
use crate::commands::{
    monitoring::benefits::{self, LowIncomeHouseholdView},
    monitoring::certificates::{self, Clearance, ReviewFlagView},
};

type Written = Result<(StatusCode, axum::Json<serde_json::Value>), Problem>;

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(household))
        .routes(routes!(flags))
        .routes(routes!(clear))
}

/// A household of the low-income population as monitoring sees it: per member the benefits other
/// departments pay (child allowance, living and nursing subsidies), the child-welfare
/// registration, the certificate's current grade; the household's categories and open reviews.
#[utoipa::path(get, path = "/v1/low-income/{household_id}", operation_id = "getLowIncomeHousehold", tag = "monitoring",
    responses((status = 200, body = LowIncomeHouseholdView), (status = 401, body = Problem),
        (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn household(
    State(p): State<Platform>,
    who: Principal,
    Path(household_id): Path<Uuid>,
) -> Result<axum::Json<LowIncomeHouseholdView>, Problem> {
    Ok(axum::Json(
        benefits::household_view(&p.db, &who, household_id).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct FlagQuery {
    /// Only open flags.
    #[serde(default)]
    open: bool,
    cursor: Option<Uuid>,
    /// Page size, 1–200 (default 50).
    #[serde(default, deserialize_with = "kit::edge::page::limit_in_range")]
    #[param(minimum = 1, maximum = 200)]
    limit: Option<u64>,
}

/// Enrollments to review because a certificate changed or was revoked, in the caller's division.
#[utoipa::path(get, path = "/v1/review-flags", operation_id = "listReviewFlags", params(FlagQuery), tag = "monitoring",
    responses((status = 200, body = Page<ReviewFlagView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn flags(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<FlagQuery>,
) -> Result<axum::Json<Page<ReviewFlagView>>, Problem> {
    let limit = q.limit.unwrap_or(50).clamp(1, 200);
    let items = certificates::list_flags(&p.db, &who, q.open, q.cursor, limit).await?;
    Ok(axum::Json(Page::new(items, limit, |f| f.id)))
}

/// Clears a flag once the enrollment was reviewed (township or district staff).
#[utoipa::path(post, path = "/v1/review-flags/{id}/clearance", operation_id = "clearReviewFlag", request_body = Clearance, tag = "monitoring",
    params(("Idempotency-Key" = String, Header, description = "required: a retry returns the first answer")),
    responses((status = 200, body = ReviewFlagView), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 404, body = Problem), (status = 409, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn clear(
    State(p): State<Platform>,
    who: Principal,
    key: IdempotencyKey,
    Path(id): Path<Uuid>,
    Json(input): Json<Clearance>,
) -> Written {
    once!(p, who, key, &(id, &input), StatusCode::OK, |tx| {
        certificates::clear_flag(tx, &who, id, &input).await?
    })
}
