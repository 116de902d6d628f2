//! The application procedure as a state machine — submitted, accepted, investigated, reviewed,
//! publicised, confirmed, filed — whose guards carry the anti-fraud rules (separation of duties,
//! staff relatives, delegated authority) and whose transitions return the event they cause.

mod deadlines;
mod decision;
mod events;
mod intake;
mod publicity;
#[cfg(test)]
mod tests;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::actor::{Actor, ActorId, DecisionLevel};
use super::integrity::{Duty, Involvement, StaffRelativeLookup, ensure_independent};
use super::money::Fen;
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
