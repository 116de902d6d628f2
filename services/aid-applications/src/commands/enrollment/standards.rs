//! Standards follow the calendar: a month is paid at that month's standard. When the district
//! changes a parameter an amount is computed from (a standard, an add-on, a care allowance — often
//! announced after the month it takes effect), every enrollment paying months from then on is
//! assessed again from that month, with the household as it was each month an amount starts:
//! where the stored amount is the rules' amount under the old values and the new values raise it,
//! the amount follows (months already paid are topped up by the next run); an amount an approver
//! set otherwise, or one the new values would lower, is put before the approvers as a review
//! flag instead — a benefit is never cut, nor paid back, without a decision.

use chrono::{Datelike, NaiveDate};
use kit::{Principal, Refusal, audit, outbox::Outbox};
use sea_orm::{ColumnTrait, Condition, ConnectionTrait};

use crate::commands::enrollment::{
    StoredEnrollment, application_of, lock_all, publish, save, yyyymm,
};
use crate::commands::procedure::enrollment_refused;
use crate::commands::procedure::facts::{Register, build_household};
use crate::commands::reference::{ParameterSet, set_parameter};
use crate::domain::benefit::assess;
use crate::domain::enrollment::EnrollmentEvent;
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::reference::{AMOUNT_PARAMETERS, Parameters};
use crate::store::benefits::review_flag;
use crate::store::enrollment;
use crate::store::procedure_verification;

/// What following a parameter change did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct Followed {
    /// Enrollments whose amount now follows the new values.
    pub changed: usize,
    /// Review flags raised (an approver's own amount, or a lower amount).
    pub flagged: usize,
}

/// The first month paid with a value that applies from `from`: a month is paid with the values in
/// force on its first day.
pub fn first_month_from(from: NaiveDate) -> Month {
    if from.day() == 1 {
        Month::of(from)
    } else {
        Month::of(from).next()
    }
}

/// Sets parameter `name` from `valid_from` on (`reference::set_parameter`) and has every
/// enrollment paying months from then on follow it, in one transaction. Returns the entry's new
/// version and what the enrollments did.
pub async fn change_parameter(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    name: &str,
    valid_from: NaiveDate,
    value: &serde_json::Value,
    expected_version: i32,
) -> Result<(i32, Followed), Refusal> {
    let set = set_parameter(tx, who, name, valid_from, value, expected_version).await?;
    let followed =
        follow_parameter(tx, outbox, who, name, valid_from, &set, kit::clock::today()).await?;
    Ok((set.version, followed))
}

/// Follows the change of parameter `name` from `from` (`set` holds every parameter without and
/// with it) in every enrollment paying months from then on; runs in the change's transaction,
/// enrollments locked in id order.
pub async fn follow_parameter(
    tx: &impl ConnectionTrait,
    outbox: &Outbox,
    who: &Principal,
    name: &str,
    from: NaiveDate,
    set: &ParameterSet,
    today: NaiveDate,
) -> Result<Followed, Refusal> {
    let (before, after) = (&set.before, &set.after);
    let mut followed = Followed::default();
    if !AMOUNT_PARAMETERS.contains(&name) {
        return Ok(followed);
    }
    let first = first_month_from(from);
    let rows = lock_all(
        tx,
        Condition::all()
            .add(enrollment::Column::Programme.ne("marginal"))
            .add(enrollment::Column::Status.ne("exiting"))
            .add(
                Condition::any()
                    .add(enrollment::Column::EndMonth.is_null())
                    .add(enrollment::Column::EndMonth.gte(yyyymm(first))),
            ),
    )
    .await?;
    for row in rows {
        let mut stored = StoredEnrollment::from_row(row)?;
        let change = Change {
            name,
            first,
            before,
            after,
            today,
        };
        let outcome = follow_one(tx, &mut stored, &change).await?;
        followed.flagged += outcome.flags;
        if outcome.events.is_empty() {
            continue;
        }
        followed.changed += 1;
        // Saving moves the first unsettled month back to the earliest month changed: the next
        // run tops up the months already paid.
        save(tx, &mut stored, today).await?;
        for event in &outcome.events {
            publish(tx, outbox, &stored, event, today).await?;
            audit::record(
                tx,
                who,
                "follow-standard",
                "enrollment",
                &stored.row.id.to_string(),
                &format!(
                    "{name} from {from}: {}",
                    serde_json::to_string(event).unwrap_or_default()
                ),
            )
            .await?;
        }
    }
    Ok(followed)
}

struct Change<'a> {
    name: &'a str,
    first: Month,
    before: &'a Parameters,
    after: &'a Parameters,
    today: NaiveDate,
}

struct Outcome {
    events: Vec<EnrollmentEvent>,
    flags: usize,
}

/// Assesses the enrollment again at the first month of the change and at each later month its
/// amount changed (the household may differ at each), old values against new.
async fn follow_one(
    tx: &impl ConnectionTrait,
    stored: &mut StoredEnrollment,
    change: &Change<'_>,
) -> Result<Outcome, Refusal> {
    let mut outcome = Outcome {
        events: Vec::new(),
        flags: 0,
    };
    let e = &stored.record.enrollment;
    let first = change.first.max(e.start_month);
    let last = e.end().map(|end| end.last_month);
    let mut boundaries: Vec<Month> = std::iter::once(first)
        .chain(e.amounts().iter().map(|p| p.from).filter(|m| *m > first))
        .filter(|m| last.is_none_or(|last| *m <= last))
        .collect();
    boundaries.dedup();
    if boundaries.is_empty() {
        return Ok(outcome);
    }
    let application = application_of(tx, stored).await?;
    let register = Register::load(tx, stored.row.household_id).await?;
    let verification = procedure_verification::latest(tx, application.row.id).await?;
    let claim = application.app.claim;
    for month in boundaries {
        let on = month.first_day();
        let household = build_household(&register, &application.facts, verification.as_ref(), on);
        let rules = |p: &Parameters| {
            assess(&household, &claim, p, on)
                .ok()
                .filter(|a| a.eligible)
                .map(|a| a.monthly_amount)
        };
        let (Some(old), Some(new)) = (rules(change.before), rules(change.after)) else {
            continue;
        };
        if old == new {
            continue;
        }
        let e = &mut stored.record.enrollment;
        let current = e.amount_for(month).unwrap_or(Fen::ZERO);
        // An approver's own amount, or a lower one, waits for a decision (the reason says which;
        // the detail gives the parameter, the month, the rules' amount and the amount paid).
        let flag = if current != old {
            Some("standard_changed")
        } else if new < old {
            Some("standard_lowered")
        } else {
            None
        };
        match flag {
            Some(reason) => {
                let detail = format!(
                    "{} from {month}: rules {new} 元, paid {current} 元",
                    change.name
                );
                let key = format!("{reason}:{}@{month}:{new}", change.name);
                if review_flag::raise(tx, &stored.row, "", reason, &detail, change.today, &key)
                    .await?
                {
                    outcome.flags += 1;
                }
            }
            None => outcome.events.push(
                e.follow_standard(month, new, change.today)
                    .map_err(enrollment_refused)?,
            ),
        }
    }
    Ok(outcome)
}
