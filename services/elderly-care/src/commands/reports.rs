//! Reports: progress against the year's targets (district), and coverage per township.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder};
use serde::Serialize;
use utoipa::ToSchema;

use super::reference;
use crate::{
    domain::{
        facility::{FacilityKind, Status},
        reference::Parameter,
        targets::{self, CentreCoverage, Progress},
    },
    store::{facility, home_bed, left_behind_elder, reference_value, township, visit_plan},
};

/// Progress of one year.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct TargetsReport {
    pub year: i32,
    /// Counted up to this day (the year's end, or today for the current year).
    pub as_of: NaiveDate,
    /// Home care beds, rehabilitation stations, public-area retrofits.
    pub targets: Vec<Progress>,
    /// Service-centre coverage of the townships that have a target.
    pub service_centres: Vec<CentreCoverage>,
    /// Whether every township with a target has its centres operating.
    pub service_centres_fully_covered: bool,
}

fn operating_on(f: &facility::Model, on: NaiveDate) -> bool {
    f.done_on.is_some_and(|d| d <= on) && f.ended_on.is_none_or(|d| d > on)
}

fn in_year(d: Option<NaiveDate>, from: NaiveDate, to: NaiveDate) -> bool {
    d.is_some_and(|d| d >= from && d <= to)
}

/// Progress against the targets in force at the end of `year` (district roles and auditors).
pub async fn targets(
    db: &impl ConnectionTrait,
    who: &Principal,
    year: i32,
    today: NaiveDate,
) -> Result<TargetsReport, Refusal> {
    who.require(&[Role::DistrictOfficer, Role::DistrictApprover, Role::Auditor])?;
    let (Some(start), Some(end)) = (
        NaiveDate::from_ymd_opt(year, 1, 1),
        NaiveDate::from_ymd_opt(year, 12, 31),
    ) else {
        return Err(Refusal::invalid("year", "not a calendar year"));
    };
    let as_of = end.min(today).max(start);
    let beds = home_bed::Entity::find()
        .filter(home_bed::Column::EstablishedOn.between(start, end))
        .all(db)
        .await?
        .len() as i64;
    let facilities = facility::Entity::find().all(db).await?;
    let done_in_year = |kind: FacilityKind| {
        facilities
            .iter()
            .filter(|f| f.kind == kind.as_str() && in_year(f.done_on, start, end))
            .count() as i64
    };
    let target = |p: Parameter| reference::value_on(db, p, "", end);
    let report_targets = vec![
        targets::progress(
            "home_care_beds",
            target(Parameter::TargetHomeCareBeds).await?,
            beds,
        ),
        targets::progress(
            "rehab_stations",
            target(Parameter::TargetRehabStations).await?,
            done_in_year(FacilityKind::RehabStation),
        ),
        targets::progress(
            "age_friendly_retrofits",
            target(Parameter::TargetAgeFriendlyRetrofits).await?,
            done_in_year(FacilityKind::AgeFriendlyRetrofit),
        ),
    ];
    let scopes: Vec<String> = reference_value::Entity::find()
        .filter(reference_value::Column::Parameter.eq(Parameter::TargetServiceCentres.key()))
        .order_by_asc(reference_value::Column::Scope)
        .all(db)
        .await?
        .into_iter()
        .map(|r| r.scope)
        .collect();
    let mut centres = Vec::new();
    let mut seen = Vec::new();
    for scope in scopes {
        if seen.contains(&scope) {
            continue;
        }
        seen.push(scope.clone());
        let Some(target) = reference::value_on(db, Parameter::TargetServiceCentres, &scope, end)
            .await?
            .filter(|t| *t > 0)
        else {
            continue;
        };
        let name = township::Entity::find_by_id(scope.clone())
            .one(db)
            .await?
            .map(|t| t.name)
            .unwrap_or_default();
        let operating = facilities
            .iter()
            .filter(|f| {
                f.kind == FacilityKind::ServiceCentre.as_str()
                    && f.township_code == scope
                    && operating_on(f, as_of)
            })
            .count() as i64;
        centres.push(targets::centre_coverage(&scope, &name, target, operating));
    }
    Ok(TargetsReport {
        year,
        as_of,
        service_centres_fully_covered: centres.iter().all(|c| c.covered),
        targets: report_targets,
        service_centres: centres,
    })
}

