//! The application procedure as a state machine — submitted, accepted, investigated, reviewed,
//! publicised, confirmed, filed — whose guards carry the anti-fraud rules (separation of duties,
//! staff relatives, delegated authority) and whose transitions return the event they cause.

mod deadlines;
mod events;
#[cfg(test)]
mod tests;

use chrono::{Days, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::actor::{Actor, ActorId, DecisionLevel};
use super::benefit::Assessment;
use super::calendar::WorkCalendar;
use super::integrity::{Duty, Involvement, StaffRelativeLookup, ensure_independent};
use super::money::Fen;
use super::month::Month;
use super::programme::Claim;
use super::reference::{ParameterSet, Parameters};

pub use deadlines::{Deadlines, Due, Overdue, Stage, list_overdue};
pub use events::{ApplicationError, ApplicationEvent, Channel, Outcome};

/// Where an application stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Recorded, not yet accepted.
    Submitted,
    /// Accepted (受理); the investigation must start within the limit.
    Accepted,
    /// Home visit and verification under way (again after an objection).
    Investigating,
    /// The township review proposed a benefit.
    Reviewed,
    /// On the village board.
    InPublicity,
    /// Publicity over without objection; awaiting confirmation.
    PublicityClosed,
    /// Confirmed; to be filed with the district.
    Confirmed,
    /// Filed with the district (final).
    Filed,
    /// Rejected with written reasons (final).
    Rejected,
    /// Withdrawn by the household (final).
    Withdrawn,
}

/// Whether the township may confirm its own applications (认定权限下放), a per-township switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TownshipAuthority {
    /// The district confirms.
    DistrictConfirms,
    /// The township confirms (except staff-relative cases).
    Delegated,
}

/// What is needed to record an application.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewApplication {
    /// Id of the new application.
    pub id: Uuid,
    /// The applying household.
    pub household_id: Uuid,
    /// What is claimed.
    pub claim: Claim,
    /// How it arrived.
    pub channel: Channel,
    /// Township (9-digit code) handling it: the household's place of registration.
    pub township: String,
    /// Date of submission.
    pub submitted_on: NaiveDate,
    /// Who recorded it.
    pub submitted_by: ActorId,
    /// The staff-relative register lookup for the household.
    pub staff_relatives: StaffRelativeLookup,
}

/// One investigation round (the first, or one after an objection).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Investigation {
    /// Start date (verification requested).
    pub started_on: NaiveDate,
    /// Staff doing the home visit.
    pub investigators: Vec<ActorId>,
}

/// One publicity round.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Publicity {
    /// 1, 2, …
    pub round: u32,
    /// First day on the board.
    pub opened_on: NaiveDate,
    /// Last day on the board.
    pub closes_on: NaiveDate,
    /// Date closed without objection.
    pub closed_on: Option<NaiveDate>,
    /// The objection that ended the round, if any.
    pub objection: Option<Objection>,
}

/// An objection to a publicity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Objection {
    /// Date lodged.
    pub lodged_on: NaiveDate,
    /// Who recorded it.
    pub recorded_by: ActorId,
    /// What was objected.
    pub summary: String,
}

/// A visit or a decision by a named staff member on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Signed {
    /// Who.
    pub by: ActorId,
    /// When.
    pub on: NaiveDate,
}

/// The decision taken.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Decision {
    /// Approved or rejected.
    pub outcome: Outcome,
    /// Level that decided.
    pub level: DecisionLevel,
    /// Who and when.
    pub signed: Signed,
}

/// An application for an aid programme and its procedure so far.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Application {
    /// Application id.
    pub id: Uuid,
    /// Applying household.
    pub household_id: Uuid,
    /// What is claimed.
    pub claim: Claim,
    /// How it arrived.
    pub channel: Channel,
    /// Township handling it.
    pub township: String,
    /// Staff-relative register lookup at submission.
    pub staff_relatives: StaffRelativeLookup,
    /// Date of submission; the overall limit and the parameters of the procedure are fixed by it.
    pub submitted_on: NaiveDate,
    status: Status,
    last_step_on: NaiveDate,
    involvements: Vec<Involvement>,
    accepted: Option<Signed>,
    investigations: Vec<Investigation>,
    review: Option<Signed>,
    proposed_amount: Option<Fen>,
    publicity: Vec<Publicity>,
    objection_pending: bool,
    district_home_visit: Option<Signed>,
    extension: Option<Signed>,
    decision: Option<Decision>,
    filed_on: Option<NaiveDate>,
    withdrawn_on: Option<NaiveDate>,
}

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
const TOWNSHIP_OR_DISTRICT: &str = "the application's township or the district";

