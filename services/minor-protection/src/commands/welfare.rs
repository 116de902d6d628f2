//! What child-welfare announces about children (`child.registered.v1`, `child.allowance.*`), kept by
//! person_ref so a case can show whether its child is registered and paid, and so a child already
//! supported is not flagged again. A registration, and an allowance's end, are noted on the open
//! cases of the child.

use chrono::NaiveDate;
use contracts::{
    child::{AllowanceChanged, AllowanceEnded, AllowanceStarted, Registered},
    common::Month,
};
use kit::Refusal;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, DbErr, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TryInsertResult,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    cases::{record_action, save},
    from_wire, system, wire,
};
use crate::domain::welfare::{Allowance, AllowanceState, Registration, Standing};
use crate::store::{case, welfare_allowance as allowance, welfare_child as child};

/// The child's standing with child-welfare, in the case's full view.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChildWelfareView {
    /// Registered by child-welfare as an orphan or de facto unsupported child.
    pub registered: bool,
    /// orphan or de_facto_unsupported (the current allowance's, else the registration's).
    pub category: Option<String>,
    /// institutional or family_based.
    pub care_mode: Option<String>,
    pub registered_on: Option<NaiveDate>,
    /// not_started, running or ended.
    pub allowance: String,
    /// First month paid (running), or the month after the last one paid (ended).
    #[schema(value_type = Option<String>)]
    pub allowance_since: Option<Month>,
    /// Last month paid, once ended.
    #[schema(value_type = Option<String>)]
    pub allowance_last_month: Option<Month>,
    /// Why it ended (the contract's reasons).
    pub allowance_end_reason: Option<String>,
}

/// The standing of the child `person_ref` from what has arrived.
pub async fn standing(db: &impl ConnectionTrait, person_ref: &str) -> Result<Standing, DbErr> {
    let registration = child::Entity::find_by_id(person_ref.to_owned())
        .one(db)
        .await?
        .and_then(|c| {
            Some(Registration {
                category: from_wire(&c.category)?,
                care_mode: from_wire(&c.care_mode)?,
                registered_on: c.registered_on,
            })
        });
    let allowances: Vec<Allowance> = allowance::Entity::find()
        .filter(allowance::Column::PersonRef.eq(person_ref))
        .all(db)
        .await?
        .iter()
        .map(|a| Allowance {
            start_month: a.start_month.as_deref().and_then(|m| m.parse().ok()),
            category: a.category.as_deref().and_then(from_wire),
            care_mode: a.care_mode.as_deref().and_then(from_wire),
            end_month: a.end_month.as_deref().and_then(|m| m.parse().ok()),
            end_reason: a.end_reason.as_deref().and_then(from_wire),
            ended_on: a.ended_on,
        })
        .collect();
    Ok(Standing::new(registration, &allowances))
}

/// The view of a child's standing; `None` when child-welfare never announced anything about it.
pub async fn view(
    db: &impl ConnectionTrait,
    person_ref: &str,
) -> Result<Option<ChildWelfareView>, DbErr> {
    let s = standing(db, person_ref).await?;
    if s.registration.is_none() && s.current.is_none() {
        return Ok(None);
    }
    let mut v = ChildWelfareView {
        registered: s.registration.is_some(),
        category: s.category().map(wire),
        care_mode: s.care_mode().map(wire),
        registered_on: s.registration.map(|r| r.registered_on),
        allowance: "not_started".into(),
        allowance_since: None,
        allowance_last_month: None,
        allowance_end_reason: None,
    };
    match s.allowance() {
        AllowanceState::NotStarted => {}
        AllowanceState::Running { since } => {
            v.allowance = "running".into();
            v.allowance_since = Some(since);
        }
        AllowanceState::Ended {
            last_month, reason, ..
        } => {
            v.allowance = "ended".into();
            v.allowance_since = Some(last_month.next());
            v.allowance_last_month = Some(last_month);
            v.allowance_end_reason = Some(wire(reason));
        }
    }
    Ok(Some(v))
}

/// Whether the child is registered with child-welfare at all (the restricted view's flag).
pub async fn is_registered(db: &impl ConnectionTrait, person_ref: &str) -> Result<bool, DbErr> {
    Ok(child::Entity::find_by_id(person_ref.to_owned())
        .one(db)
        .await?
        .is_some())
}

