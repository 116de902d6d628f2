//! `/v1/reports/targets` (the year's progress against the notice's targets) and
//! `/v1/reports/coverage` (per township).

use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use kit::{Principal, Problem, service::Platform};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::commands::{
    reports::{self, TargetsReport, TownshipCoverage},
    today,
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(targets))
        .routes(routes!(coverage))
}

#[derive(Debug, Deserialize, IntoParams)]
struct YearQuery {
    /// The year (default: this year).
    #[param(minimum = 1, maximum = 9999)]
    year: Option<i32>,
}

/// Progress against the year's targets (district roles and auditors).
#[utoipa::path(get, path = "/v1/reports/targets", operation_id = "getTargetsReport", params(YearQuery), tag = "reports",
    responses((status = 200, body = TargetsReport), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem)),
    security(("bearer" = [])))]
async fn targets(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<YearQuery>,
) -> Result<axum::Json<TargetsReport>, Problem> {
    let today = today();
    Ok(axum::Json(
        reports::targets(&p.db, &who, q.year.unwrap_or(today.year()), today).await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct OnQuery {
    /// The day (default: today).
    on: Option<NaiveDate>,
}

/// Coverage per township of the caller's division on a day.
#[utoipa::path(get, path = "/v1/reports/coverage", operation_id = "getCoverageReport", params(OnQuery), tag = "reports",
    responses((status = 200, body = Vec<TownshipCoverage>), (status = 401, body = Problem)),
    security(("bearer" = [])))]
async fn coverage(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<OnQuery>,
) -> Result<axum::Json<Vec<TownshipCoverage>>, Problem> {
    Ok(axum::Json(
        reports::coverage(&p.db, &who, q.on.unwrap_or_else(today)).await?,
    ))
}
