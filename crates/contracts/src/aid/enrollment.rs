//! Enrollments: a household in one programme, from start through changes to its end. Each event
//! carries the whole state, so a consumer replaces what it holds.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::{CareLevel, Programme, Residence, SupportMode};
use crate::Event;
use crate::common::{Month, PersonRef, TownshipCode, VillageCode};

/// A household was enrolled in dibao, extreme-poverty support, the marginal register or
/// single-person dibao.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentStarted {
    /// The enrollment (one household in one programme).
    pub enrollment_id: Uuid,
    /// The application whose confirmation started the enrollment.
    pub application_id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The programme; it never changes within an enrollment.
    pub programme: Programme,
    /// Urban or rural standard.
    pub residence: Residence,
    /// Institutional or dispersed; present exactly for extreme poverty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_mode: Option<SupportMode>,
    /// Care level; present exactly for extreme poverty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_level: Option<CareLevel>,
    /// Every member of the household, the beneficiaries included.
    pub members: Vec<PersonRef>,
    /// Members the benefit is paid for (empty for marginal).
    pub beneficiaries: Vec<PersonRef>,
    /// Total monthly benefit for the household (0 for marginal).
    pub monthly_amount_fen: i64,
    /// Township of the household.
    pub township_code: TownshipCode,
    /// Village or community of the household.
    pub village_code: VillageCode,
    /// First month paid.
    pub start_month: Month,
    /// Date of the confirmation decision.
    pub confirmed_on: NaiveDate,
}

impl Event for EnrollmentStarted {
    const SUBJECT: &'static str = "aid.enrollment.started.v1";
}

/// Why an enrollment changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeReason {
    /// A review raised the benefit (增发).
    ReviewIncrease,
    /// A review lowered the benefit (减发).
    ReviewDecrease,
    /// A member joined or left.
    MembersChanged,
    /// The head of household changed.
    HeadChanged,
    /// Extreme poverty moved between institutional and dispersed support.
    SupportModeChanged,
    /// Extreme poverty care level changed.
    CareLevelChanged,
    /// The yearly standard rose (自然增长).
    StandardRaised,
    /// The household moved to another village or township of the district.
    MovedWithinDistrict,
    /// Income rose above the line through work: the old amount is paid until
    /// `gradual_exit_last_month` (渐退).
    GradualExitStarted,
}

/// An enrollment changed; the event carries the whole state after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentChanged {
    /// The enrollment.
    pub enrollment_id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The programme (unchanged within an enrollment).
    pub programme: Programme,
    /// Urban or rural standard.
    pub residence: Residence,
    /// Institutional or dispersed; present exactly for extreme poverty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub support_mode: Option<SupportMode>,
    /// Care level; present exactly for extreme poverty.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub care_level: Option<CareLevel>,
    /// Every member of the household after the change.
    pub members: Vec<PersonRef>,
    /// Members the benefit is paid for after the change.
    pub beneficiaries: Vec<PersonRef>,
    /// Total monthly benefit from `effective_month`.
    pub monthly_amount_fen: i64,
    /// Township of the household.
    pub township_code: TownshipCode,
    /// Village or community of the household.
    pub village_code: VillageCode,
    /// Why it changed.
    pub reason: ChangeReason,
    /// First month paid at the new state.
    pub effective_month: Month,
    /// Last month of the gradual exit; present exactly when the reason is `GradualExitStarted`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub gradual_exit_last_month: Option<Month>,
    /// Date the change was decided.
    pub changed_on: NaiveDate,
}

impl Event for EnrollmentChanged {
    const SUBJECT: &'static str = "aid.enrollment.changed.v1";
}

/// Why an enrollment ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EndReason {
    /// The (last) beneficiary died.
    Death,
    /// Income rose above the line (without gradual exit).
    IncomeAboveLine,
    /// The gradual exit period ended.
    GradualExitCompleted,
    /// The household moved out of the district.
    MovedAway,
    /// A review stopped the benefit (停发).
    ReviewStop,
    /// The household moved to another programme, whose `EnrollmentStarted` follows.
    EnteredOtherProgramme,
    /// Another reason.
    Other,
}

/// An enrollment ended; `end_month` is the last month paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EnrollmentEnded {
    /// The enrollment.
    pub enrollment_id: Uuid,
    /// The household.
    pub household_id: Uuid,
    /// The programme left.
    pub programme: Programme,
    /// Why it ended.
    pub reason: EndReason,
    /// Members of the household when it ended.
    pub members: Vec<PersonRef>,
    /// Members the benefit was paid for when it ended.
    pub beneficiaries: Vec<PersonRef>,
    /// Last month paid.
    pub end_month: Month,
    /// Date the end was decided.
    pub ended_on: NaiveDate,
    /// Township of the household.
    pub township_code: TownshipCode,
    /// Village or community of the household.
    pub village_code: VillageCode,
}

impl Event for EnrollmentEnded {
    const SUBJECT: &'static str = "aid.enrollment.ended.v1";
}
