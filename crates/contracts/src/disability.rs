//! Events disability-subsidies publishes on the `DISABILITY` stream: the living and nursing
//! subsidies (两项补贴), comparison findings and payment batches.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;
use crate::common::{Month, PersonRef, TownshipCode, TownshipTotal, VillageCode};

/// Which disability subsidy (`defs.json#/$defs/subsidy_kind`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyKind {
    /// 困难残疾人生活补贴: certificate holders in dibao households.
    Living,
    /// 重度残疾人护理补贴: certificate level 1–2.
    Nursing,
}

/// How a subsidy case was opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyOrigin {
    /// The person applied.
    Application,
    /// disability-subsidies opened it itself (政策找人), e.g. from an aid enrollment.
    ActiveDiscovery,
}

/// A disability subsidy was granted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyGranted {
    /// The subsidy case.
    pub subsidy_id: Uuid,
    /// The disabled person.
    pub person_ref: PersonRef,
    /// Which subsidy.
    pub kind: SubsidyKind,
    /// How the case was opened.
    pub origin: SubsidyOrigin,
    /// The dibao household that makes the person eligible for the living subsidy, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub household_id: Option<Uuid>,
    /// First month paid.
    pub start_month: Month,
    /// Monthly amount at the standard in force for `start_month`.
    pub monthly_amount_fen: i64,
    /// Township of the person.
    pub township_code: TownshipCode,
    /// Village or community of the person.
    pub village_code: VillageCode,
    /// Date of the grant decision.
    pub granted_on: NaiveDate,
}

impl Event for SubsidyGranted {
    const SUBJECT: &'static str = "disability.subsidy.granted.v1";
}

/// Why a subsidy changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyChangeReason {
    /// The standard rose.
    StandardRaised,
    /// The certificate's level changed.
    LevelChanged,
    /// The certificate was renewed.
    CertificateRenewed,
    /// The person moved within the district.
    MovedWithinDistrict,
}

/// A disability subsidy's amount or place changed; the state after the change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyChanged {
    /// The subsidy case.
    pub subsidy_id: Uuid,
    /// The disabled person.
    pub person_ref: PersonRef,
    /// Which subsidy.
    pub kind: SubsidyKind,
    /// Why it changed.
    pub reason: SubsidyChangeReason,
    /// First month paid at the new state.
    pub effective_month: Month,
    /// Monthly amount from `effective_month`.
    pub monthly_amount_fen: i64,
    /// Township of the person.
    pub township_code: TownshipCode,
    /// Village or community of the person.
    pub village_code: VillageCode,
    /// Date of the change.
    pub changed_on: NaiveDate,
}

impl Event for SubsidyChanged {
    const SUBJECT: &'static str = "disability.subsidy.changed.v1";
}

/// Why a subsidy stopped.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SubsidyEndReason {
    /// The person died (stop in the month of the comparison).
    Death,
    /// The person entered extreme-poverty support (stop in the month of the comparison).
    ExtremePovertySupport,
    /// The certificate expired (stop from the next month).
    CertificateExpired,
    /// The certificate was revoked.
    CertificateRevoked,
    /// The household left dibao (living subsidy stops the next month).
    LeftDibao,
    /// The level no longer qualifies.
    LevelNotEligible,
    /// A work-injury care allowance excludes the nursing subsidy.
    WorkInjuryCareAllowance,
    /// The person moved out of the district.
    MovedAway,
    /// The person withdrew.
    Withdrawn,
    /// Another reason.
    Other,
}

/// A disability subsidy stopped; `end_month` is the last month paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SubsidyEnded {
    /// The subsidy case.
    pub subsidy_id: Uuid,
    /// The disabled person.
    pub person_ref: PersonRef,
    /// Which subsidy.
    pub kind: SubsidyKind,
    /// Why it stopped.
    pub reason: SubsidyEndReason,
    /// Last month paid.
    pub end_month: Month,
    /// Township of the person.
    pub township_code: TownshipCode,
    /// Village or community of the person.
    pub village_code: VillageCode,
    /// Date the stop was decided.
    pub ended_on: NaiveDate,
}

impl Event for SubsidyEnded {
    const SUBJECT: &'static str = "disability.subsidy.ended.v1";
}

/// What the monthly comparison (数据比对) found.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AnomalyKind {
    /// 应享未享: eligible but not claiming.
    EligibleNotClaiming,
    /// 重复享受: drawing an excluded combination of benefits.
    DoubleBenefit,
    /// 超范围: paid outside the scope.
    OutOfScope,
    /// 已死亡仍领取: a dead person still paid.
    DeceasedStillPaid,
    /// 卡名不一致: account holder is neither the beneficiary nor a registered agent.
    CardNameMismatch,
    /// One account receiving for several people.
    SharedAccount,
}

/// The monthly comparison found an anomaly (a case with a due date in disability-subsidies).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnomalyDetected {
    /// The finding.
    pub finding_id: Uuid,
    /// What was found.
    pub kind: AnomalyKind,
    /// The subsidy concerned, when the finding is about one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy_kind: Option<SubsidyKind>,
    /// The subsidy case concerned, when there is one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub subsidy_id: Option<Uuid>,
    /// The person concerned.
    pub person_ref: PersonRef,
    /// Month of the comparison run.
    pub comparison_month: Month,
    /// Money paid wrongly or due and unpaid, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub amount_at_risk_fen: Option<i64>,
    /// Township that must handle the finding.
    pub township_code: TownshipCode,
    /// Date of detection.
    pub detected_on: NaiveDate,
    /// Date by which the township must settle the finding.
    pub due_on: NaiveDate,
}

impl Event for AnomalyDetected {
    const SUBJECT: &'static str = "disability.anomaly.detected.v1";
}

/// disability-subsidies issued its monthly payment batch to the bank.
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
}

impl Event for PaymentBatchIssued {
    const SUBJECT: &'static str = "disability.payment.batch.issued.v1";
}
