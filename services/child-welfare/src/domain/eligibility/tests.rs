//! The predicate as a table: every ordered pair of situations, the 6-month boundaries, the 重残
//! levels, and conditions that ended or have not started.

use chrono::NaiveDate;
use contracts::partner::DisabilityCategory;

use super::*;

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

const AS_OF: (i32, u32, u32) = (2026, 11, 15);

fn as_of() -> NaiveDate {
    d(AS_OF.0, AS_OF.1, AS_OF.2)
}

/// The thresholds docs/domain.md states: imprisonment and out of contact ≥ 6 months, 重残 = level 1–2
/// of any category or 3–4 intellectual/mental.
fn seeded() -> Thresholds {
    Thresholds {
        imprisonment_min_months: 6,
        compulsory_detox_min_months: 0,
        deprived_of_liberty_min_months: 0,
        out_of_contact_min_months: 6,
        severe_max_level_any: 2,
        severe_max_level_intellectual_mental: 4,
    }
}

/// A condition of `situation` that meets the rule comfortably: started two years ago, a
/// three-year term, a level-1 certificate.
fn qualifying(situation: Situation) -> Condition {
    let mut c = Condition::since(situation, d(2024, 11, 1));
    if situation.has_term() {
        c.expected_end = Some(d(2027, 11, 1));
    }
    if situation == Situation::SevereDisability {
        c.disability = Some(Disability {
            category: DisabilityCategory::Physical,
            level: 1,
        });
    }
    c
}

fn outcome(father: &[Condition], mother: &[Condition]) -> Outcome {
    assess(father, mother, as_of(), &seeded()).outcome
}

const ABSENT: [Situation; 2] = [Situation::Dead, Situation::Missing];
const QUALIFYING: [Situation; 8] = [
    Situation::SevereDisability,
    Situation::SevereIllness,
    Situation::Imprisoned,
    Situation::CompulsoryDetox,
    Situation::DeprivedOfLiberty,
    Situation::OutOfContact,
    Situation::CustodyRevoked,
    Situation::Deported,
];

#[test]
fn every_ordered_pair_of_situations_gives_the_outcome_the_rule_states() {
    let mut checked = 0;
    for f in Situation::ALL {
        for m in Situation::ALL {
            let expected = if ABSENT.contains(&f) && ABSENT.contains(&m) {
                Outcome::Orphan
            } else if (ABSENT.contains(&f) || QUALIFYING.contains(&f))
                && (ABSENT.contains(&m) || QUALIFYING.contains(&m))
            {
                Outcome::DeFactoUnsupported
            } else {
                Outcome::NotEligible
            };
            assert_eq!(
                outcome(&[qualifying(f)], &[qualifying(m)]),
                expected,
                "father {f:?}, mother {m:?}"
            );
            checked += 1;
        }
    }
    assert_eq!(checked, 121);
}

#[test]
fn the_six_original_conditions_give_the_33_combinations_of_the_published_table() {
    // 民发〔2019〕62号 as tabulated by 港城区: 21 pairs of living parents, 6 with one dead, 6 with
    // one missing — unordered pairs, before custody revocation and deportation were added.
    let original = [
        Situation::SevereDisability,
        Situation::SevereIllness,
        Situation::Imprisoned,
        Situation::CompulsoryDetox,
        Situation::DeprivedOfLiberty,
        Situation::OutOfContact,
    ];
    let pool: Vec<Situation> = original.iter().chain(&ABSENT).copied().collect();
    let mut count = 0;
    for (i, a) in pool.iter().enumerate() {
        for b in &pool[i..] {
            if outcome(&[qualifying(*a)], &[qualifying(*b)]) == Outcome::DeFactoUnsupported {
                count += 1;
            }
        }
    }
    assert_eq!(count, 33);
}

