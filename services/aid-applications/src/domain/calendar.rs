//! The working-day calendar that aid timers count in: weekends, statutory holidays and the adjusted
//! working weekend days (调休) announced each year by the State Council. It is data the bureau can
//! correct, because public copies of the notices disagree.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};

/// A run of holiday days (放假), both ends included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayPeriod {
    /// Festival name as in the notice, e.g. 春节.
    pub name: String,
    /// First day off.
    pub from: NaiveDate,
    /// Last day off.
    pub to: NaiveDate,
}

/// One year's State Council holiday notice (国务院办公厅关于…部分节假日安排的通知).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct HolidayNotice {
    /// The year the notice arranges.
    pub year: i32,
    /// Title and issue date of the notice, for the bureau to check against.
    pub source: String,
    /// Days off.
    pub holidays: Vec<HolidayPeriod>,
    /// Saturdays and Sundays declared working days (调休上班).
    pub working_days: Vec<NaiveDate>,
}

/// Why holiday data is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CalendarError {
    /// A period ends before it starts.
    #[error("holiday period {name} ends ({to}) before it starts ({from})")]
    PeriodReversed {
        /// Festival name.
        name: String,
        /// First day.
        from: NaiveDate,
        /// Last day.
        to: NaiveDate,
    },
    /// An adjusted working day that is not a Saturday or Sunday is certainly a typing error.
    #[error("{0} is declared an adjusted working day but is not a Saturday or Sunday")]
    WorkingDayNotWeekend(NaiveDate),
    /// A day is both off and an adjusted working day.
    #[error("{0} is both a holiday and an adjusted working day")]
    Contradiction(NaiveDate),
    /// Two notices for one year.
    #[error("two notices for {0}")]
    DuplicateYear(i32),
}

/// What kind of day a date is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DayKind {
    /// An ordinary Monday to Friday.
    Weekday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// A statutory holiday or a day off moved next to it.
    Holiday(String),
    /// A Saturday or Sunday worked in exchange (调休).
    AdjustedWorkingDay,
}

/// Working-day arithmetic over the notices it holds; years without a notice count weekends only.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkCalendar {
    notices: BTreeMap<i32, HolidayNotice>,
    holidays: BTreeMap<NaiveDate, String>,
    working_days: BTreeSet<NaiveDate>,
}

impl WorkCalendar {
    /// A calendar from yearly notices; refuses contradictory or mistyped data.
    pub fn new(notices: Vec<HolidayNotice>) -> Result<Self, CalendarError> {
        let mut by_year = BTreeMap::new();
        let mut holidays = BTreeMap::new();
        let mut working_days = BTreeSet::new();
        for notice in notices {
            for period in &notice.holidays {
                if period.to < period.from {
                    return Err(CalendarError::PeriodReversed {
                        name: period.name.clone(),
                        from: period.from,
                        to: period.to,
                    });
                }
                for day in period.from.iter_days().take_while(|d| *d <= period.to) {
                    holidays.insert(day, period.name.clone());
                }
            }
            for day in &notice.working_days {
                if !is_weekend(*day) {
                    return Err(CalendarError::WorkingDayNotWeekend(*day));
                }
                working_days.insert(*day);
            }
            if by_year.insert(notice.year, notice.clone()).is_some() {
                return Err(CalendarError::DuplicateYear(notice.year));
            }
        }
        if let Some(day) = working_days.iter().find(|d| holidays.contains_key(d)) {
            return Err(CalendarError::Contradiction(*day));
        }
        Ok(Self {
            notices: by_year,
            holidays,
            working_days,
        })
    }

    /// The notices held, by year.
    pub fn notices(&self) -> impl Iterator<Item = &HolidayNotice> {
        self.notices.values()
    }

    /// True when the calendar holds the notice for the date's year; elsewhere it knows weekends
    /// only, and a deadline computed there may need correcting once the notice is loaded.
    pub fn covers(&self, date: NaiveDate) -> bool {
        self.notices.contains_key(&date.year())
    }

    /// What kind of day `date` is.
    pub fn day_kind(&self, date: NaiveDate) -> DayKind {
        if self.working_days.contains(&date) {
            DayKind::AdjustedWorkingDay
        } else if let Some(name) = self.holidays.get(&date) {
            DayKind::Holiday(name.clone())
        } else if is_weekend(date) {
            DayKind::Weekend
        } else {
            DayKind::Weekday
        }
    }

