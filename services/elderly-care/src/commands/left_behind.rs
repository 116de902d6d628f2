//! The register of left-behind rural elderly (农村留守老人): registration with the person's ID
//! number (held here) starts a visit plan at the interval in force; ending the registration (or a
//! death) cancels it.

use chrono::NaiveDate;
use kit::{
    Principal, Refusal, Role, audit,
    identity::{IdNumber, PersonRefKey},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    divisions, reference,
    visits::{self, NewPlan, VisitPlanKind},
};
use crate::{
    domain::{home_bed::age_on, reference::Parameter},
    store::{left_behind_elder as elder, visit_plan},
};

/// Who the older person lives with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LivingArrangement {
    Alone,
    WithSpouse,
    WithGrandchildren,
    WithOtherRelatives,
}

impl LivingArrangement {
    fn as_str(self) -> &'static str {
        match self {
            Self::Alone => "alone",
            Self::WithSpouse => "with_spouse",
            Self::WithGrandchildren => "with_grandchildren",
            Self::WithOtherRelatives => "with_other_relatives",
        }
    }
}

/// A registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewLeftBehindElder {
    pub village_code: String,
    #[schema(example = "500112195006010042")]
    pub id_number: String,
    pub name: String,
    pub address: String,
    pub living_arrangement: LivingArrangement,
    /// The day of registration, when it is entered later (default today); visits count from it.
    #[serde(default)]
    pub registered_on: Option<NaiveDate>,
}

/// A registered person as shown (ID number masked).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeftBehindElderView {
    pub id: Uuid,
    pub person_ref: String,
    pub id_number: String,
    pub name: String,
    pub address: String,
    pub township_code: String,
    pub village_code: String,
    pub living_arrangement: String,
    pub registered_on: NaiveDate,
    /// `active` or `ended`.
    pub status: String,
    pub ended_on: Option<NaiveDate>,
    pub end_reason: Option<String>,
    /// The visit plan while registered.
    pub visit_plan_id: Option<Uuid>,
}

/// The view of a registration, masked, with its plan.
pub async fn view(
    db: &impl ConnectionTrait,
    e: elder::Model,
) -> Result<LeftBehindElderView, DbErr> {
    let plan = visit_plan::Entity::find()
        .filter(visit_plan::Column::LeftBehindElderId.eq(e.id))
        .one(db)
        .await?;
    Ok(LeftBehindElderView {
        id: e.id,
        person_ref: e.person_ref,
        id_number: IdNumber::parse(&e.id_number)
            .map(|i| i.masked())
            .unwrap_or_default(),
        name: e.name,
        address: e.address,
        township_code: e.township_code,
        village_code: e.village_code,
        living_arrangement: e.living_arrangement,
        registered_on: e.registered_on,
        status: e.status,
        ended_on: e.ended_on,
        end_reason: e.end_reason,
        visit_plan_id: plan.map(|p| p.id),
    })
}

