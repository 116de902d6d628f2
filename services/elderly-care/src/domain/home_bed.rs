//! Home care beds (家庭养老床位): an older person applies, a capability assessment decides whether
//! the bed is warranted, a contracted provider installs it (the bed is then established and counts
//! against the year's target), the provider's staff visit, and the bed is closed one day.

use chrono::{Datelike, NaiveDate};
use contracts::elderly::HomeBedCloseReason;
use serde::{Deserialize, Serialize};

/// Where a home care bed stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HomeBedStatus {
    /// Applied for; awaiting the capability assessment.
    Applied,
    /// Assessed as warranted; awaiting installation by a provider.
    Assessed,
    /// Installed and in service (counted against the target).
    Established,
    /// Was in service, now closed.
    Closed,
    /// The assessment found the bed not warranted.
    Rejected,
    /// Ended before it was established.
    Withdrawn,
}

impl HomeBedStatus {
    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Applied => "applied",
            Self::Assessed => "assessed",
            Self::Established => "established",
            Self::Closed => "closed",
            Self::Rejected => "rejected",
            Self::Withdrawn => "withdrawn",
        }
    }

    /// The status stored as `s`.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Applied,
            Self::Assessed,
            Self::Established,
            Self::Closed,
            Self::Rejected,
            Self::Withdrawn,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Statuses in which a person has a bed or a pending application (at most one at a time).
    pub const OPEN: [HomeBedStatus; 3] = [Self::Applied, Self::Assessed, Self::Established];
}

/// Capability-assessment levels (老年人能力评估, GB/T 42195-2022): 0 intact to 4 complete impairment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CapabilityLevel {
    /// 能力完好.
    Intact,
    /// 轻度失能.
    MildImpairment,
    /// 中度失能.
    ModerateImpairment,
    /// 重度失能.
    SevereImpairment,
    /// 完全失能.
    CompleteImpairment,
}

impl CapabilityLevel {
    /// The level's ordinal, 0–4, as the reference threshold is stored.
    pub fn ordinal(self) -> i64 {
        self as i64
    }

    /// The stored value.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Intact => "intact",
            Self::MildImpairment => "mild_impairment",
            Self::ModerateImpairment => "moderate_impairment",
            Self::SevereImpairment => "severe_impairment",
            Self::CompleteImpairment => "complete_impairment",
        }
    }
}

/// A step the current status does not allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("a home care bed that is {from:?} cannot be {step}")]
pub struct TransitionError {
    /// The status now.
    pub from: HomeBedStatus,
    /// What was attempted.
    pub step: &'static str,
}

/// The outcome of an assessment: assessed (warranted) or rejected.
pub fn assess(
    from: HomeBedStatus,
    level: CapabilityLevel,
    min_level: i64,
) -> Result<HomeBedStatus, TransitionError> {
    if from != HomeBedStatus::Applied {
        return Err(TransitionError {
            from,
            step: "assessed",
        });
    }
    Ok(if level.ordinal() >= min_level {
        HomeBedStatus::Assessed
    } else {
        HomeBedStatus::Rejected
    })
}

/// Installation establishes an assessed bed.
pub fn install(from: HomeBedStatus) -> Result<HomeBedStatus, TransitionError> {
    match from {
        HomeBedStatus::Assessed => Ok(HomeBedStatus::Established),
        _ => Err(TransitionError {
            from,
            step: "installed",
        }),
    }
}

/// Closing: an established bed is closed (and the closure published); a bed not yet established
/// is withdrawn (there was no bed to close).
pub fn close(from: HomeBedStatus) -> Result<HomeBedStatus, TransitionError> {
    match from {
        HomeBedStatus::Established => Ok(HomeBedStatus::Closed),
        HomeBedStatus::Applied | HomeBedStatus::Assessed => Ok(HomeBedStatus::Withdrawn),
        _ => Err(TransitionError {
            from,
            step: "closed",
        }),
    }
}

/// Service visits are recorded only while the bed is in service.
pub fn can_serve(status: HomeBedStatus) -> bool {
    status == HomeBedStatus::Established
}

/// Age in whole years on `on` for someone born on `birth`.
pub fn age_on(birth: NaiveDate, on: NaiveDate) -> i64 {
    let mut age = i64::from(on.year() - birth.year());
    if (on.month(), on.day()) < (birth.month(), birth.day()) {
        age -= 1;
    }
    age
}

/// The stored value of a close reason.
pub fn close_reason_str(reason: HomeBedCloseReason) -> &'static str {
    match reason {
        HomeBedCloseReason::Death => "death",
        HomeBedCloseReason::MovedToInstitution => "moved_to_institution",
        HomeBedCloseReason::MovedAway => "moved_away",
        HomeBedCloseReason::Withdrawn => "withdrawn",
        HomeBedCloseReason::ProviderEnded => "provider_ended",
        HomeBedCloseReason::Other => "other",
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use CapabilityLevel::*;
    use HomeBedStatus::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn an_assessment_at_or_above_the_threshold_warrants_the_bed() {
        let cases = [
            (Intact, 1, Rejected),
            (MildImpairment, 1, Assessed),
            (SevereImpairment, 1, Assessed),
            (MildImpairment, 2, Rejected),
            (Intact, 0, Assessed),
        ];
        for (level, min, outcome) in cases {
            assert_eq!(
                assess(Applied, level, min),
                Ok(outcome),
                "{level:?} ≥ {min}"
            );
        }
    }

    #[test]
    fn steps_out_of_order_are_refused() {
        assert!(assess(Assessed, SevereImpairment, 1).is_err());
        assert!(install(Applied).is_err());
        assert!(install(Established).is_err());
        assert_eq!(install(Assessed), Ok(Established));
        let closes = [
            (Established, Ok(Closed)),
            (Applied, Ok(Withdrawn)),
            (Assessed, Ok(Withdrawn)),
        ];
        for (from, to) in closes {
            assert_eq!(close(from), to);
        }
        for from in [Closed, Rejected, Withdrawn] {
            assert!(close(from).is_err(), "{from:?}");
        }
        assert!(can_serve(Established) && !can_serve(Assessed) && !can_serve(Closed));
    }

    #[test]
    fn age_counts_whole_years_up_to_the_birthday() {
        let cases = [
            ("1966-03-01", "2026-02-28", 59),
            ("1966-03-01", "2026-03-01", 60),
            ("1964-02-29", "2024-02-28", 59),
            ("1964-02-29", "2024-02-29", 60),
        ];
        for (birth, on, age) in cases {
            assert_eq!(age_on(d(birth), d(on)), age, "{birth} on {on}");
        }
    }

    #[test]
    fn statuses_round_trip_through_their_stored_values() {
        for s in [Applied, Assessed, Established, Closed, Rejected, Withdrawn] {
            assert_eq!(HomeBedStatus::parse(s.as_str()), Some(s));
            assert_eq!(serde_json::to_value(s).unwrap().as_str(), Some(s.as_str()));
        }
        for l in [
            Intact,
            MildImpairment,
            ModerateImpairment,
            SevereImpairment,
            CompleteImpairment,
        ] {
            assert_eq!(serde_json::to_value(l).unwrap().as_str(), Some(l.as_str()));
        }
    }
}