/// One township's coverage.
#[derive(Debug, Clone, Default, Serialize, ToSchema)]
pub struct TownshipCoverage {
    pub township_code: String,
    pub township_name: String,
    /// Service centres operating.
    pub service_centres: i64,
    /// Centres the township must have (absent without a target).
    pub service_centre_target: Option<i64>,
    /// Whether the centre target is met (absent without a target).
    pub service_centre_covered: Option<bool>,
    pub nursing_homes: i64,
    /// Nursing homes publicly built and privately run (公建民营).
    pub nursing_homes_public_built_private_operated: i64,
    pub nursing_home_beds: i64,
    pub nursing_home_occupied_beds: i64,
    pub nursing_home_extreme_poverty_residents: i64,
    pub rehab_stations: i64,
    pub mutual_aid_points: i64,
    /// Public-area retrofits completed so far.
    pub age_friendly_retrofits: i64,
    /// Retrofits planned or in progress.
    pub age_friendly_retrofits_pending: i64,
    /// Home care beds in service.
    pub home_care_beds: i64,
    /// Left-behind older people on the register.
    pub left_behind_elders: i64,
    /// Active visit plans (dispersed support and left-behind).
    pub visit_plans: i64,
    /// Active plans with missed visits.
    pub visit_plans_overdue: i64,
}

/// Coverage per township on `on` (each caller sees the townships of their division).
pub async fn coverage(
    db: &impl ConnectionTrait,
    who: &Principal,
    on: NaiveDate,
) -> Result<Vec<TownshipCoverage>, Refusal> {
    let visible = |code: &str| who.sees(code) || who.division.as_str().starts_with(code);
    let mut rows: BTreeMap<String, TownshipCoverage> = township::Entity::find()
        .all(db)
        .await?
        .into_iter()
        .filter(|t| visible(&t.code))
        .map(|t| {
            let row = TownshipCoverage {
                township_code: t.code.clone(),
                township_name: t.name,
                ..Default::default()
            };
            (t.code, row)
        })
        .collect();
    for (code, row) in rows.iter_mut() {
        let target = reference::value_on(db, Parameter::TargetServiceCentres, code, on).await?;
        row.service_centre_target = target.filter(|t| *t > 0);
    }
    for f in facility::Entity::find().all(db).await? {
        let Some(row) = rows.get_mut(&f.township_code) else {
            continue;
        };
        let operating = operating_on(&f, on);
        match FacilityKind::parse(&f.kind) {
            Some(FacilityKind::ServiceCentre) if operating => row.service_centres += 1,
            Some(FacilityKind::NursingHome) if operating => {
                row.nursing_homes += 1;
                if f.operating_model.as_deref() == Some("public_built_private_operated") {
                    row.nursing_homes_public_built_private_operated += 1;
                }
                row.nursing_home_beds += i64::from(f.beds.unwrap_or(0));
                row.nursing_home_occupied_beds += i64::from(f.occupied_beds.unwrap_or(0));
                row.nursing_home_extreme_poverty_residents +=
                    i64::from(f.extreme_poverty_residents.unwrap_or(0));
            }
            Some(FacilityKind::RehabStation) if operating => row.rehab_stations += 1,
            Some(FacilityKind::MutualAidPoint) if operating => row.mutual_aid_points += 1,
            Some(FacilityKind::AgeFriendlyRetrofit) => {
                if f.done_on.is_some_and(|d| d <= on) {
                    row.age_friendly_retrofits += 1;
                } else if matches!(
                    Status::parse(&f.status),
                    Some(Status::Planned | Status::InProgress)
                ) {
                    row.age_friendly_retrofits_pending += 1;
                }
            }
            _ => {}
        }
    }
    for b in home_bed::Entity::find()
        .filter(home_bed::Column::EstablishedOn.lte(on))
        .all(db)
        .await?
    {
        if b.closed_on.is_none_or(|c| c > on)
            && let Some(row) = rows.get_mut(&b.township_code)
        {
            row.home_care_beds += 1;
        }
    }
    for e in left_behind_elder::Entity::find()
        .filter(left_behind_elder::Column::Status.eq("active"))
        .all(db)
        .await?
    {
        if let Some(row) = rows.get_mut(&e.township_code) {
            row.left_behind_elders += 1;
        }
    }
    for p in visit_plan::Entity::find()
        .filter(visit_plan::Column::Status.eq("active"))
        .all(db)
        .await?
    {
        if let Some(row) = rows.get_mut(&p.township_code) {
            row.visit_plans += 1;
            if p.missed_visits > 0 {
                row.visit_plans_overdue += 1;
            }
        }
    }
    for row in rows.values_mut() {
        row.service_centre_covered = row.service_centre_target.map(|t| row.service_centres >= t);
    }
    Ok(rows.into_values().collect())
}
