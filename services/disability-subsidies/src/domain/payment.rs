//! The payment plan of one subsidy for a monthly run: every month from the first unpaid one to
//! the run month (arrears included) that the case, the certificate and the person's life cover,
//! each at the standard in force that month, with the rule trail that explains the line. The
//! store feeds it pages of cases, so the run stays set-based.

use std::collections::BTreeSet;

use chrono::NaiveDate;
use contracts::{common::Month, disability::SubsidyKind};

use super::{certificate::Certificate, money::Fen, payee::PayeeCheck, reference::Standards};

/// A case as the run sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CaseSnapshot {
    pub kind: SubsidyKind,
    pub start: Month,
    pub end: Option<Month>,
    pub next_unpaid: Month,
    /// The level the rate is computed at, from `rate_level_from` on.
    pub rate_level: u8,
    /// The level before a level change, for months before `rate_level_from`.
    pub previous_rate_level: Option<u8>,
    pub rate_level_from: Option<Month>,
}

impl CaseSnapshot {
    /// The level whose rate applies in `month`.
    pub fn level_for(&self, month: Month) -> u8 {
        match (self.previous_rate_level, self.rate_level_from) {
            (Some(old), Some(from)) if month < from => old,
            _ => self.rate_level,
        }
    }
}

/// What else the run knows about the person.
#[derive(Debug, Clone, Copy)]
pub struct PersonSnapshot<'a> {
    pub certificate: Option<&'a Certificate>,
    pub died_on: Option<NaiveDate>,
    pub payee: PayeeCheck,
}

/// Whether a line goes to the bank.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LineStatus {
    Issued,
    /// Not sent: no account, or the holder is neither the beneficiary nor an agent.
    Held(PayeeCheck),
}

/// One month's payment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinePlan {
    pub month: Month,
    pub amount: Fen,
    pub level: u8,
    pub standard_from: NaiveDate,
    pub status: LineStatus,
    /// A month before the run month (back-pay or re-issue).
    pub arrears: bool,
    /// Why this line, in order: case, certificate, standard, payee.
    pub trail: Vec<String>,
}

/// The plan for one case: its lines and the first month still unpaid afterwards.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    pub lines: Vec<LinePlan>,
    pub next_unpaid: Month,
}

fn kind_name(kind: SubsidyKind) -> &'static str {
    match kind {
        SubsidyKind::Living => "living subsidy",
        SubsidyKind::Nursing => "nursing subsidy",
    }
}

/// Plans the lines of one case for the run of `run_month`. `issued` holds months already issued
/// (they are skipped). A month the certificate or the person's life does not cover is skipped for
/// good (the comparison stops the case and raises a finding); a month with no standard is
/// left unpaid.
pub fn plan(
    run_month: Month,
    case: &CaseSnapshot,
    person: PersonSnapshot<'_>,
    issued: &BTreeSet<Month>,
    standards: &Standards,
) -> Plan {
    let last = case.end.map_or(run_month, |e| e.min(run_month));
    let mut lines = Vec::new();
    let mut next_unpaid = None;
    let mut month = case.next_unpaid.max(case.start);
    while month <= last {
        let here = month;
        month = month.next();
        if issued.contains(&here) {
            continue;
        }
        let alive = person
            .died_on
            .is_none_or(|d| here.first_day().is_some_and(|first| first <= d));
        let Some(cert) = person.certificate.filter(|c| c.covers(here)) else {
            continue;
        };
        if !alive {
            continue;
        }
        let level = case.level_for(here);
        let Some(standard) = standards.for_month(case.kind, level, here) else {
            next_unpaid.get_or_insert(here);
            continue;
        };
        let mut trail = vec![
            format!(
                "{} granted from {}{}",
                kind_name(case.kind),
                case.start,
                case.end
                    .map(|e| format!(" through {e}"))
                    .unwrap_or_default()
            ),
            format!(
                "certificate level {level} valid {} to {}",
                cert.issued_on, cert.expires_on
            ),
            format!(
                "standard in force {} from {}: {} yuan/month{}",
                here,
                standard.valid_from,
                standard.monthly,
                if standard.placeholder {
                    " (placeholder value, to be confirmed)"
                } else {
                    ""
                }
            ),
        ];
        if here < run_month {
            trail.push(format!("back-pay of {here} in the {run_month} run"));
        }
        let status = if person.payee.payable() {
            trail.push(match person.payee {
                PayeeCheck::Agent => "paid to the account of a registered agent".to_owned(),
                _ => "paid to the beneficiary's own account".to_owned(),
            });
            LineStatus::Issued
        } else {
            trail.push(match person.payee {
                PayeeCheck::NoAccount => "held: no account on record".to_owned(),
                _ => "held: the account holder is neither the beneficiary nor a registered agent"
                    .to_owned(),
            });
            next_unpaid.get_or_insert(here);
            LineStatus::Held(person.payee)
        };
        lines.push(LinePlan {
            month: here,
            amount: standard.monthly,
            level,
            standard_from: standard.valid_from,
            status,
            arrears: here < run_month,
            trail,
        });
    }
    Plan {
        lines,
        next_unpaid: next_unpaid.unwrap_or(month.max(case.next_unpaid)),
    }
}

#[cfg(test)]
mod tests {
    use contracts::partner::DisabilityCategory;

