//! Aid enrollments as elderly-care sees them: a person in dispersed extreme-poverty support gets a
//! visit plan; when the enrollment ends, changes to institutional support or drops the person, the
//! plan is cancelled. Events on different subjects may arrive in any order, so what is known of
//! each enrollment is kept, and an ended enrollment whose start arrives late plans nothing.

use chrono::NaiveDate;
use contracts::aid::{
    EnrollmentChanged, EnrollmentEnded, EnrollmentStarted, Programme, SupportMode,
};
use contracts::common::PersonRef;
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
    QuerySelect,
};
use uuid::Uuid;

use super::{
    ApplyError,
    visits::{self, NewPlan, VisitPlanKind},
};
use crate::store::{death, enrollment, visit_plan};
use kit::wire::name as snake;

/// The state an enrollment event carries.
struct Facts<'a> {
    id: Uuid,
    household_id: Uuid,
    programme: Programme,
    support_mode: Option<SupportMode>,
    township_code: &'a str,
    village_code: &'a str,
    beneficiaries: &'a [PersonRef],
}

fn model(
    f: &Facts<'_>,
    confirmed_on: Option<NaiveDate>,
    ended_on: Option<NaiveDate>,
) -> enrollment::ActiveModel {
    enrollment::ActiveModel {
        id: Set(f.id),
        household_id: Set(f.household_id),
        programme: Set(snake(f.programme)),
        support_mode: Set(f.support_mode.map(snake)),
        township_code: Set(f.township_code.to_owned()),
        village_code: Set(f.village_code.to_owned()),
        beneficiaries: Set(serde_json::to_string(f.beneficiaries).unwrap_or_else(|_| "[]".into())),
        confirmed_on: Set(confirmed_on),
        ended_on: Set(ended_on),
        updated_at: Set(kit::clock::now()),
    }
}

/// What applying an enrollment event did to visit plans.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct PlanChanges {
    pub created: u64,
    pub cancelled: u64,
}

/// `aid.enrollment.started.v1`: remember the enrollment and plan visits for dispersed support.
pub async fn enrollment_started(
    tx: &impl ConnectionTrait,
    e: &EnrollmentStarted,
) -> Result<PlanChanges, ApplyError> {
    let facts = Facts {
        id: e.enrollment_id,
        household_id: e.household_id,
        programme: e.programme,
        support_mode: e.support_mode,
        township_code: e.township_code.as_str(),
        village_code: e.village_code.as_str(),
        beneficiaries: &e.beneficiaries,
    };
    match enrollment::Entity::find_by_id(e.enrollment_id)
        .one(tx)
        .await?
    {
        Some(known) if known.ended_on.is_some() => {
            tracing::info!(enrollment = %e.enrollment_id, "start of an enrollment already ended: nothing to plan");
            return Ok(PlanChanges::default());
        }
        // A change arrived first and carries the newer state: only the confirmation date is new.
        Some(known) => {
            enrollment::Entity::update(enrollment::ActiveModel {
                id: Set(known.id),
                confirmed_on: Set(Some(e.confirmed_on)),
                ..Default::default()
            })
            .exec(tx)
            .await?;
            return sync_plans(tx, e.enrollment_id, e.confirmed_on).await;
        }
        None => {
            enrollment::Entity::insert(model(&facts, Some(e.confirmed_on), None))
                .exec(tx)
                .await?;
        }
    }
    sync_plans(tx, e.enrollment_id, e.confirmed_on).await
}

/// `aid.enrollment.changed.v1`: the enrollment's whole new state; plans follow it.
pub async fn enrollment_changed(
    tx: &impl ConnectionTrait,
    e: &EnrollmentChanged,
) -> Result<PlanChanges, ApplyError> {
    let facts = Facts {
        id: e.enrollment_id,
        household_id: e.household_id,
        programme: e.programme,
        support_mode: e.support_mode,
        township_code: e.township_code.as_str(),
        village_code: e.village_code.as_str(),
        beneficiaries: &e.beneficiaries,
    };
    match enrollment::Entity::find_by_id(e.enrollment_id)
        .one(tx)
        .await?
    {
        Some(known) if known.ended_on.is_some() => return Ok(PlanChanges::default()),
        Some(known) => {
            enrollment::Entity::update(model(&facts, known.confirmed_on, None))
                .exec(tx)
                .await?;
        }
        None => {
            enrollment::Entity::insert(model(&facts, None, None))
                .exec(tx)
                .await?;
        }
    }
    sync_plans(tx, e.enrollment_id, e.changed_on).await
}

