//! Due dates of the procedure in working days (investigation start, overall decision limit,
//! filing), so overdue cases can be listed and escalated instead of found by chance.

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Application, ApplicationError, Outcome};
use crate::domain::calendar::WorkCalendar;
use crate::domain::reference::Parameters;

/// A timed stage of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// Investigation starts within N working days of acceptance.
    InvestigationStart,
    /// Decision within the overall limit from submission (longer once extended).
    Decision,
    /// Filing with the district within N working days of confirmation.
    Filing,
}

/// One stage's due date and when it was done (or became moot).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Due {
    /// Stage.
    pub stage: Stage,
    /// Last day allowed.
    pub due: NaiveDate,
    /// Date the stage was done, or the case decided or withdrawn; `None` while pending.
    pub done_on: Option<NaiveDate>,
}

impl Due {
    /// Pending and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.done_on.is_none() && today > self.due
    }

    /// Done, but after its due date.
    pub fn was_late(&self) -> bool {
        self.done_on.is_some_and(|done| done > self.due)
    }
}

/// The due dates of an application.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Deadlines {
    /// Stages known so far (investigation once accepted, filing once confirmed).
    pub items: Vec<Due>,
    /// First day the running publicity may close.
    pub publicity_may_close_from: Option<NaiveDate>,
}

impl Deadlines {
    /// True when any pending stage is past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.items.iter().any(|d| d.is_overdue(today))
    }

    /// The overdue stages.
    pub fn overdue(&self, today: NaiveDate) -> impl Iterator<Item = &Due> {
        self.items.iter().filter(move |d| d.is_overdue(today))
    }

    /// The due date of a stage.
    pub fn get(&self, stage: Stage) -> Option<&Due> {
        self.items.iter().find(|d| d.stage == stage)
    }
}

/// An overdue stage of one application, for a supervision list.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Overdue {
    /// Application.
    pub application_id: Uuid,
    /// Stage.
    pub stage: Stage,
    /// Its due date.
    pub due: NaiveDate,
}

impl Application {
    /// Due dates computed with the procedure parameters in force on the submission date.
    pub fn deadlines(
        &self,
        calendar: &WorkCalendar,
        parameters: &Parameters,
    ) -> Result<Deadlines, ApplicationError> {
        let p = self.procedure_parameters(parameters)?;
        let closed_on = self
            .decision
            .as_ref()
            .map(|d| d.signed.on)
            .or(self.withdrawn_on);
        let mut items = Vec::new();
        if let Some(accepted) = &self.accepted {
            items.push(Due {
                stage: Stage::InvestigationStart,
                due: calendar.add_working_days(accepted.on, p.investigation_start_working_days),
                done_on: self
                    .investigations
                    .first()
                    .map(|i| i.started_on)
                    .or(closed_on),
            });
        }
        let limit = if self.extension.is_some() {
            p.overall_limit_extended_working_days
        } else {
            p.overall_limit_working_days
        };
        items.push(Due {
            stage: Stage::Decision,
            due: calendar.add_working_days(self.submitted_on, limit),
            done_on: closed_on,
        });
        if let Some(decision) = &self.decision
            && matches!(decision.outcome, Outcome::Approved { .. })
        {
            items.push(Due {
                stage: Stage::Filing,
                due: calendar.add_working_days(decision.signed.on, p.filing_working_days),
                done_on: self.filed_on,
            });
        }
        let publicity_may_close_from = match (self.status, self.publicity.last()) {
            (super::Status::InPublicity, Some(current)) => {
                current.closes_on.checked_add_days(Days::new(1))
            }
            _ => None,
        };
        Ok(Deadlines {
            items,
            publicity_may_close_from,
        })
    }
}

/// Every overdue stage among `applications` on `today`, oldest due date first.
pub fn list_overdue<'a>(
    applications: impl IntoIterator<Item = &'a Application>,
    today: NaiveDate,
    calendar: &WorkCalendar,
    parameters: &Parameters,
) -> Result<Vec<Overdue>, ApplicationError> {
    let mut list = Vec::new();
    for application in applications {
        for due in application.deadlines(calendar, parameters)?.overdue(today) {
            list.push(Overdue {
                application_id: application.id,
                stage: due.stage,
                due: due.due,
            });
        }
    }
    list.sort_by_key(|o| (o.due, o.application_id));
    Ok(list)
}
