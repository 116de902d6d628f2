//! The disability programmes of the notice beyond the two subsidies: 福康工程 (assistive devices
//! and surgery), 精康融合 (community mental-health rehabilitation, piloted in chosen streets) and
//! care services for poor severely disabled people. The documents give no concrete rules; these
//! are referral programmes with case records, and the pilot streets are reference data.

use serde::{Deserialize, Serialize};

use super::certificate::Certificate;
use super::reference::Rules;

/// What a 福康工程 application asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FukangItem {
    /// An assistive device (prosthesis, orthosis, wheelchair, hearing aid…).
    AssistiveDevice,
    /// A corrective or rehabilitative surgery.
    Surgery,
}

/// The training types of 精康融合 service records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TrainingType {
    SelfCare,
    SocialAdaptation,
    Vocational,
    LifeSkills,
    SocialSkills,
}

impl TrainingType {
    /// The wire name (`self_care`).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::SelfCare => "self_care",
            Self::SocialAdaptation => "social_adaptation",
            Self::Vocational => "vocational",
            Self::LifeSkills => "life_skills",
            Self::SocialSkills => "social_skills",
        }
    }
}

/// Whether a person is "poor and severely disabled" for care services: a certificate at the
/// nursing subsidy's severity, in a household of the low-income population (dibao, marginal or
/// extreme-poverty support).
pub fn poor_severely_disabled(cert: &Certificate, low_income: bool, rules: &Rules) -> bool {
    low_income && cert.nursing_level(rules)
}

#[cfg(test)]
mod tests {
    use contracts::partner::DisabilityCategory;

    use super::*;
    use crate::domain::reference::tests::{date, rules};

    #[test]
    fn care_services_need_severe_disability_and_low_income() {
        let cert = |level| Certificate {
            category: DisabilityCategory::Physical,
            level,
            issued_on: date(2025, 1, 1),
            expires_on: date(2030, 1, 1),
            revoked_on: None,
            reassessment_since: None,
        };
        let cases = [
            (1, true, true),
            (2, true, true),
            (3, true, false),
            (1, false, false),
        ];
        for (level, low_income, expected) in cases {
            assert_eq!(
                poor_severely_disabled(&cert(level), low_income, &rules()),
                expected
            );
        }
        assert_eq!(TrainingType::SocialAdaptation.as_str(), "social_adaptation");
    }
}
