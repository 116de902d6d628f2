//! Regular visits to left-behind children (留守儿童) by the child director: the next visit is due a
//! cadence (reference data, in force on the last visit) after the last visit or the registration.

use chrono::{Days, NaiveDate};

use super::reference::{NotInForce, Param, Reference};

/// The date the next visit is due after a visit (or the registration) on `last`.
pub fn next_due(reference: &Reference, last: NaiveDate) -> Result<NaiveDate, NotInForce> {
    let days = reference.value(Param::VisitCadenceDays, last)?;
    Ok(last
        .checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(NaiveDate::MAX))
}

/// Days a visit due on `due` is overdue on `today`; `None` while it is in time.
pub fn overdue_days(due: NaiveDate, today: NaiveDate) -> Option<i64> {
    let days = (today - due).num_days();
    (days > 0).then_some(days)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    #[test]
    fn visits_fall_due_a_cadence_after_the_last_and_are_overdue_the_day_after() {
        let r = Reference::new([
            ("visit_cadence_days", d("2022-01-01"), 30),
            ("visit_cadence_days", d("2023-01-01"), 14),
        ]);
        let table = [
            ("2022-10-01", "2022-10-31", "2022-10-31", None),
            ("2022-10-01", "2022-10-31", "2022-11-01", Some(1)),
            ("2022-12-31", "2023-01-30", "2023-02-09", Some(10)),
            ("2023-01-01", "2023-01-15", "2023-01-15", None),
        ];
        for (last, due, today, overdue) in table {
            assert_eq!(next_due(&r, d(last)), Ok(d(due)), "{last}");
            assert_eq!(overdue_days(d(due), d(today)), overdue, "{today}");
        }
        assert!(next_due(&r, d("2021-06-01")).is_err());
    }
}