/// Registers a left-behind older person and plans visits from the registration day.
pub async fn register(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewLeftBehindElder,
    today: NaiveDate,
) -> Result<LeftBehindElderView, Refusal> {
    who.require(&[Role::VillageStaff, Role::TownshipClerk])?;
    let township =
        divisions::village_in_scope(tx, who, "village_code", &input.village_code).await?;
    let id_number = IdNumber::parse_entered(&input.id_number, kit::clock::today())
        .map_err(|e| Refusal::invalid("id_number", e.to_string()))?;
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    let registered_on = input.registered_on.unwrap_or(today);
    if registered_on > today {
        return Err(Refusal::invalid("registered_on", "cannot be in the future"));
    }
    let min_age = reference::require(tx, Parameter::ElderlyMinAgeYears, registered_on).await?;
    if age_on(id_number.birth_date(), registered_on) < min_age {
        return Err(Refusal::invalid(
            "id_number",
            format!("the person is younger than {min_age}"),
        ));
    }
    let person_ref = key.person_ref(&id_number);
    let registered = elder::Entity::find()
        .filter(elder::Column::PersonRef.eq(person_ref.as_str()))
        .filter(elder::Column::Status.eq("active"))
        .one(tx)
        .await?;
    if registered.is_some() {
        return Err(Refusal::conflict(
            "already-registered",
            "this person is already on the register",
        )
        .field("id_number", "already registered"));
    }
    let saved = elder::Entity::insert(elder::ActiveModel {
        id: Set(Uuid::now_v7()),
        person_ref: Set(person_ref.as_str().to_owned()),
        id_number: Set(id_number.expose().to_owned()),
        name: Set(input.name.trim().to_owned()),
        address: Set(input.address.trim().to_owned()),
        township_code: Set(township.clone()),
        village_code: Set(input.village_code.clone()),
        living_arrangement: Set(input.living_arrangement.as_str().to_owned()),
        registered_on: Set(registered_on),
        status: Set("active".to_owned()),
        ended_on: Set(None),
        end_reason: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    })
    .exec_with_returning(tx)
    .await?;
    visits::create_plan(
        tx,
        NewPlan {
            kind: VisitPlanKind::LeftBehind,
            person_ref: person_ref.as_str(),
            enrollment_id: None,
            left_behind_elder_id: Some(saved.id),
            township_code: &township,
            village_code: &input.village_code,
            anchor_on: registered_on,
        },
    )
    .await?;
    audit::record(
        tx,
        who,
        "register-left-behind-elder",
        "left-behind-elder",
        &saved.id.to_string(),
        "",
    )
    .await?;
    Ok(view(tx, saved).await?)
}

/// Ends the person's active registration (and its plan); returns how many ended.
pub async fn end_for_person(
    tx: &impl ConnectionTrait,
    person_ref: &str,
    reason: &str,
    on: NaiveDate,
) -> Result<u64, DbErr> {
    let active = elder::Entity::find()
        .filter(elder::Column::PersonRef.eq(person_ref))
        .filter(elder::Column::Status.eq("active"))
        .all(tx)
        .await?;
    for e in &active {
        end(tx, e, reason, on).await?;
    }
    Ok(active.len() as u64)
}

async fn end(
    tx: &impl ConnectionTrait,
    e: &elder::Model,
    reason: &str,
    on: NaiveDate,
) -> Result<(), DbErr> {
    elder::Entity::update_many()
        .set(elder::ActiveModel {
            status: Set("ended".to_owned()),
            ended_on: Set(Some(on)),
            end_reason: Set(Some(reason.to_owned())),
            version: Set(e.version + 1),
            ..Default::default()
        })
        .filter(elder::Column::Id.eq(e.id))
        .exec(tx)
        .await?;
    visits::cancel_plans(
        tx,
        Condition::all().add(visit_plan::Column::LeftBehindElderId.eq(e.id)),
        reason,
        on,
    )
    .await?;
    Ok(())
}

/// Why a registration ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// A family member came back to live with the person.
    FamilyReturned,
    /// Moved into an institution.
    MovedToInstitution,
    /// Moved away.
    MovedAway,
    Other,
}

/// Ending a registration.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Ending {
    pub reason: EndReason,
    pub ended_on: NaiveDate,
}

/// Ends a registration (township clerks) and cancels its visit plan.
pub async fn end_registration(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Ending,
    today: NaiveDate,
) -> Result<LeftBehindElderView, Refusal> {
    who.require(&[Role::TownshipClerk])?;
    let e = elder::Entity::find_by_id(id)
        .one(tx)
        .await?
        .filter(|e| who.sees(&e.village_code))
        .ok_or_else(|| Refusal::not_found("no such registration in your division"))?;
    if e.status != "active" {
        return Err(Refusal::conflict(
            "registration-ended",
            "the registration already ended",
        ));
    }
    if input.ended_on > today || input.ended_on < e.registered_on {
        return Err(Refusal::invalid(
            "ended_on",
            "must be between the registration and today",
        ));
    }
    let reason = kit::wire::name(input.reason);
    end(tx, &e, &reason, input.ended_on).await?;
    audit::record(
        tx,
        who,
        "end-left-behind-registration",
        "left-behind-elder",
        &id.to_string(),
        &reason,
    )
    .await?;
    let e = elder::Entity::find_by_id(id)
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)?;
    Ok(view(tx, e).await?)
}
