//! Visit plans: creating and cancelling them, recording visits, and the periodic check that raises
//! `elderly.visit.overdue.v1` once per missed due date.

use chrono::NaiveDate;
use contracts::{
    common::{PersonRef, TownshipCode, VillageCode},
    elderly::VisitOverdue,
};
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait, sea_query::OnConflict,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{ApplyError, reference};
use crate::{
    domain::{
        reference::Parameter,
        schedule::{self, PlanState, Schedule},
    },
    store::{overdue_alert, visit, visit_plan},
};

/// What a plan is for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum VisitPlanKind {
    /// 分散特困探访: a person in dispersed extreme-poverty support.
    DispersedSupport,
    /// A left-behind rural older person.
    LeftBehind,
}

impl VisitPlanKind {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::DispersedSupport => "dispersed_support",
            Self::LeftBehind => "left_behind",
        }
    }

    /// The reference parameter holding this kind's interval.
    pub fn interval_parameter(self) -> Parameter {
        match self {
            Self::DispersedSupport => Parameter::DispersedSupportVisitIntervalMonths,
            Self::LeftBehind => Parameter::LeftBehindVisitIntervalMonths,
        }
    }
}

/// Status values of a plan.
pub const ACTIVE: &str = "active";
/// A plan that no longer applies (death, enrollment ended, support mode changed…).
pub const CANCELLED: &str = "cancelled";

/// Who a new plan is for and where.
pub struct NewPlan<'a> {
    pub kind: VisitPlanKind,
    pub person_ref: &'a str,
    pub enrollment_id: Option<Uuid>,
    pub left_behind_elder_id: Option<Uuid>,
    pub township_code: &'a str,
    pub village_code: &'a str,
    /// The day the plan is made; due dates count from it.
    pub anchor_on: NaiveDate,
}

/// Creates an active plan with the interval in force on its anchor day.
pub async fn create_plan(
    tx: &impl ConnectionTrait,
    plan: NewPlan<'_>,
) -> Result<visit_plan::Model, ApplyError> {
    let interval = reference::require(tx, plan.kind.interval_parameter(), plan.anchor_on).await?;
    let schedule = Schedule::new(plan.anchor_on, interval).map_err(|_| reference::NotInForce {
        parameter: plan.kind.interval_parameter().key(),
        scope: String::new(),
        on: plan.anchor_on,
    })?;
    let state = PlanState::new(&schedule);
    let model = visit_plan::ActiveModel {
        id: Set(Uuid::now_v7()),
        kind: Set(plan.kind.as_str().to_owned()),
        person_ref: Set(plan.person_ref.to_owned()),
        enrollment_id: Set(plan.enrollment_id),
        left_behind_elder_id: Set(plan.left_behind_elder_id),
        township_code: Set(plan.township_code.to_owned()),
        village_code: Set(plan.village_code.to_owned()),
        anchor_on: Set(plan.anchor_on),
        interval_months: Set(schedule.interval_months() as i32),
        next_due_on: Set(state.next_due_on),
        missed_visits: Set(0),
        last_visited_on: Set(None),
        status: Set(ACTIVE.to_owned()),
        cancel_reason: Set(None),
        cancelled_on: Set(None),
        created_at: Set(kit::clock::now()),
        version: Set(1),
    };
    Ok(visit_plan::Entity::insert(model)
        .exec_with_returning(tx)
        .await?)
}

/// Cancels the active plans matching `filter` (reason and day recorded); returns how many.
pub async fn cancel_plans(
    tx: &impl ConnectionTrait,
    filter: sea_orm::Condition,
    reason: &str,
    on: NaiveDate,
) -> Result<u64, sea_orm::DbErr> {
    // Locked in id order (as every writer of several plans takes them): the version each
    // cancellation writes is the plan's current one, and a visit being recorded waits.
    let plans = visit_plan::Entity::find()
        .filter(filter)
        .filter(visit_plan::Column::Status.eq(ACTIVE))
        .order_by_asc(visit_plan::Column::Id)
        .lock_exclusive()
        .all(tx)
        .await?;
    for p in &plans {
        visit_plan::Entity::update_many()
            .set(visit_plan::ActiveModel {
                status: Set(CANCELLED.to_owned()),
                cancel_reason: Set(Some(reason.to_owned())),
                cancelled_on: Set(Some(on)),
                version: Set(p.version + 1),
                ..Default::default()
            })
            .filter(visit_plan::Column::Id.eq(p.id))
            .exec(tx)
            .await?;
        tracing::info!(visit_plan = %p.id, reason, "visit plan cancelled");
    }
    Ok(plans.len() as u64)
}