/// `aid.enrollment.ended.v1`: cancel the enrollment's plans (and remember the end, in case its
/// start is still on its way).
pub async fn enrollment_ended(
    tx: &impl ConnectionTrait,
    e: &EnrollmentEnded,
) -> Result<PlanChanges, ApplyError> {
    match enrollment::Entity::find_by_id(e.enrollment_id)
        .one(tx)
        .await?
    {
        Some(known) => {
            enrollment::Entity::update(enrollment::ActiveModel {
                id: Set(known.id),
                ended_on: Set(Some(e.ended_on)),
                updated_at: Set(kit::clock::now()),
                ..Default::default()
            })
            .exec(tx)
            .await?;
        }
        None => {
            let facts = Facts {
                id: e.enrollment_id,
                household_id: e.household_id,
                programme: e.programme,
                support_mode: None,
                township_code: e.township_code.as_str(),
                village_code: e.village_code.as_str(),
                beneficiaries: &e.beneficiaries,
            };
            enrollment::Entity::insert(model(&facts, None, Some(e.ended_on)))
                .exec(tx)
                .await?;
        }
    }
    let cancelled = visits::cancel_plans(
        tx,
        Condition::all().add(visit_plan::Column::EnrollmentId.eq(e.enrollment_id)),
        "enrollment_ended",
        e.ended_on,
    )
    .await?;
    Ok(PlanChanges {
        created: 0,
        cancelled,
    })
}

/// Brings the enrollment's plans in line with what is known of it: one active dispersed-support
/// plan per living beneficiary while it is dispersed extreme poverty, none otherwise. New plans are
/// anchored on `as_of` (the confirmation or change date).
async fn sync_plans(
    tx: &impl ConnectionTrait,
    enrollment_id: Uuid,
    as_of: NaiveDate,
) -> Result<PlanChanges, ApplyError> {
    let Some(e) = enrollment::Entity::find_by_id(enrollment_id)
        .one(tx)
        .await?
    else {
        return Ok(PlanChanges::default());
    };
    let dispersed = e.ended_on.is_none()
        && e.programme == snake(Programme::ExtremePoverty)
        && e.support_mode.as_deref() == Some(snake(SupportMode::Dispersed).as_str());
    let beneficiaries: Vec<String> = serde_json::from_str(&e.beneficiaries).unwrap_or_default();
    let dead: Vec<String> = death::Entity::find()
        .filter(death::Column::PersonRef.is_in(beneficiaries.clone()))
        .all(tx)
        .await?
        .into_iter()
        .map(|d| d.person_ref)
        .collect();
    let wanted: Vec<&String> = if dispersed {
        beneficiaries.iter().filter(|p| !dead.contains(p)).collect()
    } else {
        Vec::new()
    };
    let mut changes = PlanChanges::default();
    let reason = if dispersed {
        "no_longer_beneficiary"
    } else {
        "support_ended"
    };
    let unwanted = Condition::all()
        .add(visit_plan::Column::EnrollmentId.eq(enrollment_id))
        .add(visit_plan::Column::PersonRef.is_not_in(wanted.iter().map(|s| s.as_str())));
    changes.cancelled = visits::cancel_plans(tx, unwanted, reason, as_of).await?;
    let kind = VisitPlanKind::DispersedSupport.as_str();
    for person in wanted {
        // Locked: the version written below is the plan's current one.
        let active = visit_plan::Entity::find()
            .filter(visit_plan::Column::Kind.eq(kind))
            .filter(visit_plan::Column::PersonRef.eq(person.as_str()))
            .filter(visit_plan::Column::Status.eq(visits::ACTIVE))
            .lock_exclusive()
            .one(tx)
            .await?;
        match active {
            // Already planned (perhaps under an earlier enrollment): keep the rhythm, follow this
            // enrollment and its place.
            Some(p) => {
                if p.enrollment_id != Some(enrollment_id) || p.village_code != e.village_code {
                    visit_plan::Entity::update_many()
                        .set(visit_plan::ActiveModel {
                            enrollment_id: Set(Some(enrollment_id)),
                            township_code: Set(e.township_code.clone()),
                            village_code: Set(e.village_code.clone()),
                            version: Set(p.version + 1),
                            ..Default::default()
                        })
                        .filter(visit_plan::Column::Id.eq(p.id))
                        .exec(tx)
                        .await?;
                }
            }
            None => {
                visits::create_plan(
                    tx,
                    NewPlan {
                        kind: VisitPlanKind::DispersedSupport,
                        person_ref: person,
                        enrollment_id: Some(enrollment_id),
                        left_behind_elder_id: None,
                        township_code: &e.township_code,
                        village_code: &e.village_code,
                        anchor_on: as_of,
                    },
                )
                .await?;
                changes.created += 1;
            }
        }
    }
    Ok(changes)
}
