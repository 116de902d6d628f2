//! Events minor-protection publishes on the `MINOR` stream: supervised cases (without any person
//! reference) and children flagged for child-welfare's evaluation.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::Event;
use crate::common::{Month, PersonRef, TownshipCode, VillageCode};

/// Protection function a case belongs to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseFunction {
    /// 监测预防.
    MonitoringPrevention,
    /// 强制报告.
    MandatoryReport,
    /// 应急处置.
    EmergencyResponse,
    /// 评估帮扶.
    AssessmentSupport,
    /// 监护干预.
    GuardianshipIntervention,
}

/// Who reported or found a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseSource {
    /// The village child director (儿童主任).
    ChildDirector,
    /// The township child supervisor (儿童督导员).
    ChildSupervisor,
    /// A school.
    School,
    /// A hospital or clinic.
    Medical,
    /// The police.
    Police,
    /// The protection hotline.
    Hotline,
    /// A member of the public.
    Public,
    /// The child.
    SelfReport,
    /// Someone else.
    Other,
}

/// Level that handles a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseLevel {
    /// The village child director.
    Village,
    /// The township minor-protection workstation.
    Township,
    /// The district protection centre.
    District,
}

/// A minor-protection case was opened.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseOpened {
    /// The case.
    pub case_id: Uuid,
    /// Protection function of the case.
    pub function: CaseFunction,
    /// Who reported or found it.
    pub source: CaseSource,
    /// Level handling the case.
    pub level: CaseLevel,
    /// Township of the case.
    pub township_code: TownshipCode,
    /// Village or community of the case, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub village_code: Option<VillageCode>,
    /// Deadline of the supervision (督办), when supervised.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due_on: Option<NaiveDate>,
    /// Date the case was opened.
    pub opened_on: NaiveDate,
}

impl Event for CaseOpened {
    const SUBJECT: &'static str = "minor.case.opened.v1";
}

/// Why a case was escalated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EscalationReason {
    /// The supervision deadline passed.
    DeadlineMissed,
    /// The situation is more serious than the level can handle.
    Severity,
    /// Guardianship intervention is needed.
    GuardianshipInterventionNeeded,
    /// The child was reported again.
    RepeatedReport,
    /// Another reason.
    Other,
}

/// A supervised case was escalated (督办升级) with a new deadline.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseEscalated {
    /// The case.
    pub case_id: Uuid,
    /// Level that held the case.
    pub from_level: CaseLevel,
    /// Level that takes it over (township or district).
    pub to_level: CaseLevel,
    /// Why it was escalated.
    pub reason: EscalationReason,
    /// New deadline.
    pub due_on: NaiveDate,
    /// Township of the case.
    pub township_code: TownshipCode,
    /// Date of escalation.
    pub escalated_on: NaiveDate,
}

impl Event for CaseEscalated {
    const SUBJECT: &'static str = "minor.case.escalated.v1";
}

/// How a case ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CaseOutcome {
    /// Resolved.
    Resolved,
    /// Referred to child-welfare.
    ReferredToChildWelfare,
    /// Civil affairs took guardianship (兜底监护).
    FallbackGuardianship,
    /// A parent's or guardian's care was restored.
    GuardianshipRestored,
    /// Transferred to another district.
    TransferredOut,
    /// The report was unfounded.
    Unfounded,
    /// Another outcome.
    Other,
}

/// A minor-protection case was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseClosed {
    /// The case.
    pub case_id: Uuid,
    /// How it ended.
    pub outcome: CaseOutcome,
    /// Township of the case.
    pub township_code: TownshipCode,
    /// Date the case was closed.
    pub closed_on: NaiveDate,
}

impl Event for CaseClosed {
    const SUBJECT: &'static str = "minor.case.closed.v1";
}

/// A parent's situation, as the de facto unsupported rules (事实无人抚养) read it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParentSituation {
    /// 死亡.
    Dead,
    /// Declared missing by a court (失踪).
    Missing,
    /// 重残.
    SevereDisability,
    /// 重病.
    SevereIllness,
    /// 服刑在押.
    Imprisoned,
    /// 强制隔离戒毒.
    CompulsoryDetox,
    /// Another restriction of liberty.
    DeprivedOfLiberty,
    /// 失联 for 6 months or more, police-confirmed.
    OutOfContact,
    /// 监护资格被撤销.
    CustodyRevoked,
    /// 遣送/驱逐出境.
    Deported,
    /// None of these: the parent is present and able.
    Present,
}

/// One parent of a flagged child, by situation only.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Parent {
    /// The parent's situation.
    pub situation: ParentSituation,
    /// The parent, when the ID number is known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub person_ref: Option<PersonRef>,
    /// When the situation began, when recorded (the 6-month rules count from it).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub since: Option<NaiveDate>,
    /// When a restriction of liberty is expected to end, when recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expected_end: Option<NaiveDate>,
}

/// Minor-protection found a child whose parents may meet the de facto unsupported conditions.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ChildAtRiskFlagged {
    /// The flag.
    pub flag_id: Uuid,
    /// The child.
    pub person_ref: PersonRef,
    /// The father's situation.
    pub father: Parent,
    /// The mother's situation.
    pub mother: Parent,
    /// The minor-protection case that found the child, if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub case_id: Option<Uuid>,
    /// The child's month of birth, when known (the receiver can tell when the child comes of age).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub birth_month: Option<Month>,
    /// Township of the child.
    pub township_code: TownshipCode,
    /// Village or community of the child.
    pub village_code: VillageCode,
    /// Date of the flag.
    pub flagged_on: NaiveDate,
}

impl Event for ChildAtRiskFlagged {
    const SUBJECT: &'static str = "minor.child.at-risk.flagged.v1";
}
