//! What an allowance month is paid on, and from which month a change of it counts: a month is
//! paid at the care mode in force for it and the standard in force on its first day. A care-mode
//! change counts from the month after it is recorded (and never for a month a batch already
//! paid); a raised standard from the first month that starts on or after its date.

use chrono::{Datelike, NaiveDate};
use contracts::common::Month;

use super::category::CareMode;

/// The care mode `month` is paid at: `current` from `from` on, `previous` before it (an allowance
/// with no change on record is paid at `current` throughout).
pub fn mode_in(
    month: Month,
    current: CareMode,
    previous: Option<CareMode>,
    from: Option<Month>,
) -> CareMode {
    match (previous, from) {
        (Some(before), Some(from)) if month < from => before,
        _ => current,
    }
}

/// The first month paid at a care mode changed on `changed_on`: the month after the change, or
/// the month after the latest batch when that batch was issued in advance.
pub fn care_change_from(changed_on: NaiveDate, last_batch: Option<Month>) -> Month {
    let next = Month::from_date(changed_on).next();
    last_batch.map_or(next, |b| next.max(b.next()))
}

/// The first month paid at a standard valid from `valid_from` (a month takes the standard in
/// force on its first day).
pub fn standard_from(valid_from: NaiveDate) -> Month {
    let month = Month::from_date(valid_from);
    if valid_from.day() == 1 {
        month
    } else {
        month.next()
    }
}

/// The day the age rules count from when only the month of birth is known (a flag carries the
/// month only): the first of the month — the 18th birthday falls in the same month whatever the
/// day.
pub fn birth_from_month(month: Month) -> Option<NaiveDate> {
    month.first_day()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn m(s: &str) -> Month {
        s.parse().unwrap()
    }

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn a_month_is_paid_at_the_care_mode_in_force_for_it() {
        use CareMode::*;
        let cases = [
            ("2026-03", FamilyBased, None, None, FamilyBased),
            (
                "2026-03",
                Institutional,
                Some(FamilyBased),
                Some("2026-04"),
                FamilyBased,
            ),
            (
                "2026-04",
                Institutional,
                Some(FamilyBased),
                Some("2026-04"),
                Institutional,
            ),
            (
                "2026-09",
                Institutional,
                Some(FamilyBased),
                Some("2026-04"),
                Institutional,
            ),
            (
                "2026-01",
                Institutional,
                None,
                Some("2026-04"),
                Institutional,
            ),
        ];
        for (month, current, previous, from, expected) in cases {
            assert_eq!(
                mode_in(m(month), current, previous, from.map(m)),
                expected,
                "{month} {current:?} {previous:?} {from:?}"
            );
        }
    }

    #[test]
    fn a_care_change_counts_from_the_month_after_and_never_for_a_month_already_paid() {
        let cases = [
            ("2026-04-15", None, "2026-05"),
            ("2026-04-01", None, "2026-05"),
            ("2026-04-30", Some("2026-03"), "2026-05"),
            ("2026-04-30", Some("2026-04"), "2026-05"),
            ("2026-04-30", Some("2026-05"), "2026-06"),
            ("2026-12-02", None, "2027-01"),
        ];
        for (on, batch, expected) in cases {
            assert_eq!(
                care_change_from(d(on), batch.map(m)),
                m(expected),
                "{on} after batch {batch:?}"
            );
        }
    }

    #[test]
    fn a_raised_standard_counts_from_the_first_month_starting_on_or_after_it() {
        for (from, expected) in [
            ("2026-07-01", "2026-07"),
            ("2026-07-02", "2026-08"),
            ("2026-12-31", "2027-01"),
        ] {
            assert_eq!(standard_from(d(from)), m(expected), "{from}");
        }
        assert_eq!(birth_from_month(m("2008-02")), Some(d("2008-02-01")));
    }
}
