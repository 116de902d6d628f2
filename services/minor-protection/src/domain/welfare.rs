//! A child's standing with child-welfare (orphan / de facto unsupported registration and the basic
//! living allowance), rebuilt from its events whatever order they arrive in, and whether a new flag
//! to child-welfare would be redundant.

use chrono::NaiveDate;
use contracts::{
    child::{AllowanceEndReason, CareMode, ChildCategory},
    common::Month,
};

/// The child's registration as child-welfare announced it (the latest one).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Registration {
    pub category: ChildCategory,
    pub care_mode: CareMode,
    pub registered_on: NaiveDate,
}

/// One allowance as far as its events have arrived (an end may arrive before its start).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Allowance {
    /// First month paid; `None` while only its end is known.
    pub start_month: Option<Month>,
    /// Category and care mode of the latest basis (start or change) applied.
    pub category: Option<ChildCategory>,
    pub care_mode: Option<CareMode>,
    /// Last month paid, once ended.
    pub end_month: Option<Month>,
    pub end_reason: Option<AllowanceEndReason>,
    pub ended_on: Option<NaiveDate>,
}

impl Allowance {
    /// Where the allowance sits in time: its start, or its end while the start is unknown.
    fn anchor(&self) -> Option<Month> {
        self.start_month.or(self.end_month)
    }
}

/// Whether the child's allowance is being paid.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AllowanceState {
    /// Registered, no allowance announced yet.
    NotStarted,
    /// Paid from `since`.
    Running { since: Month },
    /// Ended: `last_month` was the last month paid.
    Ended {
        last_month: Month,
        reason: AllowanceEndReason,
        ended_on: NaiveDate,
    },
}

/// What minor-protection knows of a child from child-welfare.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Standing {
    /// Registered as an orphan or de facto unsupported child.
    pub registration: Option<Registration>,
    /// The current allowance (the latest started).
    pub current: Option<Allowance>,
}

impl Standing {
    /// The standing from the registration and every allowance known for the child.
    pub fn new(registration: Option<Registration>, allowances: &[Allowance]) -> Self {
        let current = allowances
            .iter()
            .filter(|a| a.anchor().is_some())
            .max_by_key(|a| (a.anchor(), a.end_month.is_none()))
            .copied();
        Self {
            registration,
            current,
        }
    }

    /// The category the child is supported under now: the current allowance's, else the
    /// registration's.
    pub fn category(&self) -> Option<ChildCategory> {
        self.current
            .and_then(|a| a.category)
            .or(self.registration.map(|r| r.category))
    }

    /// The care mode, the same way.
    pub fn care_mode(&self) -> Option<CareMode> {
        self.current
            .and_then(|a| a.care_mode)
            .or(self.registration.map(|r| r.care_mode))
    }

    /// The allowance's state. An allowance whose start has not arrived yet but whose end has is
    /// ended; one known only by its start is running.
    pub fn allowance(&self) -> AllowanceState {
        match self.current {
            None => AllowanceState::NotStarted,
            Some(Allowance {
                end_month: Some(last_month),
                end_reason: Some(reason),
                ended_on: Some(ended_on),
                ..
            }) => AllowanceState::Ended {
                last_month,
                reason,
                ended_on,
            },
            Some(Allowance {
                start_month: Some(since),
                ..
            }) => AllowanceState::Running { since },
            Some(_) => AllowanceState::NotStarted,
        }
    }

