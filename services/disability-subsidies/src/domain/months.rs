//! When a subsidy starts and stops, in months. Paid from the month of application; a certificate
//! issued shortly before the application is back-paid from its issue month, at most
//! `back_pay_max_months` (3) back; never before the person became eligible. Stops: death or
//! extreme-poverty support stop in the month of the comparison (the last month paid is the one
//! before); an expired or revoked certificate stops from the next month; leaving dibao stops the
//! living subsidy from the month after the last dibao month; a level change keeps the old rate
//! through the month of the change.

use chrono::NaiveDate;
use contracts::{common::Month, disability::SubsidyEndReason};

/// The first month paid.
///
/// `application_month`: the month the application was submitted (or the case opened by itself);
/// `certificate_issued`: the month the current certificate was issued; `eligible_since`: the
/// first month of the other condition (dibao for the living subsidy), when there is one.
pub fn start_month(
    application_month: Month,
    certificate_issued: Month,
    eligible_since: Option<Month>,
    back_pay_max_months: i64,
) -> Month {
    let earliest_back_pay = application_month.plus(-back_pay_max_months);
    // Back-pay only reaches a certificate issued within the window; an older one could have
    // been applied for earlier, and pays from the month of application.
    let from_certificate =
        if certificate_issued < application_month && certificate_issued >= earliest_back_pay {
            certificate_issued
        } else {
            application_month
        };
    [
        Some(from_certificate),
        Some(certificate_issued),
        eligible_since,
    ]
    .into_iter()
    .flatten()
    .max()
    .unwrap_or(application_month)
}

/// Why a subsidy stops, with the fact that dates the stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stop {
    /// A death found in the comparison of `comparison_month`.
    Death { comparison_month: Month },
    /// Extreme-poverty support found in the comparison of `comparison_month`.
    ExtremePovertySupport { comparison_month: Month },
    /// The certificate expired on this date.
    CertificateExpired { expires_on: NaiveDate },
    /// The certificate was revoked on this date.
    CertificateRevoked { revoked_on: NaiveDate },
    /// The household's last dibao month.
    LeftDibao { last_dibao_month: Month },
    /// The level changed on this date to one that does not qualify.
    LevelNotEligible { changed_on: NaiveDate },
    /// A work-injury care allowance paid from this month.
    WorkInjuryCareAllowance { from_month: Month },
    /// The holder's 户籍 moved out of the district on this date.
    MovedAway { moved_on: NaiveDate },
    /// Withdrawn in this month (the month itself is still paid).
    Withdrawn { month: Month },
}

impl Stop {
    /// The last month paid.
    pub fn last_month_paid(self) -> Month {
        match self {
            Stop::Death { comparison_month } | Stop::ExtremePovertySupport { comparison_month } => {
                comparison_month.prev()
            }
            Stop::CertificateExpired { expires_on: d }
            | Stop::CertificateRevoked { revoked_on: d }
            | Stop::LevelNotEligible { changed_on: d }
            | Stop::MovedAway { moved_on: d } => Month::from_date(d),
            Stop::LeftDibao { last_dibao_month } => last_dibao_month,
            Stop::WorkInjuryCareAllowance { from_month } => from_month.prev(),
            Stop::Withdrawn { month } => month,
        }
    }

    /// The reason as the contract names it.
    pub fn reason(self) -> SubsidyEndReason {
        match self {
            Stop::Death { .. } => SubsidyEndReason::Death,
            Stop::ExtremePovertySupport { .. } => SubsidyEndReason::ExtremePovertySupport,
            Stop::CertificateExpired { .. } => SubsidyEndReason::CertificateExpired,
            Stop::CertificateRevoked { .. } => SubsidyEndReason::CertificateRevoked,
            Stop::LeftDibao { .. } => SubsidyEndReason::LeftDibao,
            Stop::LevelNotEligible { .. } => SubsidyEndReason::LevelNotEligible,
            Stop::WorkInjuryCareAllowance { .. } => SubsidyEndReason::WorkInjuryCareAllowance,
            Stop::MovedAway { .. } => SubsidyEndReason::MovedAway,
            Stop::Withdrawn { .. } => SubsidyEndReason::Withdrawn,
        }
    }
}

