//! Events child-welfare publishes on the `CHILD` stream: registrations of orphans and de facto
//! unsupported children, their basic living allowance, and payment batches.

use chrono::{DateTime, FixedOffset, NaiveDate};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;
use crate::common::{Month, PersonRef, TownshipCode, TownshipTotal, VillageCode};

/// Child-welfare category (`defs.json#/$defs/child_category`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChildCategory {
    /// 孤儿, HIV-infected children included (not distinguished on the bus).
    Orphan,
    /// 事实无人抚养儿童.
    DeFactoUnsupported,
}

/// How a child is raised (`defs.json#/$defs/child_care_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareMode {
    /// 集中养育: in a welfare institution.
    Institutional,
    /// 社会散居: in a family.
    FamilyBased,
}

/// What led to a child's registration.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RegistrationOrigin {
    /// An application by a guardian.
    Application,
    /// A minor-protection flag (`minor.child.at-risk.flagged.v1`).
    AtRiskFlag,
    /// A transfer from another district.
    TransferIn,
}

/// A child was registered as an orphan or a de facto unsupported child.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Registered {
    /// The child's registration.
    pub child_id: Uuid,
    /// The child.
    pub person_ref: PersonRef,
    /// Category registered under.
    pub category: ChildCategory,
    /// How the child is raised.
    pub care_mode: CareMode,
    /// What led to the registration.
    pub origin: RegistrationOrigin,
    /// The minor-protection flag evaluated, when the origin is a flag.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at_risk_flag_id: Option<Uuid>,
    /// Township of the child.
    pub township_code: TownshipCode,
    /// Village or community of the child.
    pub village_code: VillageCode,
    /// Date of registration.
    pub registered_on: NaiveDate,
}

impl Event for Registered {
    const SUBJECT: &'static str = "child.registered.v1";
}

/// A registered child's monthly basic living allowance started.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceStarted {
    /// The allowance.
    pub allowance_id: Uuid,
    /// The child's registration.
    pub child_id: Uuid,
    /// The child.
    pub person_ref: PersonRef,
    /// Category the allowance is paid under.
    pub category: ChildCategory,
    /// Care mode the standard is chosen by.
    pub care_mode: CareMode,
    /// First month paid.
    pub start_month: Month,
    /// Monthly amount at the standard in force for `start_month`.
    pub monthly_amount_fen: i64,
    /// Township of the child.
    pub township_code: TownshipCode,
    /// Village or community of the child.
    pub village_code: VillageCode,
    /// Date of approval.
    pub approved_on: NaiveDate,
}

impl Event for AllowanceStarted {
    const SUBJECT: &'static str = "child.allowance.started.v1";
}

/// Why a child's allowance ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceEndReason {
    /// Turned 18 and not in full-time education.
    ReachedAdulthood,
    /// The full-time education that extended the allowance ended.
    EducationCompleted,
    /// Adopted.
    Adopted,
    /// Died.
    Death,
    /// The conditions (e.g. a parent's situation) ended.
    ConditionsEnded,
    /// Moved out of the district.
    MovedAway,
    /// The child moved to another category (a new allowance started).
    CategoryChanged,
    /// Another reason.
    Other,
}

/// Why a child's allowance changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AllowanceChangeReason {
    /// Institutional ↔ family-based.
    CareModeChanged,
    /// The standard rose (natural growth).
    StandardRaised,
    /// The child moved to another category.
    CategoryChanged,
    /// Another reason.
    Other,
}

/// A child's allowance changed amount or basis from `effective_month` on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceChanged {
    /// The allowance.
    pub allowance_id: Uuid,
    /// The child's registration.
    pub child_id: Uuid,
    /// The child.
    pub person_ref: PersonRef,
    /// Category after the change.
    pub category: ChildCategory,
    /// Care mode after the change.
    pub care_mode: CareMode,
    /// Monthly amount from `effective_month`.
    pub monthly_amount_fen: i64,
    /// Monthly amount before.
    pub previous_monthly_amount_fen: i64,
    /// First month at the new amount.
    pub effective_month: Month,
    /// Why.
    pub reason: AllowanceChangeReason,
    /// Township of the child.
    pub township_code: TownshipCode,
    /// Village or community of the child.
    pub village_code: VillageCode,
    /// Date the change was decided.
    pub changed_on: NaiveDate,
}

impl Event for AllowanceChanged {
    const SUBJECT: &'static str = "child.allowance.changed.v1";
}

/// A child's allowance ended; `end_month` is the last month paid.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AllowanceEnded {
    /// The allowance.
    pub allowance_id: Uuid,
    /// The child's registration.
    pub child_id: Uuid,
    /// The child.
    pub person_ref: PersonRef,
    /// Why it ended.
    pub reason: AllowanceEndReason,
    /// Last month paid.
    pub end_month: Month,
    /// Township of the child.
    pub township_code: TownshipCode,
    /// Village or community of the child.
    pub village_code: VillageCode,
    /// Date the end was decided.
    pub ended_on: NaiveDate,
}

impl Event for AllowanceEnded {
    const SUBJECT: &'static str = "child.allowance.ended.v1";
}

/// child-welfare issued its monthly payment batch to the bank.
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
    const SUBJECT: &'static str = "child.payment.batch.issued.v1";
}
