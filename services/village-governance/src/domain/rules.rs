//! The life of one version of village rules (村规民约) or a residents' convention (居民公约):
//! drafted → legal adviser's review → township legality review → assembly vote → filed with the
//! township → filed with the district → published; a return by a reviewer sends it back to draft.

use chrono::{Months, NaiveDate};
use serde::{Deserialize, Serialize};

/// Village rules (villages) or a residents' convention (urban communities).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RulesKind {
    VillageRules,
    ResidentsConvention,
}

impl RulesKind {
    /// The identifier stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            RulesKind::VillageRules => "village_rules",
            RulesKind::ResidentsConvention => "residents_convention",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Self> {
        [RulesKind::VillageRules, RulesKind::ResidentsConvention]
            .into_iter()
            .find(|k| k.as_str() == s)
    }
}

/// Where a version stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Drafted,
    LegalReviewed,
    LegalityReviewed,
    Voted,
    FiledWithTownship,
    Filed,
    Published,
    /// A later version was published.
    Superseded,
}

impl Status {
    const ALL: [Status; 8] = [
        Status::Drafted,
        Status::LegalReviewed,
        Status::LegalityReviewed,
        Status::Voted,
        Status::FiledWithTownship,
        Status::Filed,
        Status::Published,
        Status::Superseded,
    ];

    /// The identifier stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Drafted => "drafted",
            Status::LegalReviewed => "legal_reviewed",
            Status::LegalityReviewed => "legality_reviewed",
            Status::Voted => "voted",
            Status::FiledWithTownship => "filed_with_township",
            Status::Filed => "filed",
            Status::Published => "published",
            Status::Superseded => "superseded",
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|x| x.as_str() == s)
    }

    /// Still on its way (not yet published nor superseded): at most one such version per rules.
    pub fn in_progress(self) -> bool {
        !matches!(self, Status::Published | Status::Superseded)
    }
}

/// A step of the procedure.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    /// The draft's text is changed (after wide consultation, or after a return).
    Amend,
    /// The village legal adviser's first review: approved, or returned for revision.
    LegalReview {
        approved: bool,
    },
    /// The township's legality review (合法性审查): lawful, or returned with findings.
    LegalityReview {
        lawful: bool,
    },
    /// The assembly vote; only a passed vote moves on (a failed one is recorded and may be held
    /// again).
    Vote {
        passed: bool,
    },
    FileWithTownship,
    FileWithDistrict,
    Publish,
}

/// A step the version's status does not allow.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a version that is {from} cannot take this step; it expects {expected}")]
pub struct StepRefused {
    pub from: &'static str,
    pub expected: &'static str,
}

/// The status after `step`, or why the step is refused.
pub fn after(status: Status, step: Step) -> Result<Status, StepRefused> {
    let (required, next) = match step {
        Step::Amend => (Status::Drafted, Status::Drafted),
        Step::LegalReview { approved } => (
            Status::Drafted,
            if approved {
                Status::LegalReviewed
            } else {
                Status::Drafted
            },
        ),
        Step::LegalityReview { lawful } => (
            Status::LegalReviewed,
            if lawful {
                Status::LegalityReviewed
            } else {
                Status::Drafted
            },
        ),
        Step::Vote { passed } => (
            Status::LegalityReviewed,
            if passed {
                Status::Voted
            } else {
                Status::LegalityReviewed
            },
        ),
        Step::FileWithTownship => (Status::Voted, Status::FiledWithTownship),
        Step::FileWithDistrict => (Status::FiledWithTownship, Status::Filed),
        Step::Publish => (Status::Filed, Status::Published),
    };
    if status == required {
        Ok(next)
    } else {
        Err(StepRefused {
            from: status.as_str(),
            expected: required.as_str(),
        })
    }
}

/// The date of the next periodic review after a filing.
pub fn next_review_due(filed_on: NaiveDate, interval_months: u32) -> Option<NaiveDate> {
    filed_on.checked_add_months(Months::new(interval_months))
}

#[cfg(test)]
mod tests {
    use super::*;
    use Status::*;

    #[test]
    fn each_step_moves_only_from_its_own_status() {
        let cases = [
            (Drafted, Step::Amend, Ok(Drafted)),
            (
                Drafted,
                Step::LegalReview { approved: true },
                Ok(LegalReviewed),
            ),
            (Drafted, Step::LegalReview { approved: false }, Ok(Drafted)),
            (
                LegalReviewed,
                Step::LegalityReview { lawful: true },
                Ok(LegalityReviewed),
            ),
            (
                LegalReviewed,
                Step::LegalityReview { lawful: false },
                Ok(Drafted),
            ),
            (LegalityReviewed, Step::Vote { passed: true }, Ok(Voted)),
            (
                LegalityReviewed,
                Step::Vote { passed: false },
                Ok(LegalityReviewed),
            ),
            (Voted, Step::FileWithTownship, Ok(FiledWithTownship)),
            (FiledWithTownship, Step::FileWithDistrict, Ok(Filed)),
            (Filed, Step::Publish, Ok(Published)),
            (
                Drafted,
                Step::LegalityReview { lawful: true },
                Err("drafted"),
            ),
            (LegalReviewed, Step::Amend, Err("legal_reviewed")),
            (Drafted, Step::Vote { passed: true }, Err("drafted")),
            (Voted, Step::FileWithDistrict, Err("voted")),
            (Voted, Step::Publish, Err("voted")),
            (Published, Step::Amend, Err("published")),
            (Superseded, Step::Publish, Err("superseded")),
        ];
        for (from, step, expected) in cases {
            let got = after(from, step).map_err(|e| e.from);
            assert_eq!(got, expected, "{from:?} + {step:?}");
        }
    }

    #[test]
    fn statuses_round_trip_and_only_published_or_superseded_are_settled() {
        for s in Status::ALL {
            assert_eq!(Status::parse(s.as_str()), Some(s));
            assert_eq!(s.in_progress(), !matches!(s, Published | Superseded));
        }
    }

    #[test]
    fn the_next_review_falls_the_interval_after_filing_clamped_to_month_end() {
        let d = |s: &str| s.parse::<NaiveDate>().unwrap();
        assert_eq!(next_review_due(d("2022-09-28"), 36), Some(d("2025-09-28")));
        assert_eq!(next_review_due(d("2024-02-29"), 12), Some(d("2025-02-28")));
    }
}
