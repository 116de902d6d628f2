//! A disability certificate as this service keeps it: which months it covers (paid through the
//! month it expires or is revoked, stopped from the next; an open re-assessment keeps it paying),
//! and the programme-specific reading of its level (重残 differs by programme).

use chrono::NaiveDate;
use contracts::{common::Month, partner::DisabilityCategory};

use super::reference::Rules;

/// A certificate's facts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Certificate {
    pub category: DisabilityCategory,
    /// 1 (most severe) to 4.
    pub level: u8,
    pub issued_on: NaiveDate,
    pub expires_on: NaiveDate,
    pub revoked_on: Option<NaiveDate>,
    /// A re-assessment (换证/重新评定) is under way since this date: keep paying the old grade.
    pub reassessment_since: Option<NaiveDate>,
}

impl Certificate {
    /// The last month the certificate lets a subsidy be paid, `None` while it has no end in
    /// sight (a re-assessment is open and it was not revoked).
    pub fn last_covered_month(&self) -> Option<Month> {
        if let Some(revoked) = self.revoked_on {
            return Some(Month::from_date(revoked));
        }
        if self.reassessment_since.is_some() {
            return None;
        }
        Some(Month::from_date(self.expires_on))
    }

    /// Whether a subsidy may be paid for `month` on this certificate.
    pub fn covers(&self, month: Month) -> bool {
        Month::from_date(self.issued_on) <= month
            && self.last_covered_month().is_none_or(|last| month <= last)
    }

    /// Whether the level qualifies for the nursing subsidy under `rules` (Chongqing: 1–2; some
    /// provinces add level 3 for intellectual or mental disability).
    pub fn nursing_level(&self, rules: &Rules) -> bool {
        self.level <= rules.nursing_max_level
            || (rules.nursing_level3_intellectual_mental
                && self.level == 3
                && matches!(
                    self.category,
                    DisabilityCategory::Intellectual | DisabilityCategory::Mental
                ))
    }

    /// The month the expiry reminder is due: `months` before the expiry month.
    pub fn reminder_month(&self, months: i64) -> Month {
        Month::from_date(self.expires_on).plus(-months)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::reference::tests::{date, month, rules};

    fn cert(level: u8, category: DisabilityCategory) -> Certificate {
        Certificate {
            category,
            level,
            issued_on: date(2026, 2, 10),
            expires_on: date(2030, 5, 20),
            revoked_on: None,
            reassessment_since: None,
        }
    }

    #[test]
    fn a_certificate_covers_from_its_issue_month_through_its_expiry_month() {
        let c = cert(1, DisabilityCategory::Physical);
        let cases = [
            ("2026-01", false),
            ("2026-02", true),
            ("2030-05", true),
            ("2030-06", false),
        ];
        for (m, covered) in cases {
            assert_eq!(c.covers(month(m)), covered, "{m}");
        }
    }

    #[test]
    fn an_open_reassessment_keeps_an_expired_certificate_paying_until_revoked() {
        let mut c = cert(2, DisabilityCategory::Visual);
        c.reassessment_since = Some(date(2030, 4, 1));
        assert!(c.covers(month("2030-09")));
        assert_eq!(c.last_covered_month(), None);
        c.revoked_on = Some(date(2030, 10, 3));
        assert!(c.covers(month("2030-10")) && !c.covers(month("2030-11")));
    }

    #[test]
    fn the_nursing_level_rule_reads_category_and_level() {
        let chongqing = rules();
        let mut wider = rules();
        wider.nursing_level3_intellectual_mental = true;
        use DisabilityCategory::*;
        let cases = [
            (1, Physical, true, true),
            (2, Hearing, true, true),
            (3, Physical, false, false),
            (3, Intellectual, false, true),
            (3, Mental, false, true),
            (4, Mental, false, false),
        ];
        for (level, category, in_chongqing, in_wider) in cases {
            let c = cert(level, category);
            assert_eq!(
                c.nursing_level(&chongqing),
                in_chongqing,
                "{level} {category:?}"
            );
            assert_eq!(
                c.nursing_level(&wider),
                in_wider,
                "{level} {category:?} wider"
            );
        }
    }

    #[test]
    fn the_reminder_is_due_six_months_before_the_expiry_month() {
        assert_eq!(
            cert(1, DisabilityCategory::Speech).reminder_month(6),
            month("2029-11")
        );
    }
}
