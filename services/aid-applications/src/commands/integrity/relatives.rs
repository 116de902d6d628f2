//! The staff-relative register (近亲属备案) and the lookup the procedures need: a household with a
//! registered relative of staff is flagged (district home visit and approval), and the related
//! staff members may not act on its cases.

use kit::{
    Principal, Refusal, Role, audit,
    identity::{DivisionCode, DivisionLevel, IdNumber, PersonRefKey},
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    QuerySelect,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::assistance::clock::today;
use crate::{
    commands::actor::actor_of,
    domain::integrity::{StaffRelation, StaffRelativeLookup},
    store::{household, member, relatives as staff_relative},
};

/// Close relations (近亲属) that are registered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Kinship {
    Spouse,
    Parent,
    Child,
    Sibling,
    Grandparent,
    Grandchild,
    /// Parent-, child- or sibling-in-law.
    InLaw,
    Other,
}

impl Kinship {
    fn as_str(self) -> &'static str {
        match self {
            Kinship::Spouse => "spouse",
            Kinship::Parent => "parent",
            Kinship::Child => "child",
            Kinship::Sibling => "sibling",
            Kinship::Grandparent => "grandparent",
            Kinship::Grandchild => "grandchild",
            Kinship::InLaw => "in_law",
            Kinship::Other => "other",
        }
    }
}

/// A registration as the clerk records it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewStaffRelative {
    /// The staff member's identifier in the identity provider (the `sub` of their token).
    pub staff_subject: String,
    pub staff_name: String,
    /// Where the staff member works: 500112 (bureau), a 9-digit township or a 12-digit village.
    pub staff_division: String,
    /// Post, e.g. "民政办主任".
    #[serde(default)]
    pub staff_post: String,
    /// The relative's ID number (GB 11643).
    pub relative_id_number: String,
    pub relative_name: String,
    pub relation: Kinship,
}

/// A registration as shown (the relative's ID number masked).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct StaffRelativeView {
    pub id: Uuid,
    pub staff_subject: String,
    pub staff_name: String,
    pub staff_division: String,
    pub staff_post: String,
    pub relative_ref: String,
    pub relative_id_number: String,
    pub relative_name: String,
    pub relation: String,
    pub registered_on: chrono::NaiveDate,
    pub withdrawn_on: Option<chrono::NaiveDate>,
    pub withdrawal_reason: Option<String>,
}

impl From<staff_relative::Model> for StaffRelativeView {
    fn from(m: staff_relative::Model) -> Self {
        Self {
            id: m.id,
            staff_subject: m.staff_subject,
            staff_name: m.staff_name,
            staff_division: m.staff_division,
            staff_post: m.staff_post,
            relative_ref: m.relative_ref,
            relative_id_number: m.relative_id_masked,
            relative_name: m.relative_name,
            relation: m.relation,
            registered_on: m.registered_on,
            withdrawn_on: m.withdrawn_on,
            withdrawal_reason: m.withdrawal_reason,
        }
    }
}

/// Looks a household up in the register: `Registered` with the related staff when a member is a
/// registered relative (withdrawn registrations no longer count), or when the household was
/// declared a staff relative's at registration (then with no named staff).
pub async fn lookup(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
) -> Result<StaffRelativeLookup, DbErr> {
    let refs: Vec<String> = member::Entity::find()
        .select_only()
        .column(member::Column::PersonRef)
        .filter(member::Column::HouseholdId.eq(household_id))
        .into_tuple()
        .all(tx)
        .await?;
    let rows = if refs.is_empty() {
        Vec::new()
    } else {
        staff_relative::Entity::find()
            .filter(staff_relative::Column::RelativeRef.is_in(refs))
            .filter(staff_relative::Column::WithdrawnOn.is_null())
            .order_by_asc(staff_relative::Column::Id)
            .all(tx)
            .await?
    };
    let declared = household::Entity::find_by_id(household_id)
        .one(tx)
        .await?
        .is_some_and(|h| h.staff_relative);
    if rows.is_empty() && !declared {
        return Ok(StaffRelativeLookup::NotRegistered);
    }
    let relations = rows
        .into_iter()
        .filter_map(|r| {
            let actor = staff_actor(&r.staff_subject, &r.staff_division)?;
            Some(StaffRelation {
                staff: actor.id,
                office: actor.office,
                relation: r.relation,
            })
        })
        .collect();
    Ok(StaffRelativeLookup::Registered { relations })
}

/// The domain actor of a registered staff member, by the same rule as a token's
/// (`commands::actor::actor_of`), so a registration matches the staff member's own requests.
fn staff_actor(subject: &str, division: &str) -> Option<crate::domain::actor::Actor> {
    let division = DivisionCode::parse(division).ok()?;
    let role = match division.level() {
        DivisionLevel::District => Role::DistrictOfficer,
        DivisionLevel::Township => Role::TownshipClerk,
        DivisionLevel::Village => Role::VillageStaff,
    };
    Some(actor_of(&Principal {
        subject: subject.to_owned(),
        role,
        division,
    }))
}

