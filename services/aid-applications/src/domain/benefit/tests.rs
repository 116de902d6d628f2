//! Benefit amounts, thresholds and trails, table-driven against the seeded Chongqing values.

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::domain::household::{
    Disability, DisabilityGrade, IncomeItem, IncomeKind, Member, PropertyCheck, Residence,
};
use crate::domain::programme::{CareLevel, ExtremePovertySupport, SupportMode};
use crate::domain::reference::{
    AddOnAmount, AddOnStacking, ParameterSet, SinglePersonDibaoMode, seed,
};

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// Seeded parameters on 2022-04-25 with add-ons switched off, so amounts show the 补差 alone.
fn plain() -> ParameterSet {
    let mut p = seed().at(d(2022, 4, 25)).unwrap();
    p.add_ons.severe_disability = None;
    p.add_ons.severe_illness = None;
    p.add_ons.aged = None;
    p.add_ons.child = None;
    p
}

fn adult(n: u128, label: &str) -> Member {
    Member {
        id: Uuid::from_u128(n),
        label: label.into(),
        birth_date: d(1980, 6, 1),
        income: Vec::new(),
        employed: false,
        able_to_work: false,
        disability: None,
        severe_illness: false,
        has_capable_supporter: false,
        extreme_poverty_support: false,
    }
}

fn earning(mut m: Member, kind: IncomeKind, fen: i64) -> Member {
    m.income.push(IncomeItem {
        kind,
        monthly: Fen(fen),
    });
    if kind.is_work_income() {
        m.employed = true;
        m.able_to_work = true;
    }
    m
}

fn household(residence: Residence, members: Vec<Member>) -> Household {
    Household {
        id: Uuid::nil(),
        residence,
        local_hukou: true,
        property: PropertyCheck::WithinLimits,
        assets: Vec::new(),
        members,
    }
}

fn three(residence: Residence, first: Member) -> Household {
    household(
        residence,
        vec![first, adult(2, "妻 wife"), adult(3, "父 father")],
    )
}

fn assert_adds_up(a: &Assessment) {
    assert_eq!(
        a.terms.iter().map(|t| t.amount).sum::<Fen>(),
        a.monthly_amount,
        "trail:\n{}",
        a.trail()
    );
}

#[test]
fn dibao_is_the_gap_to_standard_times_size_rounded_up_to_the_yuan() {
    // (residence, income of the first member as (kind, fen), expected monthly amount in fen)
    let cases = [
        // No income: 636 × 3.
        (Residence::Urban, None, 190_800),
        // Rural standard: 515 × 3.
        (Residence::Rural, None, 154_500),
        // A pension is counted in full: 1908 − 1000.01 = 907.99 → 908.
        (
            Residence::Urban,
            Some((IncomeKind::Pension, 100_001)),
            90_800,
        ),
        // Employed: wages 1500 less 30 % of 636 (190.80) = 1309.20 counted; 1908 − 1309.20 = 598.80 → 599.
        (Residence::Urban, Some((IncomeKind::Wages, 150_000)), 59_900),
        // Rural employed: 30 % of 515 = 154.50; 1545 − (1200 − 154.50) = 499.50 → 500.
        (Residence::Rural, Some((IncomeKind::Wages, 120_000)), 50_000),
        // The deduction never exceeds the work income: 100 of wages counts as 0.
        (Residence::Urban, Some((IncomeKind::Wages, 10_000)), 190_800),
    ];
    for (residence, income, expected) in cases {
        let first = match income {
            Some((kind, fen)) => earning(adult(1, "申请人 applicant"), kind, fen),
            None => adult(1, "申请人 applicant"),
        };
        let a = assess_dibao(&three(residence, first), &plain()).unwrap();
        assert!(a.eligible, "{:?}", a.reasons);
        assert_eq!(
            a.monthly_amount,
            Fen(expected),
            "{residence:?} {income:?}\n{}",
            a.trail()
        );
        assert_adds_up(&a);
    }
}

