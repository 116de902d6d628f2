//! A protection case's vocabulary and the rules of its life: who reported it (mandatory reporters
//! first), how risky it is, which matters are major (supervised), and when it may be closed.

use contracts::minor::{CaseFunction, CaseOutcome, CaseSource};
use serde::{Deserialize, Serialize};

/// Who reported or found the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reporter {
    /// A school (mandatory reporter, 强制报告).
    School,
    /// A hospital or clinic (mandatory reporter).
    Hospital,
    /// The police (mandatory reporter).
    Police,
    /// The village or community, its child director (mandatory reporter).
    Village,
    /// The protection hotline (12345 / 12355).
    Hotline,
    /// The township child supervisor.
    ChildSupervisor,
    /// A member of the public.
    Public,
    /// The child.
    SelfReport,
    /// Someone else.
    Other,
}

impl Reporter {
    /// Whether the reporter is bound by the mandatory-reporting duty (or is the hotline that
    /// receives such reports).
    pub fn is_mandatory(self) -> bool {
        matches!(
            self,
            Self::School | Self::Hospital | Self::Police | Self::Village | Self::Hotline
        )
    }

    /// The contract's source. The contract has no hotline value: a hotline call is a report from
    /// the public.
    pub fn source(self) -> CaseSource {
        match self {
            Self::School => CaseSource::School,
            Self::Hospital => CaseSource::Medical,
            Self::Police => CaseSource::Police,
            Self::Village => CaseSource::ChildDirector,
            Self::Hotline | Self::Public => CaseSource::Public,
            Self::ChildSupervisor => CaseSource::ChildSupervisor,
            Self::SelfReport => CaseSource::SelfReport,
            Self::Other => CaseSource::Other,
        }
    }

    /// The function a report opens when the intake does not name one.
    pub fn default_function(self) -> CaseFunction {
        if self.is_mandatory() {
            CaseFunction::MandatoryReport
        } else {
            CaseFunction::MonitoringPrevention
        }
    }
}

/// Result of a risk assessment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RiskLevel {
    /// No protection concern beyond monitoring.
    Low,
    /// Support needed.
    Medium,
    /// Serious harm likely: a major matter.
    High,
    /// The child is in danger now: emergency response, a major matter.
    ImmediateDanger,
}

impl RiskLevel {
    /// Whether the risk makes the case a major matter under supervision (督办).
    pub fn is_major(self) -> bool {
        self >= Self::High
    }
}

/// Why a case cannot be closed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
pub enum ClosureRefusal {
    /// A transfer waits for the receiver's answer.
    #[error("a transfer of the case is pending; it must be accepted or declined first")]
    TransferPending,
    /// Civil affairs still holds guardianship and the outcome says otherwise.
    #[error(
        "fallback guardianship is active: end it, or close with the outcome fallback_guardianship"
    )]
    GuardianshipActive,
    /// The outcome claims guardianship that was never started.
    #[error("the outcome fallback_guardianship needs an active fallback guardianship")]
    NoGuardianship,
    /// Transferred out is what a transfer does, not a closure.
    #[error("a case moves to another unit by a transfer, not by closing it")]
    TransferIsNotAClosure,
}

/// Whether a case may be closed with `outcome`.
pub fn may_close(
    outcome: CaseOutcome,
    guardianship_active: bool,
    transfer_pending: bool,
) -> Result<(), ClosureRefusal> {
    if transfer_pending {
        return Err(ClosureRefusal::TransferPending);
    }
    match (outcome, guardianship_active) {
        (CaseOutcome::TransferredOut, _) => Err(ClosureRefusal::TransferIsNotAClosure),
        (CaseOutcome::FallbackGuardianship, false) => Err(ClosureRefusal::NoGuardianship),
        (CaseOutcome::FallbackGuardianship, true) | (_, false) => Ok(()),
        (_, true) => Err(ClosureRefusal::GuardianshipActive),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mandatory_reporters_open_mandatory_reports() {
        let table = [
            (Reporter::School, true, CaseSource::School),
            (Reporter::Hospital, true, CaseSource::Medical),
            (Reporter::Police, true, CaseSource::Police),
            (Reporter::Village, true, CaseSource::ChildDirector),
            (Reporter::Hotline, true, CaseSource::Public),
            (Reporter::Public, false, CaseSource::Public),
            (Reporter::SelfReport, false, CaseSource::SelfReport),
        ];
        for (reporter, mandatory, source) in table {
            assert_eq!(reporter.is_mandatory(), mandatory, "{reporter:?}");
            assert_eq!(reporter.source(), source, "{reporter:?}");
            assert_eq!(
                reporter.default_function() == CaseFunction::MandatoryReport,
                mandatory
            );
        }
    }

    #[test]
    fn high_risk_and_danger_are_major_matters() {
        assert!(!RiskLevel::Medium.is_major());
        assert!(RiskLevel::High.is_major() && RiskLevel::ImmediateDanger.is_major());
    }

    #[test]
    fn closure_respects_transfers_and_guardianship() {
        use CaseOutcome::*;
        let table = [
            (Resolved, false, false, Ok(())),
            (Resolved, false, true, Err(ClosureRefusal::TransferPending)),
            (
                Resolved,
                true,
                false,
                Err(ClosureRefusal::GuardianshipActive),
            ),
            (FallbackGuardianship, true, false, Ok(())),
            (
                FallbackGuardianship,
                false,
                false,
                Err(ClosureRefusal::NoGuardianship),
            ),
            (
                TransferredOut,
                false,
                false,
                Err(ClosureRefusal::TransferIsNotAClosure),
            ),
            (Unfounded, false, false, Ok(())),
        ];
        for (outcome, guardianship, transfer, expected) in table {
            assert_eq!(
                may_close(outcome, guardianship, transfer),
                expected,
                "{outcome:?}"
            );
        }
    }
}
