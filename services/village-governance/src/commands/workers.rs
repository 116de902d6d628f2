//! Community workers: registered with pay level and social-work qualification; their monthly pay
//! and each community's staffing against the standard come from reference data.

use chrono::{Datelike, NaiveDate};
use kit::wire::{name as wire, parse};
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{not_in_future, reference, required_text, villages};
use crate::{
    domain::staffing::{self, PayLevel, Qualification, Staffing, Standard},
    store::workers,
};

/// A worker as the township registers them.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewWorker {
    pub village_code: String,
    pub name: String,
    pub pay_level: PayLevel,
    pub qualification: Qualification,
    /// Required with a qualification.
    #[serde(default)]
    pub certificate_number: Option<String>,
    /// First day of community work (seniority counts from it).
    pub started_on: NaiveDate,
}

/// A worker as shown, with the monthly pay the scale in force gives today.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct WorkerView {
    pub id: Uuid,
    pub village_code: String,
    pub name: String,
    pub pay_level: PayLevel,
    pub qualification: Qualification,
    pub certificate_number: Option<String>,
    pub started_on: NaiveDate,
    pub left_on: Option<NaiveDate>,
    pub full_years: u32,
    pub monthly_pay_fen: i64,
}

fn full_years(from: NaiveDate, to: NaiveDate) -> u32 {
    let mut years = to.year() - from.year();
    if (to.month(), to.day()) < (from.month(), from.day()) {
        years -= 1;
    }
    years.max(0) as u32
}

/// Registers a community worker.
pub async fn register_worker(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewWorker,
) -> Result<WorkerView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let village = villages::find_village(tx, who, &input.village_code, "village_code").await?;
    let name = required_text(&input.name, "name", 64)?;
    not_in_future(input.started_on, "started_on")?;
    let certificate = match (
        input.qualification,
        input.certificate_number.as_deref().map(str::trim),
    ) {
        (Qualification::None, _) => None,
        (_, None | Some("")) => {
            return Err(Refusal::invalid(
                "certificate_number",
                "required with a qualification",
            ));
        }
        (_, Some(n)) => Some(required_text(n, "certificate_number", 64)?),
    };
    let id = Uuid::now_v7();
    workers::Entity::insert(workers::ActiveModel::from(workers::Model {
        id,
        village_code: village.code,
        township_code: village.township_code,
        name,
        pay_level: wire(input.pay_level),
        qualification: wire(input.qualification),
        certificate_number: certificate,
        started_on: input.started_on,
        left_on: None,
        created_at: kit::clock::now(),
    }))
    .exec_without_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "register-community-worker",
        "community-worker",
        &id.to_string(),
        "",
    )
    .await?;
    show_worker(tx, who, id).await
}

/// Reads a worker of the caller's division with the monthly pay in force today.
pub async fn show_worker(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<WorkerView, Refusal> {
    let w = workers::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|w| who.sees(&w.village_code))
        .ok_or_else(|| Refusal::not_found("no such community worker in your division"))?;
    let today = kit::clock::today();
    let params = reference::parameters(db).await?;
    let scale = reference::pay_scale(&params, &w.village_code, today)?;
    let level: PayLevel = parse(&w.pay_level).ok_or_else(|| super::internal("pay level"))?;
    let qualification: Qualification =
        parse(&w.qualification).ok_or_else(|| super::internal("qualification"))?;
    let years = full_years(w.started_on, today);
    Ok(WorkerView {
        id: w.id,
        village_code: w.village_code,
        name: w.name,
        pay_level: level,
        qualification,
        certificate_number: w.certificate_number,
        started_on: w.started_on,
        left_on: w.left_on,
        full_years: years,
        monthly_pay_fen: staffing::monthly_pay(&scale, level, years, qualification),
    })
}

/// One community's staffing.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffingItem {
    pub village_code: String,
    pub name: String,
    pub households: i32,
    #[schema(value_type = Object)]
    pub standard: serde_json::Value,
    #[schema(value_type = Object)]
    pub staffing: serde_json::Value,
    pub under_standard: bool,
    /// Workers holding a social-work qualification.
    pub qualified_workers: u32,
}

/// The staffing report.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffingReport {
    pub on: NaiveDate,
    pub communities: usize,
    pub under_standard: usize,
    pub items: Vec<StaffingItem>,
}

/// Each community of the caller's division (or one township) against the staffing standard in
/// force on `on`; `only_under` keeps the ones under standard.
pub async fn staffing_report(
    db: &impl ConnectionTrait,
    who: &Principal,
    township: Option<&str>,
    on: Option<NaiveDate>,
    only_under: bool,
) -> Result<StaffingReport, Refusal> {
    let on = on.unwrap_or_else(kit::clock::today);
    let all = villages::villages_in_scope(db, who, township).await?;
    let prefix = township.unwrap_or(who.division.as_str());
    let active: Vec<workers::Model> = workers::Entity::find()
        .filter(workers::Column::VillageCode.starts_with(prefix))
        .filter(workers::Column::StartedOn.lte(on))
        .all(db)
        .await?
        .into_iter()
        .filter(|w| w.left_on.is_none_or(|left| left > on))
        .collect();
    let params = reference::parameters(db).await?;
    let mut items = Vec::new();
    let mut under = 0;
    for v in &all {
        let standard: Standard =
            reference::staffing_standard(&params, &v.code, v.kind == "community", on)?;
        let here: Vec<&workers::Model> =
            active.iter().filter(|w| w.village_code == v.code).collect();
        let s: Staffing =
            staffing::staffing(standard, v.households.max(0) as u32, here.len() as u32);
        if s.under_standard {
            under += 1;
        }
        if only_under && !s.under_standard {
            continue;
        }
        items.push(StaffingItem {
            village_code: v.code.clone(),
            name: v.name.clone(),
            households: v.households,
            standard: serde_json::to_value(standard).unwrap_or_default(),
            staffing: serde_json::to_value(s).unwrap_or_default(),
            under_standard: s.under_standard,
            qualified_workers: here.iter().filter(|w| w.qualification != "none").count() as u32,
        });
    }
    Ok(StaffingReport {
        on,
        communities: all.len(),
        under_standard: under,
        items,
    })
}