/// A visit as recorded.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct NewVisit {
    pub visited_on: NaiveDate,
    /// What the visitor found (living conditions, health, needs).
    pub findings: String,
    /// Whether something needs follow-up by the township.
    #[serde(default)]
    pub needs_follow_up: bool,
}

/// A plan as the edge shows it.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct VisitPlanView {
    pub id: Uuid,
    #[schema(value_type = String)]
    pub kind: String,
    pub person_ref: String,
    pub enrollment_id: Option<Uuid>,
    pub left_behind_elder_id: Option<Uuid>,
    pub township_code: String,
    pub village_code: String,
    pub anchor_on: NaiveDate,
    pub interval_months: i32,
    pub next_due_on: NaiveDate,
    /// Consecutive due dates missed (0 after a visit).
    pub missed_visits: i32,
    pub last_visited_on: Option<NaiveDate>,
    /// `active` or `cancelled`.
    pub status: String,
    pub cancel_reason: Option<String>,
    pub cancelled_on: Option<NaiveDate>,
    pub version: i32,
}

impl From<visit_plan::Model> for VisitPlanView {
    fn from(p: visit_plan::Model) -> Self {
        Self {
            id: p.id,
            kind: p.kind,
            person_ref: p.person_ref,
            enrollment_id: p.enrollment_id,
            left_behind_elder_id: p.left_behind_elder_id,
            township_code: p.township_code,
            village_code: p.village_code,
            anchor_on: p.anchor_on,
            interval_months: p.interval_months,
            next_due_on: p.next_due_on,
            missed_visits: p.missed_visits,
            last_visited_on: p.last_visited_on,
            status: p.status,
            cancel_reason: p.cancel_reason,
            cancelled_on: p.cancelled_on,
            version: p.version,
        }
    }
}

fn schedule_of(p: &visit_plan::Model) -> Result<Schedule, ApplyError> {
    Schedule::new(p.anchor_on, i64::from(p.interval_months))
        .map_err(|_| ApplyError::Contract("interval"))
}

fn state_of(p: &visit_plan::Model) -> PlanState {
    PlanState {
        next_due_on: p.next_due_on,
        missed_visits: u32::try_from(p.missed_visits).unwrap_or(0),
        last_visited_on: p.last_visited_on,
    }
}

