//! What happens to an enrollment after it starts: amount changes, periodic reviews on their
//! cadence, gradual exit, an end for a reason, the payee account, and the civil registry's death
//! records (the last beneficiary's death ends it after the month of death; another member's death
//! re-computes a household benefit from the next month).

use chrono::NaiveDate;
use kit::{Principal, Refusal, Role, audit, outbox::Outbox};
use sea_orm::{
    ActiveValue::Set, ColumnTrait, Condition, ConnectionTrait, EntityTrait, QueryFilter,
};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use crate::commands::enrollment::{
    Payee, StoredEnrollment, application_of, load_for_update, lock_all, publish, save, yyyymm,
};
use crate::commands::procedure::facts::{Register, alive_on, build_household};
use crate::commands::procedure::{enrollment_refused, step_date, today};
use crate::commands::reference::load_parameters;
use crate::domain::benefit::assess;
use crate::domain::enrollment::{
    ChangeReason, EndReason, EnrollmentError, EnrollmentEvent, ReviewOutcome,
    review_interval_months,
};
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::programme::{CareLevel, Claim, Programme, SupportMode};
use crate::domain::reference::GradualExitReason;
use crate::store::procedure_verification;
use crate::store::{enrollment, member};

const STAFF: [Role; 3] = [
    Role::TownshipClerk,
    Role::TownshipApprover,
    Role::DistrictOfficer,
];
const DECIDERS: [Role; 2] = [Role::TownshipApprover, Role::DistrictApprover];

async fn finish(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    stored: &mut StoredEnrollment,
    event: &EnrollmentEvent,
    on: NaiveDate,
    action: &str,
) -> Result<(), Refusal> {
    save(tx, stored, today()).await?;
    publish(tx, outbox, stored, event, on).await?;
    audit::record(
        tx,
        who,
        action,
        "enrollment",
        &stored.row.id.to_string(),
        &serde_json::to_string(event).unwrap_or_default(),
    )
    .await?;
    Ok(())
}

/// A change of amount (or of care level / support mode) decided by the township or district.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ChangeInput {
    /// members_changed, standard_raised, care_level_changed or support_mode_changed.
    #[schema(value_type = String, example = "members_changed")]
    pub reason: ChangeReason,
    /// New monthly amount from the month after the decision.
    pub monthly_amount_fen: i64,
    /// New care level (care_level_changed).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub care_level: Option<CareLevel>,
    /// New support mode (support_mode_changed).
    #[serde(default)]
    #[schema(value_type = Option<String>)]
    pub support_mode: Option<SupportMode>,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Changes the amount from the month after the decision; publishes `aid.enrollment.changed.v1`.
pub async fn change(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &ChangeInput,
) -> Result<StoredEnrollment, Refusal> {
    who.require(&DECIDERS)?;
    let on = step_date(input.on)?;
    let mut stored = load_for_update(tx, who, id).await?;
    match input.reason {
        ChangeReason::MembersChanged | ChangeReason::StandardRaised => {}
        ChangeReason::CareLevelChanged | ChangeReason::SupportModeChanged => {
            let Some(support) = stored.record.support.as_mut() else {
                return Err(Refusal::invalid(
                    "reason",
                    "care level and support mode belong to extreme-poverty support",
                ));
            };
            if input.reason == ChangeReason::CareLevelChanged {
                support.care_level = input
                    .care_level
                    .ok_or_else(|| Refusal::invalid("care_level", "required for this reason"))?;
            } else {
                support.mode = input
                    .support_mode
                    .ok_or_else(|| Refusal::invalid("support_mode", "required for this reason"))?;
            }
        }
        _ => {
            return Err(Refusal::invalid(
                "reason",
                "reviews and gradual exits have their own routes",
            ));
        }
    }
    let event = stored
        .record
        .enrollment
        .change_amount(on, Fen(input.monthly_amount_fen), input.reason)
        .map_err(enrollment_refused)?;
    finish(
        tx,
        outbox,
        who,
        &mut stored,
        &event,
        on,
        "change-enrollment",
    )
    .await?;
    Ok(stored)
}

/// A periodic review's outcome.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct ReviewInput {
    /// unchanged, increase, decrease or stop.
    #[schema(example = "unchanged")]
    pub outcome: String,
    /// The new amount (increase or decrease).
    #[serde(default)]
    pub monthly_amount_fen: Option<i64>,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Records a review; the next is due after the household's cadence (6 months when a member can
