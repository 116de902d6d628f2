//! Supervision (督办): the run that escalates overdue major matters one level up (a command taking
//! "today", driven by tests and by the periodic task), manual escalation for severity, and the
//! holder's report that a supervised matter is handled.

use std::time::Duration;

use chrono::NaiveDate;
use contracts::{
    common::TownshipCode,
    minor::{CaseEscalated, EscalationReason},
};
use kit::{Principal, Refusal, outbox::Outbox, service::Platform};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, ConnectionTrait, DatabaseConnection, EntityTrait, QueryFilter,
    QueryOrder, QuerySelect, TransactionTrait,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{
    access::load,
    cases::{Recorded, record_action, save},
    china_today, not_future, outbox_problem, reference, system, wire,
};
use crate::domain::{
    access::Access,
    level::Level,
    reference::Reference,
    supervision::{Decision, Supervised, deadline, decide},
};
use crate::store::{case, escalation};

/// What a run did.
#[derive(Debug, Clone, Default, Serialize, Deserialize, ToSchema)]
pub struct RunReport {
    pub today: Option<NaiveDate>,
    /// Cases handed one level up.
    pub escalated: Vec<Uuid>,
    /// Overdue cases whose escalation to the next level was raised before.
    pub already_raised: Vec<Uuid>,
    /// Overdue cases at the district centre, with no level above.
    pub at_top: Vec<Uuid>,
}

/// Moves `c` one level up in the caller's transaction and writes `minor.case.escalated.v1`.
#[allow(clippy::too_many_arguments)]
async fn move_up(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    c: &case::Model,
    to_unit: &str,
    due_on: NaiveDate,
    reason: EscalationReason,
    on: NaiveDate,
) -> Result<i32, Refusal> {
    let from_level = Level::of_code(&c.owner_unit).ok_or_else(Refusal::internal)?;
    let to_level = Level::of_code(to_unit).ok_or_else(Refusal::internal)?;
    escalation::Entity::insert(escalation::ActiveModel {
        id: Set(Uuid::now_v7()),
        case_id: Set(c.id),
        from_level: Set(from_level.as_str().into()),
        to_level: Set(to_level.as_str().into()),
        from_unit: Set(c.owner_unit.clone()),
        to_unit: Set(to_unit.to_owned()),
        reason: Set(wire(reason)),
        raised_for: Set(
            (reason == EscalationReason::DeadlineMissed).then(|| to_level.as_str().to_owned())
        ),
        escalated_on: Set(on),
        due_on: Set(Some(due_on)),
    })
    .exec(tx)
    .await
    .map_err(|e| match e.sql_err() {
        Some(sea_orm::SqlErr::UniqueConstraintViolation(_)) => {
            Refusal::conflict("escalation-raised", "this escalation was raised already")
        }
        _ => e.into(),
    })?;
    let changes = case::ActiveModel {
        owner_unit: Set(to_unit.to_owned()),
        major: Set(true),
        due_on: Set(Some(due_on)),
        ..Default::default()
    };
    let version = save(tx, c.id, c.version, changes).await?;
    let event = CaseEscalated {
        case_id: c.id,
        from_level: from_level.contract(),
        to_level: to_level.contract(),
        reason,
        due_on,
        township_code: TownshipCode::parse(&c.township_code).map_err(|_| Refusal::internal())?,
        escalated_on: on,
    };
    outbox.enqueue(tx, &event).await.map_err(outbox_problem)?;
    let summary = format!(
        "{} → {} ({})",
        from_level.as_str(),
        to_level.as_str(),
        wire(reason)
    );
    record_action(tx, who, c.id, "escalation", on, &summary, "").await?;
    Ok(version)
}

/// Escalates every supervised matter overdue on `today`, each in its own transaction; an
/// escalation another replica raised first is skipped (the database holds one per case and level).
pub async fn run(
    db: &DatabaseConnection,
    outbox: &Outbox,
    today: NaiveDate,
) -> Result<RunReport, Refusal> {
    let refs: Reference = reference::load(db).await?;
    let overdue = case::Entity::find()
        .filter(case::Column::Status.eq("open"))
        .filter(case::Column::Major.eq(true))
        .filter(case::Column::DueOn.lt(today))
        .filter(case::Column::SupervisionDoneOn.is_null())
        .filter(case::Column::ChildDeceasedOn.is_null())
        .order_by_asc(case::Column::Id)
        .all(db)
        .await?;
    let mut report = RunReport {
        today: Some(today),
        ..Default::default()
    };
    let who = system("minor-protection/supervision");
    for c in overdue {
        let tx = db.begin().await?;
        // Locked, as a command locks it: a command on the case meanwhile waits for this one.
        let Some(c) = case::Entity::find_by_id(c.id)
            .lock_exclusive()
            .one(&tx)
            .await?
        else {
            continue;
        };
        let Some(due_on) = c.due_on else { continue };
        let raised: Vec<Level> = escalation::Entity::find()
            .filter(escalation::Column::CaseId.eq(c.id))
            .all(&tx)
            .await?
            .iter()
            .filter_map(|e| e.raised_for.as_deref().and_then(Level::parse))
            .collect();
        let decision = decide(
            &refs,
            &Supervised {
                holder: &c.owner_unit,
                due_on,
                escalated_to: &raised,
            },
            today,
        )
        .map_err(reference::missing)?;
        match decision {
            Decision::InTime => {}
            Decision::AlreadyRaised => report.already_raised.push(c.id),
            Decision::AtTop => report.at_top.push(c.id),
            Decision::Escalate {
                to_unit, due_on, ..
            } => {
                match move_up(
                    &tx,
                    outbox,
                    &who,
                    &c,
                    &to_unit,
                    due_on,
                    EscalationReason::DeadlineMissed,
                    today,
                )
                .await
                {
                    Ok(_) => {
                        tx.commit().await?;
                        report.escalated.push(c.id);
                    }
                    Err(p)
                        if matches!(
                            p.class,
                            kit::refusal::Class::Stale | kit::refusal::Class::Conflict
                        ) =>
                    {
                        // Raised meanwhile by another replica (unique index) or the case changed.
                        tracing::info!(case = %c.id, "escalation skipped: raised or changed meanwhile");
                    }
                    Err(p) => return Err(p),
                }
                continue;
            }
        }
    }
    outbox.wake();
    Ok(report)
}

