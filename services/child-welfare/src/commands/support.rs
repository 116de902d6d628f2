//! A registered child supported as extreme poverty (特困人员供养) by aid does not draw the basic
//! living allowance for the same months (domain::support). aid's enrollment events are kept as
//! support periods per person_ref; after each one the child's allowance is reconciled: stopped
//! (`child.allowance.ended.v1`, reason `other`) the month before the support starts and held, then
//! started again (`child.allowance.started.v1`) the first month the support no longer covers, if
//! the child is still registered and eligible. A registration approved while the support runs is
//! held from the start.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use contracts::{
    aid::{EnrollmentChanged, EnrollmentEnded, EnrollmentStarted, Programme},
    child::AllowanceEndReason,
    common::{Month, PersonRef},
};
use kit::{Principal, Refusal, audit, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DbErr, EntityTrait, QueryFilter, QueryOrder,
    TryInsertResult,
};
use serde::Serialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    holds::{insert_hold, open_hold, periods},
    lifecycle::{Ending, close_child, end_allowance, start_allowance},
    records::{self, ChildRecord, system},
};
use crate::{
    domain::{
        category::{Category, word},
        support::{Decision, reconcile},
    },
    store::{
        child,
        support::{hold, period},
    },
};

async fn release(
    tx: &impl ConnectionTrait,
    h: &hold::Model,
    outcome: &str,
    resumed: Option<Uuid>,
    today: NaiveDate,
) -> Result<(), Refusal> {
    hold::Entity::update(hold::ActiveModel {
        id: Set(h.id),
        outcome: Set(Some(outcome.to_owned())),
        resumed_allowance_id: Set(resumed),
        released_on: Set(Some(today)),
        ..Default::default()
    })
    .exec(tx)
    .await?;
    Ok(())
}

/// Starts the held allowance again from `from` when the child is still registered, alive, not
/// adopted and eligible (the predicate today); otherwise the registration closes with the reason.
async fn resume(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    record: &ChildRecord,
    h: &hold::Model,
    from: Month,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let c = &record.child;
    if c.deceased_on.is_some() || c.adopted_on.is_some() {
        return release(tx, h, "closed", None, today).await;
    }
    let reference = records::reference(tx).await?;
    let assessment = record.assess(&reference, today)?;
    let Some(category) = Category::paid_under(assessment.outcome, c.hiv_infected) else {
        close_child(tx, c, &assessment.reason).await?;
        audit::record(
            tx,
            who,
            "reevaluate",
            "child",
            &c.id.to_string(),
            &assessment.reason,
        )
        .await?;
        return release(tx, h, "closed", None, today).await;
    };
    let mut current = record.clone();
    if word(category) != c.category {
        child::Entity::update(child::ActiveModel {
            id: Set(c.id),
            category: Set(word(category)),
            version: Set(c.version + 1),
            ..Default::default()
        })
        .exec(tx)
        .await?;
        current.child.category = word(category);
        current.child.version += 1;
    }
    match start_allowance(tx, outbox, &reference, &current, category, from, today).await {
        Ok(Some(a)) => release(tx, h, "resumed", Some(a.id), today).await,
        // Covered again meanwhile: stays held.
        Ok(None) => Ok(()),
        Err(p) if p.kind.ends_with("no-longer-entitled") => {
            close_child(tx, c, p.detail.as_deref().unwrap_or("no longer entitled")).await?;
            release(tx, h, "not_entitled", None, today).await
        }
        Err(p) => Err(p),
    }
}

