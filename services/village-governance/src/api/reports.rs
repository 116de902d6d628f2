//! `/v1/reports/...`: 一约三会 coverage, community staffing against the standard, service-centre
//! construction against the year's target, and rules whose periodic review is due.

use axum::extract::{Query, State};
use chrono::{Datelike, NaiveDate};
use kit::{Principal, Problem, service::Platform};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::{router::OpenApiRouter, routes};

use crate::commands::{
    councils::{CoverageReport, council_coverage},
    rules::{RulesView, reviews_due},
    service_centres::{CentresReport, centres_report},
    workers::{StaffingReport, staffing_report},
};

pub(super) fn routes() -> OpenApiRouter<Platform> {
    OpenApiRouter::new()
        .routes(routes!(coverage))
        .routes(routes!(staffing))
        .routes(routes!(centres))
        .routes(routes!(rules_reviews_due))
}

#[derive(Debug, Deserialize, IntoParams)]
struct CoverageQuery {
    /// One township; default the caller's whole division.
    township_code: Option<String>,
    /// Only villages that lack something (default true).
    only_missing: Option<bool>,
}

/// Villages lacking their rules or any of the deliberation, ceremony and ethics councils.
#[utoipa::path(get, path = "/v1/reports/council-coverage", operation_id = "getCouncilCoverageReport", params(CoverageQuery), tag = "reports",
    responses((status = 200, body = CoverageReport), (status = 403, body = Problem)),
    security(("bearer" = [])))]
async fn coverage(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<CoverageQuery>,
) -> Result<axum::Json<CoverageReport>, Problem> {
    Ok(axum::Json(
        council_coverage(
            &p.db,
            &who,
            q.township_code.as_deref(),
            q.only_missing.unwrap_or(true),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct StaffingQuery {
    township_code: Option<String>,
    /// The date of the standard (default today).
    on: Option<NaiveDate>,
    /// Only communities under standard (default true).
    only_under: Option<bool>,
}

/// Communities whose community workers fall short of the staffing standard.
#[utoipa::path(get, path = "/v1/reports/community-staffing", operation_id = "getCommunityStaffingReport", params(StaffingQuery), tag = "reports",
    responses((status = 200, body = StaffingReport), (status = 403, body = Problem), (status = 409, body = Problem)),
    security(("bearer" = [])))]
async fn staffing(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<StaffingQuery>,
) -> Result<axum::Json<StaffingReport>, Problem> {
    Ok(axum::Json(
        staffing_report(
            &p.db,
            &who,
            q.township_code.as_deref(),
            q.on,
            q.only_under.unwrap_or(true),
        )
        .await?,
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
struct YearQuery {
    /// Default: this year.
    #[param(minimum = 1, maximum = 9999)]
    year: Option<i32>,
}

/// Service-centre projects of a year against the year's target.
#[utoipa::path(get, path = "/v1/reports/service-centres", operation_id = "getServiceCentresReport", params(YearQuery), tag = "reports",
    responses((status = 200, body = CentresReport)),
    security(("bearer" = [])))]
async fn centres(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<YearQuery>,
) -> Result<axum::Json<CentresReport>, Problem> {
    let year = q.year.unwrap_or_else(|| kit::clock::today().year());
    Ok(axum::Json(centres_report(&p.db, &who, year).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
struct DueQuery {
    /// Default today.
    on: Option<NaiveDate>,
}

/// Rules whose periodic review falls due on or before the date.
#[utoipa::path(get, path = "/v1/reports/rules-reviews-due", operation_id = "getRulesReviewsDueReport", params(DueQuery), tag = "reports",
    responses((status = 200, body = Vec<RulesView>)),
    security(("bearer" = [])))]
async fn rules_reviews_due(
    State(p): State<Platform>,
    who: Principal,
    Query(q): Query<DueQuery>,
) -> Result<axum::Json<Vec<RulesView>>, Problem> {
    Ok(axum::Json(reviews_due(&p.db, &who, q.on).await?))
}
