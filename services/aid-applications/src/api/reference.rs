//! `/v1/reference/…` and `/v1/townships/{code}/authority`: the reference data every rule reads,
//! readable by staff and corrected by a district officer (PUT with `If-Match`; `"v0"` adds an
//! entry that does not exist yet).

use axum::{
    extract::{Path, State},
    http::header,
    response::IntoResponse,
};
use chrono::NaiveDate;
use kit::{
    Json, Principal, Problem,
    edge::concurrency::{IfMatch, etag},
    service::Platform,
};
use sea_orm::TransactionTrait;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use utoipa::ToSchema;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::commands::enrollment::standards::change_parameter;
use crate::commands::reference::{
    AuthorityView, HolidayNoticeView, ParameterView, authority, list_calendar, list_parameters,
    set_authority, set_holiday_notice,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(parameters))
        .routes(routes!(put_parameter))
        .routes(routes!(calendar))
        .routes(routes!(put_calendar))
        .routes(routes!(show_authority, put_authority))
}

/// Every aid parameter with its effective-dated entries (placeholders flagged).
#[utoipa::path(get, path = "/v1/reference/parameters", tag = "reference",
    responses((status = 200, body = Vec<ParameterView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn parameters(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<ParameterView>>, Problem> {
    Ok(axum::Json(list_parameters(&p.db).await?))
}

/// A parameter's value from a date on.
#[derive(Debug, Deserialize, Serialize, ToSchema)]
struct ParameterValue {
    /// The value in the parameter's shape (see GET).
    #[schema(value_type = Object)]
    value: Value,
}

/// Sets a parameter from `valid_from` on: a new standard (`If-Match: "v0"`) or a correction. The
/// enrollments whose amount is computed from it follow it from the first month it applies to
/// (months already paid are topped up by the next run); an approver's own amount or a lower one
/// raises a review flag instead. The answer counts both.
#[utoipa::path(put, path = "/v1/reference/parameters/{name}/{valid_from}", request_body = ParameterValue, tag = "reference",
    params(("If-Match" = String, Header, description = "the entry's ETag, \"v0\" for a new entry")),
    responses((status = 200, description = "stored"), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn put_parameter(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path((name, valid_from)): Path<(String, NaiveDate)>,
    Json(input): Json<ParameterValue>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let (version, followed) = change_parameter(
        &tx,
        &p.outbox,
        &who,
        &name,
        valid_from,
        &input.value,
        version,
    )
    .await?;
    tx.commit().await?;
    p.outbox.wake();
    Ok((
        [(header::ETAG, etag(version))],
        axum::Json(serde_json::json!({
            "name": name, "valid_from": valid_from, "value": input.value, "version": version,
            "enrollments_following": followed.changed, "review_flags_raised": followed.flagged,
        })),
    ))
}

/// The holiday calendar: one State Council notice per year.
#[utoipa::path(get, path = "/v1/reference/calendar", tag = "reference",
    responses((status = 200, body = Vec<HolidayNoticeView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn calendar(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<HolidayNoticeView>>, Problem> {
    Ok(axum::Json(list_calendar(&p.db).await?))
}

/// Adds (`If-Match: "v0"`) or corrects a year's holiday notice.
#[utoipa::path(put, path = "/v1/reference/calendar/{year}", tag = "reference",
    params(("If-Match" = String, Header, description = "the notice's ETag, \"v0\" for a new year")),
    responses((status = 200, description = "stored"), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn put_calendar(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(year): Path<i32>,
    Json(notice): Json<Value>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let version = set_holiday_notice(&tx, &who, year, &notice, version).await?;
    tx.commit().await?;
    Ok((
        [(header::ETAG, etag(version))],
        axum::Json(serde_json::json!({ "year": year, "version": version })),
    ))
}

/// A township's delegated authority to confirm (认定权限下放).
#[utoipa::path(get, path = "/v1/townships/{code}/authority", tag = "reference",
    responses((status = 200, body = AuthorityView), (status = 404, body = Problem)),
    security(("bearer" = [])))]
async fn show_authority(
    State(p): State<Platform>,
    who: Principal,
    Path(code): Path<String>,
) -> Result<impl IntoResponse, Problem> {
    let view = authority(&p.db, &who, &code).await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}

/// The switch.
#[derive(Debug, Deserialize, ToSchema)]
struct AuthorityInput {
    /// True: the township confirms its own applications (except staff-relative cases).
    delegated: bool,
}

/// Switches a township's delegated authority (district officers and approvers).
#[utoipa::path(put, path = "/v1/townships/{code}/authority", request_body = AuthorityInput, tag = "reference",
    params(("If-Match" = String, Header, description = "the switch's ETag")),
    responses((status = 200, body = AuthorityView), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 428, body = Problem)),
    security(("bearer" = [])))]
async fn put_authority(
    State(p): State<Platform>,
    who: Principal,
    IfMatch(version): IfMatch,
    Path(code): Path<String>,
    Json(input): Json<AuthorityInput>,
) -> Result<impl IntoResponse, Problem> {
    let tx = p.db.begin().await?;
    let view = set_authority(&tx, &who, &code, input.delegated, version).await?;
    tx.commit().await?;
    Ok(([(header::ETAG, etag(view.version))], axum::Json(view)))
}
