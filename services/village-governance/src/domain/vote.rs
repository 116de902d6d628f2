//! The assembly vote that adopts village rules or a residents' convention: whether the meeting was
//! quorate and whether the rules passed, by thresholds that are effective-dated reference data
//! (村民委员会组织法 art. 22, 城市居民委员会组织法 art. 9, seeded by a migration).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::rules::RulesKind;

/// The body that votes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AssemblyBody {
    /// 村民会议 attended by the villagers aged 18 and over.
    VillagersAssembly,
    /// 村民会议 attended by one representative per household (户代表).
    VillagersAssemblyHouseholds,
    /// 村民代表会议: may not adopt village rules (reserved to the villagers' assembly).
    VillagerRepresentatives,
    /// 居民会议 attended by the residents aged 18 and over.
    ResidentsAssembly,
    /// 居民会议 attended by one representative per household.
    ResidentsAssemblyHouseholds,
    /// 居民会议 attended by representatives elected by the residents' groups (居民小组).
    ResidentsAssemblyGroupRepresentatives,
}

impl AssemblyBody {
    /// Every body.
    pub const ALL: [AssemblyBody; 6] = [
        AssemblyBody::VillagersAssembly,
        AssemblyBody::VillagersAssemblyHouseholds,
        AssemblyBody::VillagerRepresentatives,
        AssemblyBody::ResidentsAssembly,
        AssemblyBody::ResidentsAssemblyHouseholds,
        AssemblyBody::ResidentsAssemblyGroupRepresentatives,
    ];

    /// The identifier stored and shown.
    pub fn as_str(self) -> &'static str {
        match self {
            AssemblyBody::VillagersAssembly => "villagers_assembly",
            AssemblyBody::VillagersAssemblyHouseholds => "villagers_assembly_households",
            AssemblyBody::VillagerRepresentatives => "villager_representatives",
            AssemblyBody::ResidentsAssembly => "residents_assembly",
            AssemblyBody::ResidentsAssemblyHouseholds => "residents_assembly_households",
            AssemblyBody::ResidentsAssemblyGroupRepresentatives => {
                "residents_assembly_group_representatives"
            }
        }
    }

    /// Parses the stored identifier.
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|b| b.as_str() == s)
    }

    /// Which kind of rules this body's community has: villages adopt village rules, urban
    /// communities residents' conventions.
    pub fn kind(self) -> RulesKind {
        match self {
            AssemblyBody::VillagersAssembly
            | AssemblyBody::VillagersAssemblyHouseholds
            | AssemblyBody::VillagerRepresentatives => RulesKind::VillageRules,
            _ => RulesKind::ResidentsConvention,
        }
    }
}

/// A share of a whole: "more than half" is 1/2 strictly, "two-thirds or more" 2/3 not strictly
/// (in Chinese law 以上 includes the number itself; 过半数 does not).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Share {
    pub numerator: u32,
    pub denominator: u32,
    /// More than the share (true) or at least the share (false).
    pub strictly_more: bool,
}

impl Share {
    /// Whether `part` of `whole` reaches the share; integer arithmetic only.
    pub fn reached(self, part: u32, whole: u32) -> bool {
        let left = u64::from(part) * u64::from(self.denominator);
        let right = u64::from(whole) * u64::from(self.numerator);
        if self.strictly_more {
            left > right
        } else {
            left >= right
        }
    }
}

/// The thresholds of one body from a date on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Threshold {
    pub body: AssemblyBody,
    pub valid_from: NaiveDate,
    /// Share of those entitled who must attend for the meeting to be held.
    pub quorum: Share,
    /// Share of those present who must vote for.
    pub majority: Share,
    /// Whether this body may adopt or amend village rules / residents' conventions.
    pub may_adopt_rules: bool,
    /// The legal basis, for the record.
    pub basis: String,
}

/// The counts a vote record carries.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Tally {
    /// Those entitled to attend: adult villagers, households, or elected representatives.
    pub entitled: u32,
    pub present: u32,
    pub votes_for: u32,
    pub votes_against: u32,
    pub abstentions: u32,
}

/// Why a tally cannot be counted (field and reason).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct TallyError {
    pub field: &'static str,
    pub reason: &'static str,
}

/// What the vote decided.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Outcome {
    pub quorum_met: bool,
    pub majority_met: bool,
    /// Quorate and carried.
    pub passed: bool,
}

impl Tally {
    /// Refuses counts that cannot be true.
    pub fn check(&self) -> Result<(), TallyError> {
        if self.entitled == 0 {
            return Err(TallyError {
                field: "tally.entitled",
                reason: "must be at least 1",
            });
        }
        if self.present > self.entitled {
            return Err(TallyError {
                field: "tally.present",
                reason: "cannot exceed those entitled to attend",
            });
        }
        let cast =
            u64::from(self.votes_for) + u64::from(self.votes_against) + u64::from(self.abstentions);
        if cast > u64::from(self.present) {
            return Err(TallyError {
                field: "tally.votes_for",
                reason: "votes for, against and abstentions cannot exceed those present",
            });
        }
        Ok(())
    }
}

/// Counts the vote under `threshold`.
pub fn count(threshold: &Threshold, tally: &Tally) -> Result<Outcome, TallyError> {
    tally.check()?;
    let quorum_met = threshold.quorum.reached(tally.present, tally.entitled);
    let majority_met = threshold.majority.reached(tally.votes_for, tally.present);
    Ok(Outcome {
        quorum_met,
        majority_met,
        passed: quorum_met && majority_met,
    })
}