    use super::*;
    use crate::domain::reference::tests::{date, month, seeded};

    fn cert(level: u8) -> Certificate {
        Certificate {
            category: DisabilityCategory::Physical,
            level,
            issued_on: date(2025, 6, 1),
            expires_on: date(2030, 6, 1),
            revoked_on: None,
            reassessment_since: None,
        }
    }

    fn case(kind: SubsidyKind, start: &str, level: u8) -> CaseSnapshot {
        CaseSnapshot {
            kind,
            start: month(start),
            end: None,
            next_unpaid: month(start),
            rate_level: level,
            previous_rate_level: None,
            rate_level_from: None,
        }
    }

    fn amounts(p: &Plan) -> Vec<(String, i64)> {
        p.lines
            .iter()
            .map(|l| (l.month.to_string(), l.amount.0))
            .collect()
    }

    #[test]
    fn arrears_across_a_standard_change_use_each_month_s_standard() {
        let c = cert(1);
        let person = PersonSnapshot {
            certificate: Some(&c),
            died_on: None,
            payee: PayeeCheck::Beneficiary,
        };
        let p = plan(
            month("2026-02"),
            &case(SubsidyKind::Nursing, "2025-11", 1),
            person,
            &BTreeSet::new(),
            &seeded(),
        );
        assert_eq!(
            amounts(&p),
            [
                ("2025-11", 10_000),
                ("2025-12", 10_000),
                ("2026-01", 11_000),
                ("2026-02", 11_000)
            ]
            .map(|(m, f)| (m.to_owned(), f))
        );
        assert_eq!(p.next_unpaid, month("2026-03"));
        assert!(p.lines[0].arrears && !p.lines[3].arrears);
        assert!(p.lines[0].trail.iter().any(|t| t.contains("placeholder")));
        assert!(p.lines[3].trail.iter().all(|t| !t.contains("placeholder")));
    }

    #[test]
    fn months_already_issued_and_months_after_the_end_are_not_paid_again() {
        let c = cert(2);
        let person = PersonSnapshot {
            certificate: Some(&c),
            died_on: None,
            payee: PayeeCheck::Agent,
        };
        let mut k = case(SubsidyKind::Living, "2026-01", 2);
        k.end = Some(month("2026-03"));
        let issued = BTreeSet::from([month("2026-02")]);
        let p = plan(month("2026-05"), &k, person, &issued, &seeded());
        assert_eq!(
            amounts(&p),
            [
                ("2026-01".to_owned(), 10_000),
                ("2026-03".to_owned(), 10_000)
            ]
        );
        assert_eq!(p.next_unpaid, month("2026-04"));
        assert!(
            p.lines[0]
                .trail
                .iter()
                .any(|t| t.contains("registered agent"))
        );
    }

    #[test]
    fn a_held_line_keeps_its_month_unpaid_for_the_next_run() {
        let c = cert(1);
        let person = PersonSnapshot {
            certificate: Some(&c),
            died_on: None,
            payee: PayeeCheck::NameMismatch,
        };
        let p = plan(
            month("2026-03"),
            &case(SubsidyKind::Living, "2026-03", 1),
            person,
            &BTreeSet::new(),
            &seeded(),
        );
        assert_eq!(
            p.lines[0].status,
            LineStatus::Held(PayeeCheck::NameMismatch)
        );
        assert_eq!(p.next_unpaid, month("2026-03"));
    }

    #[test]
    fn no_month_after_the_death_month_nor_outside_the_certificate_is_paid() {
        let mut c = cert(1);
        c.expires_on = date(2026, 4, 15);
        let dead = PersonSnapshot {
            certificate: Some(&c),
            died_on: Some(date(2026, 2, 14)),
            payee: PayeeCheck::Beneficiary,
        };
        let p = plan(
            month("2026-04"),
            &case(SubsidyKind::Nursing, "2026-01", 1),
            dead,
            &BTreeSet::new(),
            &seeded(),
        );
        assert_eq!(
            amounts(&p),
            [
                ("2026-01".to_owned(), 11_000),
                ("2026-02".to_owned(), 11_000)
            ]
        );
        let alive = PersonSnapshot {
            died_on: None,
            ..dead
        };
        let p = plan(
            month("2026-06"),
            &case(SubsidyKind::Nursing, "2026-04", 1),
            alive,
            &BTreeSet::new(),
            &seeded(),
        );
        assert_eq!(amounts(&p), [("2026-04".to_owned(), 11_000)]);
    }

    #[test]
    fn a_level_change_pays_the_old_rate_before_the_new_rate_month() {
        let c = cert(2);
        let person = PersonSnapshot {
            certificate: Some(&c),
            died_on: None,
            payee: PayeeCheck::Beneficiary,
        };
        let mut k = case(SubsidyKind::Nursing, "2026-02", 2);
        k.previous_rate_level = Some(1);
        k.rate_level_from = Some(month("2026-04"));
        let p = plan(month("2026-04"), &k, person, &BTreeSet::new(), &seeded());
        assert_eq!(
            amounts(&p),
            [
                ("2026-02", 11_000),
                ("2026-03", 11_000),
                ("2026-04", 10_000)
            ]
            .map(|(m, f)| (m.to_owned(), f))
        );
    }
}
