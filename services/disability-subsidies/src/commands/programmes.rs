//! 福康工程 applications (recorded by the township, decided by an approver), 精康融合
//! enrollments (only in the pilot streets) with their service records, and care services for poor
//! severely disabled people: case records a township keeps.

use contracts::common::Month;
use kit::{
    Principal, Refusal, Role, audit,
    identity::{DivisionCode, DivisionLevel, IdNumber, PersonRefKey},
};
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{facts::Facts, reference, snake, today};
use crate::{
    domain::programmes::{FukangItem, TrainingType, poor_severely_disabled},
    store::entities::{pilot_township, programme_case, service_record},
};

/// Which programme.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    /// 福康工程.
    Fukang,
    /// 精康融合 community mental-health rehabilitation.
    Rehabilitation,
    /// Care services for poor severely disabled people (困难重度残疾人照护).
    CareService,
}

/// A new programme case.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewProgrammeCase {
    pub id_number: String,
    pub village_code: String,
    /// For 福康工程: assistive_device or surgery; otherwise ignored.
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "assistive_device")]
    pub item: Option<FukangItem>,
    /// What is asked for or provided (device, service plan).
    #[serde(default)]
    pub description: String,
}

/// A programme case as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ProgrammeCaseView {
    pub id: Uuid,
    pub programme: String,
    pub person_ref: String,
    pub township_code: String,
    pub village_code: String,
    pub status: String,
    pub item: String,
    pub description: String,
    pub started_on: chrono::NaiveDate,
    pub recorded_by: String,
    pub decided_by: Option<String>,
    pub decision_reason: Option<String>,
    pub version: i32,
}

impl From<programme_case::Model> for ProgrammeCaseView {
    fn from(c: programme_case::Model) -> Self {
        Self {
            id: c.id,
            programme: c.programme,
            person_ref: c.person_ref,
            township_code: c.township_code,
            village_code: c.village_code,
            status: c.status,
            item: c.item,
            description: c.description,
            started_on: c.started_on,
            recorded_by: c.recorded_by,
            decided_by: c.decided_by,
            decision_reason: c.decision_reason,
            version: c.version,
        }
    }
}

/// Opens a programme case in the caller's township.
pub async fn open_programme_case(
    db: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    programme: Programme,
    input: &NewProgrammeCase,
) -> Result<ProgrammeCaseView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let id = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| Refusal::invalid("id_number", e.to_string()))?;
    let village = DivisionCode::parse(&input.village_code)
        .ok()
        .filter(|c| c.level() == DivisionLevel::Village)
        .ok_or_else(|| {
            Refusal::invalid(
                "village_code",
                "must be a 12-digit village or community code",
            )
        })?;
    who.require_scope(village.as_str())?;
    let township = village.township().expect("a village has a township");
    let person_ref = key.person_ref(&id).as_str().to_owned();
    let facts = Facts::load(db, &person_ref).await?;
    let today = today();
    let item = match programme {
        Programme::Fukang => snake(
            input
                .item
                .ok_or_else(|| Refusal::invalid("item", "assistive_device or surgery"))?,
        ),
        Programme::Rehabilitation => {
            let pilot = pilot_township::Entity::find()
                .filter(pilot_township::Column::Programme.eq("rehabilitation"))
                .filter(pilot_township::Column::TownshipCode.eq(township.as_str()))
                .filter(pilot_township::Column::ValidFrom.lte(today))
                .one(db)
                .await?;
            if pilot.is_none() {
                return Err(Refusal::conflict(
                    "not-a-pilot-township",
                    "精康融合 runs only in the pilot streets",
                )
                .field("village_code", "outside the pilot streets"));
            }
            "community_rehabilitation".to_owned()
        }
        Programme::CareService => {
            let rules = reference::rules(db, today).await?;
            let low_income = facts.low_income(Month::from_date(today));
            let qualifies = facts.certificate.as_ref().is_some_and(|c| {
                facts.death.is_none() && poor_severely_disabled(c, low_income, &rules)
            });
            if !qualifies {
                return Err(Refusal::conflict(
                    "not-poor-severely-disabled",
                    "care services are for severely disabled people of the low-income population",
                )
                .field("id_number", "not poor and severely disabled on record"));
            }
            "care".to_owned()
        }
    };
    let case = programme_case::ActiveModel {
        id: Set(Uuid::now_v7()),
        programme: Set(snake(programme)),
        person_ref: Set(person_ref),
        township_code: Set(township.as_str().to_owned()),
        village_code: Set(village.as_str().to_owned()),
        status: Set("open".to_owned()),
        item: Set(item),
        description: Set(input.description.trim().to_owned()),
        started_on: Set(today),
        recorded_by: Set(who.subject.clone()),
        decided_by: Set(None),
        decision_reason: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    }
    .insert(db)
    .await?;
    audit::record(
        db,
        who,
        &format!("open-{}", snake(programme)),
        "programme_case",
        &case.id.to_string(),
        "",
    )
    .await?;
    Ok(case.into())
}

