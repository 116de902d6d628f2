//! A registered child who is also supported as extreme poverty (特困人员供养, by aid) does not draw
//! the basic living allowance for the same months: the allowance stops the month before the
//! support starts and may start again the first month the support no longer covers. Periods are
//! rebuilt from aid's enrollment events whatever order they arrive in.

use contracts::common::Month;

/// Months an extreme-poverty enrollment supports the child: `from` (unknown while only the end has
/// arrived) to `to`, its last month paid (open while running).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub from: Option<Month>,
    pub to: Option<Month>,
}

impl Period {
    /// Whether the support pays for `m`; an unknown start counts as started.
    pub fn covers(&self, m: Month) -> bool {
        self.from.is_none_or(|f| f <= m) && self.to.is_none_or(|t| m <= t)
    }
}

/// What to do with the child's allowance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    Nothing,
    /// End the running allowance: `last_month` is the last month it pays (the month before its
    /// start when it never paid).
    Stop {
        last_month: Month,
    },
    /// Start the allowance again from `from`.
    Resume {
        from: Month,
    },
}

/// The first month from `this_month` on that no period covers; `None` while a running support
/// (no known end) covers it.
pub fn first_uncovered(periods: &[Period], this_month: Month) -> Option<Month> {
    let mut m = this_month;
    // Each pass moves past one period, so as many passes as periods suffice.
    for _ in 0..=periods.len() {
        match periods.iter().find(|p| p.covers(m)) {
            None => return Some(m),
            Some(Period { to: None, .. }) => return None,
            Some(Period { to: Some(t), .. }) => m = t.next(),
        }
    }
    None
}

/// Reconciles the child's allowance with its support periods in `this_month`.
///
/// - `running`: the start month of the allowance being paid, if any. It stops when a period
///   covers any month it would still pay (from `this_month`, or its start if later), with the
///   month before that period starts as its last month — never before its own start.
/// - `held_from`: the first month the allowance was stopped (or never started) for because of
///   the support. It starts again from the first month no period covers, not earlier than that
///   nor than `this_month` (months gone are not paid retroactively by this rule).
pub fn reconcile(
    periods: &[Period],
    running: Option<Month>,
    held_from: Option<Month>,
    this_month: Month,
) -> Decision {
    match running {
        Some(start) => {
            let first_payable = start.max(this_month);
            let stopping = periods
                .iter()
                .filter(|p| p.to.is_none_or(|t| t >= first_payable))
                .map(|p| p.from.unwrap_or(this_month).max(start))
                .min();
            match stopping {
                Some(from) => Decision::Stop {
                    last_month: from.prev(),
                },
                None => Decision::Nothing,
            }
        }
        None => match held_from {
            Some(held) => first_uncovered(periods, held.max(this_month))
                .map_or(Decision::Nothing, |from| Decision::Resume { from }),
            None => Decision::Nothing,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn period(from: Option<&str>, to: Option<&str>) -> Period {
        Period {
            from: from.map(m),
            to: to.map(m),
        }
    }

    #[test]
    fn a_running_allowance_stops_the_month_before_the_support_starts() {
        let now = m("2026-12");
        let stop = |s: &str| Decision::Stop { last_month: m(s) };
        let cases: Vec<(&str, Vec<Period>, &str, Decision)> = vec![
            ("no support", vec![], "2026-03", Decision::Nothing),
            (
                "support from next month",
                vec![period(Some("2027-01"), None)],
                "2026-03",
                stop("2026-12"),
            ),
            (
                "support already running (the event came late)",
                vec![period(Some("2026-10"), None)],
                "2026-03",
                stop("2026-09"),
            ),
            (
                "support starting before the allowance: it never pays",
                vec![period(Some("2027-01"), None)],
                "2027-02",
                stop("2027-01"),
            ),
            (
                "a support that ended before this month changes nothing",
                vec![period(Some("2026-01"), Some("2026-06"))],
                "2026-03",
                Decision::Nothing,
            ),
            (
                "only the end known, still running: stop now",
                vec![period(None, Some("2027-03"))],
                "2026-03",
                stop("2026-11"),
            ),
            (
                "a closed future period stops it too",
                vec![period(Some("2027-02"), Some("2027-05"))],
                "2026-03",
                stop("2027-01"),
            ),
        ];
        for (what, periods, start, expected) in cases {
            assert_eq!(
                reconcile(&periods, Some(m(start)), None, now),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn a_held_allowance_resumes_the_first_month_no_support_covers() {
        let now = m("2026-12");
        let resume = |s: &str| Decision::Resume { from: m(s) };
        let held = Some(m("2026-06"));
        let cases: Vec<(&str, Vec<Period>, Option<Month>, Decision)> = vec![
            (
                "support running",
                vec![period(Some("2026-06"), None)],
                held,
                Decision::Nothing,
            ),
            (
                "support ended last month",
                vec![period(Some("2026-06"), Some("2026-11"))],
                held,
                resume("2026-12"),
            ),
            (
                "support ends in two months",
                vec![period(Some("2026-06"), Some("2027-01"))],
                held,
                resume("2027-02"),
            ),
            (
                "support ended long ago (the event came late): from this month",
                vec![period(Some("2026-01"), Some("2026-03"))],
                held,
                resume("2026-12"),
            ),
            (
                "held from a later month than this one: not before it",
                vec![period(Some("2027-01"), Some("2027-01"))],
                Some(m("2027-01")),
                resume("2027-02"),
            ),
            (
                "a second enrollment follows the first",
                vec![
                    period(Some("2026-06"), Some("2027-01")),
                    period(Some("2027-02"), None),
                ],
                held,
                Decision::Nothing,
            ),
            (
                "two ended enrollments back to back",
                vec![
                    period(Some("2026-06"), Some("2027-01")),
                    period(Some("2027-02"), Some("2027-04")),
                ],
                held,
                resume("2027-05"),
            ),
            (
                "not held: an ended allowance stays ended",
                vec![period(Some("2026-06"), Some("2026-11"))],
                None,
                Decision::Nothing,
            ),
        ];
        for (what, periods, held_from, expected) in cases {
            assert_eq!(
                reconcile(&periods, None, held_from, now),
                expected,
                "{what}"
            );
        }
    }

    #[test]
    fn a_period_covers_its_months_and_an_unknown_start_counts_as_started() {
        let p = period(Some("2026-06"), Some("2026-08"));
        assert!(!p.covers(m("2026-05")));
        assert!(p.covers(m("2026-06")) && p.covers(m("2026-08")));
        assert!(!p.covers(m("2026-09")));
        assert!(period(None, Some("2026-08")).covers(m("2000-01")));
        assert!(period(Some("2026-06"), None).covers(m("2099-12")));
    }
}