    /// Whether child-welfare supports the child now, so that a new at-risk flag would only repeat
    /// what it already knows: registered and the allowance not ended — or ended without the
    /// child's situation ending (`category_changed`: the new allowance follows; `other`: e.g. the
    /// child is supported as extreme poverty instead and child-welfare keeps the registration), or
    /// registered again after the end. A child whose allowance ended because its situation did
    /// (conditions ended, adoption, adulthood, moving away …) may be flagged again when its
    /// parents' situation qualifies anew.
    pub fn supported(&self) -> bool {
        let Some(registration) = self.registration else {
            return false;
        };
        match self.allowance() {
            AllowanceState::NotStarted | AllowanceState::Running { .. } => true,
            AllowanceState::Ended {
                reason, ended_on, ..
            } => {
                matches!(
                    reason,
                    AllowanceEndReason::CategoryChanged | AllowanceEndReason::Other
                ) || registration.registered_on > ended_on
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn day(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn month(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn registered(on: &str) -> Option<Registration> {
        Some(Registration {
            category: ChildCategory::DeFactoUnsupported,
            care_mode: CareMode::FamilyBased,
            registered_on: day(on),
        })
    }

    fn started(from: &str) -> Allowance {
        Allowance {
            start_month: Some(month(from)),
            category: Some(ChildCategory::DeFactoUnsupported),
            care_mode: Some(CareMode::FamilyBased),
            end_month: None,
            end_reason: None,
            ended_on: None,
        }
    }

    fn ended(mut a: Allowance, last: &str, reason: AllowanceEndReason, on: &str) -> Allowance {
        a.end_month = Some(month(last));
        a.end_reason = Some(reason);
        a.ended_on = Some(day(on));
        a
    }

    fn end_only(last: &str, reason: AllowanceEndReason, on: &str) -> Allowance {
        let mut a = ended(started("2000-01"), last, reason, on);
        a.start_month = None;
        a.category = None;
        a.care_mode = None;
        a
    }

    #[test]
    fn the_allowance_state_follows_the_latest_allowance_whatever_the_arrival_order() {
        use AllowanceEndReason::*;
        let running = |m: &str| AllowanceState::Running { since: month(m) };
        let ended_state = |m: &str, reason, on: &str| AllowanceState::Ended {
            last_month: month(m),
            reason,
            ended_on: day(on),
        };
        let cases: Vec<(&str, Vec<Allowance>, AllowanceState)> = vec![
            ("nothing yet", vec![], AllowanceState::NotStarted),
            ("started", vec![started("2022-11")], running("2022-11")),
            (
                "started then ended",
                vec![ended(
                    started("2022-11"),
                    "2023-03",
                    ConditionsEnded,
                    "2023-03-10",
                )],
                ended_state("2023-03", ConditionsEnded, "2023-03-10"),
            ),
            (
                "the end arrived before the start",
                vec![end_only("2023-03", Adopted, "2023-03-02")],
                ended_state("2023-03", Adopted, "2023-03-02"),
            ),
            (
                "a category change: the new allowance runs",
                vec![
                    ended(started("2022-11"), "2023-02", CategoryChanged, "2023-02-05"),
                    started("2023-03"),
                ],
                running("2023-03"),
            ),
            (
                "a new allowance listed first still wins",
                vec![
                    started("2023-03"),
                    ended(started("2022-11"), "2023-02", Other, "2023-02-05"),
                ],
                running("2023-03"),
            ),
        ];
        for (what, allowances, expected) in cases {
            let s = Standing::new(registered("2022-10-20"), &allowances);
            assert_eq!(s.allowance(), expected, "{what}");
        }
    }

    #[test]
    fn a_child_is_supported_while_registered_and_its_allowance_has_not_ended_for_good() {
        use AllowanceEndReason::*;
        let cases: Vec<(&str, Option<Registration>, Vec<Allowance>, bool)> = vec![
            ("not registered", None, vec![], false),
            (
                "an allowance without a registration",
                None,
                vec![started("2022-11")],
                false,
            ),
            (
                "registered, no allowance yet",
                registered("2022-10-20"),
                vec![],
                true,
            ),
            (
                "registered and paid",
                registered("2022-10-20"),
                vec![started("2022-11")],
                true,
            ),
            (
                "the conditions ended",
                registered("2022-10-20"),
                vec![ended(
                    started("2022-11"),
                    "2023-03",
                    ConditionsEnded,
                    "2023-03-10",
                )],
                false,
            ),
            (
                "moved to another category, the new allowance not heard of yet",
                registered("2022-10-20"),
                vec![ended(
                    started("2022-11"),
                    "2023-02",
                    CategoryChanged,
                    "2023-02-05",
                )],
                true,
            ),
            (
                "ended for another reason (supported as extreme poverty instead)",
                registered("2022-10-20"),
                vec![ended(started("2022-11"), "2023-01", Other, "2023-01-05")],
                true,
            ),
            (
                "adopted",
                registered("2022-10-20"),
                vec![ended(started("2022-11"), "2023-01", Adopted, "2023-01-05")],
                false,
            ),
            (
                "registered again after the end",
                registered("2023-06-01"),
                vec![ended(
                    started("2022-11"),
                    "2023-03",
                    ConditionsEnded,
                    "2023-03-10",
                )],
                true,
            ),
        ];
        for (what, registration, allowances, expected) in cases {
            assert_eq!(
                Standing::new(registration, &allowances).supported(),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn the_category_shown_is_the_current_allowances_else_the_registrations() {
        let mut orphan = started("2023-03");
        orphan.category = Some(ChildCategory::Orphan);
        let s = Standing::new(registered("2022-10-20"), &[orphan]);
        assert_eq!(s.category(), Some(ChildCategory::Orphan));
        let s = Standing::new(registered("2022-10-20"), &[]);
        assert_eq!(s.category(), Some(ChildCategory::DeFactoUnsupported));
        assert_eq!(s.care_mode(), Some(CareMode::FamilyBased));
    }
}