/// Registers a close relative of a staff member; township clerks register their township's and
/// villages' staff, district officers anyone's. A second active registration of the same pair is
/// refused.
pub async fn register(
    tx: &impl ConnectionTrait,
    key: &PersonRefKey,
    who: &Principal,
    input: &NewStaffRelative,
) -> Result<StaffRelativeView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    let mut problem = Refusal::invalid_fields(Vec::new());
    let division = DivisionCode::parse(input.staff_division.trim());
    match &division {
        Ok(d) if d.district().as_str() == kit::divisions::YUBEI => {}
        _ => {
            problem = problem.field(
                "staff_division",
                "must be the district code 500112, a township (9 digits) or a village (12 digits) in it",
            )
        }
    }
    let id_number = IdNumber::parse_entered(&input.relative_id_number, kit::clock::today());
    if let Err(e) = &id_number {
        problem = problem.field("relative_id_number", e.to_string());
    }
    for (field, value) in [
        ("staff_subject", &input.staff_subject),
        ("staff_name", &input.staff_name),
        ("relative_name", &input.relative_name),
    ] {
        if value.trim().is_empty() {
            problem = problem.field(field, "required");
        }
    }
    if !problem.errors.is_empty() {
        return Err(problem);
    }
    let (Ok(division), Ok(id_number)) = (division, id_number) else {
        return Err(problem);
    };
    who.require_scope(division.as_str())?;
    let relative_ref = key.person_ref(&id_number).as_str().to_owned();
    let subject = input.staff_subject.trim().to_owned();
    let existing = staff_relative::Entity::find()
        .filter(staff_relative::Column::StaffSubject.eq(subject.clone()))
        .filter(staff_relative::Column::RelativeRef.eq(relative_ref.clone()))
        .filter(staff_relative::Column::WithdrawnOn.is_null())
        .one(tx)
        .await?;
    if existing.is_some() {
        return Err(Refusal::conflict(
            "staff-relative-already-registered",
            "this staff member already registered this relative",
        )
        .field(
            "relative_id_number",
            "already registered for this staff member",
        ));
    }
    let model = staff_relative::Model {
        id: Uuid::now_v7(),
        staff_subject: subject,
        staff_name: input.staff_name.trim().to_owned(),
        staff_division: division.as_str().to_owned(),
        staff_post: input.staff_post.trim().to_owned(),
        relative_ref,
        relative_id_masked: id_number.masked(),
        relative_name: input.relative_name.trim().to_owned(),
        relation: input.relation.as_str().to_owned(),
        registered_on: today(),
        registered_by: who.subject.clone(),
        withdrawn_on: None,
        withdrawal_reason: None,
        version: 1,
    };
    staff_relative::Entity::insert(staff_relative::ActiveModel::from(model.clone()))
        .exec(tx)
        .await?;
    audit::record(
        tx,
        who,
        "register-staff-relative",
        "staff-relative",
        &model.id.to_string(),
        &format!("relation={}", model.relation),
    )
    .await?;
    Ok(model.into())
}

/// Why a registration ends (the staff member left the post, or it was recorded in error).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Withdrawal {
    pub reason: String,
}

/// Ends a registration; it stops counting from now on (past decisions keep their audit trail).
pub async fn withdraw(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &Withdrawal,
) -> Result<StaffRelativeView, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    if input.reason.trim().is_empty() {
        return Err(Refusal::invalid("reason", "required"));
    }
    let row = find_visible(tx, who, id).await?;
    if row.withdrawn_on.is_some() {
        return Err(Refusal::conflict(
            "staff-relative-withdrawn",
            "this registration was already withdrawn",
        ));
    }
    let result = staff_relative::Entity::update_many()
        .set(staff_relative::ActiveModel {
            withdrawn_on: Set(Some(today())),
            withdrawal_reason: Set(Some(input.reason.trim().to_owned())),
            version: Set(row.version + 1),
            ..Default::default()
        })
        .filter(staff_relative::Column::Id.eq(id))
        .filter(staff_relative::Column::Version.eq(row.version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    audit::record(
        tx,
        who,
        "withdraw-staff-relative",
        "staff-relative",
        &id.to_string(),
        input.reason.trim(),
    )
    .await?;
    Ok(find_visible(tx, who, id).await?.into())
}

/// A registration whose staff member works within the caller's division.
pub async fn find_visible(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<staff_relative::Model, Refusal> {
    staff_relative::Entity::find_by_id(id)
        .one(db)
        .await?
        .filter(|r| who.sees(&r.staff_division))
        .ok_or_else(|| Refusal::not_found("no such registration in your division"))
}

/// Registrations of staff within the caller's division, oldest first, one page.
pub async fn list(
    db: &impl ConnectionTrait,
    who: &Principal,
    cursor: Option<Uuid>,
    limit: u64,
) -> Result<Vec<StaffRelativeView>, Refusal> {
    who.require(&[
        Role::TownshipClerk,
        Role::TownshipApprover,
        Role::DistrictOfficer,
        Role::DistrictApprover,
        Role::Auditor,
    ])?;
    let mut q = staff_relative::Entity::find()
        .filter(staff_relative::Column::StaffDivision.starts_with(who.division.as_str()));
    if let Some(c) = cursor {
        q = q.filter(staff_relative::Column::Id.gt(c));
    }
    Ok(q.order_by_asc(staff_relative::Column::Id)
        .limit(limit)
        .all(db)
        .await?
        .into_iter()
        .map(Into::into)
        .collect())
}