/// The summary of a note, seen by every viewer: the restricted view shows the registration as a
/// flag only, so what changed (category, months, reason) is in the detail, for the holder.
const CHANGED: &str = "child-welfare's record of the child changed";

/// Notes a fact on every open case of the child.
async fn note_on_cases(
    tx: &impl ConnectionTrait,
    person_ref: &str,
    kind: &str,
    on: NaiveDate,
    summary: &str,
    detail: &str,
) -> Result<Vec<Uuid>, Refusal> {
    let who = system("minor-protection/child-welfare");
    let cases = case::Entity::find()
        .filter(case::Column::ChildPersonRef.eq(person_ref))
        .filter(case::Column::Status.eq("open"))
        // Locked in id order, as commands lock a case: a command on the case waits for the note.
        .order_by_asc(case::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    let mut noted = Vec::new();
    for c in cases {
        save(tx, c.id, c.version, case::ActiveModel::default()).await?;
        record_action(tx, &who, c.id, kind, on, summary, detail).await?;
        noted.push(c.id);
    }
    Ok(noted)
}

/// `child.registered.v1`: keeps the registration (a later one replaces an earlier one) and notes
/// it on the child's open cases. The same registration again changes nothing. Returns the cases
/// noted.
pub async fn record_registration(
    tx: &impl ConnectionTrait,
    event: &Registered,
) -> Result<Vec<Uuid>, Refusal> {
    let person_ref = event.person_ref.as_str().to_owned();
    let row = child::ActiveModel {
        person_ref: Set(person_ref.clone()),
        child_id: Set(event.child_id),
        category: Set(wire(event.category)),
        care_mode: Set(wire(event.care_mode)),
        origin: Set(wire(event.origin)),
        registered_on: Set(event.registered_on),
        township_code: Set(event.township_code.as_str().to_owned()),
        village_code: Set(event.village_code.as_str().to_owned()),
        updated_at: Set(kit::clock::now()),
    };
    let inserted = child::Entity::insert(row.clone())
        .on_conflict_do_nothing_on([child::Column::PersonRef])
        .exec(tx)
        .await?;
    if !matches!(inserted, TryInsertResult::Inserted(_)) {
        // Another registration of the same child replaces the one kept only when it is newer.
        let replaced = child::Entity::update_many()
            .set(row)
            .filter(child::Column::PersonRef.eq(person_ref.clone()))
            .filter(child::Column::ChildId.ne(event.child_id))
            .filter(child::Column::RegisteredOn.lte(event.registered_on))
            .exec(tx)
            .await?;
        if replaced.rows_affected == 0 {
            return Ok(Vec::new());
        }
    }
    let detail = format!(
        "registered as {} ({}) on {}",
        wire(event.category),
        wire(event.care_mode),
        event.registered_on
    );
    note_on_cases(
        tx,
        &person_ref,
        "child_welfare",
        event.registered_on,
        CHANGED,
        &detail,
    )
    .await
}

/// A new allowance row, only its id and child filled.
fn allowance_row(allowance_id: Uuid, person_ref: &str, child_id: Uuid) -> allowance::ActiveModel {
    allowance::ActiveModel {
        allowance_id: Set(allowance_id),
        person_ref: Set(person_ref.to_owned()),
        child_id: Set(child_id),
        start_month: Set(None),
        category: Set(None),
        care_mode: Set(None),
        basis_month: Set(None),
        end_month: Set(None),
        end_reason: Set(None),
        ended_on: Set(None),
        updated_at: Set(kit::clock::now()),
    }
}

/// Inserts `row` unless the allowance is already known; returns whether it was inserted.
async fn insert_new(tx: &impl ConnectionTrait, row: allowance::ActiveModel) -> Result<bool, DbErr> {
    let inserted = allowance::Entity::insert(row)
        .on_conflict_do_nothing_on([allowance::Column::AllowanceId])
        .exec(tx)
        .await?;
    Ok(matches!(inserted, TryInsertResult::Inserted(_)))
}

/// Sets the allowance's basis (category, care mode from `month`) unless a later basis is known.
async fn apply_basis(
    tx: &impl ConnectionTrait,
    allowance_id: Uuid,
    category: String,
    care_mode: String,
    month: &str,
) -> Result<(), DbErr> {
    allowance::Entity::update_many()
        .set(allowance::ActiveModel {
            category: Set(Some(category)),
            care_mode: Set(Some(care_mode)),
            basis_month: Set(Some(month.to_owned())),
            updated_at: Set(kit::clock::now()),
            ..Default::default()
        })
        .filter(allowance::Column::AllowanceId.eq(allowance_id))
        .filter(
            Condition::any()
                .add(allowance::Column::BasisMonth.is_null())
                .add(allowance::Column::BasisMonth.lte(month)),
        )
        .exec(tx)
        .await?;
    Ok(())
}

/// `child.allowance.started.v1`: the allowance runs from its start month (a change that arrived
/// first keeps its later basis).
pub async fn record_allowance_started(
    tx: &impl ConnectionTrait,
    event: &AllowanceStarted,
) -> Result<(), DbErr> {
    let person_ref = event.person_ref.as_str();
    let start = event.start_month.to_string();
    let mut row = allowance_row(event.allowance_id, person_ref, event.child_id);
    row.start_month = Set(Some(start.clone()));
    row.category = Set(Some(wire(event.category)));
    row.care_mode = Set(Some(wire(event.care_mode)));
    row.basis_month = Set(Some(start.clone()));
    if insert_new(tx, row).await? {
        return Ok(());
    }
    allowance::Entity::update_many()
        .set(allowance::ActiveModel {
            start_month: Set(Some(start.clone())),
            updated_at: Set(kit::clock::now()),
            ..Default::default()
        })
        .filter(allowance::Column::AllowanceId.eq(event.allowance_id))
        .exec(tx)
        .await?;
    apply_basis(
        tx,
        event.allowance_id,
        wire(event.category),
        wire(event.care_mode),
        &start,
    )
    .await
}

/// `child.allowance.changed.v1`: a new category or care mode from its effective month, unless a
/// later change is already known.
pub async fn record_allowance_changed(
    tx: &impl ConnectionTrait,
    event: &AllowanceChanged,
) -> Result<(), DbErr> {
    let month = event.effective_month.to_string();
    let mut row = allowance_row(
        event.allowance_id,
        event.person_ref.as_str(),
        event.child_id,
    );
    row.category = Set(Some(wire(event.category)));
    row.care_mode = Set(Some(wire(event.care_mode)));
    row.basis_month = Set(Some(month.clone()));
    if insert_new(tx, row).await? {
        return Ok(());
    }
    apply_basis(
        tx,
        event.allowance_id,
        wire(event.category),
        wire(event.care_mode),
        &month,
    )
    .await
}

/// `child.allowance.ended.v1`: the allowance's last month and reason (the first end announced is
/// kept), noted on the child's open cases. Returns the cases noted.
pub async fn record_allowance_ended(
    tx: &impl ConnectionTrait,
    event: &AllowanceEnded,
) -> Result<Vec<Uuid>, Refusal> {
    let person_ref = event.person_ref.as_str();
    let last = event.end_month.to_string();
    let mut row = allowance_row(event.allowance_id, person_ref, event.child_id);
    row.end_month = Set(Some(last.clone()));
    row.end_reason = Set(Some(wire(event.reason)));
    row.ended_on = Set(Some(event.ended_on));
    let newly_ended = insert_new(tx, row).await?
        || allowance::Entity::update_many()
            .set(allowance::ActiveModel {
                end_month: Set(Some(last.clone())),
                end_reason: Set(Some(wire(event.reason))),
                ended_on: Set(Some(event.ended_on)),
                updated_at: Set(kit::clock::now()),
                ..Default::default()
            })
            .filter(allowance::Column::AllowanceId.eq(event.allowance_id))
            .filter(allowance::Column::EndMonth.is_null())
            .exec(tx)
            .await?
            .rows_affected
            > 0;
    if !newly_ended {
        return Ok(Vec::new());
    }
    let detail = format!(
        "allowance ended ({}), last month paid {last}",
        wire(event.reason)
    );
    note_on_cases(
        tx,
        person_ref,
        "child_welfare",
        event.ended_on,
        CHANGED,
        &detail,
    )
    .await
}
