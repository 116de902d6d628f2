//! What the application state machine emits (one event per transition) and why it refuses.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::Status;
use crate::domain::actor::{ActorId, DecisionLevel};
use crate::domain::integrity::DutyConflict;
use crate::domain::money::Fen;
use crate::domain::month::Month;
use crate::domain::programme::{Claim, Programme};
use crate::domain::reference::ReferenceError;

/// How an application arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Channel {
    /// At a township window.
    Window,
    /// Online.
    Online,
    /// By the hotline.
    Hotline,
    /// At a window outside the place of registration (跨区域通办); the registration place handles it.
    CrossRegion,
    /// Opened by staff through active discovery (主动发现).
    ActiveDiscovery,
}

/// The outcome of the decision.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Outcome {
    /// Confirmed (确认): the enrollment starts.
    Approved {
        /// Monthly benefit as publicised.
        monthly_amount: Fen,
        /// First month paid: the month after confirmation.
        start_month: Month,
    },
    /// Rejected, with the written reasons given to the household.
    Rejected {
        /// One line per reason; never empty.
        reasons: Vec<String>,
    },
}

/// The event each transition causes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum ApplicationEvent {
    /// The application was recorded.
    Submitted {
        /// Application.
        application_id: Uuid,
        /// Household.
        household_id: Uuid,
        /// What is claimed.
        claim: Claim,
        /// How it arrived.
        channel: Channel,
        /// Township handling it.
        township: String,
        /// On the staff-relative register: district home visit and confirmation required.
        staff_relative: bool,
        /// Date; the overall limit runs from it.
        submitted_on: NaiveDate,
        /// Who recorded it.
        submitted_by: ActorId,
    },
    /// The township accepted the application (受理).
    Accepted {
        /// Application.
        application_id: Uuid,
        /// Who.
        by: ActorId,
        /// Date.
        accepted_on: NaiveDate,
        /// The investigation must start by then.
        investigation_due: NaiveDate,
    },
    /// The household investigation started and verification (核对) was requested.
    VerificationRequested {
        /// Application.
        application_id: Uuid,
        /// The (at least two) staff doing the home visit.
        investigators: Vec<ActorId>,
        /// Date.
        started_on: NaiveDate,
        /// True when it started after its deadline.
        late: bool,
        /// 1 for the first investigation, more after objections.
        round: u32,
    },
    /// The district made its own home visit (required for staff relatives).
    DistrictHomeVisitRecorded {
        /// Application.
        application_id: Uuid,
        /// District staff who visited.
        by: ActorId,
        /// Date.
        visited_on: NaiveDate,
    },
    /// Township review (初审) proposed a benefit.
    Reviewed {
        /// Application.
        application_id: Uuid,
        /// Reviewer.
        by: ActorId,
        /// Date.
        reviewed_on: NaiveDate,
        /// Amount proposed (what the publicity shows).
        proposed_monthly_amount: Fen,
    },
    /// Publicity (公示) opened in the village.
    PublicityOpened {
        /// Application.
        application_id: Uuid,
        /// 1 for the first publicity, more after objections.
        round: u32,
        /// First day on the board.
        opened_on: NaiveDate,
        /// Last day on the board.
        closes_on: NaiveDate,
        /// Amount shown.
        proposed_monthly_amount: Fen,
    },
    /// An objection was lodged during publicity; the case goes back to investigation.
    ObjectionLodged {
        /// Application.
        application_id: Uuid,
        /// Publicity round objected to.
        round: u32,
        /// Date.
        lodged_on: NaiveDate,
        /// Who recorded it.
        recorded_by: ActorId,
    },
    /// Publicity ended without objection.
    PublicityClosed {
        /// Application.
        application_id: Uuid,
        /// Round closed.
        round: u32,
        /// Date.
        closed_on: NaiveDate,
    },
    /// Confirmed or rejected.
    Decided {
        /// Application.
        application_id: Uuid,
        /// Household.
        household_id: Uuid,
        /// Programme decided on.
        programme: Programme,
        /// Approved (amount, start month) or rejected (reasons).
        outcome: Outcome,
        /// Level that decided.
        level: DecisionLevel,
        /// Who decided.
        by: ActorId,
        /// Date.
        decided_on: NaiveDate,
    },
    /// The township's decision was filed with the district (备案).
    Filed {
        /// Application.
        application_id: Uuid,
        /// Date.
        filed_on: NaiveDate,
        /// Filing deadline.
        due: NaiveDate,
        /// True when filed after the deadline.
        late: bool,
    },
    /// The overall time limit was extended.
    TimeLimitExtended {
        /// Application.
        application_id: Uuid,
        /// Who.
        by: ActorId,
        /// Date.
        extended_on: NaiveDate,
        /// Why (written).
        reason: String,
    },
    /// The household withdrew the application.
    Withdrawn {
        /// Application.
        application_id: Uuid,
        /// Who recorded it.
        recorded_by: ActorId,
        /// Date.
        withdrawn_on: NaiveDate,
    },
}

/// Why a transition is refused; each reads as a sentence a clerk can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApplicationError {
    /// The transition does not start from the current status.
    #[error("cannot {action} an application that is {status:?}")]
    WrongStatus {
        /// The attempted step.
        action: &'static str,
        /// Current status.
        status: Status,
    },
    /// Separation of duties or a family tie.
    #[error(transparent)]
    Duty(#[from] DutyConflict),
    /// The actor's office may not take this step.
    #[error("{action} must be done by {required}")]
    WrongOffice {
        /// The attempted step.
        action: &'static str,
        /// Who may do it.
        required: &'static str,
    },
    /// The township has not been delegated the authority to confirm (认定权限下放).
    #[error("the township has no delegated authority to confirm; the district confirms")]
    NoDelegatedAuthority,
    /// A staff-relative application is confirmed by the district even where authority is delegated.
    #[error("the household is on the staff-relative register: only the district may confirm")]
    StaffRelativeNeedsDistrict,
    /// A staff-relative application needs the district's own home visit first.
    #[error(
        "the household is on the staff-relative register: the district's home visit must be recorded first"
    )]
    DistrictHomeVisitMissing,
    /// A home visit needs at least two distinct staff.
    #[error("the home visit needs at least two different staff, got {0}")]
    TooFewInvestigators(usize),
    /// Publicity has not run its days.
    #[error("the publicity runs until {closes_on}; it can close from {earliest}")]
    PublicityNotElapsed {
        /// Last day on the board.
        closes_on: NaiveDate,
        /// First day it may close.
        earliest: NaiveDate,
    },
    /// An objection awaits its re-investigation.
    #[error("an objection to the publicity is pending: re-investigate before reviewing again")]
    ReinvestigationRequired,
    /// A rejection without written reasons.
    #[error("a rejection must give written reasons")]
    ReasonsRequired,
    /// Free text that must be given was empty.
    #[error("{0} must not be empty")]
    TextRequired(&'static str),
    /// The review is based on an assessment that does not support the claim.
    #[error("the assessment does not support the claim: {0}")]
    AssessmentRefused(String),
    /// A step dated before the previous one.
    #[error("{on} is before the previous step on {previous}")]
    DateBeforePreviousStep {
        /// Date given.
        on: NaiveDate,
        /// Date of the previous step.
        previous: NaiveDate,
    },
    /// The time limit can be extended once.
    #[error("the time limit was already extended")]
    AlreadyExtended,
    /// Parameters missing on the submission date.
    #[error(transparent)]
    Reference(#[from] ReferenceError),
}