/// The last month paid when `stop` ends a subsidy that started in `start`: never after a stop
/// already decided (`current_end`), and `start − 1` when nothing was ever due.
pub fn end_month(stop: Stop, start: Month, current_end: Option<Month>) -> Month {
    let end = stop.last_month_paid().max(start.prev());
    current_end.map_or(end, |c| c.min(end))
}

/// The first month paid at a new level after a level change on `changed_on`: the old rate is kept
/// through the month of the change (and during the re-assessment that led to it).
pub fn new_rate_from(changed_on: NaiveDate) -> Month {
    Month::from_date(changed_on).next()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reference::tests::{date, month};

    #[test]
    fn start_months_follow_the_application_with_at_most_three_months_back_pay() {
        // (application, certificate issued, eligible since) → start
        let cases = [
            ("2026-03", "2020-05", None, "2026-03"),
            ("2026-03", "2026-03", None, "2026-03"),
            ("2026-03", "2026-02", None, "2026-02"),
            ("2026-03", "2025-12", None, "2025-12"),
            ("2026-03", "2025-11", None, "2026-03"),
            ("2026-03", "2026-05", None, "2026-05"),
            ("2026-03", "2026-01", Some("2026-02"), "2026-02"),
            ("2026-03", "2020-01", Some("2026-04"), "2026-04"),
            ("2026-01", "2025-11", None, "2025-11"),
        ];
        for (applied, issued, since, expected) in cases {
            let start = start_month(month(applied), month(issued), since.map(month), 3);
            assert_eq!(
                start,
                month(expected),
                "applied {applied}, issued {issued}, since {since:?}"
            );
        }
    }

    #[test]
    fn a_certificate_issued_long_ago_is_not_back_paid() {
        assert_eq!(
            start_month(month("2026-03"), month("2019-07"), None, 3),
            month("2026-03")
        );
    }

    #[test]
    fn stop_months_by_cause() {
        let cases = [
            (
                Stop::Death {
                    comparison_month: month("2026-05"),
                },
                "2026-04",
            ),
            (
                Stop::ExtremePovertySupport {
                    comparison_month: month("2026-05"),
                },
                "2026-04",
            ),
            (
                Stop::CertificateExpired {
                    expires_on: date(2026, 5, 20),
                },
                "2026-05",
            ),
            (
                Stop::CertificateRevoked {
                    revoked_on: date(2026, 5, 2),
                },
                "2026-05",
            ),
            (
                Stop::LeftDibao {
                    last_dibao_month: month("2026-05"),
                },
                "2026-05",
            ),
            (
                Stop::LevelNotEligible {
                    changed_on: date(2026, 5, 31),
                },
                "2026-05",
            ),
            (
                Stop::WorkInjuryCareAllowance {
                    from_month: month("2026-05"),
                },
                "2026-04",
            ),
            (
                Stop::MovedAway {
                    moved_on: date(2026, 5, 9),
                },
                "2026-05",
            ),
            (
                Stop::Withdrawn {
                    month: month("2026-05"),
                },
                "2026-05",
            ),
        ];
        for (stop, last) in cases {
            assert_eq!(stop.last_month_paid(), month(last), "{stop:?}");
        }
    }

    #[test]
    fn an_end_is_never_before_the_start_nor_after_an_earlier_stop() {
        let death = Stop::Death {
            comparison_month: month("2026-05"),
        };
        assert_eq!(end_month(death, month("2026-02"), None), month("2026-04"));
        assert_eq!(end_month(death, month("2026-05"), None), month("2026-04"));
        assert_eq!(end_month(death, month("2026-07"), None), month("2026-06"));
        assert_eq!(
            end_month(death, month("2026-01"), Some(month("2026-02"))),
            month("2026-02")
        );
    }

    #[test]
    fn a_level_change_keeps_the_old_rate_through_its_month() {
        assert_eq!(new_rate_from(date(2026, 4, 30)), month("2026-05"));
        assert_eq!(new_rate_from(date(2026, 12, 1)), month("2027-01"));
    }
}
