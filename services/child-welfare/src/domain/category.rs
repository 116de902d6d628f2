//! The words child welfare registers children by: category, care mode, parent role, and how the
//! internal category maps onto the bus (HIV-infected children travel as orphans).

use contracts::child::{CareMode as WireCareMode, ChildCategory};
use serde::{Deserialize, Serialize};

use super::eligibility::Outcome;

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

    /// The category a child is paid under given the predicate's outcome: orphans by the
    /// predicate, HIV-infected children whatever their parents' situation (at the orphan standard
    /// of their care mode), then de facto unsupported; `None` when nothing applies.
    pub fn paid_under(outcome: Outcome, hiv_infected: bool) -> Option<Category> {
        match outcome {
            Outcome::Orphan => Some(Category::Orphan),
            _ if hiv_infected => Some(Category::HivInfected),
            Outcome::DeFactoUnsupported => Some(Category::DeFactoUnsupported),
            Outcome::NotEligible => None,
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

/// The stored word of a snake_case enum value and back (kit's wire names).
pub use kit::wire::{name as word, parse as parse_word};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiv_infected_children_are_paid_as_orphans_whatever_their_parents_situation() {
        use Outcome::*;
        for (outcome, hiv, expected) in [
            (Orphan, false, Some(Category::Orphan)),
            (Orphan, true, Some(Category::Orphan)),
            (
                DeFactoUnsupported,
                false,
                Some(Category::DeFactoUnsupported),
            ),
            (DeFactoUnsupported, true, Some(Category::HivInfected)),
            (NotEligible, true, Some(Category::HivInfected)),
            (NotEligible, false, None),
        ] {
            assert_eq!(
                Category::paid_under(outcome, hiv),
                expected,
                "{outcome:?} hiv={hiv}"
            );
        }
        assert_eq!(Category::HivInfected.wire(), ChildCategory::Orphan);
    }
}