/// Reconciles the allowance of every registered child with this person_ref against its support.
async fn reconcile_person(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    person_ref: &str,
    today: NaiveDate,
) -> Result<(), Refusal> {
    let who = system("extreme-poverty-support");
    let registered = child::Entity::find()
        .filter(child::Column::PersonRef.eq(person_ref))
        .filter(child::Column::Status.eq("registered"))
        .all(tx)
        .await?;
    if registered.is_empty() {
        return Ok(());
    }
    let support = periods(tx, person_ref).await?;
    for c in registered {
        let record = records::load(tx, c.id)
            .await?
            .ok_or_else(Refusal::internal)?;
        let active = record.active_allowance().cloned();
        let held = open_hold(tx, c.id).await?;
        let running = active.as_ref().and_then(|a| a.start_month.parse().ok());
        let held_from = held.as_ref().and_then(|h| h.held_from.parse().ok());
        match reconcile(&support, running, held_from, Month::from_date(today)) {
            Decision::Nothing => {}
            Decision::Stop { last_month } => {
                let Some(a) = active else { continue };
                let ending = Ending {
                    reason: AllowanceEndReason::Other,
                    end_month: last_month,
                    ended_on: today,
                };
                end_allowance(tx, outbox, &who, &record.child, &a, ending).await?;
                insert_hold(tx, c.id, last_month.next(), Some(a.id), today).await?;
            }
            Decision::Resume { from } => {
                if let Some(h) = held {
                    resume(tx, outbox, &who, &record, &h, from, today).await?;
                }
            }
        }
    }
    Ok(())
}

/// The row of `enrollment` for `person_ref`, inserted as `row` when there is none; answers the
/// row that was there before, if any.
async fn insert_or_existing(
    tx: &impl ConnectionTrait,
    row: period::Model,
) -> Result<Option<period::Model>, DbErr> {
    let (enrollment, person) = (row.enrollment_id, row.person_ref.clone());
    let inserted = period::Entity::insert(period::ActiveModel::from(row))
        .on_conflict_do_nothing_on([period::Column::EnrollmentId, period::Column::PersonRef])
        .exec(tx)
        .await?;
    if matches!(inserted, TryInsertResult::Inserted(_)) {
        return Ok(None);
    }
    period::Entity::find()
        .filter(period::Column::EnrollmentId.eq(enrollment))
        .filter(period::Column::PersonRef.eq(person))
        .one(tx)
        .await
}

fn new_period(
    enrollment: Uuid,
    person: &PersonRef,
    from: Option<Month>,
    to: Option<Month>,
) -> period::Model {
    period::Model {
        id: Uuid::now_v7(),
        enrollment_id: enrollment,
        person_ref: person.as_str().to_owned(),
        from_month: from.map(|m| m.to_string()),
        to_month: to.map(|m| m.to_string()),
        updated_at: kit::clock::now(),
    }
}

async fn set_period(
    tx: &impl ConnectionTrait,
    id: Uuid,
    from: Option<Option<Month>>,
    to: Option<Option<Month>>,
) -> Result<(), DbErr> {
    let mut change = period::ActiveModel {
        id: Set(id),
        updated_at: Set(kit::clock::now()),
        ..Default::default()
    };
    if let Some(f) = from {
        change.from_month = Set(f.map(|m| m.to_string()));
    }
    if let Some(t) = to {
        change.to_month = Set(t.map(|m| m.to_string()));
    }
    period::Entity::update(change).exec(tx).await?;
    Ok(())
}

fn month_of(s: Option<&str>) -> Option<Month> {
    s.and_then(|m| m.parse().ok())
}

/// `aid.enrollment.started.v1`: an extreme-poverty enrollment supports its beneficiaries from its
/// start month; other programmes do not concern the allowance.
pub async fn record_started(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &EnrollmentStarted,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if e.programme != Programme::ExtremePoverty {
        return Ok(());
    }
    for person in &e.beneficiaries {
        let row = new_period(e.enrollment_id, person, Some(e.start_month), None);
        if let Some(existing) = insert_or_existing(tx, row).await? {
            // Only the end had arrived: the start completes it.
            if existing.from_month.is_none() {
                set_period(tx, existing.id, Some(Some(e.start_month)), None).await?;
            }
        }
        reconcile_person(tx, outbox, person.as_str(), today).await?;
    }
    Ok(())
}