/// work, else 12 — both parameters).
pub async fn review(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &ReviewInput,
) -> Result<StoredEnrollment, Refusal> {
    who.require(&STAFF)?;
    let on = step_date(input.on)?;
    let amount = || {
        input
            .monthly_amount_fen
            .map(Fen)
            .ok_or_else(|| Refusal::invalid("monthly_amount_fen", "required for this outcome"))
    };
    let outcome = match input.outcome.as_str() {
        "unchanged" => ReviewOutcome::Unchanged,
        "increase" => ReviewOutcome::Increase(amount()?),
        "decrease" => ReviewOutcome::Decrease(amount()?),
        "stop" => ReviewOutcome::Stop,
        _ => {
            return Err(Refusal::invalid(
                "outcome",
                "must be unchanged, increase, decrease or stop",
            ));
        }
    };
    let mut stored = load_for_update(tx, who, id).await?;
    let application = application_of(tx, &stored).await?;
    let register = Register::load(tx, stored.row.household_id).await?;
    let verification = procedure_verification::latest(tx, application.row.id).await?;
    let household = build_household(&register, &application.facts, verification.as_ref(), on);
    let parameters = load_parameters(tx)
        .await?
        .at(on)
        .map_err(|e| Refusal::conflict("reference-data-missing", e.to_string()))?;
    let interval = review_interval_months(&household, &parameters);
    let event = stored
        .record
        .enrollment
        .record_review(on, outcome, interval)
        .map_err(enrollment_refused)?;
    finish(
        tx,
        outbox,
        who,
        &mut stored,
        &event,
        on,
        "review-enrollment",
    )
    .await?;
    Ok(stored)
}

/// Why income rose (the gradual exit's length depends on it).
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct GradualExitInput {
    /// employment, self_employment, graduate_employment, placed_by_employment_service or
    /// disabled_member_employed.
    #[schema(value_type = String, example = "employment")]
    pub reason: GradualExitReason,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Starts a gradual exit (渐退): the current amount is paid for the configured months, then the
/// enrollment ends.
pub async fn gradual_exit(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &GradualExitInput,
) -> Result<StoredEnrollment, Refusal> {
    who.require(&DECIDERS)?;
    let on = step_date(input.on)?;
    let mut stored = load_for_update(tx, who, id).await?;
    let parameters = load_parameters(tx)
        .await?
        .at(on)
        .map_err(|e| Refusal::conflict("reference-data-missing", e.to_string()))?;
    let event = stored
        .record
        .enrollment
        .start_gradual_exit(on, input.reason, &parameters)
        .map_err(enrollment_refused)?;
    finish(
        tx,
        outbox,
        who,
        &mut stored,
        &event,
        on,
        "start-gradual-exit",
    )
    .await?;
    Ok(stored)
}

/// Ending an enrollment.
#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct EndInput {
    /// income_above_line, moved_away, review_stop or entered_other_programme (deaths arrive from
    /// the civil registry).
    #[schema(value_type = String, example = "income_above_line")]
    pub reason: EndReason,
    #[serde(default)]
    pub on: Option<NaiveDate>,
}

/// Ends the enrollment; the decision month is the last paid.
pub async fn end(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    id: Uuid,
    input: &EndInput,
) -> Result<StoredEnrollment, Refusal> {
    who.require(&DECIDERS)?;
    let on = step_date(input.on)?;
    if matches!(
        input.reason,
        EndReason::Death | EndReason::GradualExitCompleted
    ) {
        return Err(Refusal::invalid(
            "reason",
            "deaths come from the civil registry and gradual exits end by themselves",
        ));
    }
    let mut stored = load_for_update(tx, who, id).await?;
    let event = stored
        .record
        .enrollment
        .stop(on, input.reason)
        .map_err(enrollment_refused)?;
    finish(tx, outbox, who, &mut stored, &event, on, "end-enrollment").await?;
    Ok(stored)
}

/// Sets the account the benefit is paid to; the months held for want of it, or since the bank
/// returned a payment to the old one, are paid by the next monthly run.
pub async fn set_payee(
    tx: &impl ConnectionTrait,
    who: &Principal,
    id: Uuid,
    expected_version: i32,
    payee: &Payee,
) -> Result<StoredEnrollment, Refusal> {
    who.require(&[Role::TownshipClerk, Role::DistrictOfficer])?;
    payee.validate("")?;
    let mut stored = load_for_update(tx, who, id).await?;
    if stored.row.version != expected_version {
        return Err(Refusal::changed_meanwhile());
    }
    let version = expected_version + 1;
    let result = enrollment::Entity::update_many()
        .set(enrollment::ActiveModel {
            payee_name: Set(Some(payee.name.trim().to_owned())),
            payee_bank: Set(Some(payee.bank.trim().to_owned())),
            payee_account: Set(Some(payee.account.clone())),
            payee_returned_on: Set(None),
            version: Set(version),
            ..Default::default()
        })
        .filter(enrollment::Column::Id.eq(id))
        .filter(enrollment::Column::Version.eq(expected_version))
        .exec(tx)
        .await?;
    if result.rows_affected != 1 {
        return Err(Refusal::changed_meanwhile());
    }
    // The account itself is personal data: the trail says that it changed, not to what.
    audit::record(tx, who, "set-payee", "enrollment", &id.to_string(), "").await?;
    stored.row.payee_name = Some(payee.name.trim().to_owned());
    stored.row.payee_bank = Some(payee.bank.trim().to_owned());
    stored.row.payee_account = Some(payee.account.clone());
    stored.row.payee_returned_on = None;
    stored.row.version = version;
    Ok(stored)
}