    /// True on ordinary weekdays and adjusted working weekend days.
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        matches!(
            self.day_kind(date),
            DayKind::Weekday | DayKind::AdjustedWorkingDay
        )
    }

    /// The deadline `n` working days after `start`: the start day itself does not count, so a
    /// 3-day limit from Friday 2022-09-30 falls on the third working day after it (2022-10-10,
    /// after National Day and its two adjusted working days). `n = 0` gives `start`.
    pub fn add_working_days(&self, start: NaiveDate, n: u32) -> NaiveDate {
        let mut day = start;
        let mut left = n;
        while left > 0 {
            day = next_day(day);
            if self.is_working_day(day) {
                left -= 1;
            }
        }
        day
    }

    /// Working days after `from` up to and including `to` (0 when `to` is not after `from`), so
    /// `working_days_between(s, add_working_days(s, n)) == n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> u32 {
        let count = from
            .iter_days()
            .skip(1)
            .take_while(|d| *d <= to)
            .filter(|d| self.is_working_day(*d))
            .count();
        u32::try_from(count).unwrap_or(u32::MAX)
    }
}

fn is_weekend(date: NaiveDate) -> bool {
    matches!(date.weekday(), Weekday::Sat | Weekday::Sun)
}

fn next_day(date: NaiveDate) -> NaiveDate {
    // The last representable date is far beyond any aid deadline.
    date.checked_add_days(Days::new(1)).unwrap_or(date)
}

/// The State Council notices for 2022–2026, typed from the official notices (国务院办公厅关于
/// 20xx年部分节假日安排的通知) and cross-checked against a maintained public copy for 2022–2025
/// and several independent copies of the 2026 notice. The bureau can correct any of it.
pub fn seed() -> WorkCalendar {
    let notices = vec![
        notice(
            2022,
            "国务院办公厅关于2022年部分节假日安排的通知 (issued 2021-10-25)",
            &[
                ("元旦", (2022, 1, 1), (2022, 1, 3)),
                ("春节", (2022, 1, 31), (2022, 2, 6)),
                ("清明节", (2022, 4, 3), (2022, 4, 5)),
                ("劳动节", (2022, 4, 30), (2022, 5, 4)),
                ("端午节", (2022, 6, 3), (2022, 6, 5)),
                ("中秋节", (2022, 9, 10), (2022, 9, 12)),
                ("国庆节", (2022, 10, 1), (2022, 10, 7)),
            ],
            &[
                (2022, 1, 29),
                (2022, 1, 30),
                (2022, 4, 2),
                (2022, 4, 24),
                (2022, 5, 7),
                (2022, 10, 8),
                (2022, 10, 9),
            ],
        ),
        notice(
            2023,
            "国务院办公厅关于2023年部分节假日安排的通知 (issued 2022-12-08)",
            &[
                // The 2023 New Year break starts on Saturday 2022-12-31.
                ("元旦", (2022, 12, 31), (2023, 1, 2)),
                ("春节", (2023, 1, 21), (2023, 1, 27)),
                ("清明节", (2023, 4, 5), (2023, 4, 5)),
                ("劳动节", (2023, 4, 29), (2023, 5, 3)),
                ("端午节", (2023, 6, 22), (2023, 6, 24)),
                ("中秋节、国庆节", (2023, 9, 29), (2023, 10, 6)),
            ],
            &[
                (2023, 1, 28),
                (2023, 1, 29),
                (2023, 4, 23),
                (2023, 5, 6),
                (2023, 6, 25),
                (2023, 10, 7),
                (2023, 10, 8),
            ],
        ),
        notice(
            2024,
            "国务院办公厅关于2024年部分节假日安排的通知 (issued 2023-10-25)",
            &[
                ("元旦", (2024, 1, 1), (2024, 1, 1)),
                ("春节", (2024, 2, 10), (2024, 2, 17)),
                ("清明节", (2024, 4, 4), (2024, 4, 6)),
                ("劳动节", (2024, 5, 1), (2024, 5, 5)),
                ("端午节", (2024, 6, 10), (2024, 6, 10)),
                ("中秋节", (2024, 9, 15), (2024, 9, 17)),
                ("国庆节", (2024, 10, 1), (2024, 10, 7)),
            ],
            &[
                (2024, 2, 4),
                (2024, 2, 18),
                (2024, 4, 7),
                (2024, 4, 28),
                (2024, 5, 11),
                (2024, 9, 14),
                (2024, 9, 29),
                (2024, 10, 12),
            ],
        ),
        notice(
            2025,
            // First year under the revised 全国年节及纪念日放假办法 (除夕 and a second May day added).
            "国务院办公厅关于2025年部分节假日安排的通知 (issued 2024-11-12)",
            &[
                ("元旦", (2025, 1, 1), (2025, 1, 1)),
                ("春节", (2025, 1, 28), (2025, 2, 4)),
                ("清明节", (2025, 4, 4), (2025, 4, 6)),
                ("劳动节", (2025, 5, 1), (2025, 5, 5)),
                ("端午节", (2025, 5, 31), (2025, 6, 2)),
                ("国庆节、中秋节", (2025, 10, 1), (2025, 10, 8)),
            ],
            &[
                (2025, 1, 26),
                (2025, 2, 8),
                (2025, 4, 27),
                (2025, 9, 28),
                (2025, 10, 11),
            ],
        ),
        notice(
            2026,
            // Some public copies show a 7-day Spring Festival (docs/domain.md); the notice text quoted by
            // several independent copies gives 9 days, 2-15 to 2-23, which is what we seed.
            "国务院办公厅关于2026年部分节假日安排的通知 (issued 2025-11)",
            &[
                ("元旦", (2026, 1, 1), (2026, 1, 3)),
                ("春节", (2026, 2, 15), (2026, 2, 23)),
                ("清明节", (2026, 4, 4), (2026, 4, 6)),
                ("劳动节", (2026, 5, 1), (2026, 5, 5)),
                ("端午节", (2026, 6, 19), (2026, 6, 21)),
                ("中秋节", (2026, 9, 25), (2026, 9, 27)),
                ("国庆节", (2026, 10, 1), (2026, 10, 7)),
            ],
            &[
                (2026, 1, 4),
                (2026, 2, 14),
                (2026, 2, 28),
                (2026, 5, 9),
                (2026, 9, 20),
                (2026, 10, 10),
            ],
        ),
    ];
    WorkCalendar::new(notices).expect("the seeded notices are consistent")
}