/// A plan the caller may see.
pub async fn visible_plan(
    db: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<visit_plan::Model, Refusal> {
    in_division(visit_plan::Entity::find_by_id(id).one(db).await?, who)
}

fn in_division(
    plan: Option<visit_plan::Model>,
    who: &Principal,
) -> Result<visit_plan::Model, Refusal> {
    plan.filter(|p| who.sees(&p.village_code))
        .ok_or_else(|| Refusal::not_found("no such visit plan in your division"))
}

/// A plan the caller may see, for a command: its row locked until the command's transaction ends
/// (`SELECT … FOR UPDATE` on PostgreSQL; SQLite has one writer at a time), so an enrollment change
/// or a death handled meanwhile waits for the visit instead of failing it as "changed meanwhile".
pub async fn plan_to_change(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
) -> Result<visit_plan::Model, Refusal> {
    let plan = visit_plan::Entity::find_by_id(id)
        .lock_exclusive()
        .one(tx)
        .await?;
    in_division(plan, who)
}

/// Records a visit (village staff or township clerks of the plan's area) and moves the plan on.
pub async fn record_visit(
    tx: &impl ConnectionTrait,
    who: &Principal,
    plan_id: Uuid,
    input: &NewVisit,
    today: NaiveDate,
) -> Result<VisitPlanView, Refusal> {
    who.require(&[Role::VillageStaff, Role::TownshipClerk])?;
    let plan = plan_to_change(tx, who, plan_id).await?;
    if plan.status != ACTIVE {
        return Err(Refusal::conflict(
            "visit-plan-cancelled",
            format!(
                "the plan was cancelled ({})",
                plan.cancel_reason.clone().unwrap_or_default()
            ),
        ));
    }
    if input.visited_on > today {
        return Err(Refusal::invalid("visited_on", "cannot be in the future"));
    }
    if input.visited_on < plan.anchor_on {
        return Err(Refusal::invalid("visited_on", "is before the plan started"));
    }
    if input.findings.trim().is_empty() {
        return Err(Refusal::invalid(
            "findings",
            "required: what the visitor found",
        ));
    }
    let next = schedule::record_visit(&schedule_of(&plan)?, state_of(&plan), input.visited_on);
    let updated = visit_plan::Entity::update_many()
        .set(visit_plan::ActiveModel {
            next_due_on: Set(next.next_due_on),
            missed_visits: Set(next.missed_visits as i32),
            last_visited_on: Set(next.last_visited_on),
            version: Set(plan.version + 1),
            ..Default::default()
        })
        .filter(visit_plan::Column::Id.eq(plan.id))
        .filter(visit_plan::Column::Version.eq(plan.version))
        .exec(tx)
        .await?;
    if updated.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    let visit_id = Uuid::now_v7();
    visit::Entity::insert(visit::ActiveModel {
        id: Set(visit_id),
        visit_plan_id: Set(plan.id),
        visited_on: Set(input.visited_on),
        visitor: Set(who.subject.clone()),
        findings: Set(input.findings.trim().to_owned()),
        needs_follow_up: Set(input.needs_follow_up),
        recorded_at: Set(kit::clock::now()),
    })
    .exec(tx)
    .await?;
    audit::record(
        tx,
        who,
        "record-visit",
        "visit-plan",
        &plan.id.to_string(),
        &visit_id.to_string(),
    )
    .await?;
    let plan = visit_plan::Entity::find_by_id(plan.id)
        .one(tx)
        .await?
        .ok_or_else(Refusal::internal)?;
    Ok(plan.into())
}

/// A recorded visit as shown.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct VisitView {
    pub id: Uuid,
    pub visited_on: NaiveDate,
    pub visitor: String,
    pub findings: String,
    pub needs_follow_up: bool,
}

/// The visits of a plan, newest first.
pub async fn visits_of(
    db: &impl ConnectionTrait,
    plan_id: Uuid,
) -> Result<Vec<VisitView>, Refusal> {
    Ok(visit::Entity::find()
        .filter(visit::Column::VisitPlanId.eq(plan_id))
        .order_by_desc(visit::Column::VisitedOn)
        .all(db)
        .await?
        .into_iter()
        .map(|v| VisitView {
            id: v.id,
            visited_on: v.visited_on,
            visitor: v.visitor,
            findings: v.findings,
            needs_follow_up: v.needs_follow_up,
        })
        .collect())
}

/// What one run of the overdue check did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, ToSchema)]
pub struct CheckReport {
    /// The day checked.
    pub today: Option<NaiveDate>,
    /// Plans looked at (active, due before today).
    pub examined: u64,
    /// Plans newly found overdue (each dispersed-support one publishes an event).
    pub raised: u64,
}

