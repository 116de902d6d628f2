//! Temporary assistance (临时救助) for sudden hardship: tiered approval (the township up to a cap,
//! the district above), act-first payment from the township reserve fund with paperwork due
//! afterwards, and a yearly limit per household and emergency type.

mod fund;
#[cfg(test)]
mod tests;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::actor::{Actor, ActorId, DecisionLevel};
use super::calendar::WorkCalendar;
use super::integrity::{Duty, DutyConflict, Involvement, StaffRelativeLookup, ensure_independent};
use super::money::Fen;
use super::reference::ParameterSet;

pub use fund::{EntryKind, LedgerEntry, ReserveFund, ReserveFundError};

/// Kind of sudden hardship (names as in the contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EmergencyType {
    /// Natural disaster (因灾).
    NaturalDisaster,
    /// Fire.
    Fire,
    /// Accident or personal injury (意外).
    Accident,
    /// Serious illness expenses.
    SeriousIllness,
    /// Education expenses (因学).
    EducationExpense,
    /// Sudden loss of income.
    SuddenLossOfIncome,
    /// Another emergency.
    Other,
}

/// Where the household applied: where it is registered, or where the emergency happened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliedAt {
    /// 户籍地.
    RegisteredPlace,
    /// Where the emergency happened.
    EmergencyPlace,
}

/// An earlier grant, as far as the yearly limit is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct PastGrant {
    /// Household helped.
    pub household_id: Uuid,
    /// Kind of emergency.
    pub emergency_type: EmergencyType,
    /// Date granted.
    pub granted_on: NaiveDate,
}

/// A request for temporary assistance, as investigated.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantRequest {
    /// Id the grant will have.
    pub grant_id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Kind of emergency.
    pub emergency_type: EmergencyType,
    /// Where it was applied for.
    pub applied_at: AppliedAt,
    /// Amount asked for.
    pub amount: Fen,
    /// Township handling it (9-digit code).
    pub township: String,
    /// Who recorded the request.
    pub recorded_by: ActorId,
    /// Staff-relative register lookup for the household.
    pub staff_relatives: StaffRelativeLookup,
}

/// Act-first paperwork (补齐手续) and its deadline.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Paperwork {
    /// Last day to complete it.
    pub due: NaiveDate,
    /// Date completed.
    pub completed_on: Option<NaiveDate>,
}

/// A granted temporary assistance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Grant {
    /// Grant id.
    pub id: Uuid,
    /// Household.
    pub household_id: Uuid,
    /// Kind of emergency.
    pub emergency_type: EmergencyType,
    /// Where it was applied for.
    pub applied_at: AppliedAt,
    /// Amount granted.
    pub amount: Fen,
    /// Township handling it.
    pub township: String,
    /// Level that approved.
    pub approved_by: DecisionLevel,
    /// Who approved.
    pub approver: ActorId,
    /// Date approved (and paid, for act-first).
    pub granted_on: NaiveDate,
    /// Present for act-first grants paid from the reserve fund.
    pub act_first: Option<Paperwork>,
}

/// What temporary assistance emits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum TemporaryEvent {
    /// Granted (for act-first: paid at once from the reserve fund).
    Granted {
        /// The grant.
        grant: Grant,
    },
    /// Act-first paperwork completed.
    PaperworkCompleted {
        /// The grant.
        grant_id: Uuid,
        /// Date.
        completed_on: NaiveDate,
        /// True when after the deadline.
        late: bool,
    },
}

