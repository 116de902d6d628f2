//! Decisions and what follows: confirmation (by the district, or a township with delegated
//! authority), rejection with written reasons, filing, extension of the time limit, withdrawal.

use chrono::NaiveDate;

use super::{
    Application, ApplicationError, ApplicationEvent, Outcome, Signed, Stage, Status,
    TownshipAuthority,
};
use crate::domain::actor::{Actor, DecisionLevel};
use crate::domain::calendar::WorkCalendar;
use crate::domain::integrity::Duty;
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::reference::Parameters;

const OPEN: &[Status] = &[
    Status::Submitted,
    Status::Accepted,
    Status::Investigating,
    Status::Reviewed,
    Status::InPublicity,
    Status::PublicityClosed,
];
const REJECTABLE: &[Status] = &[
    Status::Accepted,
    Status::Investigating,
    Status::Reviewed,
    Status::InPublicity,
    Status::PublicityClosed,
];

impl Application {
    /// Confirms (确认) the publicised amount; payment starts the month after. The district
    /// confirms; a township only with delegated authority, and never a staff-relative case, which
    /// also needs the district's recorded home visit.
    pub fn confirm(
        &mut self,
        actor: &Actor,
        authority: TownshipAuthority,
        on: NaiveDate,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("confirm", &[Status::PublicityClosed], on)?;
        let level = self.decision_level(actor, "confirmation")?;
        self.independent(actor.id, Duty::Decision)?;
        let relative = self.staff_relatives.is_registered();
        match level {
            DecisionLevel::Township if relative => {
                return Err(ApplicationError::StaffRelativeNeedsDistrict);
            }
            DecisionLevel::Township if authority != TownshipAuthority::Delegated => {
                return Err(ApplicationError::NoDelegatedAuthority);
            }
            DecisionLevel::District if relative && self.district_home_visit.is_none() => {
                return Err(ApplicationError::DistrictHomeVisitMissing);
            }
            _ => {}
        }
        let outcome = Outcome::Approved {
            monthly_amount: self.proposed_amount.unwrap_or(Fen::ZERO),
            start_month: Month::of(on).next(),
        };
        Ok(self.decide(actor, level, on, outcome, Status::Confirmed))
    }

    /// Rejects with written reasons (required, each non-blank).
    pub fn reject(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        reasons: &[String],
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("reject", REJECTABLE, on)?;
        let reasons: Vec<String> = reasons
            .iter()
            .map(|r| r.trim().to_owned())
            .filter(|r| !r.is_empty())
            .collect();
        if reasons.is_empty() {
            return Err(ApplicationError::ReasonsRequired);
        }
        let level = self.decision_level(actor, "rejection")?;
        self.independent(actor.id, Duty::Decision)?;
        Ok(self.decide(
            actor,
            level,
            on,
            Outcome::Rejected { reasons },
            Status::Rejected,
        ))
    }

    /// Files the confirmed decision with the district (备案); late filing is allowed but flagged.
    pub fn file(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        calendar: &WorkCalendar,
        parameters: &Parameters,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("file", &[Status::Confirmed], on)?;
        self.township_or_district(actor, "filing")?;
        let due = self
            .deadlines(calendar, parameters)?
            .get(Stage::Filing)
            .map_or(on, |d| d.due);
        self.filed_on = Some(on);
        self.enter(Status::Filed, on);
        Ok(ApplicationEvent::Filed {
            application_id: self.id,
            filed_on: on,
            due,
            late: on > due,
        })
    }

    /// Extends the overall time limit (once, with a written reason).
    pub fn extend_time_limit(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        reason: &str,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("extend the time limit of", OPEN, on)?;
        self.township_or_district(actor, "extending the time limit")?;
        if reason.trim().is_empty() {
            return Err(ApplicationError::TextRequired(
                "the reason for the extension",
            ));
        }
        if self.extension.is_some() {
            return Err(ApplicationError::AlreadyExtended);
        }
        self.extension = Some(Signed { by: actor.id, on });
        self.last_step_on = on;
        Ok(ApplicationEvent::TimeLimitExtended {
            application_id: self.id,
            by: actor.id,
            extended_on: on,
            reason: reason.trim().to_owned(),
        })
    }

    /// Records the household's withdrawal of an undecided application.
    pub fn withdraw(
        &mut self,
        recorded_by: &Actor,
        on: NaiveDate,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("withdraw", OPEN, on)?;
        self.withdrawn_on = Some(on);
        self.enter(Status::Withdrawn, on);
        Ok(ApplicationEvent::Withdrawn {
            application_id: self.id,
            recorded_by: recorded_by.id,
            withdrawn_on: on,
        })
    }
}
