//! The OpenAPI schemas of the domain types the API shows as they are: `domain/` knows nothing of
//! OpenAPI, so each is documented here by a mirror with the same name, fields and wire names
//! (`kit::documented_as!`). The tests below hold every mirrored enum to the domain's wire names.
#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Who reported or found the child.
#[derive(Serialize, Deserialize, ToSchema)]
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

/// Result of a risk assessment.
#[derive(Serialize, Deserialize, ToSchema)]
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

kit::documented_as!(crate::domain::case::Reporter => Reporter);
kit::documented_as!(crate::domain::case::RiskLevel => RiskLevel);

#[cfg(test)]
mod tests {
    use kit::edge::openapi::assert_same_wire_names as same_wire_names;

    use super::*;

    #[test]
    fn the_documented_enums_name_the_domain_values() {
        same_wire_names::<crate::domain::case::Reporter, Reporter>();
        same_wire_names::<crate::domain::case::RiskLevel, RiskLevel>();
    }
}
