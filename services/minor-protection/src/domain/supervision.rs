//! Supervision (督办) of major matters: the holding level has a deadline (reference data, calendar
//! days: child protection does not wait for weekends); when it passes unanswered the matter goes
//! one level up with a new deadline, at most once per level.

use chrono::{Days, NaiveDate};

use super::level::Level;
use super::reference::{NotInForce, Param, Reference};

/// The deadline for a level that takes a supervised matter on `from`.
pub fn deadline(
    reference: &Reference,
    level: Level,
    from: NaiveDate,
) -> Result<NaiveDate, NotInForce> {
    let days = reference.value(Param::SupervisionDays(level), from)?;
    Ok(from
        .checked_add_days(Days::new(u64::try_from(days).unwrap_or(0)))
        .unwrap_or(NaiveDate::MAX))
}

/// A supervised case as the supervision run sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Supervised<'a> {
    /// The unit holding the case (its division code).
    pub holder: &'a str,
    /// The deadline of the holder.
    pub due_on: NaiveDate,
    /// Levels the case was already escalated to by supervision.
    pub escalated_to: &'a [Level],
}

/// What the supervision run does with a case on a given day.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Decision {
    /// The deadline has not passed (the due day itself is still in time).
    InTime,
    /// Overdue: hand the case to `to_unit` at `to_level`, which must answer by `due_on`.
    Escalate {
        /// Level that held the case.
        from_level: Level,
        /// Level that takes it over.
        to_level: Level,
        /// Unit that takes it over.
        to_unit: String,
        /// The new deadline.
        due_on: NaiveDate,
    },
    /// Overdue, but the escalation to the next level was already raised once.
    AlreadyRaised,
    /// Overdue at the district centre: there is no level above (it stays on the overdue list).
    AtTop,
}

/// Decides for one case on `today`.
pub fn decide(
    reference: &Reference,
    case: &Supervised<'_>,
    today: NaiveDate,
) -> Result<Decision, NotInForce> {
    if today <= case.due_on {
        return Ok(Decision::InTime);
    }
    let Some(from_level) = Level::of_code(case.holder) else {
        return Ok(Decision::AtTop);
    };
    let (Some(to_level), Some(to_unit)) = (from_level.above(), Level::parent_unit(case.holder))
    else {
        return Ok(Decision::AtTop);
    };
    if case.escalated_to.contains(&to_level) {
        return Ok(Decision::AlreadyRaised);
    }
    Ok(Decision::Escalate {
        from_level,
        to_level,
        to_unit: to_unit.to_owned(),
        due_on: deadline(reference, to_level, today)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        s.parse().unwrap()
    }

    fn reference() -> Reference {
        Reference::new([
            ("supervision_days_village", d("2022-01-01"), 3),
            ("supervision_days_township", d("2022-01-01"), 6),
            ("supervision_days_district", d("2022-01-01"), 6),
            ("supervision_days_township", d("2023-01-01"), 4),
        ])
    }

    #[test]
    fn deadlines_count_calendar_days_with_the_value_in_force_on_the_start() {
        let r = reference();
        let table = [
            (Level::Village, "2022-10-08", "2022-10-11"),
            (Level::Township, "2022-10-08", "2022-10-14"),
            (Level::Township, "2022-12-31", "2023-01-06"),
            (Level::Township, "2023-01-01", "2023-01-05"),
            (Level::District, "2022-10-15", "2022-10-21"),
        ];
        for (level, from, due) in table {
            assert_eq!(deadline(&r, level, d(from)), Ok(d(due)), "{level:?} {from}");
        }
        assert!(deadline(&r, Level::Village, d("2021-12-31")).is_err());
    }

    #[test]
    fn escalation_happens_the_day_after_the_deadline_once_per_level() {
        let r = reference();
        let village = "500112129201";
        let township = "500112129";
        let none: &[Level] = &[];
        let table: [(&str, &str, &[Level], &str, Decision); 7] = [
            (village, "2022-10-11", none, "2022-10-11", Decision::InTime),
            (village, "2022-10-11", none, "2022-10-10", Decision::InTime),
            (
                village,
                "2022-10-11",
                none,
                "2022-10-12",
                Decision::Escalate {
                    from_level: Level::Village,
                    to_level: Level::Township,
                    to_unit: township.into(),
                    due_on: d("2022-10-18"),
                },
            ),
            (
                township,
                "2022-10-14",
                &[Level::Township],
                "2022-10-20",
                Decision::Escalate {
                    from_level: Level::Township,
                    to_level: Level::District,
                    to_unit: "500112".into(),
                    due_on: d("2022-10-26"),
                },
            ),
            (
                township,
                "2022-10-14",
                &[Level::District],
                "2022-10-20",
                Decision::AlreadyRaised,
            ),
            (
                "500112",
                "2022-10-21",
                &[Level::District],
                "2022-10-22",
                Decision::AtTop,
            ),
            ("500112", "2022-10-21", none, "2022-10-21", Decision::InTime),
        ];
        for (holder, due, escalated_to, today, expected) in table {
            let case = Supervised {
                holder,
                due_on: d(due),
                escalated_to,
            };
            assert_eq!(
                decide(&r, &case, d(today)),
                Ok(expected),
                "{holder} due {due} on {today}"
            );
        }
    }
}