type Ymd = (i32, u32, u32);

fn ymd((y, m, d): Ymd) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("seeded dates are real dates")
}

fn notice(
    year: i32,
    source: &str,
    holidays: &[(&str, Ymd, Ymd)],
    working_days: &[Ymd],
) -> HolidayNotice {
    HolidayNotice {
        year,
        source: source.to_owned(),
        holidays: holidays
            .iter()
            .map(|(name, from, to)| HolidayPeriod {
                name: (*name).to_owned(),
                from: ymd(*from),
                to: ymd(*to),
            })
            .collect(),
        working_days: working_days.iter().copied().map(ymd).collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }

    #[test]
    fn spring_festival_weeks_are_off_and_their_adjusted_weekends_are_worked() {
        let cal = seed();
        let cases = [
            (d(2022, 1, 29), true),  // Saturday worked before the 2022 festival
            (d(2022, 1, 31), false), // 除夕
            (d(2022, 2, 6), false),
            (d(2022, 2, 7), true),
            (d(2024, 2, 4), true), // Sunday worked
            (d(2024, 2, 9), true), // Friday before the break: an ordinary working day
            (d(2024, 2, 10), false),
            (d(2024, 2, 17), false),
            (d(2024, 2, 18), true), // Sunday worked after the break
            (d(2025, 1, 28), false),
            (d(2025, 2, 8), true),
            (d(2026, 2, 14), true), // adjusted working Saturday
            (d(2026, 2, 15), false),
            (d(2026, 2, 23), false), // the 9th day of the 2026 break, a Monday
            (d(2026, 2, 24), true),
            (d(2026, 2, 28), true),
        ];
        for (day, working) in cases {
            assert_eq!(cal.is_working_day(day), working, "{day}");
        }
    }

    #[test]
    fn national_day_weeks_are_off_and_their_adjusted_weekends_are_worked() {
        let cal = seed();
        let cases = [
            (d(2022, 9, 30), true),
            (d(2022, 10, 3), false),
            (d(2022, 10, 7), false),
            (d(2022, 10, 8), true), // Saturday
            (d(2022, 10, 9), true), // Sunday
            (d(2023, 9, 29), false),
            (d(2023, 10, 6), false),
            (d(2023, 10, 7), true),
            (d(2025, 10, 8), false),
            (d(2025, 9, 28), true),
            (d(2026, 9, 20), true),
            (d(2026, 10, 10), true),
        ];
        for (day, working) in cases {
            assert_eq!(cal.is_working_day(day), working, "{day}");
        }
    }

    #[test]
    fn an_adjusted_working_saturday_is_reported_as_such() {
        let cal = seed();
        assert_eq!(cal.day_kind(d(2022, 5, 7)), DayKind::AdjustedWorkingDay);
        assert_eq!(cal.day_kind(d(2022, 5, 14)), DayKind::Weekend);
        assert_eq!(
            cal.day_kind(d(2022, 5, 2)),
            DayKind::Holiday("劳动节".to_owned())
        );
        assert_eq!(cal.day_kind(d(2022, 5, 5)), DayKind::Weekday);
    }

    #[test]
    fn deadlines_count_working_days_after_the_start_day_and_cross_holidays() {
        let cal = seed();
        let cases = [
            // Ordinary week: Monday + 3 = Thursday.
            (d(2022, 3, 7), 3, d(2022, 3, 10)),
            // Friday + 1 = Monday.
            (d(2022, 3, 11), 1, d(2022, 3, 14)),
            // Friday before National Day: the two adjusted weekend days count, then Monday.
            (d(2022, 9, 30), 3, d(2022, 10, 10)),
            // Friday before the 2026 Spring Festival: Saturday 2-14 is worked, then the 9-day break.
            (d(2026, 2, 13), 5, d(2026, 2, 27)),
            // Starting on a holiday.
            (d(2024, 10, 3), 1, d(2024, 10, 8)),
            // New Year 2023 began in 2022.
            (d(2022, 12, 30), 1, d(2023, 1, 3)),
            // Zero days is the start day.
            (d(2022, 3, 7), 0, d(2022, 3, 7)),
        ];
        for (start, n, due) in cases {
            assert_eq!(cal.add_working_days(start, n), due, "{start} + {n}");
            assert_eq!(cal.working_days_between(start, due), n, "{start} .. {due}");
        }
    }

    #[test]
    fn working_days_between_is_zero_when_the_end_is_not_after_the_start() {
        let cal = seed();
        assert_eq!(cal.working_days_between(d(2022, 3, 7), d(2022, 3, 7)), 0);
        assert_eq!(cal.working_days_between(d(2022, 3, 7), d(2022, 3, 1)), 0);
    }

    #[test]
    fn a_year_without_a_notice_counts_weekends_only_and_says_so() {
        let cal = seed();
        assert!(!cal.covers(d(2027, 10, 1)));
        assert!(cal.is_working_day(d(2027, 10, 1)));
        assert!(cal.covers(d(2026, 10, 1)));
    }

    #[test]
    fn mistyped_holiday_data_is_refused() {
        let friday_as_working = notice(2030, "test", &[], &[(2030, 1, 4)]);
        assert_eq!(
            WorkCalendar::new(vec![friday_as_working]),
            Err(CalendarError::WorkingDayNotWeekend(d(2030, 1, 4)))
        );

        let contradiction = notice(
            2030,
            "test",
            &[("x", (2030, 1, 5), (2030, 1, 6))],
            &[(2030, 1, 5)],
        );
        assert_eq!(
            WorkCalendar::new(vec![contradiction]),
            Err(CalendarError::Contradiction(d(2030, 1, 5)))
        );

        let reversed = notice(2030, "test", &[("x", (2030, 1, 6), (2030, 1, 5))], &[]);
        assert!(matches!(
            WorkCalendar::new(vec![reversed]),
            Err(CalendarError::PeriodReversed { .. })
        ));

        let twice = vec![notice(2030, "a", &[], &[]), notice(2030, "b", &[], &[])];
        assert_eq!(
            WorkCalendar::new(twice),
            Err(CalendarError::DuplicateYear(2030))
        );
    }

    #[test]
    fn every_seeded_year_has_its_seven_festivals() {
        let cal = seed();
        for notice in cal.notices() {
            let names: String = notice.holidays.iter().map(|h| h.name.as_str()).collect();
            for festival in [
                "元旦",
                "春节",
                "清明节",
                "劳动节",
                "端午节",
                "中秋节",
                "国庆节",
            ] {
                assert!(names.contains(festival), "{} lacks {festival}", notice.year);
            }
        }
    }
}
