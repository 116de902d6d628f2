//! The de facto unsupported child (事实无人抚养儿童) conditions as a predicate over the pair of
//! parents (民发〔2019〕62号 and local additions): both parents each meet a condition, or one is dead
//! or missing and the other meets a condition. Both dead or missing is an orphan, which
//! child-welfare also registers, so it is flagged too.

use chrono::{Months, NaiveDate};
use contracts::minor::ParentSituation;
use serde::{Deserialize, Serialize};

use super::reference::{NotInForce, Param, Reference};

/// A parent's recorded situation and its evidence dates.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct ParentRecord {
    /// The situation.
    pub situation: ParentSituation,
    /// Start: date of death, of the court's declaration, of the police's acceptance of the
    /// missing-contact report, of imprisonment or detention.
    pub since: Option<NaiveDate>,
    /// Length of the sentence, detox order or other restriction of liberty, in months.
    pub term_months: Option<u32>,
}

impl ParentRecord {
    /// A parent with no qualifying situation.
    pub fn present() -> Self {
        Self {
            situation: ParentSituation::Present,
            since: None,
            term_months: None,
        }
    }
}

/// How one parent's situation counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Condition {
    /// Dead, or declared missing by a court.
    Gone,
    /// Meets one of the conditions (重残, 重病, ≥ 6 months' imprisonment …).
    Unable,
    /// Neither (present, or a situation that does not yet count, such as a short sentence).
    None,
}

/// What the pair of parents means for the child.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Finding {
    /// The pair may meet the de facto unsupported conditions.
    DeFactoUnsupported,
    /// Both parents are dead or missing: an orphan.
    Orphan,
    /// The conditions are not met.
    NotMet,
}

impl Finding {
    /// Whether child-welfare should be told.
    pub fn flags(self) -> bool {
        self != Finding::NotMet
    }
}

/// Evidence a situation needs before it can be recorded; `Err` names what is missing.
pub fn check_evidence(p: &ParentRecord) -> Result<(), &'static str> {
    use ParentSituation::*;
    match p.situation {
        Imprisoned | CompulsoryDetox | DeprivedOfLiberty if p.term_months.is_none() => {
            Err("term_months is required: the length of the sentence or order")
        }
        OutOfContact if p.since.is_none() => {
            Err("since is required: the date the police accepted the missing-contact report")
        }
        _ => Ok(()),
    }
}

/// How `p` counts on `on`.
pub fn condition(
    reference: &Reference,
    p: &ParentRecord,
    on: NaiveDate,
) -> Result<Condition, NotInForce> {
    use ParentSituation::*;
    Ok(match p.situation {
        Dead | Missing => Condition::Gone,
        SevereDisability | SevereIllness | CustodyRevoked | Deported => Condition::Unable,
        Imprisoned | CompulsoryDetox | DeprivedOfLiberty => {
            let min = reference.value(Param::LibertyMinMonths, on)?;
            if p.term_months.is_some_and(|m| i64::from(m) >= min) {
                Condition::Unable
            } else {
                Condition::None
            }
        }
        OutOfContact => {
            let min = reference.value(Param::OutOfContactMinMonths, on)?;
            let long_enough = p.since.is_some_and(|since| {
                u32::try_from(min)
                    .ok()
                    .and_then(|m| since.checked_add_months(Months::new(m)))
                    .is_some_and(|reached| reached <= on)
            });
            if long_enough {
                Condition::Unable
            } else {
                Condition::None
            }
        }
        Present => Condition::None,
    })
}

/// The finding for the pair on `on`.
pub fn assess(
    reference: &Reference,
    father: &ParentRecord,
    mother: &ParentRecord,
    on: NaiveDate,
) -> Result<Finding, NotInForce> {
    use Condition::*;
    Ok(
        match (
            condition(reference, father, on)?,
            condition(reference, mother, on)?,
        ) {
            (Gone, Gone) => Finding::Orphan,
            (Unable | Gone, Unable) | (Unable, Gone) => Finding::DeFactoUnsupported,
            _ => Finding::NotMet,
        },
    )
}

