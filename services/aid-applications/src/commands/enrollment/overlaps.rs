//! One benefit per person. Programmes that pay the same person for the same month exclude each
//! other: a member paid extreme-poverty support is not counted in the household's dibao (which is
//! recomputed from the first month of that support, or ended when nobody is left) and loses a
//! single-person dibao; a household in dibao has every member covered, so its single-person dibao
//! and marginal enrollments end when the dibao starts, and new applications for them are refused
//! while it runs.

use chrono::NaiveDate;
use kit::{Principal, Refusal, audit, outbox::Outbox};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter};
use uuid::Uuid;

use crate::commands::enrollment::steps::members_changed;
use crate::commands::enrollment::{StoredEnrollment, application_of, lock_all, publish, save};
use crate::commands::procedure::facts::{Register, build_household};
use crate::commands::procedure::{enrollment_refused, snake};
use crate::commands::reference::load_parameters;
use crate::domain::benefit::assess;
use crate::domain::enrollment::{ChangeReason, EndReason, EnrollmentError, EnrollmentEvent};
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::programme::{Claim, Programme};
use crate::store::benefits::review_flag;
use crate::store::enrollment;
use crate::store::procedure_verification;

/// Refuses an application whose programme a running enrollment of the household already covers:
/// single-person dibao or marginal while the household is in dibao, and single-person dibao for a
/// member paid extreme-poverty support.
pub async fn refuse_covered(
    db: &impl ConnectionTrait,
    household_id: Uuid,
    claim: &Claim,
) -> Result<(), Refusal> {
    let programme = claim.programme();
    if !matches!(
        programme,
        Programme::SinglePersonDibao | Programme::Marginal
    ) {
        return Ok(());
    }
    let running = enrollment::Entity::find()
        .filter(enrollment::Column::HouseholdId.eq(household_id))
        .filter(enrollment::Column::Status.ne("ended"))
        .all(db)
        .await?;
    if let Some(dibao) = running.iter().find(|e| e.programme == "dibao") {
        return Err(Refusal::conflict(
            "covered-by-dibao",
            format!(
                "the household is in dibao (enrollment {}): every member is covered, so {} \
                 cannot be paid beside it",
                dibao.id,
                snake(programme)
            ),
        ));
    }
    if let Claim::SinglePersonDibao { member } = claim {
        for e in running.iter().filter(|e| e.programme == "extreme_poverty") {
            let stored = StoredEnrollment::from_row(e.clone())?;
            if stored.record.beneficiaries.contains(member) {
                return Err(Refusal::conflict(
                    "member-in-extreme-poverty-support",
                    format!(
                        "the member is paid extreme-poverty support (enrollment {})",
                        e.id
                    ),
                ));
            }
        }
    }
    Ok(())
}

/// Settles the household's enrollments once `started` (just saved, paid from the month after
/// `decided_on`) is in place: each other running one the new enrollment excludes changes or ends
/// before that month; a new dibao itself leaves out the members paid extreme-poverty support by
/// then. Publishes what it did; enrollments are locked in id order.
pub async fn settle(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    started: &mut StoredEnrollment,
    decided_on: NaiveDate,
) -> Result<usize, Refusal> {
    let rows = lock_all(
        tx,
        Condition::all()
            .add(enrollment::Column::HouseholdId.eq(started.row.household_id))
            .add(enrollment::Column::Status.ne("ended")),
    )
    .await?;
    let new_programme = started.record.enrollment.programme;
    let new_id = started.row.id;
    let new_beneficiaries = started.record.beneficiaries.clone();
    let mut settled = 0;
    for row in rows {
        let is_new = row.id == started.row.id;
        let mut other = StoredEnrollment::from_row(row)?;
        let target = if is_new { &mut *started } else { &mut other };
        let event = match (new_programme, target.record.enrollment.programme, is_new) {
            (Programme::Dibao, Programme::Dibao, true)
            | (Programme::ExtremePoverty, Programme::Dibao, false) => {
                match without_supported(tx, target, decided_on).await? {
                    Some(event) => event,
                    None => continue,
                }
            }
            (Programme::ExtremePoverty, Programme::SinglePersonDibao, false)
                if target.record.beneficiaries == new_beneficiaries =>
            {
                stop(target, decided_on)?
            }
            (Programme::Dibao, Programme::SinglePersonDibao | Programme::Marginal, false) => {
                stop(target, decided_on)?
            }
            _ => continue,
        };
        save(tx, target, decided_on).await?;
        publish(tx, outbox, target, &event, decided_on).await?;
        audit::record(
            tx,
            who,
            "one-benefit-per-person",
            "enrollment",
            &target.row.id.to_string(),
            &format!(
                "{} {} started: {}",
                snake(new_programme),
                new_id,
                serde_json::to_string(&event).unwrap_or_default()
            ),
        )
        .await?;
        settled += 1;
    }
    Ok(settled)
}

