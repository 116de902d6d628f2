//! Changes to a registered household (households must report changes in members, income and
//! property): a member joins or leaves, income items are replaced, property is added or disposed
//! of, the address changes. Each change is checked against the version the clerk read
//! (`If-Match`), appended to the household's change history, and — where the household is
//! enrolled — put before the approvers: the enrollment is flagged for review (the amount changes
//! only by an approver's decision), and a member joining or leaving updates the enrollment's
//! member lists at once (`aid.enrollment.changed.v1`, `members_changed`, amount unchanged).

use chrono::NaiveDate;
use kit::{
    Principal, Refusal, Role, audit,
    edge::problem::FieldError,
    identity::{IdNumber, PersonRefKey},
    outbox::Outbox,
};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    prelude::Expr,
};
use serde::{Deserialize, Serialize};
use serde_json::json;
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::enrollment::steps::members_changed;
use crate::commands::enrollment::{StoredEnrollment, lock_all, publish, save};
use crate::commands::households::{
    AssetInput, ChangeKind, IncomeInput, NewMember, Relationship, insert_asset, insert_income,
    insert_member, record_change, validate_asset, validate_income, validate_new_member,
};
use crate::commands::procedure::{snake, step_date, today};
use crate::domain::month::Month;
use crate::domain::programme::Programme;
use crate::store::benefits::review_flag;
use crate::store::household_register::{asset, former_member, income};
use crate::store::{enrollment, household, member};

/// Why a member joins the household.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum JoinReason {
    Birth,
    Marriage,
    Adoption,
    MovedIn,
    /// Back from prison, compulsory rehabilitation, or found after being declared missing.
    Returned,
    Other,
}

/// Why a member no longer counts in the household (research: who is not a 共同生活的家庭成员).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum LeaveReason {
    MovedOut,
    MarriedOut,
    Imprisoned,
    CompulsoryRehabilitation,
    DeclaredMissing,
    /// Religious clergy living apart for 3 years or more.
    Clergy,
    Other,
}

/// A member joining.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
#[schema(example = json!({"member": {"id_number": "500112201506010039", "name": "李明", "relationship": "child"}, "reason": "birth"}))]
pub struct JoinInput {
    pub member: NewMember,
    pub reason: JoinReason,
    /// Date of the change (default today; never in the future).
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// A member leaving.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct LeaveInput {
    pub reason: LeaveReason,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// A member's income items, replaced as a whole.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct IncomeChange {
    pub income: Vec<IncomeInput>,
    /// In work (the employment-cost deduction applies to work income); unchanged when absent.
    #[serde(default)]
    pub employed: Option<bool>,
    /// Able to work (sets the 6-month review cadence); unchanged when absent.
    #[serde(default)]
    pub able_to_work: Option<bool>,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// A property item added.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AssetChange {
    #[serde(flatten)]
    pub asset: AssetInput,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// A property item disposed of (sold, demolished, spent).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct DisposalInput {
    pub reason: String,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// A new address.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct AddressChange {
    pub address: String,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// The household if the caller may change it and nobody changed it since `version`; the version
/// is bumped in the same statement, so two concurrent changes cannot both pass.
async fn claim(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
) -> Result<household::Model, Refusal> {
    who.require(&[Role::TownshipClerk, Role::VillageStaff])?;
    let h = household::Entity::find_by_id(id)
        .one(tx)
        .await?
        .filter(|h| who.sees(&h.village_code))
        .ok_or_else(|| Refusal::not_found("no such household in your division"))?;
    who.require_scope(&h.village_code)?;
    let next = version
        .checked_add(1)
        .ok_or_else(Refusal::changed_meanwhile)?;
    let bumped = household::Entity::update_many()
        .col_expr(household::Column::Version, Expr::value(next))
        .filter(household::Column::Id.eq(id))
        .filter(household::Column::Version.eq(version))
        .exec(tx)
        .await?;
    if bumped.rows_affected == 0 {
        return Err(Refusal::changed_meanwhile());
    }
    Ok(household::Model { version: next, ..h })
}

async fn member_of(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
    member_id: Uuid,
) -> Result<member::Model, Refusal> {
    member::Entity::find_by_id(member_id)
        .one(tx)
        .await?
        .filter(|m| m.household_id == household_id)
        .ok_or_else(|| Refusal::not_found("no such member in this household"))
}

async fn active_enrollments(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
) -> Result<Vec<enrollment::Model>, Refusal> {
    Ok(lock_all(
        tx,
        Condition::all()
            .add(enrollment::Column::HouseholdId.eq(household_id))
            .add(enrollment::Column::Status.ne("ended")),
    )
    .await?)
}

/// Opens a review flag on a running enrollment for one change of the history (each change its
/// own flag, even two of a kind on one day).
async fn flag(
    tx: &impl ConnectionTrait,
    e: &enrollment::Model,
    person_ref: &str,
    kind: ChangeKind,
    change: Uuid,
    on: NaiveDate,
) -> Result<(), Refusal> {
    let key = format!("household_changed:{change}");
    review_flag::raise(
        tx,
        e,
        person_ref,
        "household_changed",
        &snake(kind),
        on,
        &key,
    )
    .await?;
    Ok(())
}

/// Flags every running enrollment of the household for review after a change.
async fn flag_enrollments(
    tx: &impl ConnectionTrait,
    household_id: Uuid,
    person_ref: &str,
    kind: ChangeKind,
    change: Uuid,
    on: NaiveDate,
) -> Result<(), Refusal> {
    for e in active_enrollments(tx, household_id).await? {
        flag(tx, &e, person_ref, kind, change, on).await?;
    }
    Ok(())
}

/// Updates the member lists of every running enrollment (a dibao household's benefit is for all
/// its members), publishes them at the unchanged amount, and flags each for review.
struct Moved<'a> {
    change: Uuid,
    joined: Option<Uuid>,
    left: Option<Uuid>,
    person_ref: &'a str,
    kind: ChangeKind,
    on: NaiveDate,
}

