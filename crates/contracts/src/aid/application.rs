//! An application's life on the bus: submitted, verification requested, publicity opened, decided.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{Programme, Residence};
use crate::Event;
use crate::common::{Month, PersonRef, TownshipCode, VillageCode};

/// How an application arrived.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ApplicationChannel {
    /// At a township window.
    Window,
    /// Online.
    Online,
    /// Through the assistance hotline.
    Hotline,
    /// At another region's window (跨区域通办); the 户籍 township handles it.
    CrossRegion,
    /// Opened by staff through active discovery (主动发现).
    ActiveDiscovery,
}

/// A household's application for an aid programme was recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationSubmitted {
    /// The application.
    pub application_id: Uuid,
    /// The applying household (户).
    pub household_id: Uuid,
    /// The member who applies on the household's behalf (申请人).
    pub applicant_ref: PersonRef,
    /// The programme applied for.
    pub programme: Programme,
    /// Urban or rural standard.
    pub residence: Residence,
    /// Number of household members living together with a duty of support.
    pub household_size: u32,
    /// Township that receives and handles the application.
    pub township_code: TownshipCode,
    /// Village or community where the household lives; the publicity is posted there.
    pub village_code: VillageCode,
    /// How the application arrived.
    pub channel: ApplicationChannel,
    /// True when the household is on the staff-relative filing (近亲属备案).
    pub staff_relative: bool,
    /// Date the application was submitted; the 30-working-day limit runs from it.
    pub submitted_on: NaiveDate,
}

impl Event for ApplicationSubmitted {
    const SUBJECT: &'static str = "aid.application.submitted.v1";
}

/// The decision on an application.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionOutcome {
    /// Confirmed (确认): an enrollment starts.
    Approved,
    /// Rejected with written reasons.
    Rejected,
}

/// The level that took a decision or approved a grant.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DecisionLevel {
    /// The township (镇街), within delegated authority or its cap.
    Township,
    /// The district (区).
    District,
}

/// Category of a rejection's written reasons.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionReason {
    /// Household income above the line.
    IncomeAboveLine,
    /// Property over the local limits.
    PropertyOverLimit,
    /// Not registered (户籍) locally.
    NotLocallyRegistered,
    /// The household's composition does not qualify.
    HouseholdComposition,
    /// The household refused to give the information or the authorisation needed.
    InformationRefused,
    /// Another reason (see the written reasons in aid-applications).
    Other,
}

/// An aid application was confirmed or rejected.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApplicationDecided {
    /// The application.
    pub application_id: Uuid,
    /// The applying household.
    pub household_id: Uuid,
    /// The programme decided on.
    pub programme: Programme,
    /// The decision.
    pub outcome: DecisionOutcome,
    /// Level that took the decision.
    pub decided_by: DecisionLevel,
    /// Category of the reasons; present exactly when rejected.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rejection_reason: Option<RejectionReason>,
    /// Monthly benefit for the household; present when approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub monthly_amount_fen: Option<i64>,
    /// First month paid (the month after confirmation); present when approved.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start_month: Option<Month>,
    /// Township of the application.
    pub township_code: TownshipCode,
    /// Village or community of the household.
    pub village_code: VillageCode,
    /// Date of the decision.
    pub decided_on: NaiveDate,
}

impl Event for ApplicationDecided {
    const SUBJECT: &'static str = "aid.application.decided.v1";
}

/// The 7-day publicity (公示) of an application opened; only what a village board may show.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PublicityOpened {
    /// This publicity round.
    pub publicity_id: Uuid,
    /// The application being publicised.
    pub application_id: Uuid,
    /// Board reference (公示编号) printed instead of the applicant's name.
    pub publicity_number: String,
    /// 1 for the first publicity; more after an objection led to re-investigation.
    pub round: u32,
    /// Programme proposed.
    pub programme: Programme,
    /// Urban or rural standard.
    pub residence: Residence,
    /// Number of household members the benefit is computed for.
    pub household_size: u32,
    /// Proposed monthly benefit for the household.
    pub proposed_monthly_amount_fen: i64,
    /// Township of the application.
    pub township_code: TownshipCode,
    /// Village or community whose board shows the publicity.
    pub village_code: VillageCode,
    /// First day on the board.
    pub opened_on: NaiveDate,
    /// Last day on the board.
    pub closes_on: NaiveDate,
}

impl Event for PublicityOpened {
    const SUBJECT: &'static str = "aid.publicity.opened.v1";
}

/// A data source the verification platform checks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum VerificationCheck {
    /// Wages and other income.
    Income,
    /// Pensions and social insurance (人社).
    SocialInsurance,
    /// Real estate (不动产).
    RealEstate,
    /// Vehicles (交管).
    Vehicles,
    /// Business registration (市场监管).
    BusinessRegistration,
    /// Bank deposits.
    Deposits,
    /// Securities.
    Securities,
    /// Tax records.
    Tax,
}

/// aid-applications asks the verification platform (家庭经济状况核对) to check a household; no
/// personal data: the platform fetches details from aid's REST edge at `details_path`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerificationRequested {
    /// The verification request; the answer repeats it.
    pub request_id: Uuid,
    /// The application under investigation.
    pub application_id: Uuid,
    /// The household to check.
    pub household_id: Uuid,
    /// Number of members to check.
    pub household_size: u32,
    /// Data sources to check.
    pub checks: Vec<VerificationCheck>,
    /// Path on aid-applications' REST edge where the platform fetches the details (claim check).
    pub details_path: String,
    /// Date the household signed the authorisation for the check.
    pub authorised_on: NaiveDate,
    /// Township handling the application.
    pub township_code: TownshipCode,
    /// Date of the request.
    pub requested_on: NaiveDate,
    /// Date by which the investigation needs the answer.
    pub reply_by: NaiveDate,
}

impl Event for VerificationRequested {
    const SUBJECT: &'static str = "aid.verification.requested.v1";
}
