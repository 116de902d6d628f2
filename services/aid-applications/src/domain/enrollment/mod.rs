//! An enrollment from its first paid month to its last: amount changes, periodic reviews, gradual
//! exit and death. Payments are monthly, so every rule here is stated in months.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::household::Household;
use super::money::Fen;
use super::month::Month;
use super::programme::Programme;
use super::reference::{GradualExitReason, ParameterSet};

#[cfg(test)]
mod tests;

/// Why the amount changed (names as in the `aid.enrollment.changed` contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// A review raised the benefit (增发).
    ReviewIncrease,
    /// A review lowered the benefit (减发).
    ReviewDecrease,
    /// A member joined or left.
    MembersChanged,
    /// The yearly standard rose.
    StandardRaised,
    /// Extreme-poverty care level changed.
    CareLevelChanged,
    /// Extreme poverty moved between institutional and dispersed support.
    SupportModeChanged,
    /// Income rose above the line through work: the old amount is paid until the exit's last month.
    GradualExitStarted,
}

/// Why an enrollment ended (names as in the `aid.enrollment.ended` contract).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The (last) beneficiary died.
    Death,
    /// Income rose above the line, without gradual exit.
    IncomeAboveLine,
    /// The gradual exit ran its months.
    GradualExitCompleted,
    /// The household moved out of the district.
    MovedAway,
    /// A review stopped the benefit (停发).
    ReviewStop,
    /// The household moved to another programme.
    EnteredOtherProgramme,
}

/// What a periodic review decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", content = "monthly_amount", rename_all = "snake_case")]
pub enum ReviewOutcome {
    /// Nothing changes.
    Unchanged,
    /// 增发: a higher amount from the next month.
    Increase(Fen),
    /// 减发: a lower (still positive) amount from the next month.
    Decrease(Fen),
    /// 停发: the review month is the last paid.
    Stop,
}

/// One amount, the first month it is paid, and why.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmountPeriod {
    /// First month at this amount.
    pub from: Month,
    /// Monthly amount.
    pub amount: Fen,
    /// Why the amount changed; none for the amount confirmed at the start.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reason: Option<ChangeReason>,
    /// The day the change was decided (the confirmation for the starting amount).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub decided_on: Option<NaiveDate>,
}

/// A running gradual exit (渐退).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct GradualExit {
    /// Why income rose.
    pub reason: GradualExitReason,
    /// Date of the decision.
    pub decided_on: NaiveDate,
    /// Months of gradual exit (from the parameters in force on the decision date).
    pub months: u32,
    /// The last month paid.
    pub last_month: Month,
}

/// The end of an enrollment: its last paid month.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct End {
    /// Last month paid.
    pub last_month: Month,
    /// Why.
    pub reason: EndReason,
    /// Date of the decision.
    pub decided_on: NaiveDate,
}

/// What an enrollment step emits.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum EnrollmentEvent {
    /// Enrolled; paid from `start_month`.
    Started {
        /// Enrollment.
        enrollment_id: Uuid,
        /// Monthly amount.
        monthly_amount: Fen,
        /// First month paid.
        start_month: Month,
        /// First review due.
        review_due: Month,
    },
    /// The amount changed from `effective_month`.
    Changed {
        /// Enrollment.
        enrollment_id: Uuid,
        /// Why.
        reason: ChangeReason,
        /// Monthly amount from `effective_month`.
        monthly_amount: Fen,
        /// First month at the new state.
        effective_month: Month,
        /// Last month of a gradual exit that starts with this change.
        gradual_exit_last_month: Option<Month>,
    },
    /// A review found nothing to change.
    Reviewed {
        /// Enrollment.
        enrollment_id: Uuid,
        /// Date of the review.
        reviewed_on: NaiveDate,
        /// Next review due.
        next_review_due: Month,
    },
    /// The enrollment ended; `last_month` is the last paid.
    Ended {
        /// Enrollment.
        enrollment_id: Uuid,
        /// Why.
        reason: EndReason,
        /// Last month paid.
        last_month: Month,
    },
}