/// Variants of a condition that do not meet the rule on `AS_OF` (2026-11-15).
fn non_qualifying() -> Vec<(&'static str, Condition)> {
    let mut short_term = Condition::since(Situation::Imprisoned, d(2026, 6, 1));
    short_term.expected_end = Some(d(2026, 11, 30));
    let mut released = qualifying(Situation::Imprisoned);
    released.ended_on = Some(d(2026, 11, 15));
    let mut level3_physical = qualifying(Situation::SevereDisability);
    level3_physical.disability = Some(Disability {
        category: DisabilityCategory::Physical,
        level: 3,
    });
    let mut recovered = qualifying(Situation::SevereIllness);
    recovered.ended_on = Some(d(2026, 10, 1));
    vec![
        (
            "present",
            Condition::since(Situation::Present, d(2020, 1, 1)),
        ),
        ("imprisonment term of 5 months 29 days", short_term),
        ("released on the day assessed", released),
        (
            "in custody 5 months with no fixed end",
            Condition::since(Situation::Imprisoned, d(2026, 6, 16)),
        ),
        (
            "out of contact one day short of 6 months",
            Condition::since(Situation::OutOfContact, d(2026, 5, 16)),
        ),
        ("level 3 physical disability", level3_physical),
        (
            "severe disability claimed without a certificate",
            Condition::asserted(Situation::SevereDisability),
        ),
        ("recovered from severe illness", recovered),
        (
            "custody revocation not yet in force",
            Condition::since(Situation::CustodyRevoked, d(2026, 12, 1)),
        ),
    ]
}

#[test]
fn a_parent_who_misses_the_rule_makes_every_pair_not_eligible() {
    for (what, c) in non_qualifying() {
        for other in Situation::ALL {
            let a = assess(
                std::slice::from_ref(&c),
                &[qualifying(other)],
                as_of(),
                &seeded(),
            );
            assert_eq!(
                a.outcome,
                Outcome::NotEligible,
                "father {what}, mother {other:?}"
            );
            assert!(a.reason.contains("father does not qualify"), "{}", a.reason);
            let b = assess(
                &[qualifying(other)],
                std::slice::from_ref(&c),
                as_of(),
                &seeded(),
            );
            assert_eq!(
                b.outcome,
                Outcome::NotEligible,
                "mother {what}, father {other:?}"
            );
            assert!(b.reason.contains("mother does not qualify"), "{}", b.reason);
        }
    }
}

#[test]
fn no_condition_on_record_does_not_qualify() {
    let a = assess(&[], &[qualifying(Situation::Dead)], as_of(), &seeded());
    assert_eq!(a.outcome, Outcome::NotEligible);
    assert!(a.reason.contains("no current condition"), "{}", a.reason);
}

#[test]
fn imprisonment_qualifies_from_a_term_of_exactly_six_months() {
    let dead = [qualifying(Situation::Dead)];
    for (from, end, expected) in [
        ((2026, 1, 31), (2026, 7, 31), Outcome::DeFactoUnsupported),
        ((2026, 1, 31), (2026, 7, 30), Outcome::NotEligible),
        // Month ends: 31 August + 6 months is 28 February.
        ((2025, 8, 31), (2026, 2, 28), Outcome::DeFactoUnsupported),
        ((2025, 8, 31), (2026, 2, 27), Outcome::NotEligible),
        ((2026, 5, 15), (2026, 11, 15), Outcome::DeFactoUnsupported),
        ((2026, 5, 15), (2026, 11, 14), Outcome::NotEligible),
    ] {
        let mut c = Condition::since(Situation::Imprisoned, d(from.0, from.1, from.2));
        c.expected_end = Some(d(end.0, end.1, end.2));
        let as_of = d(from.0, from.1, from.2);
        assert_eq!(
            assess(&[c], &dead, as_of, &seeded()).outcome,
            expected,
            "{from:?} to {end:?}"
        );
    }
}

#[test]
fn custody_without_a_fixed_end_qualifies_once_it_has_lasted_six_months() {
    let dead = [qualifying(Situation::Dead)];
    let c = Condition::since(Situation::Imprisoned, d(2026, 5, 15));
    for (on, expected) in [
        ((2026, 11, 14), Outcome::NotEligible),
        ((2026, 11, 15), Outcome::DeFactoUnsupported),
    ] {
        let as_of = d(on.0, on.1, on.2);
        assert_eq!(
            assess(std::slice::from_ref(&c), &dead, as_of, &seeded()).outcome,
            expected,
            "{on:?}"
        );
    }
}