/// Runs supervision at start-up and then every `interval`, with China's date as "today".
pub async fn run_periodically(platform: Platform, interval: Duration) {
    let mut ticker = tokio::time::interval(interval);
    ticker.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    loop {
        tokio::select! {
            () = platform.stop.cancelled() => return,
            _ = ticker.tick() => {}
        }
        match run(&platform.db, &platform.outbox, china_today()).await {
            Ok(r) if !r.escalated.is_empty() => {
                tracing::info!(escalated = r.escalated.len(), "supervision run")
            }
            Ok(_) => {}
            Err(p) => {
                tracing::warn!(problem = ?p.detail, "supervision run failed; retrying at the next tick")
            }
        }
    }
}

/// Why the holder escalates by hand.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ManualReason {
    Severity,
    GuardianshipInterventionNeeded,
    RepeatedReport,
    Other,
}

/// A manual escalation.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct Escalation {
    pub reason: ManualReason,
    pub escalated_on: NaiveDate,
    #[serde(default)]
    pub notes: String,
}

/// The holder hands the case one level up; the higher level supervises it from then on.
pub async fn escalate(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &Escalation,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "escalate the case")?;
    loaded.require_open()?;
    if loaded.pending_transfer.is_some() {
        return Err(Refusal::conflict(
            "transfer-pending",
            "answer the pending transfer first",
        ));
    }
    let on = not_future("escalated_on", input.escalated_on)?;
    let to_unit = Level::parent_unit(&loaded.case.owner_unit)
        .ok_or_else(|| Refusal::conflict("at-top", "the district centre has no level above"))?;
    let to_level = Level::of_code(to_unit).ok_or_else(Refusal::internal)?;
    let refs = reference::load(tx).await?;
    let due_on = deadline(&refs, to_level, on).map_err(reference::missing)?;
    let reason = match input.reason {
        ManualReason::Severity => EscalationReason::Severity,
        ManualReason::GuardianshipInterventionNeeded => {
            EscalationReason::GuardianshipInterventionNeeded
        }
        ManualReason::RepeatedReport => EscalationReason::RepeatedReport,
        ManualReason::Other => EscalationReason::Other,
    };
    let version = move_up(tx, outbox, who, &loaded.case, to_unit, due_on, reason, on).await?;
    if !input.notes.is_empty() {
        record_action(tx, who, id, "note", on, "escalation notes", &input.notes).await?;
    }
    Ok(Recorded {
        id,
        case_id: id,
        version,
        due_on: Some(due_on),
    })
}

/// The holder's report on a supervised matter.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SupervisionReport {
    pub completed_on: NaiveDate,
    pub notes: String,
}

/// The holder reports the supervised matter handled (办结): no more escalation.
pub async fn complete(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    input: &SupervisionReport,
) -> Result<Recorded, Refusal> {
    let loaded = load(tx, who, id).await?;
    loaded.require(Access::Owner, "report on the supervised matter")?;
    loaded.require_open()?;
    if !loaded.case.major || loaded.case.supervision_done_on.is_some() {
        return Err(Refusal::conflict(
            "not-supervised",
            "the case has no open supervised matter",
        ));
    }
    let on = not_future("completed_on", input.completed_on)?;
    if input.notes.trim().is_empty() {
        return Err(Refusal::invalid("notes", "say how the matter was handled"));
    }
    let changes = case::ActiveModel {
        supervision_done_on: Set(Some(on)),
        ..Default::default()
    };
    let version = save(tx, id, loaded.case.version, changes).await?;
    record_action(
        tx,
        who,
        id,
        "supervision_completed",
        on,
        "supervised matter handled",
        &input.notes,
    )
    .await?;
    Ok(Recorded {
        id,
        case_id: id,
        version,
        due_on: loaded.case.due_on,
    })
}