/// Why an enrollment step is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum EnrollmentError {
    /// The enrollment has ended.
    #[error("the enrollment ended; {0} was its last paid month")]
    Ended(Month),
    /// The old amount is frozen during gradual exit.
    #[error("a gradual exit is running until {0}; the amount cannot change")]
    GradualExitRunning(Month),
    /// A zero or negative amount is a stop, not a change.
    #[error("a monthly amount must be above zero; stop the enrollment instead")]
    AmountNotPositive,
    /// An increase must raise and a decrease lower the amount.
    #[error("the review outcome does not match the amounts: current {current} 元, new {new} 元")]
    OutcomeMismatch {
        /// Current amount.
        current: Fen,
        /// Proposed amount.
        new: Fen,
    },
    /// Gradual exit applies to dibao and single-person dibao only.
    #[error("gradual exit does not apply to {0:?}")]
    NoGradualExit(Programme),
    /// A step dated before the enrollment's confirmation.
    #[error("{0} is before the confirmation")]
    BeforeConfirmation(NaiveDate),
}

/// What is needed to start an enrollment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEnrollment {
    /// Enrollment id.
    pub id: Uuid,
    /// The confirmed application.
    pub application_id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The programme.
    pub programme: Programme,
    /// Date of confirmation.
    pub confirmed_on: NaiveDate,
    /// Confirmed monthly amount (zero for marginal households).
    pub monthly_amount: Fen,
    /// Review interval (see [`review_interval_months`]).
    pub review_interval_months: u32,
}

/// The review interval for a household: 6 months when any member is able to work, else 12 (both
/// parameters).
pub fn review_interval_months(household: &Household, p: &ParameterSet) -> u32 {
    if household.has_member_able_to_work() {
        p.review_months_able_to_work
    } else {
        p.review_months_stable
    }
}

/// A household's enrollment in one programme.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Enrollment {
    /// Enrollment id.
    pub id: Uuid,
    /// The confirmed application.
    pub application_id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The programme; never changes within an enrollment.
    pub programme: Programme,
    /// Date of confirmation.
    pub confirmed_on: NaiveDate,
    /// First month paid: the month after confirmation.
    pub start_month: Month,
    amounts: Vec<AmountPeriod>,
    review_interval_months: u32,
    last_review: Month,
    gradual_exit: Option<GradualExit>,
    end: Option<End>,
}

impl Enrollment {
    /// Starts an enrollment, paid from the month after confirmation.
    pub fn start(new: NewEnrollment) -> (Self, EnrollmentEvent) {
        let start_month = Month::of(new.confirmed_on).next();
        let enrollment = Self {
            id: new.id,
            application_id: new.application_id,
            household_id: new.household_id,
            programme: new.programme,
            confirmed_on: new.confirmed_on,
            start_month,
            amounts: vec![AmountPeriod {
                from: start_month,
                amount: new.monthly_amount,
                reason: None,
                decided_on: Some(new.confirmed_on),
            }],
            review_interval_months: new.review_interval_months,
            last_review: start_month,
            gradual_exit: None,
            end: None,
        };
        let event = EnrollmentEvent::Started {
            enrollment_id: new.id,
            monthly_amount: new.monthly_amount,
            start_month,
            review_due: enrollment.next_review_due(),
        };
        (enrollment, event)
    }

    /// Amount history, oldest first.
    pub fn amounts(&self) -> &[AmountPeriod] {
        &self.amounts
    }

    /// The running or completed gradual exit.
    pub fn gradual_exit(&self) -> Option<&GradualExit> {
        self.gradual_exit.as_ref()
    }

    /// The end, once decided (a gradual exit decides it in advance).
    pub fn end(&self) -> Option<&End> {
        self.end.as_ref()
    }

    /// Month the next review is due: the last review (or the start) plus the interval.
    pub fn next_review_due(&self) -> Month {
        self.last_review
            .plus(i32::try_from(self.review_interval_months).unwrap_or(i32::MAX))
    }

    /// The amount paid for `month`, or `None` outside the paid months.
    pub fn amount_for(&self, month: Month) -> Option<Fen> {
        if month < self.start_month || self.end.is_some_and(|e| month > e.last_month) {
            return None;
        }
        self.amounts
            .iter()
            .rev()
            .find(|p| p.from <= month)
            .map(|p| p.amount)
    }

    /// Every paid month from `from` through `through`, with its amount.
    pub fn payment_months(&self, from: Month, through: Month) -> Vec<(Month, Fen)> {
        from.through(through)
            .filter_map(|m| self.amount_for(m).map(|a| (m, a)))
            .collect()
    }

    /// Months already paid (through `paid_through`) that fall after the end: money to recover.
    pub fn paid_after_end(&self, paid_through: Month) -> Vec<Month> {
        match self.end {
            Some(end) => end
                .last_month
                .next()
                .through(paid_through)
                .filter(|m| *m >= self.start_month)
                .collect(),
            None => Vec::new(),
        }
    }

