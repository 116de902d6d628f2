//! The OpenAPI schemas of the domain types the API shows as they are: `domain/` knows nothing of
//! OpenAPI, so each is documented here by a mirror with the same name, fields and wire names
//! (`kit::documented_as!`). The tests below hold every mirrored enum to the domain's wire names.
#![allow(dead_code)]

use serde::{Deserialize, Serialize};
use utoipa::ToSchema;

/// What a 福康工程 application asks for.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FukangItem {
    /// An assistive device (prosthesis, orthosis, wheelchair, hearing aid…).
    AssistiveDevice,
    /// A corrective or rehabilitative surgery.
    Surgery,
}

/// The training types of 精康融合 service records.
#[derive(Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum TrainingType {
    SelfCare,
    SocialAdaptation,
    Vocational,
    LifeSkills,
    SocialSkills,
}

kit::documented_as!(crate::domain::programmes::FukangItem => FukangItem);
kit::documented_as!(crate::domain::programmes::TrainingType => TrainingType);

#[cfg(test)]
mod tests {
    use kit::edge::openapi::assert_same_wire_names as same_wire_names;

    use super::*;

    #[test]
    fn the_documented_enums_name_the_domain_values() {
        same_wire_names::<crate::domain::programmes::FukangItem, FukangItem>();
        same_wire_names::<crate::domain::programmes::TrainingType, TrainingType>();
    }
}