/// Whether a child born on `birth` is still a minor on `on`.
pub fn is_minor(
    reference: &Reference,
    birth: NaiveDate,
    on: NaiveDate,
) -> Result<bool, NotInForce> {
    let age = reference.value(Param::AdultAge, on)?;
    let adult_on = u32::try_from(age)
        .ok()
        .and_then(|a| birth.checked_add_months(Months::new(a * 12)));
    Ok(adult_on.is_some_and(|d| on < d))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ParentSituation::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reference() -> Reference {
        Reference::new([
            ("liberty_min_months", d("2019-01-01"), 6),
            ("out_of_contact_min_months", d("2019-01-01"), 6),
            ("adult_age", d("2019-01-01"), 18),
        ])
    }

    fn p(situation: ParentSituation) -> ParentRecord {
        ParentRecord {
            situation,
            since: Some(d("2022-01-10")),
            term_months: Some(24),
        }
    }

    #[test]
    fn the_pair_predicate_follows_the_notice() {
        let on = d("2022-10-10");
        let unable = [
            SevereDisability,
            SevereIllness,
            Imprisoned,
            CompulsoryDetox,
            DeprivedOfLiberty,
            OutOfContact,
            CustodyRevoked,
            Deported,
        ];
        let r = reference();
        // Both parents unable, in every combination (the 港城区 table's 21 + mixed orders).
        for f in unable {
            for m in unable {
                assert_eq!(
                    assess(&r, &p(f), &p(m), on),
                    Ok(Finding::DeFactoUnsupported),
                    "{f:?} {m:?}"
                );
            }
            // One parent dead or missing, the other unable — either way round.
            for gone in [Dead, Missing] {
                assert_eq!(
                    assess(&r, &p(gone), &p(f), on),
                    Ok(Finding::DeFactoUnsupported)
                );
                assert_eq!(
                    assess(&r, &p(f), &p(gone), on),
                    Ok(Finding::DeFactoUnsupported)
                );
            }
            // One parent present: never.
            assert_eq!(assess(&r, &p(f), &p(Present), on), Ok(Finding::NotMet));
            assert_eq!(assess(&r, &p(Present), &p(f), on), Ok(Finding::NotMet));
        }
        for (f, m) in [(Dead, Dead), (Dead, Missing), (Missing, Missing)] {
            assert_eq!(assess(&r, &p(f), &p(m), on), Ok(Finding::Orphan));
        }
        assert_eq!(assess(&r, &p(Dead), &p(Present), on), Ok(Finding::NotMet));
    }

    #[test]
    fn short_terms_and_recent_loss_of_contact_do_not_count_yet() {
        let r = reference();
        let table = [
            // (situation, since, term, on, counts)
            (Imprisoned, None, Some(5), "2022-10-10", false),
            (Imprisoned, None, Some(6), "2022-10-10", true),
            (CompulsoryDetox, None, Some(24), "2022-10-10", true),
            (DeprivedOfLiberty, None, Some(3), "2022-10-10", false),
            (OutOfContact, Some("2022-04-11"), None, "2022-10-10", false),
            (OutOfContact, Some("2022-04-10"), None, "2022-10-10", true),
            (OutOfContact, None, None, "2022-10-10", false),
        ];
        for (situation, since, term, on, counts) in table {
            let parent = ParentRecord {
                situation,
                since: since.map(d),
                term_months: term,
            };
            let got = condition(&r, &parent, d(on)).unwrap();
            assert_eq!(
                got == Condition::Unable,
                counts,
                "{situation:?} {since:?} {term:?}"
            );
        }
    }

    #[test]
    fn evidence_is_required_where_the_condition_depends_on_it() {
        let bare = |situation| ParentRecord {
            situation,
            since: None,
            term_months: None,
        };
        assert!(check_evidence(&bare(Imprisoned)).is_err());
        assert!(check_evidence(&bare(OutOfContact)).is_err());
        assert!(check_evidence(&bare(SevereIllness)).is_ok());
        assert!(check_evidence(&ParentRecord::present()).is_ok());
    }

    #[test]
    fn a_child_is_a_minor_until_the_eighteenth_birthday() {
        let r = reference();
        let birth = d("2004-10-10");
        assert_eq!(is_minor(&r, birth, d("2022-10-09")), Ok(true));
        assert_eq!(is_minor(&r, birth, d("2022-10-10")), Ok(false));
    }
}