/// Applies a death to the enrollments of the deceased's household (`member` is already marked).
/// The death of the last beneficiary ends the enrollment after the month of death; the death of
/// another member re-computes a household benefit from the next month (or keeps the amount when
/// the household no longer assesses as eligible: a review decides), and every consumer learns the
/// new member lists.
pub async fn apply_death(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    person_ref: &str,
    died_on: NaiveDate,
    recorded_on: NaiveDate,
) -> Result<usize, Refusal> {
    let Some(deceased) = member::Entity::find()
        .filter(member::Column::PersonRef.eq(person_ref))
        .one(tx)
        .await?
    else {
        return Ok(0);
    };
    let rows = lock_all(
        tx,
        Condition::all()
            .add(enrollment::Column::HouseholdId.eq(deceased.household_id))
            .add(enrollment::Column::Status.ne("ended")),
    )
    .await?;
    let members = member::Entity::find()
        .filter(member::Column::HouseholdId.eq(deceased.household_id))
        .all(tx)
        .await?;
    let living: Vec<Uuid> = members
        .iter()
        .filter(|m| alive_on(m, died_on))
        .map(|m| m.id)
        .collect();
    let mut applied = 0;
    for row in rows {
        let mut stored = StoredEnrollment::from_row(row)?;
        let record = &mut stored.record;
        let decided_on = recorded_on.max(record.enrollment.confirmed_on);
        let remaining: Vec<Uuid> = record
            .beneficiaries
            .iter()
            .copied()
            .filter(|b| living.contains(b))
            .collect();
        let last_gone = if record.enrollment.programme == Programme::Marginal {
            living.is_empty()
        } else {
            remaining.is_empty()
        };
        let event = if last_gone {
            match record.enrollment.end_on_death(died_on, decided_on) {
                Ok(event) => event,
                Err(EnrollmentError::Ended(_)) => continue,
                Err(e) => return Err(enrollment_refused(e)),
            }
        } else {
            record.beneficiaries = remaining;
            let effective = Month::of(died_on).next().max(record.enrollment.start_month);
            let current = record.enrollment.amount_for(effective).unwrap_or(Fen::ZERO);
            let recomputed = if record.enrollment.programme == Programme::Dibao {
                let application = application_of(tx, &stored).await?;
                let register = Register::load(tx, stored.row.household_id).await?;
                let verification = procedure_verification::latest(tx, application.row.id).await?;
                let household = build_household(
                    &register,
                    &application.facts,
                    verification.as_ref(),
                    effective.first_day(),
                );
                let parameters = load_parameters(tx).await?;
                assess(
                    &household,
                    &Claim::Dibao,
                    &parameters,
                    effective.first_day(),
                )
                .ok()
                .filter(|a| a.eligible && a.monthly_amount.is_positive())
                .map(|a| a.monthly_amount)
            } else {
                None
            };
            let record = &mut stored.record;
            match recomputed.filter(|a| *a != current) {
                Some(amount) => match record.enrollment.change_amount(
                    died_on.max(record.enrollment.confirmed_on),
                    amount,
                    ChangeReason::MembersChanged,
                ) {
                    Ok(event) => event,
                    Err(EnrollmentError::Ended(_) | EnrollmentError::GradualExitRunning(_)) => {
                        members_changed(stored.row.id, current, effective)
                    }
                    Err(e) => return Err(enrollment_refused(e)),
                },
                None => members_changed(stored.row.id, current, effective),
            }
        };
        save(tx, &mut stored, today()).await?;
        publish(tx, outbox, &stored, &event, decided_on).await?;
        audit::record(
            tx,
            who,
            "apply-death",
            "enrollment",
            &stored.row.id.to_string(),
            &serde_json::to_string(&event).unwrap_or_default(),
        )
        .await?;
        applied += 1;
    }
    Ok(applied)
}

/// The change event for new member lists at an unchanged amount.
pub(crate) fn members_changed(id: Uuid, amount: Fen, effective_month: Month) -> EnrollmentEvent {
    EnrollmentEvent::Changed {
        enrollment_id: id,
        reason: ChangeReason::MembersChanged,
        monthly_amount: amount,
        effective_month,
        gradual_exit_last_month: None,
    }
}

/// Ends every gradual exit whose last month is before `month` (run before that month's batch) and
/// publishes `aid.enrollment.ended.v1` for each.
pub async fn finish_gradual_exits(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    month: Month,
) -> Result<usize, Refusal> {
    let rows = lock_all(
        tx,
        Condition::all()
            .add(enrollment::Column::Status.eq("exiting"))
            .add(enrollment::Column::EndMonth.lt(yyyymm(month))),
    )
    .await?;
    let mut finished = 0;
    for row in rows {
        let mut stored = StoredEnrollment::from_row(row)?;
        let Some(event) = stored
            .record
            .enrollment
            .finish_gradual_exit(month.first_day())
        else {
            continue;
        };
        let ended_on = month.first_day();
        save(tx, &mut stored, ended_on).await?;
        publish(tx, outbox, &stored, &event, ended_on).await?;
        audit::record(
            tx,
            who,
            "finish-gradual-exit",
            "enrollment",
            &stored.row.id.to_string(),
            &serde_json::to_string(&event).unwrap_or_default(),
        )
        .await?;
        finished += 1;
    }
    Ok(finished)
}
