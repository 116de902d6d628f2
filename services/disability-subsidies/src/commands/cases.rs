//! Subsidy cases: opening, granting, changing the rate and ending, each with the event it causes
//! written to the outbox in the caller's transaction. One open case per person and subsidy (the
//! `open_key` column is unique while a case is open).

use chrono::NaiveDate;
use contracts::{
    common::{Month, PersonRef, TownshipCode, VillageCode},
    disability::{
        SubsidyChangeReason, SubsidyChanged, SubsidyEnded, SubsidyGranted, SubsidyKind,
        SubsidyOrigin,
    },
};
use kit::outbox::Outbox;
use sea_orm::{
    ActiveModelTrait, ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, IntoActiveModel,
    QueryFilter,
};
use uuid::Uuid;

use super::{CommandError, parse_snake, reference, snake};
use crate::{
    domain::months::{Stop, end_month, new_rate_from},
    store::entities::subsidy,
};

/// Statuses of a case: applied → reviewed → granted → ended; or rejected; or closed (stopped
/// before it was granted).
pub mod status {
    pub const APPLIED: &str = "applied";
    pub const REVIEWED: &str = "reviewed";
    pub const GRANTED: &str = "granted";
    pub const REJECTED: &str = "rejected";
    pub const CLOSED: &str = "closed";
    pub const ENDED: &str = "ended";
}

/// A case about to be opened.
#[derive(Debug, Clone)]
pub struct NewCase {
    pub person_ref: String,
    pub kind: SubsidyKind,
    pub origin: SubsidyOrigin,
    pub township_code: String,
    pub village_code: String,
    pub household_id: Option<Uuid>,
    pub received_at: String,
    pub cross_province: bool,
    pub applied_on: NaiveDate,
    pub start_month: Month,
    pub rate_level: u8,
    pub submitted_by: String,
}

fn open_key(person_ref: &str, kind: SubsidyKind) -> String {
    format!("{person_ref}|{}", snake(kind))
}

/// The kind of a stored case.
pub fn kind_of(case: &subsidy::Model) -> SubsidyKind {
    kind_named(&case.kind)
}

/// The subsidy kind stored as `kind`.
pub fn kind_named(kind: &str) -> SubsidyKind {
    parse_snake(kind).unwrap_or(SubsidyKind::Living)
}

/// The open case of a person for a subsidy.
pub async fn open_case(
    db: &impl ConnectionTrait,
    person_ref: &str,
    kind: SubsidyKind,
) -> Result<Option<subsidy::Model>, CommandError> {
    Ok(subsidy::Entity::find()
        .filter(subsidy::Column::OpenKey.eq(open_key(person_ref, kind)))
        .one(db)
        .await?)
}

/// Every open case of a person.
pub async fn open_cases(
    db: &impl ConnectionTrait,
    person_ref: &str,
) -> Result<Vec<subsidy::Model>, CommandError> {
    Ok(subsidy::Entity::find()
        .filter(subsidy::Column::PersonRef.eq(person_ref))
        .filter(subsidy::Column::OpenKey.is_not_null())
        .all(db)
        .await?)
}

/// Inserts a case in status `applied`.
pub async fn insert(
    db: &impl ConnectionTrait,
    new: NewCase,
) -> Result<subsidy::Model, CommandError> {
    let start = new.start_month.to_string();
    let model = subsidy::ActiveModel {
        id: Set(Uuid::now_v7()),
        open_key: Set(Some(open_key(&new.person_ref, new.kind))),
        person_ref: Set(new.person_ref),
        kind: Set(snake(new.kind)),
        origin: Set(snake(new.origin)),
        status: Set(status::APPLIED.to_owned()),
        township_code: Set(new.township_code),
        village_code: Set(new.village_code),
        household_id: Set(new.household_id),
        received_at: Set(new.received_at),
        cross_province: Set(new.cross_province),
        applied_on: Set(new.applied_on),
        application_month: Set(Month::from_date(new.applied_on).to_string()),
        start_month: Set(start.clone()),
        end_month: Set(None),
        end_reason: Set(None),
        rate_level: Set(i32::from(new.rate_level)),
        previous_rate_level: Set(None),
        rate_level_from: Set(None),
        monthly_amount_fen: Set(0),
        next_unpaid_month: Set(start),
        submitted_by: Set(new.submitted_by),
        reviewed_by: Set(None),
        reviewed_on: Set(None),
        decided_by: Set(None),
        decided_on: Set(None),
        decision_reason: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    };
    Ok(model.insert(db).await?)
}

fn place(case: &subsidy::Model) -> Result<(PersonRef, TownshipCode, VillageCode), CommandError> {
    let bad = |what: &str| CommandError::Outbox(format!("case {} has an invalid {what}", case.id));
    Ok((
        PersonRef::parse(&case.person_ref).map_err(|_| bad("person_ref"))?,
        TownshipCode::parse(&case.township_code).map_err(|_| bad("township_code"))?,
        VillageCode::parse(&case.village_code).map_err(|_| bad("village_code"))?,
    ))
}

