//! Events aid-applications publishes on the `AID` stream: applications, publicity, enrollments in
//! dibao / extreme poverty / marginal / single-person dibao, temporary assistance, referrals,
//! verification requests and payment batches.

mod application;
mod assistance;
mod enrollment;

use serde::{Deserialize, Serialize};

pub use application::{
    ApplicationChannel, ApplicationDecided, ApplicationSubmitted, DecisionLevel, DecisionOutcome,
    PublicityOpened, RejectionReason, VerificationCheck, VerificationRequested,
};
pub use assistance::{
    AppliedAt, ArrearsKind, ArrearsTotal, Assistance, EmergencyType, PaymentBatchIssued,
    ReferralRequested, ReferralSource, TemporaryAssistanceGranted,
};
pub use enrollment::{
    ChangeReason, EndReason, EnrollmentChanged, EnrollmentEnded, EnrollmentStarted,
};

/// An aid programme (`defs.json#/$defs/aid_programme`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Programme {
    /// 最低生活保障 (低保).
    Dibao,
    /// 特困人员供养.
    ExtremePoverty,
    /// 低保边缘家庭 (no cash benefit of its own).
    Marginal,
    /// 单人保: a severely disabled or ill member of a marginal household enrolled alone.
    SinglePersonDibao,
}

/// Whether the urban or the rural standard applies (`defs.json#/$defs/residence`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Residence {
    /// 城市.
    Urban,
    /// 农村.
    Rural,
}

/// Extreme-poverty support mode (`defs.json#/$defs/support_mode`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SupportMode {
    /// 集中供养: in an institution.
    Institutional,
    /// 分散供养: at home; elderly-care visits monthly.
    Dispersed,
}

/// Extreme-poverty care level by self-care ability (`defs.json#/$defs/care_level`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareLevel {
    /// 全自理.
    FullSelfCare,
    /// 半护理.
    PartialCare,
    /// 全护理.
    FullCare,
}
