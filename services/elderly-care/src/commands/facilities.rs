//! Facilities and projects: registering them, moving their status and progress, and nursing-home
//! occupancy (beds, occupied, extreme-poverty residents).

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::divisions;
use crate::{
    domain::facility::{self, FacilityKind, Occupancy, OperatingModel, Status},
    store::facility as site,
};

/// A facility or project as registered.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"kind": "nursing_home", "name": "两路街道敬老院", "township_code": "500112016", "operating_model": "public_operated"}))]
pub struct NewFacility {
    pub kind: FacilityKind,
    pub name: String,
    pub township_code: String,
    /// Required for mutual-aid points; optional otherwise.
    #[serde(default)]
    pub village_code: Option<String>,
    /// Required for nursing homes.
    #[serde(default)]
    pub operating_model: Option<OperatingModel>,
}

/// A facility as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FacilityView {
    pub id: Uuid,
    #[schema(value_type = FacilityKind)]
    pub kind: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    #[schema(value_type = Status)]
    pub status: String,
    pub progress_percent: i32,
    pub operating_model: Option<String>,
    pub beds: Option<i32>,
    pub occupied_beds: Option<i32>,
    pub extreme_poverty_residents: Option<i32>,
    /// Occupied beds in per mille (‰) of beds.
    pub occupancy_per_mille: Option<i64>,
    /// Opened (facility) or completed (retrofit).
    pub done_on: Option<NaiveDate>,
    pub ended_on: Option<NaiveDate>,
    pub version: i32,
}

impl From<site::Model> for FacilityView {
    fn from(f: site::Model) -> Self {
        let occupancy = match (f.beds, f.occupied_beds, f.extreme_poverty_residents) {
            (Some(beds), Some(occupied_beds), Some(extreme_poverty_residents)) => Some(Occupancy {
                beds,
                occupied_beds,
                extreme_poverty_residents,
            }),
            _ => None,
        };
        Self {
            id: f.id,
            kind: f.kind,
            name: f.name,
            township_code: f.township_code,
            village_code: f.village_code,
            status: f.status,
            progress_percent: f.progress_percent,
            operating_model: f.operating_model,
            beds: f.beds,
            occupied_beds: f.occupied_beds,
            extreme_poverty_residents: f.extreme_poverty_residents,
            occupancy_per_mille: occupancy.and_then(|o| o.rate_per_mille()),
            done_on: f.done_on,
            ended_on: f.ended_on,
            version: f.version,
        }
    }
}

/// Whether the caller sees a facility: its village, or its township for township-level staff.
pub fn sees(who: &Principal, f: &site::Model) -> bool {
    who.sees(f.village_code.as_deref().unwrap_or(&f.township_code))
}

/// Registers a facility or project (district officers, or township clerks in their township).
pub async fn create(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewFacility,
) -> Result<FacilityView, Refusal> {
    who.require(&[Role::DistrictOfficer, Role::TownshipClerk])?;
    divisions::township_in_scope(tx, who, "township_code", &input.township_code).await?;
    if let Some(v) = &input.village_code {
        let township = divisions::village_in_scope(tx, who, "village_code", v).await?;
        if township != input.township_code {
            return Err(Refusal::invalid("village_code", "is not in township_code"));
        }
    }
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    match (input.kind, input.operating_model) {
        (FacilityKind::NursingHome, None) => {
            return Err(Refusal::invalid(
                "operating_model",
                "required for a nursing home",
            ));
        }
        (FacilityKind::NursingHome, Some(_)) | (_, None) => {}
        (_, Some(_)) => {
            return Err(Refusal::invalid(
                "operating_model",
                "only nursing homes have one",
            ));
        }
    }
    if input.kind == FacilityKind::MutualAidPoint && input.village_code.is_none() {
        return Err(Refusal::invalid(
            "village_code",
            "required for a mutual-aid point",
        ));
    }
    let saved = site::Entity::insert(site::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(input.kind.as_str().to_owned()),
        name: Set(input.name.trim().to_owned()),
        township_code: Set(input.township_code.clone()),
        village_code: Set(input.village_code.clone()),
        status: Set(Status::Planned.as_str().to_owned()),
        progress_percent: Set(0),
        operating_model: Set(input.operating_model.map(|m| m.as_str().to_owned())),
        beds: Set(None),
        occupied_beds: Set(None),
        extreme_poverty_residents: Set(None),
        done_on: Set(None),
        ended_on: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    })
    .exec_with_returning(tx)
    .await?;
    audit::record(
        tx,
        who,
        "register-facility",
        "facility",
        &saved.id.to_string(),
        &saved.kind,
    )
    .await?;
    Ok(saved.into())
}