async fn members_moved(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    household_id: Uuid,
    moved: Moved<'_>,
) -> Result<(), Refusal> {
    let Moved {
        change,
        joined,
        left,
        person_ref,
        kind,
        on,
    } = moved;
    for row in active_enrollments(tx, household_id).await? {
        let mut stored = StoredEnrollment::from_row(row)?;
        let record = &mut stored.record;
        if record.enrollment.programme == Programme::Dibao
            && let Some(id) = joined
        {
            record.beneficiaries.push(id);
        }
        if let Some(id) = left {
            record.beneficiaries.retain(|b| *b != id);
        }
        let decided_on = on.max(record.enrollment.confirmed_on);
        let effective = Month::of(on).next().max(record.enrollment.start_month);
        let amount = record.enrollment.amount_for(effective);
        save(tx, &mut stored, today()).await?;
        // A gradual exit that ends before the effective month pays nothing more: no new lists.
        if let Some(amount) = amount {
            let event = members_changed(stored.row.id, amount, effective);
            publish(tx, outbox, &stored, &event, decided_on).await?;
        }
        flag(tx, &stored.row, person_ref, kind, change, on).await?;
        audit::record(
            tx,
            who,
            "household-members-changed",
            "enrollment",
            &stored.row.id.to_string(),
            &snake(kind),
        )
        .await?;
    }
    Ok(())
}

