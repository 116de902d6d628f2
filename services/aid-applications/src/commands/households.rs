//! Registering a household with its members: every ID number validated, every member given the
//! mesh-wide `person_ref`, all of it written or none.

use chrono::Utc;
use kit::{
    Principal, Problem, Role, audit,
    edge::problem::FieldError,
    identity::{DivisionCode, IdNumber, PersonRefKey},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::store::{household, member};

/// Relationship of a member to the head of household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Relationship {
    Head,
    Spouse,
    Child,
    Parent,
    Grandchild,
    Sibling,
    Other,
}

/// Urban or rural standard applies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Residence {
    Urban,
    Rural,
}

/// A member as the clerk records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewMember {
    pub name: String,
    /// 18-character resident ID number (GB 11643); a lower-case x is accepted.
    pub id_number: String,
    pub relationship: Relationship,
    #[serde(default)]
    pub employed: bool,
    #[serde(default)]
    pub able_to_work: bool,
    /// Monthly income in fen.
    #[serde(default)]
    pub monthly_income_fen: i64,
}

/// A household as the clerk records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewHousehold {
    /// 12-digit village or community code.
    pub village_code: String,
    pub residence: Residence,
    pub address: String,
    /// On the staff-relative register (近亲属备案).
    #[serde(default)]
    pub staff_relative: bool,
    pub members: Vec<NewMember>,
}

/// The registered household's id.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Registered {
    pub id: Uuid,
}

/// Validates everything first, then writes the household and members in the caller's
/// transaction; a refusal writes nothing.
pub async fn register_household(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewHousehold,
) -> Result<Registered, Problem> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let village = DivisionCode::parse(&input.village_code)
        .ok()
        .filter(|c| c.level() == kit::identity::DivisionLevel::Village)
        .ok_or_else(|| {
            Problem::invalid(
                "village_code",
                "must be a 12-digit village or community code",
            )
        })?;
    who.require_scope(village.as_str())?;
    let mut errors = Vec::new();
    if input.members.is_empty() {
        errors.push(FieldError {
            field: "members".into(),
            reason: "a household has at least one member".into(),
        });
    }
    if input
        .members
        .iter()
        .filter(|m| m.relationship == Relationship::Head)
        .count()
        != 1
    {
        errors.push(FieldError {
            field: "members".into(),
            reason: "exactly one member is the head of household".into(),
        });
    }
    let mut ids = Vec::new();
    for (i, m) in input.members.iter().enumerate() {
        match IdNumber::parse(&m.id_number) {
            Ok(id) if ids.contains(&id) => errors.push(FieldError {
                field: format!("members[{i}].id_number"),
                reason: "appears twice in this household".into(),
            }),
            Ok(id) => ids.push(id),
            Err(e) => errors.push(FieldError {
                field: format!("members[{i}].id_number"),
                reason: e.to_string(),
            }),
        }
        if m.name.trim().is_empty() {
            errors.push(FieldError {
                field: format!("members[{i}].name"),
                reason: "required".into(),
            });
        }
        if m.monthly_income_fen < 0 {
            errors.push(FieldError {
                field: format!("members[{i}].monthly_income_fen"),
                reason: "cannot be negative".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Problem::invalid_fields(errors));
    }
    let refs: Vec<String> = ids
        .iter()
        .map(|id| key.person_ref(id).as_str().to_owned())
        .collect();
    let existing = member::Entity::find()
        .filter(member::Column::PersonRef.is_in(refs.clone()))
        .all(tx)
        .await?;
    if let Some(m) = existing.first() {
        let i = refs.iter().position(|r| *r == m.person_ref).unwrap_or(0);
        return Err(Problem::conflict(
            "member-already-registered",
            "this person already belongs to a registered household",
        )
        .field(
            format!("members[{i}].id_number"),
            "already registered in another household",
        ));
    }
    let id = Uuid::now_v7();
    let township = village.township().expect("a village has a township");
    household::Entity::insert(household::ActiveModel {
        id: Set(id),
        township_code: Set(township.as_str().to_owned()),
        village_code: Set(village.as_str().to_owned()),
        residence: Set(serde_json::to_value(input.residence)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default()),
        address: Set(input.address.clone()),
        staff_relative: Set(input.staff_relative),
        created_at: Set(Utc::now()),
        version: Set(1),
    })
    .exec(tx)
    .await?;
    let members =
        input
            .members
            .iter()
            .zip(ids.iter().zip(refs))
            .map(|(m, (id_number, person_ref))| member::ActiveModel {
                id: Set(Uuid::now_v7()),
                household_id: Set(id),
                id_number: Set(id_number.expose().to_owned()),
                person_ref: Set(person_ref),
                name: Set(m.name.trim().to_owned()),
                relationship: Set(serde_json::to_value(m.relationship)
                    .ok()
                    .and_then(|v| v.as_str().map(str::to_owned))
                    .unwrap_or_default()),
                employed: Set(m.employed),
                able_to_work: Set(m.able_to_work),
                monthly_income_fen: Set(m.monthly_income_fen),
                deceased_on: Set(None),
            });
    member::Entity::insert_many(members).exec(tx).await?;
    audit::record(
        tx,
        who,
        "register-household",
        "household",
        &id.to_string(),
        "",
    )
    .await?;
    Ok(Registered { id })
}
