//! Village service centres (村级综合服务中心) under construction: each project moves forward
//! through its stages, and the year's progress is measured against the target in reference data.

use serde::{Deserialize, Serialize};

/// Stage of a construction project, in order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    Planned,
    Design,
    Construction,
    Completed,
    InService,
}

impl Stage {
    const ALL: [Stage; 5] = [
        Stage::Planned,
        Stage::Design,
        Stage::Construction,
        Stage::Completed,
        Stage::InService,
    ];

    /// The identifier stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Stage::Planned => "planned",
            Stage::Design => "design",
            Stage::Construction => "construction",
            Stage::Completed => "completed",
            Stage::InService => "in_service",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Built (completed or in service).
    pub fn built(self) -> bool {
        self >= Stage::Completed
    }
}

/// Why a progress report is refused (field and reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct ProgressRefused {
    pub field: &'static str,
    pub reason: &'static str,
}

/// Checks a progress report against the project's current stage and percentage: no going back,
/// 0–100 %, and a built centre is 100 %.
pub fn check_progress(current: (Stage, u8), reported: (Stage, i32)) -> Result<(), ProgressRefused> {
    let (stage, percent) = reported;
    if !(0..=100).contains(&percent) {
        return Err(ProgressRefused {
            field: "percent_complete",
            reason: "between 0 and 100",
        });
    }
    if stage < current.0 {
        return Err(ProgressRefused {
            field: "stage",
            reason: "a project does not go back to an earlier stage",
        });
    }
    if percent < i32::from(current.1) {
        return Err(ProgressRefused {
            field: "percent_complete",
            reason: "cannot fall below the last report",
        });
    }
    if stage.built() && percent != 100 {
        return Err(ProgressRefused {
            field: "percent_complete",
            reason: "a completed centre is 100 percent complete",
        });
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Stage::*;

    #[test]
    fn progress_only_moves_forward_and_completion_is_whole() {
        let cases = [
            ((Planned, 0), (Design, 10), None),
            ((Construction, 40), (Construction, 40), None),
            ((Construction, 40), (Completed, 100), None),
            ((Construction, 40), (Design, 50), Some("stage")),
            (
                (Construction, 40),
                (Construction, 30),
                Some("percent_complete"),
            ),
            (
                (Construction, 40),
                (Completed, 90),
                Some("percent_complete"),
            ),
            ((Planned, 0), (Planned, 101), Some("percent_complete")),
            ((Planned, 0), (Planned, -1), Some("percent_complete")),
        ];
        for (current, reported, refused) in cases {
            assert_eq!(
                check_progress(current, reported).err().map(|e| e.field),
                refused,
                "{current:?} → {reported:?}"
            );
        }
        for s in Stage::ALL {
            assert_eq!(Stage::parse(s.as_str()), Some(s));
        }
        assert!(InService.built() && !Construction.built());
    }
}
