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
#[utoipa::path(get, path = "/v1/reference/parameters", operation_id = "listParameters", tag = "reference",
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
    #[schema(value_type = Value)]
    value: Value,
}

/// A stored parameter entry and what followed it.
#[derive(Debug, Serialize, ToSchema)]
struct ParameterStored {
    name: String,
    valid_from: NaiveDate,
    /// The value as stored.
    #[schema(value_type = Value)]
    value: Value,
    /// The entry's new version (its ETag is `"v<version>"`).
    version: i32,
    /// Enrollments whose amount follows the new value.
    enrollments_following: usize,
    /// Enrollments flagged for review instead (an approver's own or a lower amount).
    review_flags_raised: usize,
}

/// A stored holiday notice.
#[derive(Debug, Serialize, ToSchema)]
struct NoticeStored {
    year: i32,
    /// The notice's new version (its ETag is `"v<version>"`).
    version: i32,
}

/// One year's State Council holiday notice, as `PUT /v1/reference/calendar/{year}` takes it.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body the command parses
struct HolidayNotice {
    /// The year the notice arranges (the year in the path).
    year: i32,
    /// Title and issue date of the notice, for the bureau to check against.
    source: String,
    /// Days off.
    holidays: Vec<HolidayPeriod>,
    /// Saturdays and Sundays declared working days (调休上班).
    working_days: Vec<NaiveDate>,
}

/// A run of holiday days (放假), both ends included.
#[derive(ToSchema)]
#[allow(dead_code)] // documents the body the command parses
struct HolidayPeriod {
    /// Festival name as in the notice, e.g. 春节.
    name: String,
    /// First day off.
    from: NaiveDate,
    /// Last day off.
    to: NaiveDate,
}

/// Sets a parameter from `valid_from` on: a new standard (`If-Match: "v0"`) or a correction. The
/// enrollments whose amount is computed from it follow it from the first month it applies to
/// (months already paid are topped up by the next run); an approver's own amount or a lower one
/// raises a review flag instead. The answer counts both.
#[utoipa::path(put, path = "/v1/reference/parameters/{name}/{valid_from}", operation_id = "putParameter", request_body = ParameterValue, tag = "reference",
    params(("If-Match" = String, Header, description = "the entry's ETag, \"v0\" for a new entry")),
    responses((status = 200, description = "stored", body = ParameterStored, headers(("ETag" = String, description = "the new version, for If-Match"))), (status = 403, body = Problem), (status = 404, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
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
        axum::Json(ParameterStored {
            name,
            valid_from,
            value: input.value,
            version,
            enrollments_following: followed.changed,
            review_flags_raised: followed.flagged,
        }),
    ))
}

/// The holiday calendar: one State Council notice per year.
#[utoipa::path(get, path = "/v1/reference/calendar", operation_id = "getWorkingCalendar", tag = "reference",
    responses((status = 200, body = Vec<HolidayNoticeView>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn calendar(
    State(p): State<Platform>,
    _who: Principal,
) -> Result<axum::Json<Vec<HolidayNoticeView>>, Problem> {
    Ok(axum::Json(list_calendar(&p.db).await?))
}

/// Adds (`If-Match: "v0"`) or corrects a year's holiday notice.
#[utoipa::path(put, path = "/v1/reference/calendar/{year}", operation_id = "putWorkingCalendar", tag = "reference",
    request_body = HolidayNotice,
    params(("If-Match" = String, Header, description = "the notice's ETag, \"v0\" for a new year")),
    responses((status = 200, description = "stored", body = NoticeStored, headers(("ETag" = String, description = "the new version, for If-Match"))), (status = 403, body = Problem), (status = 412, body = Problem), (status = 422, body = Problem)),
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
        axum::Json(NoticeStored { year, version }),
    ))
}

/// A township's delegated authority to confirm (认定权限下放).
#[utoipa::path(get, path = "/v1/townships/{code}/authority", operation_id = "getTownshipAuthority", tag = "reference",
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
#[utoipa::path(put, path = "/v1/townships/{code}/authority", operation_id = "putTownshipAuthority", request_body = AuthorityInput, tag = "reference",
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