#[test]
fn a_household_at_or_above_the_line_gets_nothing_and_is_told_why() {
    let h = three(
        Residence::Urban,
        earning(adult(1, "申请人 applicant"), IncomeKind::Pension, 190_800),
    );
    let a = assess_dibao(&h, &plain()).unwrap();
    assert!(!a.eligible);
    assert_eq!(a.monthly_amount, Fen::ZERO);
    assert!(a.reasons[0].contains("636.00"), "{:?}", a.reasons);
    assert_adds_up(&a);

    let well_above = three(
        Residence::Urban,
        earning(adult(1, "申请人 applicant"), IncomeKind::Pension, 500_000),
    );
    let a = assess_dibao(&well_above, &plain()).unwrap();
    assert_eq!(a.monthly_amount, Fen::ZERO);
    assert!(a.terms.iter().any(|t| t.label.contains("never below zero")));
    assert_adds_up(&a);
}

#[test]
fn registration_and_property_are_conditions_of_dibao() {
    let mut h = three(Residence::Urban, adult(1, "申请人 applicant"));
    h.local_hukou = false;
    h.property = PropertyCheck::OverLimits {
        reasons: vec!["owns a car in regular use".into()],
    };
    let a = assess_dibao(&h, &plain()).unwrap();
    assert!(!a.eligible);
    assert_eq!(a.reasons.len(), 2);
    assert!(a.reasons[1].contains("owns a car"));
    assert_eq!(a.monthly_amount, Fen::ZERO);
    assert_adds_up(&a);
}

#[test]
fn registered_property_is_tested_against_the_predicates_in_force() {
    use crate::domain::property::{Asset, AssetKind};
    let deposits = |yuan| Asset {
        kind: AssetKind::Deposits,
        value: Fen::from_yuan(yuan),
        exempt: false,
        employs_others: false,
    };
    // Three urban members: 636 × 24 × 3 = 45 792 yuan of deposits allowed.
    let cases = [(45_792, true), (45_793, false)];
    for (yuan, eligible) in cases {
        let mut h = three(Residence::Urban, adult(1, "申请人 applicant"));
        h.assets = vec![deposits(yuan)];
        let a = assess_dibao(&h, &plain()).unwrap();
        assert_eq!(a.eligible, eligible, "{yuan}: {:?}", a.reasons);
        if !eligible {
            assert!(a.reasons[0].contains("45792"), "{:?}", a.reasons);
        }
    }
    // A rule switched off by the bureau no longer refuses.
    let mut p = plain();
    p.property_limits.financial_assets_months_per_member = None;
    let mut h = three(Residence::Urban, adult(1, "申请人 applicant"));
    h.assets = vec![deposits(1_000_000)];
    assert!(assess_dibao(&h, &p).unwrap().eligible);
}

#[test]
fn add_ons_are_paid_per_person_on_top_of_the_top_up() {
    let p = seed().at(d(2022, 4, 25)).unwrap(); // seeded add-ons: 45 urban / 30 rural each
    let mut aged_and_disabled = adult(1, "父 father");
    aged_and_disabled.birth_date = d(1950, 1, 1);
    aged_and_disabled.disability = Some(Disability::Certificate {
        grade: DisabilityGrade::new(4, 2).unwrap(),
        expires_on: None,
    });
    let mut child = adult(2, "子 son");
    child.birth_date = d(2015, 9, 1);
    let h = household(
        Residence::Urban,
        vec![
            aged_and_disabled.clone(),
            child.clone(),
            adult(3, "母 mother"),
        ],
    );

    // Highest: the father gets one add-on although he qualifies twice; the child one.
    let a = assess_dibao(&h, &p).unwrap();
    assert_eq!(
        a.monthly_amount,
        Fen(190_800 + 4_500 + 4_500),
        "{}",
        a.trail()
    );
    assert_adds_up(&a);

    let mut summed = p.clone();
    summed.add_ons.stacking = AddOnStacking::Sum;
    let a = assess_dibao(&h, &summed).unwrap();
    assert_eq!(a.monthly_amount, Fen(190_800 + 2 * 4_500 + 4_500));

    let mut share = p.clone();
    share.add_ons.aged = Some(AddOnAmount::ShareOfStandard(
        crate::domain::money::PerMille(100),
    ));
    share.add_ons.severe_disability = None;
    share.add_ons.child = None;
    let a = assess_dibao(&h, &share).unwrap();
    assert_eq!(a.monthly_amount, Fen(190_800 + 6_360));

    let rural = household(
        Residence::Rural,
        vec![aged_and_disabled, child, adult(3, "母 mother")],
    );
    let a = assess_dibao(&rural, &p).unwrap();
    assert_eq!(a.monthly_amount, Fen(154_500 + 3_000 + 3_000));
}