impl Application {
    /// Records a new application.
    pub fn submit(new: NewApplication) -> (Self, ApplicationEvent) {
        let event = ApplicationEvent::Submitted {
            application_id: new.id,
            household_id: new.household_id,
            claim: new.claim,
            channel: new.channel,
            township: new.township.clone(),
            staff_relative: new.staff_relatives.is_registered(),
            submitted_on: new.submitted_on,
            submitted_by: new.submitted_by,
        };
        let application = Self {
            id: new.id,
            household_id: new.household_id,
            claim: new.claim,
            channel: new.channel,
            township: new.township,
            staff_relatives: new.staff_relatives,
            submitted_on: new.submitted_on,
            status: Status::Submitted,
            last_step_on: new.submitted_on,
            involvements: vec![Involvement {
                actor: new.submitted_by,
                duty: Duty::Submission,
            }],
            accepted: None,
            investigations: Vec::new(),
            review: None,
            proposed_amount: None,
            publicity: Vec::new(),
            objection_pending: false,
            district_home_visit: None,
            extension: None,
            decision: None,
            filed_on: None,
            withdrawn_on: None,
        };
        (application, event)
    }

    /// Current status.
    pub fn status(&self) -> Status {
        self.status
    }

    /// Who did what so far.
    pub fn involvements(&self) -> &[Involvement] {
        &self.involvements
    }

    /// Investigation rounds.
    pub fn investigations(&self) -> &[Investigation] {
        &self.investigations
    }

    /// Publicity rounds.
    pub fn publicity(&self) -> &[Publicity] {
        &self.publicity
    }

    /// The decision, once taken.
    pub fn decision(&self) -> Option<&Decision> {
        self.decision.as_ref()
    }

    /// Amount proposed by the current review.
    pub fn proposed_amount(&self) -> Option<Fen> {
        self.proposed_amount
    }

    /// True when an objection awaits its re-investigation.
    pub fn objection_pending(&self) -> bool {
        self.objection_pending
    }

    /// The district's own home visit, if recorded.
    pub fn district_home_visit(&self) -> Option<&Signed> {
        self.district_home_visit.as_ref()
    }

    /// The parameters of the procedure: those in force on the submission date.
    pub fn procedure_parameters(
        &self,
        parameters: &Parameters,
    ) -> Result<ParameterSet, ApplicationError> {
        Ok(parameters.at(self.submitted_on)?)
    }

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

    /// Opens the publicity (公示) in the village for the configured number of calendar days,
    /// the opening day counted as the first.
    pub fn open_publicity(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        parameters: &Parameters,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("open the publicity of", &[Status::Reviewed], on)?;
        self.township_or_district(actor, "opening the publicity")?;
        let days = self.procedure_parameters(parameters)?.publicity_days.max(1);
        let closes_on = on
            .checked_add_days(Days::new(u64::from(days - 1)))
            .unwrap_or(on);
        let round = u32::try_from(self.publicity.len())
            .unwrap_or(u32::MAX)
            .saturating_add(1);
        self.publicity.push(Publicity {
            round,
            opened_on: on,
            closes_on,
            closed_on: None,
            objection: None,
        });
        self.enter(Status::InPublicity, on);
        Ok(ApplicationEvent::PublicityOpened {
            application_id: self.id,
            round,
            opened_on: on,
            closes_on,
            proposed_monthly_amount: self.proposed_amount.unwrap_or(Fen::ZERO),
        })
    }