/// A member joins: validated like a registration, not already a member of any household, never
/// a second head.
pub async fn join(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    key: &PersonRefKey,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &JoinInput,
) -> Result<Uuid, Refusal> {
    let on = step_date(input.on)?;
    let mut errors = Vec::new();
    let id_number = validate_new_member("member.", &input.member, &mut errors);
    if input.member.relationship == Relationship::Head {
        errors.push(FieldError {
            field: "member.relationship".into(),
            reason: "the household has its head already".into(),
        });
    }
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    let id_number = id_number.ok_or_else(Refusal::internal)?;
    claim(tx, who, id, version).await?;
    let person_ref = key.person_ref(&id_number).as_str().to_owned();
    if member::Entity::find()
        .filter(member::Column::PersonRef.eq(person_ref.clone()))
        .one(tx)
        .await?
        .is_some()
    {
        return Err(Refusal::conflict(
            "member-already-registered",
            "this person already belongs to a registered household",
        )
        .field("member.id_number", "already registered in a household"));
    }
    let member_id =
        insert_member(tx, id, &input.member, &id_number, person_ref.clone(), on).await?;
    let change = record_change(
        tx,
        who,
        id,
        ChangeKind::MemberJoined,
        Some(member_id),
        on,
        json!({ "reason": input.reason, "relationship": input.member.relationship }),
    )
    .await?;
    members_moved(
        tx,
        outbox,
        who,
        id,
        Moved {
            change,
            joined: Some(member_id),
            left: None,
            person_ref: &person_ref,
            kind: ChangeKind::MemberJoined,
            on,
        },
    )
    .await?;
    Ok(member_id)
}

/// A member leaves: kept as a former member (masked ID number) with the history entry; refused
/// for the head, and for the beneficiary of a person's own enrollment (end it first).
pub async fn leave(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    member_id: Uuid,
    version: i32,
    input: &LeaveInput,
) -> Result<(), Refusal> {
    let on = step_date(input.on)?;
    claim(tx, who, id, version).await?;
    let m = member_of(tx, id, member_id).await?;
    if m.relationship == snake(Relationship::Head) {
        return Err(Refusal::conflict(
            "head-cannot-leave",
            "the head of household cannot leave; the household is registered anew",
        ));
    }
    for row in active_enrollments(tx, id).await? {
        let stored = StoredEnrollment::from_row(row)?;
        let own = matches!(
            stored.record.enrollment.programme,
            Programme::ExtremePoverty | Programme::SinglePersonDibao
        );
        if own && stored.record.beneficiaries.contains(&member_id) {
            return Err(Refusal::conflict(
                "member-is-beneficiary",
                format!(
                    "the member is the beneficiary of enrollment {}; end it first",
                    stored.row.id
                ),
            ));
        }
    }
    former_member::Entity::insert(former_member::ActiveModel {
        id: Set(m.id),
        household_id: Set(id),
        person_ref: Set(m.person_ref.clone()),
        masked_id_number: Set(IdNumber::parse(&m.id_number)
            .map(|i| i.masked())
            .unwrap_or_default()),
        name: Set(m.name.clone()),
        relationship: Set(m.relationship.clone()),
        left_on: Set(on),
        reason: Set(snake(input.reason)),
    })
    .exec(tx)
    .await?;
    income::Entity::delete_many()
        .filter(income::Column::MemberId.eq(m.id))
        .exec(tx)
        .await?;
    member::Entity::delete_by_id(m.id).exec(tx).await?;
    let change = record_change(
        tx,
        who,
        id,
        ChangeKind::MemberLeft,
        Some(m.id),
        on,
        json!({ "reason": input.reason, "relationship": m.relationship }),
    )
    .await?;
    members_moved(
        tx,
        outbox,
        who,
        id,
        Moved {
            change,
            joined: None,
            left: Some(m.id),
            person_ref: &m.person_ref,
            kind: ChangeKind::MemberLeft,
            on,
        },
    )
    .await
}