#[test]
fn no_add_ons_are_listed_when_the_household_is_not_eligible() {
    let p = seed().at(d(2022, 4, 25)).unwrap();
    let mut father = earning(adult(1, "父 father"), IncomeKind::Pension, 400_000);
    father.birth_date = d(1940, 1, 1);
    let a = assess_dibao(&household(Residence::Urban, vec![father]), &p).unwrap();
    assert!(!a.eligible);
    assert!(!a.terms.iter().any(|t| t.label.contains("add-on")));
}

#[test]
fn march_is_computed_with_the_standard_in_force_in_march() {
    let mut params = seed();
    // A hypothetical raise on 2022-03-01.
    params
        .urban_dibao_standard
        .set(d(2022, 3, 1), Fen::from_yuan(660));
    let h = three(Residence::Urban, adult(1, "申请人 applicant"));
    let cases = [
        (d(2022, 2, 28), 190_800),
        (d(2022, 3, 1), 198_000),
        (d(2022, 3, 31), 198_000),
    ];
    for (on, expected) in cases {
        let mut a = assess(&h, &Claim::Dibao, &params, on).unwrap();
        a.terms.retain(|t| !t.label.contains("add-on"));
        assert_eq!(a.terms[0].amount, Fen(expected), "{on}");
        assert_eq!(a.parameters_on, on);
    }
    assert!(matches!(
        assess(&h, &Claim::Dibao, &params, d(2020, 1, 1)),
        Err(BenefitError::Reference(_))
    ));
}

#[test]
fn the_marginal_band_runs_from_the_standard_up_to_one_and_a_half_times_it() {
    // One urban person: line 636.00, marginal line 954.00. (pension in fen, dibao?, marginal?)
    let one = [
        (63_599, true, false),
        (63_600, false, true),
        (95_399, false, true),
        (95_400, false, false),
    ];
    for (income, dibao, marginal) in one {
        let h = household(
            Residence::Urban,
            vec![earning(
                adult(1, "申请人 applicant"),
                IncomeKind::Pension,
                income,
            )],
        );
        assert_eq!(
            assess_dibao(&h, &plain()).unwrap().eligible,
            dibao,
            "dibao at {income}"
        );
        let m = assess_marginal(&h, &plain()).unwrap();
        assert_eq!(
            m.eligible, marginal,
            "marginal at {income}: {:?}",
            m.reasons
        );
        assert_eq!(m.monthly_amount, Fen::ZERO);
        assert_adds_up(&m);
    }
    // Three urban people: the band is 1908.00 ..< 2862.00, compared on the household total.
    let three_people = [
        (190_799, false),
        (190_800, true),
        (286_199, true),
        (286_200, false),
    ];
    for (income, marginal) in three_people {
        let h = three(
            Residence::Urban,
            earning(adult(1, "申请人 applicant"), IncomeKind::Pension, income),
        );
        assert_eq!(
            assess_marginal(&h, &plain()).unwrap().eligible,
            marginal,
            "marginal at {income}"
        );
    }
}

fn marginal_household_with(disabled: Member) -> Household {
    // Per-capita 700 of 636: marginal.
    household(
        Residence::Urban,
        vec![
            disabled,
            earning(adult(2, "母 mother"), IncomeKind::Pension, 140_000),
        ],
    )
}