    /// Records an objection to the running publicity: the round ends, the proposal lapses and the
    /// case goes back to investigation. The objection stays pending until a new investigation
    /// round starts; only then can the case be reviewed and publicised again.
    pub fn lodge_objection(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
        summary: &str,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("lodge an objection to", &[Status::InPublicity], on)?;
        if summary.trim().is_empty() {
            return Err(ApplicationError::TextRequired("the objection's summary"));
        }
        let objection = Objection {
            lodged_on: on,
            recorded_by: actor.id,
            summary: summary.trim().to_owned(),
        };
        let round = match self.publicity.last_mut() {
            Some(current) => {
                current.objection = Some(objection);
                current.round
            }
            None => 0,
        };
        self.review = None;
        self.proposed_amount = None;
        self.objection_pending = true;
        self.enter(Status::Investigating, on);
        Ok(ApplicationEvent::ObjectionLodged {
            application_id: self.id,
            round,
            lodged_on: on,
            recorded_by: actor.id,
        })
    }

    /// Closes the publicity once its days have elapsed (from the day after its last day).
    pub fn close_publicity(
        &mut self,
        actor: &Actor,
        on: NaiveDate,
    ) -> Result<ApplicationEvent, ApplicationError> {
        self.step("close the publicity of", &[Status::InPublicity], on)?;
        self.township_or_district(actor, "closing the publicity")?;
        let Some(current) = self.publicity.last_mut() else {
            return Err(ApplicationError::WrongStatus {
                action: "close the publicity of",
                status: self.status,
            });
        };
        let earliest = current
            .closes_on
            .checked_add_days(Days::new(1))
            .unwrap_or(current.closes_on);
        if on < earliest {
            return Err(ApplicationError::PublicityNotElapsed {
                closes_on: current.closes_on,
                earliest,
            });
        }
        current.closed_on = Some(on);
        let round = current.round;
        self.enter(Status::PublicityClosed, on);
        Ok(ApplicationEvent::PublicityClosed {
            application_id: self.id,
            round,
            closed_on: on,
        })
    }

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

    fn step(
        &self,
        action: &'static str,
        from: &[Status],
        on: NaiveDate,
    ) -> Result<(), ApplicationError> {
        if !from.contains(&self.status) {
            return Err(ApplicationError::WrongStatus {
                action,
                status: self.status,
            });
        }
        if on < self.last_step_on {
            return Err(ApplicationError::DateBeforePreviousStep {
                on,
                previous: self.last_step_on,
            });
        }
        Ok(())
    }

    fn enter(&mut self, status: Status, on: NaiveDate) {
        self.status = status;
        self.last_step_on = on;
    }

    fn involve(&mut self, actor: ActorId, duty: Duty) {
        self.involvements.push(Involvement { actor, duty });
    }

    fn independent(&self, actor: ActorId, duty: Duty) -> Result<(), ApplicationError> {
        Ok(ensure_independent(
            actor,
            duty,
            &self.involvements,
            &self.staff_relatives,
        )?)
    }

    fn township_or_district(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<(), ApplicationError> {
        if actor.is_district() || actor.is_township(&self.township) {
            Ok(())
        } else {
            Err(ApplicationError::WrongOffice {
                action,
                required: TOWNSHIP_OR_DISTRICT,
            })
        }
    }

    fn decision_level(
        &self,
        actor: &Actor,
        action: &'static str,
    ) -> Result<DecisionLevel, ApplicationError> {
        if actor.is_district() {
            Ok(DecisionLevel::District)
        } else if actor.is_township(&self.township) {
            Ok(DecisionLevel::Township)
        } else {
            Err(ApplicationError::WrongOffice {
                action,
                required: TOWNSHIP_OR_DISTRICT,
            })
        }
    }

    fn decide(
        &mut self,
        actor: &Actor,
        level: DecisionLevel,
        on: NaiveDate,
        outcome: Outcome,
        status: Status,
    ) -> ApplicationEvent {
        self.involve(actor.id, Duty::Decision);
        self.decision = Some(Decision {
            outcome: outcome.clone(),
            level,
            signed: Signed { by: actor.id, on },
        });
        self.enter(status, on);
        ApplicationEvent::Decided {
            application_id: self.id,
            household_id: self.household_id,
            programme: self.claim.programme(),
            outcome,
            level,
            by: actor.id,
            decided_on: on,
        }
    }

    fn round(&self) -> u32 {
        u32::try_from(self.investigations.len()).unwrap_or(u32::MAX)
    }
}