/// Ends `other` with the decision month as its last paid month: the new enrollment pays from the
/// month after.
fn stop(other: &mut StoredEnrollment, decided_on: NaiveDate) -> Result<EnrollmentEvent, Refusal> {
    other
        .record
        .enrollment
        .stop(decided_on, EndReason::EnteredOtherProgramme)
        .map_err(enrollment_refused)
}

/// The dibao without the members paid extreme-poverty support from the month after the decision
/// (the first month of that support, or the dibao's own first month): recomputed with the
/// household as the rules count it then, ended when nobody is left; when the others no longer
/// assess as eligible the amount is kept and the approvers get a review flag, as after a death.
/// `None` when no beneficiary is supported so.
async fn without_supported(
    tx: &impl ConnectionTrait,
    dibao: &mut StoredEnrollment,
    decided_on: NaiveDate,
) -> Result<Option<EnrollmentEvent>, Refusal> {
    let from = Month::of(decided_on)
        .next()
        .max(dibao.record.enrollment.start_month);
    let application = application_of(tx, dibao).await?;
    let register = Register::load(tx, dibao.row.household_id).await?;
    let verification = procedure_verification::latest(tx, application.row.id).await?;
    let household = build_household(
        &register,
        &application.facts,
        verification.as_ref(),
        from.first_day(),
    );
    let supported: Vec<Uuid> = household
        .members
        .iter()
        .filter(|m| m.extreme_poverty_support)
        .map(|m| m.id)
        .collect();
    let before = dibao.record.beneficiaries.len();
    dibao
        .record
        .beneficiaries
        .retain(|b| !supported.contains(b));
    if dibao.record.beneficiaries.len() == before {
        return Ok(None);
    }
    if dibao.record.beneficiaries.is_empty() {
        return stop(dibao, decided_on).map(Some);
    }
    let current = dibao
        .record
        .enrollment
        .amount_for(from)
        .unwrap_or(Fen::ZERO);
    let parameters = load_parameters(tx).await?;
    let recomputed = assess(&household, &Claim::Dibao, &parameters, from.first_day())
        .ok()
        .filter(|a| a.eligible && a.monthly_amount.is_positive())
        .map(|a| a.monthly_amount);
    let unchanged = || Ok(Some(members_changed(dibao.row.id, current, from)));
    match recomputed {
        Some(amount) if amount != current => match dibao.record.enrollment.change_amount(
            decided_on,
            amount,
            ChangeReason::MembersChanged,
        ) {
            Ok(event) => Ok(Some(event)),
            // A gradual exit keeps its amount by law; the member lists still change.
            Err(EnrollmentError::GradualExitRunning(_) | EnrollmentError::Ended(_)) => unchanged(),
            Err(e) => Err(enrollment_refused(e)),
        },
        Some(_) => unchanged(),
        None => {
            review_flag::raise(
                tx,
                &dibao.row,
                "",
                "other_programme",
                &format!("from {from}: not eligible without the members in extreme poverty"),
                decided_on,
                &format!("other_programme:{from}"),
            )
            .await?;
            unchanged()
        }
    }
}
