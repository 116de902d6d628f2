//! Village service-centre construction: projects with their progress, and the year's report
//! against the target in reference data (7 in 2022).

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder, sea_query::Expr,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{internal, not_in_future, required_text, villages};
use crate::{
    domain::centres::{Stage, check_progress},
    store::{
        centres::{progress, project},
        reference::centre_target,
    },
};

const PLANNERS: &[Role] = &[Role::TownshipClerk, Role::DistrictOfficer];

/// A project to build a village's service centre.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewProject {
    pub village_code: String,
    pub name: String,
    /// The year whose target the project counts toward.
    pub year: i32,
    pub planned_completion_on: NaiveDate,
}

/// A progress report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewProgress {
    pub reported_on: NaiveDate,
    pub stage: Stage,
    pub percent_complete: i32,
    #[serde(default)]
    pub note: String,
}

/// A project as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProjectView {
    pub id: Uuid,
    pub village_code: String,
    pub name: String,
    pub year: i32,
    pub planned_completion_on: NaiveDate,
    pub stage: String,
    pub percent_complete: i32,
    pub last_reported_on: Option<NaiveDate>,
    /// Concurrency version (ETag `"v<n>"`).
    pub etag_version: i32,
}

impl From<project::Model> for ProjectView {
    fn from(p: project::Model) -> Self {
        Self {
            id: p.id,
            village_code: p.village_code,
            name: p.name,
            year: p.year,
            planned_completion_on: p.planned_completion_on,
            stage: p.stage,
            percent_complete: p.percent_complete,
            last_reported_on: p.last_reported_on,
            etag_version: p.version,
        }
    }
}

/// Registers a construction project.
pub async fn register_project(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewProject,
) -> Result<ProjectView, Refusal> {
    who.require(PLANNERS)?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let name = required_text(&input.name, "name", 200)?;
    if !(2000..=2100).contains(&input.year) {
        return Err(Refusal::invalid("year", "a year between 2000 and 2100"));
    }
    let model = project::Model {
        id: Uuid::now_v7(),
        village_code: village.code,
        township_code: village.township_code,
        name,
        year: input.year,
        planned_completion_on: input.planned_completion_on,
        stage: Stage::Planned.as_str().to_owned(),
        percent_complete: 0,
        last_reported_on: None,
        created_at: kit::clock::now(),
        version: 1,
    };
    project::Entity::insert(project::ActiveModel::from(model.clone()))
        .exec_without_returning(tx)
        .await?;
    audit::record(
        tx,
        who,
        "register-service-centre-project",
        "service-centre-project",
        &model.id.to_string(),
        "",
    )
    .await?;
    Ok(model.into())
}

/// Reads a project of the caller's division.
pub async fn show_project(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<ProjectView, Refusal> {
    find(db, who, id).await.map(Into::into)
}

async fn find(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<project::Model, Refusal> {
    project::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|p| who.sees(&p.village_code))
        .ok_or_else(|| Refusal::not_found("no such project in your division"))
}

/// Records progress on a project under the caller's ETag: stages only move forward.
pub async fn report_progress(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    if_match: i32,
    input: &NewProgress,
) -> Result<ProjectView, Refusal> {
    who.require(&[
        Role::VillageStaff,
        Role::TownshipClerk,
        Role::DistrictOfficer,
    ])?;
    let p = find(tx, who, id).await?;
    if p.version != if_match {
        return Err(Refusal::changed_meanwhile());
    }
    let on = not_in_future(input.reported_on, "reported_on")?;
    if p.last_reported_on.is_some_and(|last| on < last) {
        return Err(Refusal::invalid("reported_on", "before the last report"));
    }
    let stage = Stage::parse(&p.stage).ok_or_else(|| internal("stage"))?;
    check_progress(
        (stage, p.percent_complete.clamp(0, 100) as u8),
        (input.stage, input.percent_complete),
    )
    .map_err(|e| Refusal::invalid(e.field, e.reason))?;
    let moved = project::Entity::update_many()
        .col_expr(project::Column::Stage, Expr::value(input.stage.as_str()))
        .col_expr(
            project::Column::PercentComplete,
            Expr::value(input.percent_complete),
        )
        .col_expr(project::Column::LastReportedOn, Expr::value(on))
        .col_expr(project::Column::Version, Expr::value(p.version + 1))
        .filter(project::Column::Id.eq(id))
        .filter(project::Column::Version.eq(p.version))
        .exec(tx)
        .await?;
    if moved.rows_affected == 0 {
        return Err(Refusal::changed_meanwhile());
    }
    progress::Entity::insert(progress::ActiveModel::from(progress::Model {
        id: Uuid::now_v7(),
        project_id: id,
        reported_on: on,
        stage: input.stage.as_str().to_owned(),
        percent_complete: input.percent_complete,
        note: input.note.trim().to_owned(),
        reported_by: who.subject.clone(),
    }))
    .exec_without_returning(tx)
    .await?;
    show_project(tx, who, id).await
}

/// The year's construction against its target.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct CentresReport {
    pub year: i32,
    /// From reference data; absent when none is set for the year.
    pub target: Option<i32>,
    pub target_basis: Option<String>,
    pub projects: usize,
    pub built: usize,
    /// Target minus built (0 when reached).
    pub remaining: Option<i32>,
    pub items: Vec<ProjectView>,
}

/// Projects of `year` within the caller's division and the year's target.
pub async fn centres_report(
    db: &impl ConnectionTrait,
    who: &Principal,
    year: i32,
) -> Result<CentresReport, Refusal> {
    let target = centre_target::Entity::find_by_id(year).one(db).await?;
    let items: Vec<project::Model> = project::Entity::find()
        .filter(project::Column::Year.eq(year))
        .filter(project::Column::VillageCode.starts_with(who.division.as_str()))
        .order_by_asc(project::Column::Id)
        .all(db)
        .await?;
    let built = items
        .iter()
        .filter(|p| Stage::parse(&p.stage).is_some_and(Stage::built))
        .count();
    Ok(CentresReport {
        year,
        target: target.as_ref().map(|t| t.target),
        target_basis: target.as_ref().map(|t| t.basis.clone()),
        projects: items.len(),
        built,
        remaining: target.map(|t| (t.target - built as i32).max(0)),
        items: items.into_iter().map(Into::into).collect(),
    })
}