    /// Changes the amount from the month after the decision (the decision month is paid as before).
    pub fn change_amount(
        &mut self,
        decided_on: NaiveDate,
        monthly_amount: Fen,
        reason: ChangeReason,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        self.ensure_changeable(decided_on)?;
        if !monthly_amount.is_positive() {
            return Err(EnrollmentError::AmountNotPositive);
        }
        let effective_month = self.set_amount_after(decided_on, monthly_amount, reason);
        Ok(EnrollmentEvent::Changed {
            enrollment_id: self.id,
            reason,
            monthly_amount,
            effective_month,
            gradual_exit_last_month: None,
        })
    }

    /// Records a periodic review; the next one is due `interval_months` after the review month
    /// (the household's composition may have changed its cadence). A stop makes the review month
    /// the last paid.
    pub fn record_review(
        &mut self,
        reviewed_on: NaiveDate,
        outcome: ReviewOutcome,
        interval_months: u32,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        self.ensure_changeable(reviewed_on)?;
        let current = self
            .amount_for(Month::of(reviewed_on))
            .unwrap_or(self.amounts[0].amount);
        let change = match outcome {
            ReviewOutcome::Increase(new) if new > current => {
                Some((new, ChangeReason::ReviewIncrease))
            }
            ReviewOutcome::Decrease(new) if new < current && new.is_positive() => {
                Some((new, ChangeReason::ReviewDecrease))
            }
            ReviewOutcome::Increase(new) | ReviewOutcome::Decrease(new) => {
                return Err(EnrollmentError::OutcomeMismatch { current, new });
            }
            ReviewOutcome::Unchanged | ReviewOutcome::Stop => None,
        };
        self.last_review = Month::of(reviewed_on);
        self.review_interval_months = interval_months;
        if outcome == ReviewOutcome::Stop {
            return Ok(self.close(reviewed_on, Month::of(reviewed_on), EndReason::ReviewStop));
        }
        Ok(match change {
            Some((monthly_amount, reason)) => EnrollmentEvent::Changed {
                enrollment_id: self.id,
                reason,
                monthly_amount,
                effective_month: self.set_amount_after(reviewed_on, monthly_amount, reason),
                gradual_exit_last_month: None,
            },
            None => EnrollmentEvent::Reviewed {
                enrollment_id: self.id,
                reviewed_on,
                next_review_due: self.next_review_due(),
            },
        })
    }

    /// Starts a gradual exit: the current amount keeps being paid for the configured months after
    /// the decision month, then the enrollment ends. Decided in September with 6 months, the last
    /// paid month is the following March.
    pub fn start_gradual_exit(
        &mut self,
        decided_on: NaiveDate,
        reason: GradualExitReason,
        p: &ParameterSet,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        if !matches!(
            self.programme,
            Programme::Dibao | Programme::SinglePersonDibao
        ) {
            return Err(EnrollmentError::NoGradualExit(self.programme));
        }
        self.ensure_changeable(decided_on)?;
        let months = p.gradual_exit_months.months_for(reason);
        let decision_month = Month::of(decided_on);
        let last_month = decision_month
            .plus(i32::try_from(months).unwrap_or(i32::MAX))
            .max(self.start_month.plus(-1));
        self.gradual_exit = Some(GradualExit {
            reason,
            decided_on,
            months,
            last_month,
        });
        self.end = Some(End {
            last_month,
            reason: EndReason::GradualExitCompleted,
            decided_on,
        });
        Ok(EnrollmentEvent::Changed {
            enrollment_id: self.id,
            reason: ChangeReason::GradualExitStarted,
            monthly_amount: self
                .amount_for(decision_month)
                .unwrap_or(self.amounts[0].amount),
            effective_month: decision_month.next().max(self.start_month),
            gradual_exit_last_month: Some(last_month),
        })
    }

    /// The `Ended` event of a gradual exit, once `today` is past its last month (`None` before).
    pub fn finish_gradual_exit(&self, today: NaiveDate) -> Option<EnrollmentEvent> {
        let exit = self.gradual_exit?;
        (Month::of(today) > exit.last_month).then_some(EnrollmentEvent::Ended {
            enrollment_id: self.id,
            reason: EndReason::GradualExitCompleted,
            last_month: exit.last_month,
        })
    }

