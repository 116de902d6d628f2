//! Registering a household with its members, their income items and the household's property:
//! every ID number validated, every member given the mesh-wide `person_ref`, all of it written or
//! none, the registration the first entry of the household's change history.

pub mod changes;
pub mod deaths;

use chrono::NaiveDate;
use kit::{
    Principal, Refusal, Role, audit,
    edge::problem::FieldError,
    identity::{DivisionCode, IdNumber, PersonRefKey},
};
use sea_orm::{ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::procedure::{snake, today};
use crate::domain::household::IncomeKind;
use crate::domain::property::AssetKind;
use crate::store::household_register::{asset, change, income};
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

/// One monthly income item as the family declares it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct IncomeInput {
    /// wages, self_employment, pension, family_support or other; only wages and
    /// self_employment are work income (the employment-cost deduction applies to them).
    #[schema(value_type = String, example = "wages")]
    pub kind: IncomeKind,
    /// Per month, in fen (annual income divided by 12).
    pub monthly_fen: i64,
    /// Where it comes from (employer, pension fund …).
    #[serde(default)]
    pub source: Option<String>,
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
    /// Income items.
    #[serde(default)]
    pub income: Vec<IncomeInput>,
    /// Shorthand for one income item (wages when `employed`, else other); not with `income`.
    #[serde(default)]
    pub monthly_income_fen: i64,
}

