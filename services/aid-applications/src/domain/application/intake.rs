//! Intake: acceptance, the household investigation (and re-investigation after an objection),
//! the district's own home visit, and the township review that proposes the benefit.

use chrono::NaiveDate;

use super::{
    Application, ApplicationError, ApplicationEvent, Investigation, Signed, Stage, Status,
};
use crate::domain::actor::{Actor, ActorId};
use crate::domain::benefit::Assessment;
use crate::domain::calendar::WorkCalendar;
use crate::domain::integrity::Duty;
use crate::domain::reference::Parameters;

impl Application {
    /// Accepts (受理) the application; the investigation deadline starts.
    pub fn accept(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        calendar: &WorkCalendar,
        parameters: &Parameters,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("accept", &[Status::Submitted], on)?;
        self.township_or_district(actor, "acceptance")?;
        self.independent(actor.id, Duty::Acceptance)?;
        let p = self.procedure_parameters(parameters)?;
        self.accepted = Some(Signed { by: actor.id, on });
        self.involve(actor.id, Duty::Acceptance);
        self.enter(Status::Accepted, on);
        Ok(ApplicationEvent::Accepted {
            application_id: self.id,
            by: actor.id,
            accepted_on: on,
            investigation_due: calendar.add_working_days(on, p.investigation_start_working_days),
        })
    }

    /// Starts the household investigation (home visit by at least two staff) and requests
    /// verification; again after an objection. Starting late is allowed but flagged; the deadline
    /// is listed as overdue meanwhile.
    pub fn start_investigation(
        &mut self,
        actor: &Actor,
        investigators: &[ActorId],
        on: NaiveDate,
        calendar: &WorkCalendar,
        parameters: &Parameters,
    ) -> Result<ApplicationEvent, ApplicationError> {
        if self.objection_pending {
            self.step("re-investigate", &[Status::Investigating], on)?;
        } else {
            self.step("start the investigation of", &[Status::Accepted], on)?;
        }
        self.township_or_district(actor, "starting the investigation")?;
        let mut distinct = investigators.to_vec();
        distinct.sort();
        distinct.dedup();
        if distinct.len() < 2 {
            return Err(ApplicationError::TooFewInvestigators(distinct.len()));
        }
        for investigator in &distinct {
            self.independent(*investigator, Duty::Investigation)?;
        }
        let due = self
            .deadlines(calendar, parameters)?
            .get(Stage::InvestigationStart)
            .map(|d| d.due);
        for investigator in &distinct {
            self.involve(*investigator, Duty::Investigation);
        }
        self.investigations.push(Investigation {
            started_on: on,
            investigators: distinct.clone(),
        });
        self.objection_pending = false;
        self.enter(Status::Investigating, on);
        Ok(ApplicationEvent::VerificationRequested {
            application_id: self.id,
            investigators: distinct,
            started_on: on,
            late: due.is_some_and(|due| on > due),
            round: self.round(),
        })
    }

    /// Records the district's own home visit (required before confirming a staff-relative case).
    /// The visitor counts as an investigator, so cannot also confirm.
    pub fn record_district_home_visit(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step(
            "record a district home visit for",
            &[
                Status::Investigating,
                Status::Reviewed,
                Status::InPublicity,
                Status::PublicityClosed,
            ],
            on,
        )?;
        if !actor.is_district() {
            return Err(ApplicationError::WrongOffice {
                action: "the district home visit",
                required: "district staff",
            });
        }
        self.independent(actor.id, Duty::Investigation)?;
        self.involve(actor.id, Duty::Investigation);
        self.district_home_visit = Some(Signed { by: actor.id, on });
        self.last_step_on = on;
        Ok(ApplicationEvent::DistrictHomeVisitRecorded {
            application_id: self.id,
            by: actor.id,
            visited_on: on,
        })
    }

    /// Township review (初审): proposes the amount of an assessment that supports the claim.
    pub fn review(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        assessment: &Assessment,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("review", &[Status::Investigating], on)?;
        if self.objection_pending {
            return Err(ApplicationError::ReinvestigationRequired);
        }
        if !actor.is_township(&self.township) {
            return Err(ApplicationError::WrongOffice {
                action: "the review",
                required: "the application's township",
            });
        }
        self.independent(actor.id, Duty::Review)?;
        if assessment.programme != self.claim.programme() {
            return Err(ApplicationError::AssessmentRefused(format!(
                "it assesses {} but the claim is {}",
                assessment.programme.label(),
                self.claim.programme().label()
            )));
        }
        if !assessment.eligible {
            return Err(ApplicationError::AssessmentRefused(format!(
                "{} (reject instead)",
                assessment.reasons.join("; ")
            )));
        }
        self.involve(actor.id, Duty::Review);
        self.review = Some(Signed { by: actor.id, on });
        self.proposed_amount = Some(assessment.monthly_amount);
        self.enter(Status::Reviewed, on);
        Ok(ApplicationEvent::Reviewed {
            application_id: self.id,
            by: actor.id,
            reviewed_on: on,
            proposed_monthly_amount: assessment.monthly_amount,
        })
    }
}