/// Why temporary assistance is refused; nothing (fund included) has changed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TemporaryError {
    /// Amounts must be above zero.
    #[error("the amount must be above zero, got {0} 元")]
    AmountNotPositive(Fen),
    /// The household already had its grants of this kind this year.
    #[error("the household already received {limit} grant(s) for {emergency_type:?} in {year}")]
    YearlyLimitReached {
        /// Kind of emergency.
        emergency_type: EmergencyType,
        /// Calendar year.
        year: i32,
        /// Limit in force.
        limit: u32,
    },
    /// A township may approve only up to its cap.
    #[error("{amount} 元 is above the township cap of {cap} 元: the district approves it")]
    AboveTownshipCap {
        /// Amount asked.
        amount: Fen,
        /// Township cap.
        cap: Fen,
    },
    /// Act-first payments are limited to what the township may approve itself.
    #[error(
        "{amount} 元 is above the township cap of {cap} 元: no act-first payment, the district approves first"
    )]
    ActFirstAboveCap {
        /// Amount asked.
        amount: Fen,
        /// Township cap.
        cap: Fen,
    },
    /// The approver's office may not approve this request.
    #[error("approval must be by {0}")]
    WrongOffice(&'static str),
    /// The reserve fund refused the draw.
    #[error(transparent)]
    Fund(#[from] ReserveFundError),
    /// Separation of duties or a family tie.
    #[error(transparent)]
    Duty(#[from] DutyConflict),
    /// Completing paperwork of a grant that has none, or twice.
    #[error("this grant has no act-first paperwork pending")]
    NoPaperworkPending,
}

/// Which level approves `amount`: the township up to cap = multiplier × urban standard (the cap
/// itself included), the district above it.
pub fn approval_tier(amount: Fen, p: &ParameterSet) -> DecisionLevel {
    if amount <= p.temporary_township_cap() {
        DecisionLevel::Township
    } else {
        DecisionLevel::District
    }
}

/// Checks the yearly limit: grants for the same household and emergency type in the same
/// calendar year (1 January – 31 December) as `on`.
pub fn check_yearly_limit(
    past: &[PastGrant],
    household_id: Uuid,
    emergency_type: EmergencyType,
    on: NaiveDate,
    p: &ParameterSet,
) -> Result<(), TemporaryError> {
    let limit = p.temporary_limit_per_year_per_emergency_type;
    let count = past
        .iter()
        .filter(|g| {
            g.household_id == household_id
                && g.emergency_type == emergency_type
                && g.granted_on.year() == on.year()
        })
        .count();
    if count >= usize::try_from(limit).unwrap_or(usize::MAX) {
        return Err(TemporaryError::YearlyLimitReached {
            emergency_type,
            year: on.year(),
            limit,
        });
    }
    Ok(())
}

/// Approves a grant by tiered approval (paid later through the normal payment run).
pub fn grant(
    request: &GrantRequest,
    approver: &Actor,
    on: NaiveDate,
    past: &[PastGrant],
    p: &ParameterSet,
) -> Result<(Grant, TemporaryEvent), TemporaryError> {
    let level = check(request, approver, on, past, p)?;
    Ok(granted(request, approver, level, on, None))
}

/// Approves and pays at once from the township's reserve fund (先行救助); the paperwork is due
/// the configured number of working days after the payment. Only the township, within its cap.
pub fn grant_act_first(
    request: &GrantRequest,
    approver: &Actor,
    on: NaiveDate,
    past: &[PastGrant],
    fund: &mut ReserveFund,
    calendar: &WorkCalendar,
    p: &ParameterSet,
) -> Result<(Grant, TemporaryEvent), TemporaryError> {
    let cap = p.temporary_township_cap();
    if request.amount > cap {
        return Err(TemporaryError::ActFirstAboveCap {
            amount: request.amount,
            cap,
        });
    }
    if !approver.is_township(&request.township) || fund.township() != request.township {
        return Err(TemporaryError::WrongOffice(
            "the township whose reserve fund pays",
        ));
    }
    let level = check(request, approver, on, past, p)?;
    fund.draw(on, request.grant_id, request.amount, approver)?;
    let paperwork = Paperwork {
        due: calendar.add_working_days(on, p.act_first_paperwork_working_days),
        completed_on: None,
    };
    Ok(granted(request, approver, level, on, Some(paperwork)))
}

impl Grant {
    /// True when act-first paperwork is pending past its deadline.
    pub fn paperwork_overdue(&self, today: NaiveDate) -> bool {
        self.act_first
            .is_some_and(|w| w.completed_on.is_none() && today > w.due)
    }

    /// Records the completed act-first paperwork (late completion is flagged, not refused).
    pub fn complete_paperwork(&mut self, on: NaiveDate) -> Result<TemporaryEvent, TemporaryError> {
        match &mut self.act_first {
            Some(work) if work.completed_on.is_none() => {
                work.completed_on = Some(on);
                Ok(TemporaryEvent::PaperworkCompleted {
                    grant_id: self.id,
                    completed_on: on,
                    late: on > work.due,
                })
            }
            _ => Err(TemporaryError::NoPaperworkPending),
        }
    }
}

fn check(
    request: &GrantRequest,
    approver: &Actor,
    on: NaiveDate,
    past: &[PastGrant],
    p: &ParameterSet,
) -> Result<DecisionLevel, TemporaryError> {
    if !request.amount.is_positive() {
        return Err(TemporaryError::AmountNotPositive(request.amount));
    }
    let level = if approver.is_district() {
        DecisionLevel::District
    } else if approver.is_township(&request.township) {
        if approval_tier(request.amount, p) == DecisionLevel::District {
            return Err(TemporaryError::AboveTownshipCap {
                amount: request.amount,
                cap: p.temporary_township_cap(),
            });
        }
        DecisionLevel::Township
    } else {
        return Err(TemporaryError::WrongOffice(
            "the handling township (within its cap) or the district",
        ));
    };
    let record = [Involvement {
        actor: request.recorded_by,
        duty: Duty::Submission,
    }];
    ensure_independent(
        approver.id,
        Duty::Approval,
        &record,
        &request.staff_relatives,
    )?;
    check_yearly_limit(past, request.household_id, request.emergency_type, on, p)?;
    Ok(level)
}

fn granted(
    request: &GrantRequest,
    approver: &Actor,
    level: DecisionLevel,
    on: NaiveDate,
    act_first: Option<Paperwork>,
) -> (Grant, TemporaryEvent) {
    let grant = Grant {
        id: request.grant_id,
        household_id: request.household_id,
        emergency_type: request.emergency_type,
        applied_at: request.applied_at,
        amount: request.amount,
        township: request.township.clone(),
        approved_by: level,
        approver: approver.id,
        granted_on: on,
        act_first,
    };
    (grant.clone(), TemporaryEvent::Granted { grant })
}
