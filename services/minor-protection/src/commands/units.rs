//! The protection units of the three levels as data: the district centre and the township
//! workstations are seeded; townships register their villages' child director posts; each level
//! appoints the lead of the level below (child supervisor, child director).

use kit::{Principal, Refusal, Role, audit};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, QueryOrder,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

use crate::domain::level::Level;
use crate::store::unit;

/// A unit as shown.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct UnitView {
    pub division_code: String,
    /// village, township or district.
    pub level: String,
    pub name: String,
    /// Child director (village) or child supervisor (township), as a staff identifier.
    pub lead_subject: Option<String>,
    pub version: i32,
}

impl From<unit::Model> for UnitView {
    fn from(u: unit::Model) -> Self {
        Self {
            division_code: u.division_code,
            level: u.level,
            name: u.name,
            lead_subject: u.lead_subject,
            version: u.version,
        }
    }
}

/// A village post to register.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewVillageUnit {
    /// 12-digit village or community code.
    #[schema(example = "500112016001")]
    pub division_code: String,
    pub name: String,
    /// The child director, as a staff identifier.
    pub lead_subject: Option<String>,
}

/// A lead appointment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Lead {
    pub lead_subject: String,
}

/// The unit `code`, or a 422 naming `field`.
pub async fn existing(
    db: &impl ConnectionTrait,
    code: &str,
    field: &str,
) -> Result<unit::Model, Refusal> {
    unit::Entity::find_by_id(code.to_owned())
        .one(db)
        .await?
        .ok_or_else(|| Refusal::invalid(field, "no protection unit with this code is registered"))
}

/// The units in the caller's division (and the units above it, which every level may address).
pub async fn list(db: &impl ConnectionTrait, who: &Principal) -> Result<Vec<UnitView>, Refusal> {
    Ok(unit::Entity::find()
        .order_by_asc(unit::Column::DivisionCode)
        .all(db)
        .await?
        .into_iter()
        .filter(|u| {
            who.sees(&u.division_code) || who.division.as_str().starts_with(&u.division_code)
        })
        .map(UnitView::from)
        .collect())
}

/// Registers a village's child director post: staff of its township or of the district.
pub async fn register_village(
    tx: &impl ConnectionTrait,
    who: &Principal,
    input: &NewVillageUnit,
) -> Result<UnitView, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
        Role::DistrictApprover,
    ])?;
    if Level::of_code(&input.division_code) != Some(Level::Village) {
        return Err(Refusal::invalid(
            "division_code",
            "must be a 12-digit village or community code",
        ));
    }
    if input.name.trim().is_empty() {
        return Err(Refusal::invalid("name", "required"));
    }
    who.require_scope(&input.division_code)?;
    existing(tx, &input.division_code[..9], "division_code").await?;
    if unit::Entity::find_by_id(input.division_code.clone())
        .one(tx)
        .await?
        .is_some()
    {
        return Err(
            Refusal::conflict("unit-exists", "this village is already registered")
                .field("division_code", "already registered"),
        );
    }
    let model = unit::ActiveModel {
        division_code: Set(input.division_code.clone()),
        level: Set(Level::Village.as_str().to_owned()),
        name: Set(input.name.trim().to_owned()),
        lead_subject: Set(input.lead_subject.clone()),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    };
    let saved = unit::Entity::insert(model).exec_with_returning(tx).await?;
    audit::record(tx, who, "register-unit", "unit", &input.division_code, "").await?;
    Ok(saved.into())
}

/// Appoints the lead of a unit: the level above appoints (a township its child directors, the
/// district the child supervisors).
pub async fn appoint_lead(
    tx: &impl ConnectionTrait,
    who: &Principal,
    code: &str,
    version: i32,
    input: &Lead,
) -> Result<UnitView, Refusal> {
    let u = unit::Entity::find_by_id(code.to_owned())
        .one(tx)
        .await?
        .filter(|u| who.sees(&u.division_code))
        .ok_or_else(|| Refusal::not_found("no such unit in your division"))?;
    let parent = Level::parent_unit(&u.division_code).ok_or_else(|| {
        Refusal::forbidden("the district centre's lead is appointed outside this service")
    })?;
    let staff = crate::commands::access::caller(who);
    if !staff.is_staff_of(parent) && !staff.is_staff_of(&u.division_code[..6]) {
        return Err(Refusal::forbidden(
            "only staff of the level above may appoint a unit's lead",
        ));
    }
    if input.lead_subject.trim().is_empty() {
        return Err(Refusal::invalid("lead_subject", "required"));
    }
    let updated = unit::Entity::update_many()
        .set(unit::ActiveModel {
            lead_subject: Set(Some(input.lead_subject.trim().to_owned())),
            version: Set(version + 1),
            ..Default::default()
        })
        .filter(unit::Column::DivisionCode.eq(code))
        .filter(unit::Column::Version.eq(version))
        .exec(tx)
        .await?;
    if updated.rows_affected == 0 {
        return Err(Refusal::changed_meanwhile());
    }
    audit::record(tx, who, "appoint-lead", "unit", code, &input.lead_subject).await?;
    Ok(UnitView {
        lead_subject: Some(input.lead_subject.trim().to_owned()),
        version: version + 1,
        ..u.into()
    })
}