/// A status and progress update.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgressUpdate {
    pub status: Status,
    /// 0–100; 100 when done.
    #[serde(default)]
    pub progress_percent: Option<i32>,
    /// The day it opened / was completed, or ended; required for those steps.
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

async fn visible(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<site::Model, Refusal> {
    site::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|f| sees(who, f))
        .ok_or_else(|| Refusal::not_found("no such facility in your division"))
}

async fn save(
    tx: &impl ConnectionTrait,
    current: &site::Model,
    mut changes: site::ActiveModel,
) -> Result<FacilityView, Refusal> {
    changes.version = Set(current.version + 1);
    let done = site::Entity::update_many()
        .set(changes)
        .filter(site::Column::Id.eq(current.id))
        .filter(site::Column::Version.eq(current.version))
        .exec(tx)
        .await?;
    if done.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    Ok(site::Entity::find_by_id(current.id)
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)?
        .into())
}

/// Moves status and progress (with `If-Match`).
pub async fn update_progress(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &ProgressUpdate,
    today: NaiveDate,
) -> Result<FacilityView, Refusal> {
    who.require(&[Role::DistrictOfficer, Role::TownshipClerk])?;
    let current = visible(tx, who, id).await?;
    if current.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    let from = Status::parse(&current.status).ok_or_else(Refusal::internal)?;
    let percent = facility::update_progress(from, input.status, input.progress_percent).map_err(
        |e| match e {
            facility::ProgressError::Percent => Refusal::invalid("progress_percent", e.to_string()),
            facility::ProgressError::Transition { .. } => {
                Refusal::conflict("facility-status", e.to_string())
            }
        },
    )?;
    let moving = from != input.status;
    let needs_date = moving && matches!(input.status, Status::Done | Status::Ended);
    let on = match (needs_date, input.on) {
        (true, None) => {
            return Err(Refusal::invalid(
                "on",
                "required when it opens, completes or ends",
            ));
        }
        (_, Some(d)) if d > today => return Err(Refusal::invalid("on", "cannot be in the future")),
        (_, on) => on,
    };
    let mut changes = site::ActiveModel {
        status: Set(input.status.as_str().to_owned()),
        progress_percent: Set(percent),
        ..Default::default()
    };
    if moving && input.status == Status::Done {
        changes.done_on = Set(on);
    }
    if moving && input.status == Status::Ended {
        changes.ended_on = Set(on);
    }
    let saved = save(tx, &current, changes).await?;
    audit::record(
        tx,
        who,
        "update-facility-progress",
        "facility",
        &id.to_string(),
        input.status.as_str(),
    )
    .await?;
    Ok(saved)
}

/// Records a nursing home's occupancy (with `If-Match`).
pub async fn update_occupancy(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &Occupancy,
) -> Result<FacilityView, Refusal> {
    who.require(&[Role::DistrictOfficer, Role::TownshipClerk])?;
    let current = visible(tx, who, id).await?;
    if current.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    if current.kind != FacilityKind::NursingHome.as_str() {
        return Err(Refusal::conflict(
            "not-a-nursing-home",
            "occupancy is recorded for nursing homes",
        ));
    }
    if let Some((field, reason)) = input.invalid_field() {
        return Err(Refusal::invalid(field, reason));
    }
    let saved = save(
        tx,
        &current,
        site::ActiveModel {
            beds: Set(Some(input.beds)),
            occupied_beds: Set(Some(input.occupied_beds)),
            extreme_poverty_residents: Set(Some(input.extreme_poverty_residents)),
            ..Default::default()
        },
    )
    .await?;
    audit::record(tx, who, "update-occupancy", "facility", &id.to_string(), "").await?;
    Ok(saved)
}
