//! Visit schedules (分散特困探访, 留守老人探访): a plan is anchored on the day it was made and wants
//! one visit in every period of `interval` months. Due dates keep the anchor's day of the month,
//! clamped to short months, so a plan made on Jan 31 is due Feb 28, Mar 31, Apr 30 — never
//! drifting to the 28th.

use chrono::{Datelike, Months, NaiveDate};

/// Why a schedule cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ScheduleError {
    /// The interval is outside 1–12 months.
    #[error("a visit interval is 1 to 12 months, got {0}")]
    Interval(i64),
}

/// A plan's rhythm: the anchor day and the interval in months.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Schedule {
    anchor: NaiveDate,
    interval_months: u32,
}

impl Schedule {
    /// A schedule from its anchor and an interval of 1–12 months.
    pub fn new(anchor: NaiveDate, interval_months: i64) -> Result<Self, ScheduleError> {
        match u32::try_from(interval_months) {
            Ok(m @ 1..=12) => Ok(Self {
                anchor,
                interval_months: m,
            }),
            _ => Err(ScheduleError::Interval(interval_months)),
        }
    }

    /// The day the plan was made.
    pub fn anchor(&self) -> NaiveDate {
        self.anchor
    }

    /// The interval in months.
    pub fn interval_months(&self) -> u32 {
        self.interval_months
    }

    /// The due date of period `n` (1 = the first): the anchor plus `n` intervals, on the anchor's
    /// day of month or the month's last day when it is shorter.
    pub fn due(&self, n: u32) -> NaiveDate {
        self.anchor
            .checked_add_months(Months::new(n.saturating_mul(self.interval_months)))
            .unwrap_or(NaiveDate::MAX)
    }

    /// The first due date.
    pub fn first_due(&self) -> NaiveDate {
        self.due(1)
    }

    /// The period a date falls in: the first `n` whose due date is on or after it (a visit on the
    /// due date itself is on time). Dates on or before the anchor fall in period 1.
    pub fn period_of(&self, date: NaiveDate) -> u32 {
        let months = (date.year() - self.anchor.year()) * 12 + date.month0() as i32
            - self.anchor.month0() as i32;
        let mut n = u32::try_from(months.max(0)).unwrap_or(0) / self.interval_months;
        n = n.max(1);
        while n > 1 && self.due(n - 1) >= date {
            n -= 1;
        }
        while self.due(n) < date {
            n += 1;
        }
        n
    }
}

/// Where a plan stands: the next due date, the consecutive periods missed so far and the last
/// visit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PlanState {
    /// Due date of the first period neither visited nor already reported overdue.
    pub next_due_on: NaiveDate,
    /// Consecutive periods that passed without a visit (0 after a visit).
    pub missed_visits: u32,
    /// The latest recorded visit.
    pub last_visited_on: Option<NaiveDate>,
}

impl PlanState {
    /// The state of a new plan: first visit due one interval after the anchor.
    pub fn new(schedule: &Schedule) -> Self {
        Self {
            next_due_on: schedule.first_due(),
            missed_visits: 0,
            last_visited_on: None,
        }
    }
}

/// The state after a visit on `visited_on`. A visit in the pending period (or later) satisfies it
/// and the next period's due date follows; a late-entered visit for an earlier period leaves the
/// due date and only shortens the run of missed periods.
pub fn record_visit(schedule: &Schedule, state: PlanState, visited_on: NaiveDate) -> PlanState {
    let covered = schedule.period_of(visited_on);
    let pending = schedule.period_of(state.next_due_on);
    let last_visited_on = Some(
        state
            .last_visited_on
            .map_or(visited_on, |d| d.max(visited_on)),
    );
    if covered >= pending {
        PlanState {
            next_due_on: schedule.due(covered + 1),
            missed_visits: 0,
            last_visited_on,
        }
    } else {
        PlanState {
            next_due_on: state.next_due_on,
            missed_visits: state.missed_visits.min(pending - 1 - covered),
            last_visited_on,
        }
    }
}

/// A missed visit to report: the latest due date that passed and how many in a row were missed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Overdue {
    /// The due date reported (the latest one passed when several passed since the last check).
    pub due_on: NaiveDate,
    /// Consecutive periods now missed.
    pub missed_visits: u32,
}

