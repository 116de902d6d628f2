//! 一约三会: every village has its rules (一约) and three councils (三会) — deliberation, ceremony
//! (红白理事会) and ethics (道德评议会). The coverage report names what each village lacks.

use serde::{Deserialize, Serialize};

/// The three councils.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CouncilKind {
    /// 村民议事会.
    Deliberation,
    /// 红白理事会.
    Ceremony,
    /// 道德评议会.
    Ethics,
}

impl CouncilKind {
    /// Every council a village must have.
    pub const ALL: [CouncilKind; 3] = [
        CouncilKind::Deliberation,
        CouncilKind::Ceremony,
        CouncilKind::Ethics,
    ];

    /// The identifier stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            CouncilKind::Deliberation => "deliberation",
            CouncilKind::Ceremony => "ceremony",
            CouncilKind::Ethics => "ethics",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// What a village has.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VillageHoldings {
    pub village_code: String,
    /// Published rules or residents' convention in force.
    pub has_rules: bool,
    /// Councils that are active (established, not dissolved).
    pub councils: Vec<CouncilKind>,
}

/// What one village lacks of 一约三会.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Coverage {
    pub village_code: String,
    pub has_rules: bool,
    pub missing_councils: Vec<CouncilKind>,
    /// Has its rules and all three councils.
    pub complete: bool,
}

/// The coverage of each village.
pub fn coverage(holdings: &[VillageHoldings]) -> Vec<Coverage> {
    holdings
        .iter()
        .map(|h| {
            let missing: Vec<CouncilKind> = CouncilKind::ALL
                .into_iter()
                .filter(|k| !h.councils.contains(k))
                .collect();
            Coverage {
                village_code: h.village_code.clone(),
                has_rules: h.has_rules,
                complete: h.has_rules && missing.is_empty(),
                missing_councils: missing,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use CouncilKind::*;

    #[test]
    fn coverage_names_the_missing_councils_and_rules() {
        let h = |code: &str, has_rules, councils: &[CouncilKind]| VillageHoldings {
            village_code: code.into(),
            has_rules,
            councils: councils.to_vec(),
        };
        let cases = [
            (
                h("1", true, &[Deliberation, Ceremony, Ethics]),
                vec![],
                true,
            ),
            (
                h("2", false, &[Deliberation, Ceremony, Ethics]),
                vec![],
                false,
            ),
            (
                h("3", true, &[Ethics, Ethics]),
                vec![Deliberation, Ceremony],
                false,
            ),
            (
                h("4", false, &[]),
                vec![Deliberation, Ceremony, Ethics],
                false,
            ),
        ];
        for (holding, missing, complete) in cases {
            let c = &coverage(std::slice::from_ref(&holding))[0];
            assert_eq!(
                (&c.missing_councils, c.complete),
                (&missing, complete),
                "{holding:?}"
            );
        }
        for k in CouncilKind::ALL {
            assert_eq!(CouncilKind::parse(k.as_str()), Some(k));
        }
    }
}