/// Checks every active plan on `today` and counts missed due dates; for dispersed support it
/// raises `elderly.visit.overdue.v1` for each one not yet reported. Each plan is its own
/// transaction; the plan's version (and the unique alert row) make a concurrent run (another
/// replica) raise nothing twice. Safe to run any number of times a day.
pub async fn check_overdue(
    db: &DatabaseConnection,
    outbox: &Outbox,
    today: NaiveDate,
) -> Result<CheckReport, ApplyError> {
    let grace = reference::require(db, Parameter::VisitOverdueGraceDays, today).await?;
    let candidates = visit_plan::Entity::find()
        .filter(visit_plan::Column::Status.eq(ACTIVE))
        .filter(visit_plan::Column::NextDueOn.lt(today))
        .order_by_asc(visit_plan::Column::Id)
        .all(db)
        .await?;
    let mut report = CheckReport {
        today: Some(today),
        ..Default::default()
    };
    for candidate in candidates {
        report.examined += 1;
        if raise_if_overdue(db, outbox, candidate.id, today, grace).await? {
            report.raised += 1;
        }
    }
    if report.raised > 0 {
        outbox.wake();
        tracing::info!(raised = report.raised, %today, "overdue visits raised");
    }
    Ok(report)
}

async fn raise_if_overdue(
    db: &DatabaseConnection,
    outbox: &Outbox,
    plan_id: Uuid,
    today: NaiveDate,
    grace: i64,
) -> Result<bool, ApplyError> {
    let tx = db.begin().await?;
    let Some(plan) = visit_plan::Entity::find_by_id(plan_id)
        .one(&tx)
        .await?
        .filter(|p| p.status == ACTIVE)
    else {
        return Ok(false);
    };
    let Some((next, overdue)) =
        schedule::check_overdue(&schedule_of(&plan)?, state_of(&plan), today, grace)
    else {
        return Ok(false);
    };
    // The contract's overdue event is about dispersed extreme-poverty support; a left-behind
    // plan's missed visits show on the edge (`overdue=true`) without an event.
    let inserted = if plan.kind == VisitPlanKind::DispersedSupport.as_str() {
        let event_id = outbox
            .enqueue(&tx, &overdue_event(&plan, overdue, today)?)
            .await?;
        overdue_alert::Entity::insert(overdue_alert::ActiveModel {
            id: Set(Uuid::now_v7()),
            visit_plan_id: Set(plan.id),
            due_on: Set(overdue.due_on),
            missed_visits: Set(overdue.missed_visits as i32),
            detected_on: Set(today),
            event_id: Set(event_id),
        })
        .on_conflict(
            OnConflict::columns([
                overdue_alert::Column::VisitPlanId,
                overdue_alert::Column::DueOn,
            ])
            .do_nothing()
            .to_owned(),
        )
        .exec_without_returning(&tx)
        .await?
    } else {
        1
    };
    let moved = visit_plan::Entity::update_many()
        .set(visit_plan::ActiveModel {
            next_due_on: Set(next.next_due_on),
            missed_visits: Set(next.missed_visits as i32),
            version: Set(plan.version + 1),
            ..Default::default()
        })
        .filter(visit_plan::Column::Id.eq(plan.id))
        .filter(visit_plan::Column::Version.eq(plan.version))
        .exec(&tx)
        .await?;
    if inserted != 1 || moved.rows_affected != 1 {
        // Someone else raised it (another replica) or the plan changed meanwhile.
        tx.rollback().await?;
        return Ok(false);
    }
    tx.commit().await?;
    Ok(true)
}

fn overdue_event(
    plan: &visit_plan::Model,
    overdue: schedule::Overdue,
    today: NaiveDate,
) -> Result<VisitOverdue, ApplyError> {
    Ok(VisitOverdue {
        visit_plan_id: plan.id,
        person_ref: PersonRef::parse(&plan.person_ref)
            .map_err(|_| ApplyError::Contract("person_ref"))?,
        enrollment_id: plan.enrollment_id,
        due_on: overdue.due_on,
        last_visited_on: plan.last_visited_on,
        missed_visits: overdue.missed_visits,
        township_code: TownshipCode::parse(&plan.township_code)
            .map_err(|_| ApplyError::Contract("township_code"))?,
        village_code: VillageCode::parse(&plan.village_code)
            .map_err(|_| ApplyError::Contract("village_code"))?,
        detected_on: today,
        plan_kind: Some(contracts::elderly::VisitPlanKind::DispersedSupport),
    })
}