/// The threshold of `body` in force on `date`.
pub fn in_force(
    thresholds: &[Threshold],
    body: AssemblyBody,
    date: NaiveDate,
) -> Option<&Threshold> {
    thresholds
        .iter()
        .filter(|t| t.body == body && t.valid_from <= date)
        .max_by_key(|t| t.valid_from)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MORE_THAN_HALF: Share = Share {
        numerator: 1,
        denominator: 2,
        strictly_more: true,
    };
    const TWO_THIRDS_OR_MORE: Share = Share {
        numerator: 2,
        denominator: 3,
        strictly_more: false,
    };

    fn threshold(body: AssemblyBody, quorum: Share) -> Threshold {
        Threshold {
            body,
            valid_from: "2010-10-28".parse().unwrap(),
            quorum,
            majority: MORE_THAN_HALF,
            may_adopt_rules: true,
            basis: String::new(),
        }
    }

    fn tally(entitled: u32, present: u32, votes_for: u32, votes_against: u32) -> Tally {
        Tally {
            entitled,
            present,
            votes_for,
            votes_against,
            abstentions: 0,
        }
    }

    #[test]
    fn quorum_and_majority_follow_the_organic_laws() {
        let adults = threshold(AssemblyBody::VillagersAssembly, MORE_THAN_HALF);
        let households = threshold(
            AssemblyBody::VillagersAssemblyHouseholds,
            TWO_THIRDS_OR_MORE,
        );
        let residents = threshold(AssemblyBody::ResidentsAssembly, MORE_THAN_HALF);
        // (case, threshold, tally, quorum met, passed)
        let cases = [
            (
                "exactly half the adults attend: not quorate",
                &adults,
                tally(1000, 500, 400, 0),
                false,
                false,
            ),
            (
                "one more than half attend",
                &adults,
                tally(1000, 501, 300, 0),
                true,
                true,
            ),
            (
                "odd electorate, 51 of 101 is more than half",
                &adults,
                tally(101, 51, 26, 25),
                true,
                true,
            ),
            (
                "50 of 101 is not",
                &adults,
                tally(101, 50, 50, 0),
                false,
                false,
            ),
            (
                "exactly half of those present vote for: not carried",
                &adults,
                tally(1000, 600, 300, 300),
                true,
                false,
            ),
            (
                "abstentions count as present but not for",
                &adults,
                Tally {
                    entitled: 10,
                    present: 8,
                    votes_for: 4,
                    votes_against: 0,
                    abstentions: 4,
                },
                true,
                false,
            ),
            (
                "exactly two-thirds of households attend: quorate",
                &households,
                tally(300, 200, 101, 99),
                true,
                true,
            ),
            (
                "one household short of two-thirds",
                &households,
                tally(300, 199, 150, 0),
                false,
                false,
            ),
            (
                "two-thirds rounds up for 100 households: 67 needed",
                &households,
                tally(100, 66, 66, 0),
                false,
                false,
            ),
            (
                "67 of 100 households",
                &households,
                tally(100, 67, 34, 33),
                true,
                true,
            ),
            (
                "a carried vote without quorum does not pass",
                &households,
                tally(100, 60, 60, 0),
                false,
                false,
            ),
            (
                "residents' assembly: more than half attend and vote for",
                &residents,
                tally(2000, 1001, 501, 500),
                true,
                true,
            ),
            (
                "residents' assembly: 500 of 1001 present is not a majority",
                &residents,
                tally(2000, 1001, 500, 0),
                true,
                false,
            ),
        ];
        for (case, t, tally, quorum_met, passed) in cases {
            let o = count(t, &tally).unwrap();
            assert_eq!((o.quorum_met, o.passed), (quorum_met, passed), "{case}");
        }
    }

    #[test]
    fn impossible_tallies_are_refused_naming_the_field() {
        let t = threshold(AssemblyBody::VillagersAssembly, MORE_THAN_HALF);
        let cases = [
            (tally(0, 0, 0, 0), "tally.entitled"),
            (tally(10, 11, 6, 0), "tally.present"),
            (tally(10, 6, 4, 3), "tally.votes_for"),
        ];
        for (tally, field) in cases {
            assert_eq!(count(&t, &tally).unwrap_err().field, field, "{tally:?}");
        }
    }

    #[test]
    fn the_threshold_in_force_is_the_latest_starting_on_or_before_the_vote() {
        let mut old = threshold(AssemblyBody::ResidentsAssembly, MORE_THAN_HALF);
        old.valid_from = "1990-01-01".parse().unwrap();
        let mut new = threshold(AssemblyBody::ResidentsAssembly, TWO_THIRDS_OR_MORE);
        new.valid_from = "2026-01-01".parse().unwrap();
        let all = [old.clone(), new.clone()];
        let on = |d: &str| in_force(&all, AssemblyBody::ResidentsAssembly, d.parse().unwrap());
        assert_eq!(on("1989-12-31"), None);
        assert_eq!(on("2025-12-31"), Some(&old));
        assert_eq!(on("2026-01-01"), Some(&new));
        assert_eq!(
            in_force(
                &all,
                AssemblyBody::VillagersAssembly,
                "2026-01-01".parse().unwrap()
            ),
            None
        );
    }

    #[test]
    fn every_body_round_trips_and_belongs_to_one_kind_of_rules() {
        for b in AssemblyBody::ALL {
            assert_eq!(AssemblyBody::parse(b.as_str()), Some(b));
        }
        assert_eq!(
            AssemblyBody::VillagerRepresentatives.kind(),
            RulesKind::VillageRules
        );
        assert_eq!(
            AssemblyBody::ResidentsAssemblyHouseholds.kind(),
            RulesKind::ResidentsConvention
        );
    }
}
