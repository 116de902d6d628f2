//! Money and help outside enrollments: temporary assistance, referrals to specialised assistance,
//! and the monthly payment batch.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use super::DecisionLevel;
use crate::Event;
use crate::common::{Month, PersonRef, TownshipCode, TownshipTotal, VillageCode};

/// Kind of sudden hardship behind temporary assistance.
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

/// Where the household applied for temporary assistance.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliedAt {
    /// Where the household is registered (户籍地).
    RegisteredPlace,
    /// Where the emergency happened.
    EmergencyPlace,
}

/// Temporary assistance (临时救助) was granted, possibly act-first from the reserve fund.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TemporaryAssistanceGranted {
    /// The grant.
    pub grant_id: Uuid,
    /// The household helped.
    pub household_id: Uuid,
    /// The person who applied.
    pub applicant_ref: PersonRef,
    /// Kind of sudden hardship.
    pub emergency_type: EmergencyType,
    /// Where the household applied.
    pub applied_at: AppliedAt,
    /// Tier that approved: the township up to its cap, the district above it.
    pub approved_by: DecisionLevel,
    /// True for act-first assistance paid at once from the township reserve fund.
    pub act_first: bool,
    /// Amount granted.
    pub amount_fen: i64,
    /// Township that handled the grant.
    pub township_code: TownshipCode,
    /// Date of approval (or of the act-first payment).
    pub granted_on: NaiveDate,
}

impl Event for TemporaryAssistanceGranted {
    const SUBJECT: &'static str = "aid.temporary-assistance.granted.v1";
}

/// Specialised assistance a household is referred to (分层分类).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assistance {
    /// Medical assistance (医疗救助).
    Medical,
    /// Education assistance (教育救助).
    Education,
    /// Housing assistance (住房救助).
    Housing,
    /// Employment assistance (就业救助).
    Employment,
}

/// What led to a referral.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ReferralSource {
    /// An application's investigation.
    Application,
    /// A periodic review.
    Review,
    /// Low-income monitoring (动态监测).
    Monitoring,
    /// A partner's flag.
    PartnerFlag,
    /// A temporary-assistance case.
    TemporaryAssistance,
}

/// A household (or one member) was referred to a specialised assistance.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ReferralRequested {
    /// The referral.
    pub referral_id: Uuid,
    /// The household referred.
    pub household_id: Uuid,
    /// The member concerned, when the assistance is for one person.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_ref: Option<PersonRef>,
    /// Specialised assistance asked for.
    pub assistance: Assistance,
    /// What led to the referral.
    pub source: ReferralSource,
    /// Township of the household.
    pub township_code: TownshipCode,
    /// Village or community of the household.
    pub village_code: VillageCode,
    /// Date of the referral.
    pub requested_on: NaiveDate,
}

impl Event for ReferralRequested {
    const SUBJECT: &'static str = "aid.referral.requested.v1";
}

/// aid-applications issued its monthly payment batch to the bank.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentBatchIssued {
    /// The batch; a bank return names it.
    pub batch_id: Uuid,
    /// Month the batch pays for.
    pub month: Month,
    /// Number of payment lines.
    pub line_count: u64,
    /// Sum of all lines.
    pub total_fen: i64,
    /// Lines and money per township.
    pub townships: Vec<TownshipTotal>,
    /// When the batch was issued to the bank.
    pub issued_at: DateTime<FixedOffset>,
    /// For a re-issue batch, the batch whose returned lines it pays again.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub reissue_of: Option<Uuid>,
    /// The lines paying an earlier month than the batch's, by month and kind.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub arrears: Vec<ArrearsTotal>,
}

impl Event for PaymentBatchIssued {
    const SUBJECT: &'static str = "aid.payment.batch.issued.v1";
}

/// What a payment line for an earlier month pays.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ArrearsKind {
    /// The month's amount, owed and never paid.
    Arrears,
    /// The difference to an amount paid before a standard rose with effect from the month.
    TopUp,
}

/// The lines of a batch that pay one earlier month, of one kind.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ArrearsTotal {
    /// The month the lines pay.
    pub month: Month,
    /// What the lines pay.
    pub kind: ArrearsKind,
    /// Number of such lines.
    pub line_count: u64,
    /// Their sum in fen.
    pub total_fen: i64,
}