#[test]
fn out_of_contact_qualifies_six_months_after_the_police_accepted_the_report() {
    let imprisoned = [qualifying(Situation::Imprisoned)];
    for (reported, on, expected) in [
        ((2026, 5, 15), (2026, 11, 14), Outcome::NotEligible),
        ((2026, 5, 15), (2026, 11, 15), Outcome::DeFactoUnsupported),
        ((2025, 8, 31), (2026, 2, 27), Outcome::NotEligible),
        ((2025, 8, 31), (2026, 2, 28), Outcome::DeFactoUnsupported),
        ((2025, 12, 31), (2026, 6, 29), Outcome::NotEligible),
        ((2025, 12, 31), (2026, 6, 30), Outcome::DeFactoUnsupported),
    ] {
        let c = Condition::since(
            Situation::OutOfContact,
            d(reported.0, reported.1, reported.2),
        );
        let as_of = d(on.0, on.1, on.2);
        let a = assess(&imprisoned, &[c], as_of, &seeded());
        assert_eq!(
            a.outcome, expected,
            "reported {reported:?}, assessed {on:?}"
        );
        if expected == Outcome::NotEligible {
            assert!(a.reason.contains("fewer than 6 months"), "{}", a.reason);
        }
    }
}

#[test]
fn compulsory_detox_and_other_restrictions_use_their_own_thresholds() {
    let dead = [qualifying(Situation::Dead)];
    let mut short = Condition::since(Situation::CompulsoryDetox, d(2026, 10, 1));
    short.expected_end = Some(d(2026, 12, 1));
    assert_eq!(
        assess(&[short.clone()], &dead, as_of(), &seeded()).outcome,
        Outcome::DeFactoUnsupported
    );
    let strict = Thresholds {
        compulsory_detox_min_months: 6,
        ..seeded()
    };
    assert_eq!(
        assess(&[short], &dead, as_of(), &strict).outcome,
        Outcome::NotEligible
    );
}

#[test]
fn severe_disability_is_level_1_to_2_of_any_category_or_3_to_4_of_intellectual_or_mental() {
    use DisabilityCategory::*;
    for category in [
        Visual,
        Hearing,
        Speech,
        Physical,
        Intellectual,
        Mental,
        Multiple,
    ] {
        for level in 1..=4u8 {
            let expected = level <= 2 || matches!(category, Intellectual | Mental);
            assert_eq!(
                seeded().is_severe(Disability { category, level }),
                expected,
                "{category:?} level {level}"
            );
        }
    }
}

#[test]
fn a_release_ends_the_condition_on_the_release_date() {
    let mut c = qualifying(Situation::Imprisoned);
    c.ended_on = Some(d(2026, 11, 15));
    let dead = [qualifying(Situation::Dead)];
    assert_eq!(
        assess(std::slice::from_ref(&c), &dead, d(2026, 11, 14), &seeded()).outcome,
        Outcome::DeFactoUnsupported
    );
    let after = assess(&[c], &dead, d(2026, 11, 15), &seeded());
    assert_eq!(after.outcome, Outcome::NotEligible);
    assert!(
        after.reason.contains("imprisoned ended on 2026-11-15"),
        "{}",
        after.reason
    );
}

#[test]
fn a_parent_with_several_conditions_qualifies_by_any_current_one() {
    let mut released = qualifying(Situation::Imprisoned);
    released.ended_on = Some(d(2026, 1, 1));
    let father = [released, qualifying(Situation::SevereIllness)];
    let a = assess(
        &father,
        &[qualifying(Situation::Deported)],
        as_of(),
        &seeded(),
    );
    assert_eq!(a.outcome, Outcome::DeFactoUnsupported);
    assert_eq!(
        a.father,
        Standing::Qualifies {
            situation: Situation::SevereIllness
        }
    );
}

#[test]
fn conditions_asserted_by_a_flag_qualify_except_an_uncertified_disability() {
    for s in QUALIFYING {
        let expected = if s == Situation::SevereDisability {
            Outcome::NotEligible
        } else {
            Outcome::DeFactoUnsupported
        };
        let a = assess(
            &[Condition::asserted(s)],
            &[Condition::asserted(Situation::Dead)],
            as_of(),
            &seeded(),
        );
        assert_eq!(a.outcome, expected, "{s:?}");
    }
}

#[test]
fn the_reason_names_what_each_parent_meets() {
    let a = assess(
        &[qualifying(Situation::Imprisoned)],
        &[qualifying(Situation::Dead)],
        as_of(),
        &seeded(),
    );
    assert_eq!(
        a.reason,
        "de facto unsupported: father imprisoned, mother dead"
    );
}