/// `aid.enrollment.changed.v1`: beneficiaries added are supported from the effective month,
/// those no longer named stop being supported the month before.
pub async fn record_changed(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &EnrollmentChanged,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if e.programme != Programme::ExtremePoverty {
        return Ok(());
    }
    let named: BTreeSet<&str> = e.beneficiaries.iter().map(PersonRef::as_str).collect();
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for person in &e.beneficiaries {
        let row = new_period(e.enrollment_id, person, Some(e.effective_month), None);
        if let Some(existing) = insert_or_existing(tx, row).await? {
            // Named again after leaving the enrollment: supported anew from this month.
            if month_of(existing.to_month.as_deref()).is_some_and(|t| t < e.effective_month) {
                set_period(tx, existing.id, Some(Some(e.effective_month)), Some(None)).await?;
            }
        }
        touched.insert(person.as_str().to_owned());
    }
    let gone = period::Entity::find()
        .filter(period::Column::EnrollmentId.eq(e.enrollment_id))
        .filter(period::Column::ToMonth.is_null())
        .all(tx)
        .await?
        .into_iter()
        .filter(|p| !named.contains(p.person_ref.as_str()));
    for p in gone {
        set_period(tx, p.id, None, Some(Some(e.effective_month.prev()))).await?;
        touched.insert(p.person_ref);
    }
    for person in touched {
        reconcile_person(tx, outbox, &person, today).await?;
    }
    Ok(())
}

/// `aid.enrollment.ended.v1`: the support of everyone still in the enrollment ends with its last
/// month paid; the held children may draw the allowance again.
pub async fn record_ended(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    e: &EnrollmentEnded,
    today: NaiveDate,
) -> Result<(), Refusal> {
    if e.programme != Programme::ExtremePoverty {
        return Ok(());
    }
    let mut touched: BTreeSet<String> = BTreeSet::new();
    for person in &e.beneficiaries {
        let row = new_period(e.enrollment_id, person, None, Some(e.end_month));
        if insert_or_existing(tx, row).await?.is_none() {
            touched.insert(person.as_str().to_owned());
        }
    }
    let open = period::Entity::find()
        .filter(period::Column::EnrollmentId.eq(e.enrollment_id))
        .filter(period::Column::ToMonth.is_null())
        .all(tx)
        .await?;
    for p in open {
        set_period(tx, p.id, None, Some(Some(e.end_month))).await?;
        touched.insert(p.person_ref);
    }
    for person in touched {
        reconcile_person(tx, outbox, &person, today).await?;
    }
    Ok(())
}

/// A support period as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct PeriodView {
    pub enrollment_id: Uuid,
    /// First month supported (`YYYY-MM`), unknown while only the end has arrived.
    pub from_month: Option<String>,
    /// Last month supported; none while it runs.
    pub to_month: Option<String>,
}

/// A hold as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct HoldView {
    pub held_from: String,
    pub stopped_allowance_id: Option<Uuid>,
    pub held_on: NaiveDate,
    /// resumed, closed or not_entitled; none while held.
    pub outcome: Option<String>,
    pub resumed_allowance_id: Option<Uuid>,
    pub released_on: Option<NaiveDate>,
}

/// The child's extreme-poverty support and the holds it put on the allowance.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct SupportView {
    pub child_id: Uuid,
    /// The allowance is held now because of the support.
    pub held: bool,
    pub periods: Vec<PeriodView>,
    pub holds: Vec<HoldView>,
}

/// The support view of a child the caller may see.
pub async fn view(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<SupportView, Refusal> {
    let record = records::load_visible(db, who, id).await?;
    let periods = period::Entity::find()
        .filter(period::Column::PersonRef.eq(record.child.person_ref.clone()))
        .order_by_asc(period::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|p| PeriodView {
            enrollment_id: p.enrollment_id,
            from_month: p.from_month,
            to_month: p.to_month,
        })
        .collect();
    let holds: Vec<HoldView> = hold::Entity::find()
        .filter(hold::Column::ChildId.eq(id))
        .order_by_asc(hold::Column::Id)
        .all(db)
        .await?
        .into_iter()
        .map(|h| HoldView {
            held_from: h.held_from,
            stopped_allowance_id: h.stopped_allowance_id,
            held_on: h.held_on,
            outcome: h.outcome,
            resumed_allowance_id: h.resumed_allowance_id,
            released_on: h.released_on,
        })
        .collect();
    Ok(SupportView {
        child_id: id,
        held: holds.iter().any(|h| h.outcome.is_none()),
        periods,
        holds,
    })
}