#[test]
fn a_severely_disabled_adult_of_a_marginal_household_gets_single_person_dibao() {
    let mut son = adult(1, "子 son");
    son.disability = Some(Disability::Certificate {
        grade: DisabilityGrade::new(5, 3).unwrap(),
        expires_on: None,
    });
    let h = marginal_household_with(son);
    let a = assess_single_person_dibao(&h, Uuid::from_u128(1), &plain()).unwrap();
    assert!(a.eligible, "{:?}", a.reasons);
    assert_eq!(a.monthly_amount, Fen(63_600));
    assert_adds_up(&a);

    let mut fixed = plain();
    fixed.single_person_dibao_mode = SinglePersonDibaoMode::FixedAmount {
        urban: Fen::from_yuan(500),
        rural: Fen::from_yuan(400),
    };
    assert_eq!(
        assess_single_person_dibao(&h, Uuid::from_u128(1), &fixed)
            .unwrap()
            .monthly_amount,
        Fen(50_000)
    );
}

#[test]
fn single_person_dibao_tops_up_the_members_own_income_and_adds_the_members_add_ons() {
    let mut son = earning(adult(1, "子 son"), IncomeKind::Other, 20_050);
    son.severe_illness = true;
    let h = marginal_household_with(son);
    let p = seed().at(d(2022, 4, 25)).unwrap();
    let a = assess_single_person_dibao(&h, Uuid::from_u128(1), &p).unwrap();
    // 636 − 200.50 = 435.50 → 436, plus the 重病 add-on 45.
    assert_eq!(a.monthly_amount, Fen(43_600 + 4_500), "{}", a.trail());
    assert_adds_up(&a);
}

#[test]
fn single_person_dibao_is_refused_outside_its_conditions() {
    let mut level_three_physical = adult(1, "子 son");
    level_three_physical.disability = Some(Disability::Certificate {
        grade: DisabilityGrade::new(4, 3).unwrap(),
        expires_on: None,
    });
    let a = assess_single_person_dibao(
        &marginal_household_with(level_three_physical),
        Uuid::from_u128(1),
        &plain(),
    )
    .unwrap();
    assert!(!a.eligible);
    assert!(a.reasons[0].contains("neither severely disabled"));

    let mut minor = adult(1, "子 son");
    minor.severe_illness = true;
    minor.birth_date = d(2010, 1, 1);
    let a = assess_single_person_dibao(
        &marginal_household_with(minor),
        Uuid::from_u128(1),
        &plain(),
    )
    .unwrap();
    assert!(a.reasons.iter().any(|r| r.contains("not an adult")));

    let mut ill = adult(1, "子 son");
    ill.severe_illness = true;
    let poor = household(Residence::Urban, vec![ill, adult(2, "母 mother")]);
    let a = assess_single_person_dibao(&poor, Uuid::from_u128(1), &plain()).unwrap();
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("qualifies for dibao instead")),
        "{:?}",
        a.reasons
    );
    assert_eq!(a.monthly_amount, Fen::ZERO);
    assert_adds_up(&a);

    assert_eq!(
        assess_single_person_dibao(&poor, Uuid::from_u128(99), &plain()),
        Err(BenefitError::UnknownMember(Uuid::from_u128(99)))
    );
}

#[test]
fn extreme_poverty_pays_the_basic_living_standard_plus_the_care_allowance() {
    let mut p = plain();
    p.care_allowances.dispersed.full_care = Fen::from_yuan(600);
    p.care_allowances.institutional.full_care = Fen::from_yuan(700);
    p.care_allowances.dispersed.full_self_care = Fen::ZERO;
    let old = earning(adult(1, "申请人 applicant"), IncomeKind::Pension, 10_000); // 100 yuan counted against the test only
    let h = household(Residence::Rural, vec![old]);
    let support = |mode, care_level| ExtremePovertySupport {
        member: Uuid::from_u128(1),
        mode,
        care_level,
    };
    let cases = [
        (SupportMode::Dispersed, CareLevel::FullCare, 82_700 + 60_000),
        (
            SupportMode::Institutional,
            CareLevel::FullCare,
            82_700 + 70_000,
        ),
        (SupportMode::Dispersed, CareLevel::FullSelfCare, 82_700),
    ];
    for (mode, level, expected) in cases {
        let a = assess_extreme_poverty(&h, &support(mode, level), &p).unwrap();
        assert!(a.eligible, "{:?}", a.reasons);
        assert_eq!(a.monthly_amount, Fen(expected), "{mode:?} {level:?}");
        assert_adds_up(&a);
    }
    let institutional = assess_extreme_poverty(
        &h,
        &support(SupportMode::Institutional, CareLevel::PartialCare),
        &p,
    )
    .unwrap();
    assert!(institutional.terms[0].note.contains("institution"));
}