/// Grants a case: the amount at the standard in force for its start month, status `granted`,
/// and `disability.subsidy.granted.v1`.
pub async fn grant(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    case: subsidy::Model,
    decided_by: &str,
    decided_on: NaiveDate,
) -> Result<subsidy::Model, CommandError> {
    let kind = kind_of(&case);
    let start: Month = case
        .start_month
        .parse()
        .map_err(|_| CommandError::Outbox("start month".into()))?;
    let level = u8::try_from(case.rate_level).unwrap_or(0);
    let standards = reference::standards(db).await?;
    let standard = standards.for_month(kind, level, start).ok_or_else(|| {
        CommandError::Reference(format!(
            "no {} standard for level {level} in {start}",
            snake(kind)
        ))
    })?;
    let (person_ref, township_code, village_code) = place(&case)?;
    let event = SubsidyGranted {
        subsidy_id: case.id,
        person_ref,
        kind,
        origin: parse_snake(&case.origin).unwrap_or(SubsidyOrigin::Application),
        household_id: case.household_id,
        start_month: start,
        monthly_amount_fen: standard.monthly.0,
        township_code,
        village_code,
        granted_on: decided_on,
    };
    let version = case.version;
    let mut active = case.into_active_model();
    active.status = Set(status::GRANTED.to_owned());
    active.monthly_amount_fen = Set(standard.monthly.0);
    active.decided_by = Set(Some(decided_by.to_owned()));
    active.decided_on = Set(Some(decided_on));
    active.version = Set(version + 1);
    let granted = active.update(db).await?;
    outbox.enqueue(db, &event).await?;
    Ok(granted)
}

/// Ends a case for `stop`. A granted case ends with `disability.subsidy.ended.v1`; a case not yet
/// granted is closed without an event; an ended case stays as it is. Returns the case when it
/// changed.
pub async fn end(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    case: subsidy::Model,
    stop: Stop,
    decided_on: NaiveDate,
) -> Result<Option<subsidy::Model>, CommandError> {
    if case.open_key.is_none() {
        return Ok(None);
    }
    let start: Month = case
        .start_month
        .parse()
        .map_err(|_| CommandError::Outbox("start month".into()))?;
    let last = end_month(stop, start, None);
    let granted = case.status == status::GRANTED;
    let event = if granted {
        let (person_ref, township_code, village_code) = place(&case)?;
        Some(SubsidyEnded {
            subsidy_id: case.id,
            person_ref,
            kind: kind_of(&case),
            reason: stop.reason(),
            end_month: last,
            township_code,
            village_code,
            ended_on: decided_on,
        })
    } else {
        None
    };
    let version = case.version;
    let mut active = case.into_active_model();
    active.status = Set(if granted {
        status::ENDED
    } else {
        status::CLOSED
    }
    .to_owned());
    active.open_key = Set(None);
    active.end_month = Set(Some(last.to_string()));
    active.end_reason = Set(Some(snake(stop.reason())));
    active.version = Set(version + 1);
    let ended = active.update(db).await?;
    if let Some(event) = event {
        outbox.enqueue(db, &event).await?;
    }
    Ok(Some(ended))
}

/// Moves a nursing case to a new level's rate from the month after the change (the old rate is
/// kept through the month of the change); `disability.subsidy.changed.v1` when granted.
pub async fn change_level(
    db: &impl ConnectionTrait,
    outbox: &Outbox,
    case: subsidy::Model,
    level: u8,
    changed_on: NaiveDate,
) -> Result<subsidy::Model, CommandError> {
    let from = new_rate_from(changed_on);
    let kind = kind_of(&case);
    let standards = reference::standards(db).await?;
    let amount = standards
        .for_month(kind, level, from)
        .map(|s| s.monthly.0)
        .ok_or_else(|| {
            CommandError::Reference(format!(
                "no {} standard for level {level} in {from}",
                snake(kind)
            ))
        })?;
    let event = if case.status == status::GRANTED {
        let (person_ref, township_code, village_code) = place(&case)?;
        Some(SubsidyChanged {
            subsidy_id: case.id,
            person_ref,
            kind,
            reason: SubsidyChangeReason::LevelChanged,
            effective_month: from,
            monthly_amount_fen: amount,
            township_code,
            village_code,
            changed_on,
        })
    } else {
        None
    };
    let (old, version) = (case.rate_level, case.version);
    let mut active = case.into_active_model();
    active.previous_rate_level = Set(Some(old));
    active.rate_level = Set(i32::from(level));
    active.rate_level_from = Set(Some(from.to_string()));
    active.monthly_amount_fen = Set(amount);
    active.version = Set(version + 1);
    let changed = active.update(db).await?;
    if let Some(event) = event {
        outbox.enqueue(db, &event).await?;
    }
    Ok(changed)
}
