//! The words child welfare registers children by: category, care mode, parent role, and how the
//! internal category maps onto the bus (HIV-infected children travel as orphans).

use contracts::child::{CareMode as WireCareMode, ChildCategory};
use serde::{Deserialize, Serialize};

/// Category a child is registered under.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Category {
    /// 孤儿: both parents dead or declared missing.
    Orphan,
    /// 艾滋病病毒感染儿童: paid as an orphan whatever the parents' situation.
    HivInfected,
    /// 事实无人抚养儿童.
    DeFactoUnsupported,
}

impl Category {
    /// The category on the bus: HIV infection is health data and is not distinguished there.
    pub fn wire(self) -> ChildCategory {
        match self {
            Category::Orphan | Category::HivInfected => ChildCategory::Orphan,
            Category::DeFactoUnsupported => ChildCategory::DeFactoUnsupported,
        }
    }

    /// Whether the child counts as an orphan for programmes meant for orphans.
    pub fn is_orphan(self) -> bool {
        matches!(self, Category::Orphan | Category::HivInfected)
    }
}

/// How a child is raised.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CareMode {
    /// 集中养育: in a welfare institution.
    Institutional,
    /// 社会散居: in a family (relatives, foster family).
    FamilyBased,
}

impl CareMode {
    /// The care mode on the bus.
    pub fn wire(self) -> WireCareMode {
        match self {
            CareMode::Institutional => WireCareMode::Institutional,
            CareMode::FamilyBased => WireCareMode::FamilyBased,
        }
    }
}

/// Which parent.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ParentRole {
    Father,
    Mother,
}

/// The string form of a snake_case serde enum (how the store keeps these words).
pub fn word<T: Serialize>(value: T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

/// Parses a stored snake_case word back into its enum.
pub fn parse_word<T: serde::de::DeserializeOwned>(s: &str) -> Option<T> {
    serde_json::from_value(serde_json::Value::String(s.to_owned())).ok()
}