    /// Ends the enrollment on the (last) beneficiary's death. The month of death is the last paid
    /// month — it is paid in full, as benefits are monthly — and nothing is paid from the next
    /// month; months paid after it are listed by [`Enrollment::paid_after_end`] for recovery.
    /// A death overrides a later gradual-exit end.
    pub fn end_on_death(
        &mut self,
        died_on: NaiveDate,
        decided_on: NaiveDate,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        self.end_in(Month::of(died_on), decided_on, EndReason::Death)
    }

    /// Ends the enrollment for another reason; the decision month is the last paid. Like a
    /// death, it overrides a later gradual-exit end.
    pub fn stop(
        &mut self,
        decided_on: NaiveDate,
        reason: EndReason,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        self.end_in(Month::of(decided_on), decided_on, reason)
    }

    fn end_in(
        &mut self,
        month: Month,
        decided_on: NaiveDate,
        reason: EndReason,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        if decided_on < self.confirmed_on {
            return Err(EnrollmentError::BeforeConfirmation(decided_on));
        }
        // Ending before the first paid month leaves no paid month at all.
        let last_month = month.max(self.start_month.plus(-1));
        if let Some(end) = self.end
            && (end.reason != EndReason::GradualExitCompleted || end.last_month < last_month)
        {
            return Err(EnrollmentError::Ended(end.last_month));
        }
        Ok(self.close(decided_on, last_month, reason))
    }

    fn ensure_changeable(&self, on: NaiveDate) -> Result<(), EnrollmentError> {
        if on < self.confirmed_on {
            return Err(EnrollmentError::BeforeConfirmation(on));
        }
        if let Some(exit) = self.gradual_exit {
            return Err(match self.end {
                Some(end) if end.reason != EndReason::GradualExitCompleted => {
                    EnrollmentError::Ended(end.last_month)
                }
                _ => EnrollmentError::GradualExitRunning(exit.last_month),
            });
        }
        match self.end {
            Some(end) => Err(EnrollmentError::Ended(end.last_month)),
            None => Ok(()),
        }
    }

    fn set_amount_after(
        &mut self,
        decided_on: NaiveDate,
        amount: Fen,
        reason: ChangeReason,
    ) -> Month {
        let from = Month::of(decided_on).next().max(self.start_month);
        self.amounts.retain(|p| p.from < from);
        // A change decided before the first paid month replaces the starting amount.
        self.amounts.push(AmountPeriod {
            from: if self.amounts.is_empty() {
                self.start_month
            } else {
                from
            },
            amount,
            reason: Some(reason),
            decided_on: Some(decided_on),
        });
        from
    }

    /// The amount of `from` — and of the months after it until the next change — follows a
    /// standard that took effect then, even for months already paid (the run pays the
    /// difference), and for the paid months of an enrollment that has ended since: the rules'
    /// amount replaces the old one. Refused during or after a gradual exit (the old amount is
    /// kept by law) and for a month after the end.
    pub fn follow_standard(
        &mut self,
        from: Month,
        amount: Fen,
        decided_on: NaiveDate,
    ) -> Result<EnrollmentEvent, EnrollmentError> {
        if decided_on < self.confirmed_on {
            return Err(EnrollmentError::BeforeConfirmation(decided_on));
        }
        if let Some(exit) = self.gradual_exit {
            return Err(EnrollmentError::GradualExitRunning(exit.last_month));
        }
        if let Some(end) = self.end
            && from > end.last_month
        {
            return Err(EnrollmentError::Ended(end.last_month));
        }
        if !amount.is_positive() {
            return Err(EnrollmentError::AmountNotPositive);
        }
        let from = from.max(self.start_month);
        let period = AmountPeriod {
            from,
            amount,
            reason: Some(ChangeReason::StandardRaised),
            decided_on: Some(decided_on),
        };
        match self.amounts.iter().position(|p| p.from >= from) {
            Some(i) if self.amounts[i].from == from => self.amounts[i] = period,
            Some(i) => self.amounts.insert(i, period),
            None => self.amounts.push(period),
        }
        Ok(EnrollmentEvent::Changed {
            enrollment_id: self.id,
            reason: ChangeReason::StandardRaised,
            monthly_amount: amount,
            effective_month: from,
            gradual_exit_last_month: None,
        })
    }

    fn close(
        &mut self,
        decided_on: NaiveDate,
        last_month: Month,
        reason: EndReason,
    ) -> EnrollmentEvent {
        self.end = Some(End {
            last_month,
            reason,
            decided_on,
        });
        EnrollmentEvent::Ended {
            enrollment_id: self.id,
            reason,
            last_month,
        }
    }
}