/// Checks a plan on `today`: a due date is missed once `today` is past it by more than
/// `grace_days`. Every period passed since the last check is counted; one alert reports them
/// (the latest due date), and the state moves past them so the next check never reports them
/// again. `None` when nothing is overdue.
pub fn check_overdue(
    schedule: &Schedule,
    state: PlanState,
    today: NaiveDate,
    grace_days: i64,
) -> Option<(PlanState, Overdue)> {
    let late = |due: NaiveDate| (today - due).num_days() > grace_days.max(0);
    if !late(state.next_due_on) {
        return None;
    }
    let mut next = state;
    let mut due_on = state.next_due_on;
    while late(next.next_due_on) {
        due_on = next.next_due_on;
        next.missed_visits += 1;
        next.next_due_on = schedule.due(schedule.period_of(next.next_due_on) + 1);
    }
    Some((
        next,
        Overdue {
            due_on,
            missed_visits: next.missed_visits,
        },
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn due_dates_keep_the_anchor_day_across_month_ends() {
        let cases = [
            (
                "2026-01-31",
                1,
                [d("2026-02-28"), d("2026-03-31"), d("2026-04-30")],
            ),
            (
                "2024-01-31",
                1,
                [d("2024-02-29"), d("2024-03-31"), d("2024-04-30")],
            ),
            (
                "2026-01-15",
                1,
                [d("2026-02-15"), d("2026-03-15"), d("2026-04-15")],
            ),
            (
                "2026-11-30",
                1,
                [d("2026-12-30"), d("2027-01-30"), d("2027-02-28")],
            ),
            (
                "2026-08-31",
                3,
                [d("2026-11-30"), d("2027-02-28"), d("2027-05-31")],
            ),
            (
                "2026-12-31",
                2,
                [d("2027-02-28"), d("2027-04-30"), d("2027-06-30")],
            ),
        ];
        for (anchor, interval, dues) in cases {
            let s = Schedule::new(d(anchor), interval).unwrap();
            assert_eq!([s.due(1), s.due(2), s.due(3)], dues, "anchor {anchor}");
        }
    }

    #[test]
    fn a_date_falls_in_the_period_whose_due_date_is_on_or_after_it() {
        let s = Schedule::new(d("2026-01-31"), 1).unwrap();
        let cases = [
            ("2026-01-01", 1),
            ("2026-01-31", 1),
            ("2026-02-01", 1),
            ("2026-02-28", 1),
            ("2026-03-01", 2),
            ("2026-03-31", 2),
            ("2026-04-01", 3),
            ("2027-01-31", 12),
            ("2027-02-01", 13),
        ];
        for (date, period) in cases {
            assert_eq!(s.period_of(d(date)), period, "{date}");
        }
    }

    #[test]
    fn intervals_outside_one_to_twelve_months_are_refused() {
        for bad in [0, -1, 13] {
            assert_eq!(
                Schedule::new(d("2026-01-01"), bad),
                Err(ScheduleError::Interval(bad))
            );
        }
    }

    #[test]
    fn a_visit_moves_the_due_date_to_the_end_of_the_following_period() {
        let s = Schedule::new(d("2026-01-31"), 1).unwrap();
        let new = PlanState::new(&s);
        assert_eq!(new.next_due_on, d("2026-02-28"));
        let cases = [
            // visited on, next due
            ("2026-02-10", "2026-03-31"),
            ("2026-02-28", "2026-03-31"),
            ("2026-03-01", "2026-04-30"),
            ("2026-01-31", "2026-03-31"),
        ];
        for (visited, due) in cases {
            let after = record_visit(&s, new, d(visited));
            assert_eq!(after.next_due_on, d(due), "visited {visited}");
            assert_eq!(after.last_visited_on, Some(d(visited)));
            assert_eq!(after.missed_visits, 0);
        }
    }

    #[test]
    fn a_late_entered_visit_for_an_earlier_period_keeps_the_due_date() {
        let s = Schedule::new(d("2026-01-31"), 1).unwrap();
        let state = PlanState {
            next_due_on: d("2026-04-30"),
            missed_visits: 2,
            last_visited_on: None,
        };
        let after = record_visit(&s, state, d("2026-02-20"));
        assert_eq!(after.next_due_on, d("2026-04-30"));
        // Feb was visited; only March remains missed.
        assert_eq!(after.missed_visits, 1);
        assert_eq!(after.last_visited_on, Some(d("2026-02-20")));
    }

    #[test]
    fn overdue_is_reported_the_day_after_the_due_date_and_only_once() {
        let s = Schedule::new(d("2026-01-31"), 1).unwrap();
        let state = PlanState::new(&s);
        assert_eq!(check_overdue(&s, state, d("2026-02-28"), 0), None);
        let (after, overdue) = check_overdue(&s, state, d("2026-03-01"), 0).unwrap();
        assert_eq!(
            overdue,
            Overdue {
                due_on: d("2026-02-28"),
                missed_visits: 1
            }
        );
        assert_eq!(after.next_due_on, d("2026-03-31"));
        assert_eq!(check_overdue(&s, after, d("2026-03-01"), 0), None);
        assert_eq!(check_overdue(&s, after, d("2026-03-31"), 0), None);
        let (again, second) = check_overdue(&s, after, d("2026-04-01"), 0).unwrap();
        assert_eq!((second.due_on, second.missed_visits), (d("2026-03-31"), 2));
        assert_eq!(again.next_due_on, d("2026-04-30"));
    }

    #[test]
    fn grace_days_delay_the_report() {
        let s = Schedule::new(d("2026-01-15"), 1).unwrap();
        let state = PlanState::new(&s);
        let cases = [
            ("2026-02-16", 0, true),
            ("2026-02-16", 3, false),
            ("2026-02-18", 3, false),
            ("2026-02-19", 3, true),
        ];
        for (today, grace, overdue) in cases {
            assert_eq!(
                check_overdue(&s, state, d(today), grace).is_some(),
                overdue,
                "{today} grace {grace}"
            );
        }
    }

    #[test]
    fn periods_passed_while_nobody_checked_are_reported_in_one_alert() {
        let s = Schedule::new(d("2026-01-31"), 1).unwrap();
        let (after, overdue) = check_overdue(&s, PlanState::new(&s), d("2026-05-02"), 0).unwrap();
        assert_eq!(
            (overdue.due_on, overdue.missed_visits),
            (d("2026-04-30"), 3)
        );
        assert_eq!(after.next_due_on, d("2026-05-31"));
        // A visit resets the run.
        let visited = record_visit(&s, after, d("2026-05-03"));
        assert_eq!(
            (visited.next_due_on, visited.missed_visits),
            (d("2026-06-30"), 0)
        );
    }
}