/// A 精康融合 service record.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewServiceRecord {
    #[schema(value_type = String, example = "self_care")]
    pub training_type: TrainingType,
    pub served_on: chrono::NaiveDate,
    pub minutes: i32,
    #[serde(default)]
    pub notes: String,
}

/// Records a service given to a 精康融合 participant.
pub async fn record_service(
    db: &impl ConnectionTrait,
    who: &Principal,
    enrollment_id: Uuid,
    input: &NewServiceRecord,
) -> Result<Uuid, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let case = programme_case::Entity::find_by_id(enrollment_id)
        .one(db)
        .await?
        .filter(|c| c.programme == "rehabilitation" && who.sees(&c.village_code))
        .ok_or_else(|| Refusal::not_found("no such 精康融合 enrollment in your division"))?;
    if !(1..=1440).contains(&input.minutes) {
        return Err(Refusal::invalid("minutes", "1 to 1440"));
    }
    if input.served_on > today() || input.served_on < case.started_on {
        return Err(Refusal::invalid(
            "served_on",
            "between the enrollment and today",
        ));
    }
    let id = Uuid::now_v7();
    service_record::ActiveModel {
        id: Set(id),
        enrollment_id: Set(case.id),
        training_type: Set(input.training_type.as_str().to_owned()),
        served_on: Set(input.served_on),
        minutes: Set(input.minutes),
        notes: Set(input.notes.trim().to_owned()),
        recorded_by: Set(who.subject.clone()),
        created_at: Set(kit::clock::now()),
    }
    .insert(db)
    .await?;
    Ok(id)
}

/// A decision on a 福康工程 application.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct FukangDecision {
    pub approve: bool,
    /// Required when refusing: the written reason.
    #[serde(default)]
    pub reason: Option<String>,
}

/// Approves or refuses an open 福康工程 application: an approver of its township or the
/// district, never whoever recorded it; a refusal carries its written reason.
pub async fn decide_fukang(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    d: &FukangDecision,
) -> Result<ProgrammeCaseView, Refusal> {
    who.require(&[Role::TownshipApprover, Role::DistrictApprover])?;
    let case = programme_case::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|c| c.programme == snake(Programme::Fukang) && who.sees(&c.village_code))
        .ok_or_else(|| Refusal::not_found("no such 福康工程 application in your division"))?;
    if case.version != version {
        return Err(Refusal::changed_meanwhile());
    }
    if case.status != "open" {
        return Err(Refusal::conflict(
            "already-decided",
            format!("the application is {}", case.status),
        ));
    }
    if case.recorded_by == who.subject {
        return Err(Refusal::forbidden(
            "whoever recorded an application cannot decide it",
        ));
    }
    let reason = d.reason.as_deref().map(str::trim).filter(|r| !r.is_empty());
    if !d.approve && reason.is_none() {
        return Err(Refusal::invalid(
            "reason",
            "a refusal carries its written reason",
        ));
    }
    let (status, action) = if d.approve {
        ("approved", "approve-fukang")
    } else {
        ("rejected", "reject-fukang")
    };
    let mut a = case.into_active_model();
    a.status = Set(status.to_owned());
    a.decided_by = Set(Some(who.subject.clone()));
    a.decision_reason = Set(reason.map(str::to_owned));
    a.version = Set(version + 1);
    let decided = a.update(db).await?;
    audit::record(
        db,
        who,
        action,
        "programme_case",
        &id.to_string(),
        reason.unwrap_or(""),
    )
    .await?;
    Ok(decided.into())
}