#[test]
fn extreme_poverty_is_refused_to_someone_able_to_work_or_supported_or_with_income() {
    let mut able = earning(adult(1, "申请人 applicant"), IncomeKind::Pension, 51_500);
    able.able_to_work = true;
    able.has_capable_supporter = true;
    let h = household(Residence::Rural, vec![able]);
    let support = ExtremePovertySupport {
        member: Uuid::from_u128(1),
        mode: SupportMode::Dispersed,
        care_level: CareLevel::FullSelfCare,
    };
    let a = assess_extreme_poverty(&h, &support, &plain()).unwrap();
    assert!(!a.eligible);
    assert_eq!(a.reasons.len(), 3, "{:?}", a.reasons);
    assert_eq!(a.monthly_amount, Fen::ZERO);
    assert_adds_up(&a);
}

#[test]
fn the_trail_reads_line_by_line_with_the_result() {
    let h = three(
        Residence::Urban,
        earning(adult(1, "申请人 applicant"), IncomeKind::Wages, 150_000),
    );
    let text = assess_dibao(&h, &plain()).unwrap().trail();
    assert!(text.contains("低保标准 × 家庭人口 standard × household size: +1908.00 元 (636.00 元 (城市 urban) × 3 人)"), "{text}");
    assert!(
        text.contains("申请人 applicant: 工资 wages: -1500.00 元"),
        "{text}"
    );
    assert!(
        text.contains("employment-cost deduction: +190.80 元"),
        "{text}"
    );
    assert!(text.contains("= 599.00 元 per month"), "{text}");
}

#[test]
fn an_empty_household_cannot_be_assessed() {
    let h = household(Residence::Urban, Vec::new());
    assert_eq!(
        assess_dibao(&h, &plain()),
        Err(BenefitError::EmptyHousehold)
    );
}

#[test]
fn a_member_paid_extreme_poverty_support_is_not_counted_by_household_programmes() {
    let mut father = earning(adult(3, "父 father"), IncomeKind::Pension, 30_000);
    father.extreme_poverty_support = true;
    let h = household(
        Residence::Urban,
        vec![adult(1, "申请人 applicant"), adult(2, "妻 wife"), father],
    );
    // Two counted: 636 × 2, and the father's pension is his own.
    let a = assess_dibao(&h, &plain()).unwrap();
    assert_eq!(a.monthly_amount, Fen(127_200), "{}", a.trail());
    assert!(
        a.trail()
            .contains("not counted: paid extreme-poverty support")
    );
    assert_adds_up(&a);
    // Nobody left to count: not eligible.
    let mut alone = adult(1, "申请人 applicant");
    alone.extreme_poverty_support = true;
    let a = assess_dibao(&household(Residence::Urban, vec![alone.clone()]), &plain()).unwrap();
    assert!(
        !a.eligible && a.monthly_amount == Fen::ZERO,
        "{}",
        a.trail()
    );
    assert_adds_up(&a);
    // Single-person dibao is not for a person paid extreme-poverty support.
    alone.severe_illness = true;
    let marginal = household(
        Residence::Urban,
        vec![
            alone,
            earning(adult(2, "妻 wife"), IncomeKind::Pension, 70_000),
        ],
    );
    let a = assess_single_person_dibao(&marginal, Uuid::from_u128(1), &plain()).unwrap();
    assert!(
        a.reasons
            .iter()
            .any(|r| r.contains("already paid extreme-poverty support")),
        "{:?}",
        a.reasons
    );
}
