//! Calendar months: benefits are paid per month, start the month after confirmation and end in a
//! named last month, so month arithmetic must be exact across year ends.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

/// A calendar month, e.g. 2022-03. Ordered chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Month {
    year: i32,
    month: u32,
}

impl Month {
    /// The month `month` (1–12) of `year`; `None` for a month outside 1–12.
    pub fn new(year: i32, month: u32) -> Option<Self> {
        (1..=12).contains(&month).then_some(Self { year, month })
    }

    /// The month containing `date`.
    pub fn of(date: NaiveDate) -> Self {
        Self {
            year: date.year(),
            month: date.month(),
        }
    }

    /// The year.
    pub fn year(self) -> i32 {
        self.year
    }

    /// The month of the year, 1–12.
    pub fn month(self) -> u32 {
        self.month
    }

    /// The month `n` months later (`n` may be negative).
    pub fn plus(self, n: i32) -> Self {
        let index = i64::from(self.year) * 12 + i64::from(self.month) - 1 + i64::from(n);
        // Within ±2^31 months of any real date the year fits in i32.
        let year =
            i32::try_from(index.div_euclid(12)).unwrap_or(if n < 0 { i32::MIN } else { i32::MAX });
        let month = u32::try_from(index.rem_euclid(12)).unwrap_or(0) + 1;
        Self { year, month }
    }

    /// The following month.
    pub fn next(self) -> Self {
        self.plus(1)
    }

    /// Months from `self` to `later` (negative when `later` is earlier): 2022-11 → 2023-02 is 3.
    pub fn months_until(self, later: Month) -> i64 {
        (i64::from(later.year) - i64::from(self.year)) * 12 + i64::from(later.month)
            - i64::from(self.month)
    }

    /// The first day of the month.
    pub fn first_day(self) -> NaiveDate {
        // Month is always 1–12, so day 1 exists for every representable year chrono supports.
        NaiveDate::from_ymd_opt(self.year, self.month, 1).unwrap_or(NaiveDate::MIN)
    }

    /// Every month from `self` to `last`, both included (empty when `last` is earlier).
    pub fn through(self, last: Month) -> impl Iterator<Item = Month> {
        let count = self.months_until(last) + 1;
        (0..count.max(0)).map(move |i| self.plus(i32::try_from(i).unwrap_or(i32::MAX)))
    }
}

/// Shown as `YYYY-MM`.
impl fmt::Display for Month {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(y: i32, mo: u32) -> Month {
        Month::new(y, mo).unwrap()
    }

    #[test]
    fn month_arithmetic_crosses_year_ends() {
        let cases = [
            (m(2022, 12), 1, m(2023, 1)),
            (m(2022, 9), 6, m(2023, 3)),
            (m(2023, 1), -1, m(2022, 12)),
            (m(2022, 1), 24, m(2024, 1)),
        ];
        for (start, n, expected) in cases {
            assert_eq!(start.plus(n), expected, "{start} + {n}");
            assert_eq!(start.months_until(expected), i64::from(n));
        }
    }

    #[test]
    fn months_are_built_from_dates_and_listed_inclusively() {
        assert_eq!(
            Month::of(NaiveDate::from_ymd_opt(2022, 4, 25).unwrap()),
            m(2022, 4)
        );
        assert_eq!(
            m(2022, 11).through(m(2023, 2)).collect::<Vec<_>>(),
            vec![m(2022, 11), m(2022, 12), m(2023, 1), m(2023, 2)]
        );
        assert_eq!(m(2023, 2).through(m(2022, 11)).count(), 0);
        assert_eq!(m(2022, 3).to_string(), "2022-03");
        assert_eq!(Month::new(2022, 13), None);
    }
}
