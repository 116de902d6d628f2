//! The OpenAPI schemas of the domain types the API shows as they are: `domain/` knows nothing of
//! OpenAPI, so each is documented here by a mirror with the same name, fields and wire names
//! (`kit::documented_as!`). The tests below hold every mirrored enum to the domain's wire names.
#![allow(dead_code, clippy::enum_variant_names)]

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// Where a home care bed stands.
#[derive(Serialize, Deserialize, ToSchema)]
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

/// Capability-assessment levels (老年人能力评估, GB/T 42195-2022): 0 intact to 4 complete impairment.
#[derive(Serialize, Deserialize, ToSchema)]
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

/// What a facility is.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FacilityKind {
    /// Rural nursing home (农村敬老院).
    NursingHome,
    /// Township elderly service centre (镇街养老服务中心).
    ServiceCentre,
    /// Chronic-disease rehabilitation station (慢病康复站).
    RehabStation,
    /// Mutual-aid elderly-care point (互助养老点), usually in a village.
    MutualAidPoint,
    /// Public-area age-friendly retrofit (公共区域适老化改造): a project, done when accepted.
    AgeFriendlyRetrofit,
}

/// How a nursing home is run.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum OperatingModel {
    /// Built and run by the government (公建公营).
    PublicOperated,
    /// Publicly built, privately run (公建民营).
    PublicBuiltPrivateOperated,
    /// Built and run privately (民办).
    PrivateOperated,
}

/// Where a facility or project stands.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// Planned, not started.
    Planned,
    /// Being built or retrofitted.
    InProgress,
    /// Facility: open and operating. Retrofit: completed and accepted.
    Done,
    /// Facility closed, or project cancelled.
    Ended,
}

/// Beds and who occupies them (nursing homes).
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Occupancy {
    /// Beds available.
    pub beds: i32,
    /// Beds occupied.
    pub occupied_beds: i32,
    /// Residents in institutional extreme-poverty support (集中供养特困人员).
    pub extreme_poverty_residents: i32,
}

/// One target and how far the year got.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct Progress {
    /// What is counted, e.g. `home_care_beds`.
    pub measure: String,
    /// The target in force; absent when none is set.
    pub target: Option<i64>,
    /// Achieved so far.
    pub achieved: i64,
    /// Still to do (0 once met); absent without a target.
    pub remaining: Option<i64>,
    /// Achieved in per mille (‰) of the target, rounded down; absent without a positive target.
    pub per_mille: Option<i64>,
    /// Whether the target is met.
    pub met: bool,
}

/// Service-centre coverage of one township that has a target.
#[derive(Serialize, Deserialize, ToSchema)]
pub struct CentreCoverage {
    /// Township code.
    pub township_code: String,
    /// Township name.
    pub township_name: String,
    /// Centres required.
    pub target: i64,
    /// Centres operating.
    pub operating: i64,
    /// Whether the township is covered.
    pub covered: bool,
}

kit::documented_as!(crate::domain::home_bed::HomeBedStatus => HomeBedStatus);
kit::documented_as!(crate::domain::home_bed::CapabilityLevel => CapabilityLevel);
kit::documented_as!(crate::domain::facility::FacilityKind => FacilityKind);
kit::documented_as!(crate::domain::facility::OperatingModel => OperatingModel);
kit::documented_as!(crate::domain::facility::Status => Status);
kit::documented_as!(crate::domain::facility::Occupancy => Occupancy);
kit::documented_as!(crate::domain::targets::Progress => Progress);
kit::documented_as!(crate::domain::targets::CentreCoverage => CentreCoverage);

#[cfg(test)]
mod tests {
    use kit::edge::openapi::assert_same_wire_names as same_wire_names;

    use super::*;

    #[test]
    fn the_documented_enums_name_the_domain_values() {
        same_wire_names::<crate::domain::home_bed::HomeBedStatus, HomeBedStatus>();
        same_wire_names::<crate::domain::home_bed::CapabilityLevel, CapabilityLevel>();
        same_wire_names::<crate::domain::facility::FacilityKind, FacilityKind>();
        same_wire_names::<crate::domain::facility::OperatingModel, OperatingModel>();
        same_wire_names::<crate::domain::facility::Status, Status>();
    }
}