/// Replaces a member's income items (and optionally the work flags).
pub async fn change_income(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    member_id: Uuid,
    version: i32,
    input: &IncomeChange,
) -> Result<(), Refusal> {
    let on = step_date(input.on)?;
    let mut errors = Vec::new();
    validate_income("", &input.income, &mut errors);
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    claim(tx, who, id, version).await?;
    let m = member_of(tx, id, member_id).await?;
    income::Entity::delete_many()
        .filter(income::Column::MemberId.eq(m.id))
        .exec(tx)
        .await?;
    insert_income(tx, id, m.id, &input.income, on).await?;
    let after: i64 = input.income.iter().map(|i| i.monthly_fen).sum();
    member::Entity::update(member::ActiveModel {
        id: Set(m.id),
        monthly_income_fen: Set(after),
        employed: Set(input.employed.unwrap_or(m.employed)),
        able_to_work: Set(input.able_to_work.unwrap_or(m.able_to_work)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let change = record_change(
        tx,
        who,
        id,
        ChangeKind::IncomeChanged,
        Some(m.id),
        on,
        json!({
            "monthly_fen_before": m.monthly_income_fen,
            "monthly_fen_after": after,
            "kinds": input.income.iter().map(|i| snake(i.kind)).collect::<Vec<_>>(),
            "employed": input.employed.unwrap_or(m.employed),
            "able_to_work": input.able_to_work.unwrap_or(m.able_to_work),
        }),
    )
    .await?;
    flag_enrollments(tx, id, &m.person_ref, ChangeKind::IncomeChanged, change, on).await
}

/// Adds a property item.
pub async fn add_asset(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &AssetChange,
) -> Result<Uuid, Refusal> {
    let on = step_date(input.on)?;
    let mut errors = Vec::new();
    validate_asset("", &input.asset, &mut errors);
    if !errors.is_empty() {
        return Err(Refusal::invalid_fields(errors));
    }
    claim(tx, who, id, version).await?;
    if let Some(holder) = input.asset.member_id {
        member_of(tx, id, holder)
            .await
            .map_err(|_| Refusal::invalid("member_id", "not a member of this household"))?;
    }
    let asset_id = insert_asset(tx, id, &input.asset, on).await?;
    let change = record_change(
        tx,
        who,
        id,
        ChangeKind::PropertyAdded,
        input.asset.member_id,
        on,
        json!({
            "asset_id": asset_id,
            "kind": input.asset.kind,
            "value_fen": input.asset.value_fen,
            "exempt": input.asset.exempt,
        }),
    )
    .await?;
    flag_enrollments(tx, id, "", ChangeKind::PropertyAdded, change, on).await?;
    Ok(asset_id)
}

/// Marks a property item disposed of; it no longer counts from that date.
pub async fn dispose_asset(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    asset_id: Uuid,
    version: i32,
    input: &DisposalInput,
) -> Result<(), Refusal> {
    let on = step_date(input.on)?;
    if input.reason.trim().is_empty() {
        return Err(Refusal::invalid("reason", "required"));
    }
    claim(tx, who, id, version).await?;
    let a = asset::Entity::find_by_id(asset_id)
        .one(tx)
        .await?
        .filter(|a| a.household_id == id)
        .ok_or_else(|| Refusal::not_found("no such property item in this household"))?;
    if a.disposed_on.is_some() {
        return Err(Refusal::conflict(
            "already-disposed",
            "the property item was disposed of before",
        ));
    }
    if on < a.recorded_on {
        return Err(Refusal::invalid(
            "on",
            "cannot be before the item was recorded",
        ));
    }
    asset::Entity::update(asset::ActiveModel {
        id: Set(a.id),
        disposed_on: Set(Some(on)),
        disposal_reason: Set(Some(input.reason.trim().to_owned())),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    let change = record_change(
        tx,
        who,
        id,
        ChangeKind::PropertyDisposed,
        a.member_id,
        on,
        json!({ "asset_id": a.id, "kind": a.kind, "value_fen": a.value_fen }),
    )
    .await?;
    flag_enrollments(tx, id, "", ChangeKind::PropertyDisposed, change, on).await
}

/// Records a new address (same village; a move to another village is a new registration there).
pub async fn change_address(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    version: i32,
    input: &AddressChange,
) -> Result<(), Refusal> {
    let on = step_date(input.on)?;
    if input.address.trim().is_empty() {
        return Err(Refusal::invalid("address", "required"));
    }
    claim(tx, who, id, version).await?;
    household::Entity::update(household::ActiveModel {
        id: Set(id),
        address: Set(input.address.trim().to_owned()),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    record_change(tx, who, id, ChangeKind::AddressChanged, None, on, json!({})).await?;
    Ok(())
}