/// One property item of the household.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct AssetInput {
    /// home, vehicle, deposits, securities, business or other.
    #[schema(value_type = String, example = "deposits")]
    pub kind: AssetKind,
    pub description: String,
    /// Value in fen (deposits and securities are tested by value; homes and vehicles by number).
    #[serde(default)]
    pub value_fen: i64,
    /// The member who holds it (a member id: only once the household is registered).
    #[serde(default)]
    pub member_id: Option<Uuid>,
    /// Exempt from the property predicates (e.g. a vehicle adapted for a disabled member);
    /// needs `exempt_reason`.
    #[serde(default)]
    pub exempt: bool,
    #[serde(default)]
    pub exempt_reason: Option<String>,
    /// A business employing people outside the household.
    #[serde(default)]
    pub employs_others: bool,
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
    /// Property the household holds (家庭财产).
    #[serde(default)]
    pub property: Vec<AssetInput>,
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
) -> Result<Registered, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let village = DivisionCode::parse(&input.village_code)
        .ok()
        .filter(|c| c.level() == kit::identity::DivisionLevel::Village)
        .ok_or_else(|| {
            Refusal::invalid(
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
        match validate_new_member(&format!("members[{i}]."), m, &mut errors) {
            Some(id) if ids.contains(&id) => errors.push(FieldError {
                field: format!("members[{i}].id_number"),
                reason: "appears twice in this household".into(),
            }),
            Some(id) => ids.push(id),
            None => {}
        }
    }
    for (i, a) in input.property.iter().enumerate() {
        validate_asset(&format!("property[{i}]."), a, &mut errors);
        if a.member_id.is_some() {
            errors.push(FieldError {
                field: format!("property[{i}].member_id"),
                reason: "members have no id before registration; record the holder afterwards"
                    .into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
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
        return Err(Refusal::conflict(
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
        residence: Set(snake(input.residence)),
        address: Set(input.address.clone()),
        staff_relative: Set(input.staff_relative),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    })
    .exec(tx)
    .await?;
    let on = today();
    for (m, (id_number, person_ref)) in input.members.iter().zip(ids.iter().zip(refs)) {
        insert_member(tx, id, m, id_number, person_ref, on).await?;
    }
    for a in &input.property {
        insert_asset(tx, id, a, on).await?;
    }
    record_change(
        tx,
        who,
        id,
        ChangeKind::Registered,
        None,
        on,
        serde_json::json!({
            "members": input.members.len(),
            "property": input.property.len(),
        }),
    )
    .await?;
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

/// The member's income items: those given, or the shorthand as one item.
fn income_items(m: &NewMember) -> Vec<IncomeInput> {
    if m.income.is_empty() && m.monthly_income_fen > 0 {
        vec![IncomeInput {
            kind: if m.employed {
                IncomeKind::Wages
            } else {
                IncomeKind::Other
            },
            monthly_fen: m.monthly_income_fen,
            source: None,
        }]
    } else {
        m.income.clone()
    }
}

/// The largest amount a register entry takes (10 000 000 000 yuan): anything above is a typing
/// error, and sums of such amounts cannot overflow.
pub const MAX_FEN: i64 = 1_000_000_000_000;

fn amount_error(fen: i64) -> Option<&'static str> {
    if fen < 0 {
        Some("cannot be negative")
    } else if fen > MAX_FEN {
        Some("is larger than any real amount (at most 1000000000000 fen)")
    } else {
        None
    }
}

/// Refuses negative or impossible amounts.
pub fn validate_income(prefix: &str, items: &[IncomeInput], errors: &mut Vec<FieldError>) {
    for (j, item) in items.iter().enumerate() {
        if let Some(reason) = amount_error(item.monthly_fen) {
            errors.push(FieldError {
                field: format!("{prefix}income[{j}].monthly_fen"),
                reason: reason.into(),
            });
        }
    }
}

fn validate_member_income(prefix: &str, m: &NewMember, errors: &mut Vec<FieldError>) {
    if let Some(reason) = amount_error(m.monthly_income_fen) {
        errors.push(FieldError {
            field: format!("{prefix}monthly_income_fen"),
            reason: reason.into(),
        });
    }
    if m.monthly_income_fen != 0 && !m.income.is_empty() {
        errors.push(FieldError {
            field: format!("{prefix}monthly_income_fen"),
            reason: "give either income items or monthly_income_fen, not both".into(),
        });
    }
    validate_income(prefix, &m.income, errors);
}

/// Refuses a blank description, a negative value, an exemption without its reason, and
/// `employs_others` on anything but a business.
pub fn validate_asset(prefix: &str, a: &AssetInput, errors: &mut Vec<FieldError>) {
    if a.description.trim().is_empty() {
        errors.push(FieldError {
            field: format!("{prefix}description"),
            reason: "required".into(),
        });
    }
    if let Some(reason) = amount_error(a.value_fen) {
        errors.push(FieldError {
            field: format!("{prefix}value_fen"),
            reason: reason.into(),
        });
    }
    if a.exempt
        && a.exempt_reason
            .as_deref()
            .is_none_or(|r| r.trim().is_empty())
    {
        errors.push(FieldError {
            field: format!("{prefix}exempt_reason"),
            reason: "an exemption needs its reason".into(),
        });
    }
    if a.employs_others && a.kind != AssetKind::Business {
        errors.push(FieldError {
            field: format!("{prefix}employs_others"),
            reason: "only a business employs others".into(),
        });
    }
}

/// Refuses a blank name or an invalid ID number of one member.
pub fn validate_new_member(
    prefix: &str,
    m: &NewMember,
    errors: &mut Vec<FieldError>,
) -> Option<IdNumber> {
    if m.name.trim().is_empty() {
        errors.push(FieldError {
            field: format!("{prefix}name"),
            reason: "required".into(),
        });
    }
    validate_member_income(prefix, m, errors);
    match IdNumber::parse_entered(&m.id_number, kit::clock::today()) {
        Ok(id) => Some(id),
        Err(e) => {
            errors.push(FieldError {
                field: format!("{prefix}id_number"),
                reason: e.to_string(),
            });
            None
        }
    }
}

/// Writes a member and its income items; returns the member's id.
pub async fn insert_member(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
    m: &NewMember,
    id_number: &IdNumber,
    person_ref: String,
    on: NaiveDate,
) -> Result<Uuid, Refusal> {
    let member_id = Uuid::now_v7();
    let items = income_items(m);
    member::Entity::insert(member::ActiveModel {
        id: Set(member_id),
        household_id: Set(household_id),
        id_number: Set(id_number.expose().to_owned()),
        person_ref: Set(person_ref),
        name: Set(m.name.trim().to_owned()),
        relationship: Set(snake(m.relationship)),
        employed: Set(m.employed),
        able_to_work: Set(m.able_to_work),
        monthly_income_fen: Set(items.iter().map(|i| i.monthly_fen).sum()),
        deceased_on: Set(None),
    })
    .exec(tx)
    .await?;
    insert_income(tx, household_id, member_id, &items, on).await?;
    Ok(member_id)
}

/// Writes a member's income items.
pub async fn insert_income(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
    member_id: Uuid,
    items: &[IncomeInput],
    on: NaiveDate,
) -> Result<(), Refusal> {
    if items.is_empty() {
        return Ok(());
    }
    income::Entity::insert_many(items.iter().map(|i| {
        income::ActiveModel {
            id: Set(Uuid::now_v7()),
            household_id: Set(household_id),
            member_id: Set(member_id),
            kind: Set(snake(i.kind)),
            monthly_fen: Set(i.monthly_fen),
            source: Set(i
                .source
                .as_deref()
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)),
            recorded_on: Set(on),
        }
    }))
    .exec(tx)
    .await?;
    Ok(())
}

/// Writes a property item; returns its id.
pub async fn insert_asset(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
    a: &AssetInput,
    on: NaiveDate,
) -> Result<Uuid, Refusal> {
    let id = Uuid::now_v7();
    asset::Entity::insert(asset::ActiveModel {
        id: Set(id),
        household_id: Set(household_id),
        member_id: Set(a.member_id),
        kind: Set(snake(a.kind)),
        description: Set(a.description.trim().to_owned()),
        value_fen: Set(a.value_fen),
        exempt: Set(a.exempt),
        exempt_reason: Set(a
            .exempt_reason
            .as_deref()
            .map(str::trim)
            .filter(|_| a.exempt)
            .map(str::to_owned)),
        employs_others: Set(a.employs_others),
        recorded_on: Set(on),
        disposed_on: Set(None),
        disposal_reason: Set(None),
    })
    .exec(tx)
    .await?;
    Ok(id)
}

/// Kinds of entries in a household's change history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Registered,
    MemberJoined,
    MemberLeft,
    MemberDied,
    IncomeChanged,
    PropertyAdded,
    PropertyDisposed,
    AddressChanged,
}

/// Appends an entry to the household's change history.
pub async fn record_change(
    tx: &impl ConnectionTrait,
    who: &Principal,
    household_id: Uuid,
    kind: ChangeKind,
    member_id: Option<Uuid>,
    effective_on: NaiveDate,
    detail: serde_json::Value,
) -> Result<Uuid, sea_orm::DbErr> {
    let id = Uuid::now_v7();
    change::Entity::insert(change::ActiveModel {
        id: Set(id),
        household_id: Set(household_id),
        kind: Set(snake(kind)),
        member_id: Set(member_id),
        effective_on: Set(effective_on),
        detail: Set(detail.to_string()),
        recorded_by: Set(who.subject.clone()),
        recorded_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    Ok(id)
}
