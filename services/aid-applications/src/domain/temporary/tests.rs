//! Tier routing, the reserve fund ledger, act-first paperwork and the yearly limit.

use chrono::NaiveDate;
use uuid::Uuid;

use super::*;
use crate::domain::actor::Office;
use crate::domain::calendar;
use crate::domain::reference::seed;

const TOWNSHIP: &str = "500112129";

fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

fn township(n: u128) -> Actor {
    Actor {
        id: ActorId(Uuid::from_u128(n)),
        office: Office::Township {
            code: TOWNSHIP.into(),
        },
    }
}

fn district(n: u128) -> Actor {
    Actor {
        id: ActorId(Uuid::from_u128(n)),
        office: Office::District,
    }
}

fn params() -> ParameterSet {
    seed().at(d(2022, 9, 1)).unwrap()
}

fn request(amount: i64, emergency_type: EmergencyType) -> GrantRequest {
    GrantRequest {
        grant_id: Uuid::from_u128(500),
        household_id: Uuid::from_u128(7),
        emergency_type,
        applied_at: AppliedAt::EmergencyPlace,
        amount: Fen(amount),
        township: TOWNSHIP.into(),
        recorded_by: ActorId(Uuid::from_u128(1)),
        staff_relatives: StaffRelativeLookup::NotRegistered,
    }
}

fn funded(balance: i64) -> ReserveFund {
    let mut fund = ReserveFund::open(TOWNSHIP);
    fund.replenish(
        d(2022, 1, 4),
        Fen(balance),
        "渝北民 2022-001",
        &district(90),
    )
    .unwrap();
    fund
}

#[test]
fn the_township_approves_up_to_exactly_three_times_the_urban_standard_and_the_district_above() {
    // Cap = 3 × 636.00 = 1908.00.
    let cases = [
        (1, DecisionLevel::Township),
        (190_800, DecisionLevel::Township),
        (190_801, DecisionLevel::District),
    ];
    for (amount, level) in cases {
        assert_eq!(approval_tier(Fen(amount), &params()), level, "{amount}");
    }
    assert!(
        grant(
            &request(190_800, EmergencyType::Fire),
            &township(2),
            d(2022, 9, 5),
            &[],
            &params()
        )
        .is_ok()
    );
    assert_eq!(
        grant(
            &request(190_801, EmergencyType::Fire),
            &township(2),
            d(2022, 9, 5),
            &[],
            &params()
        )
        .map(|_| ()),
        Err(TemporaryError::AboveTownshipCap {
            amount: Fen(190_801),
            cap: Fen(190_800)
        })
    );
    let (by_district, _) = grant(
        &request(190_801, EmergencyType::Fire),
        &district(3),
        d(2022, 9, 5),
        &[],
        &params(),
    )
    .unwrap();
    assert_eq!(by_district.approved_by, DecisionLevel::District);
}

#[test]
fn the_cap_follows_the_urban_standard_in_force() {
    let mut params = seed();
    params
        .urban_dibao_standard
        .set(d(2023, 1, 1), Fen::from_yuan(660));
    let p = params.at(d(2023, 3, 1)).unwrap();
    assert_eq!(approval_tier(Fen(198_000), &p), DecisionLevel::Township);
    assert_eq!(approval_tier(Fen(198_001), &p), DecisionLevel::District);
}

#[test]
fn an_overdraw_of_the_reserve_fund_is_refused_and_the_balance_is_unchanged() {
    let mut fund = funded(100_000);
    let clerk = township(2);
    assert_eq!(
        fund.draw(d(2022, 9, 5), Uuid::from_u128(1), Fen(100_001), &clerk),
        Err(ReserveFundError::Insufficient {
            balance: Fen(100_000),
            requested: Fen(100_001)
        })
    );
    assert_eq!(fund.balance(), Fen(100_000));
    assert_eq!(fund.entries().len(), 1);

    let entry = fund
        .draw(d(2022, 9, 5), Uuid::from_u128(1), Fen(100_000), &clerk)
        .unwrap();
    assert_eq!(entry.balance_after, Fen::ZERO);
    assert!(matches!(
        fund.draw(d(2022, 9, 6), Uuid::from_u128(2), Fen(1), &clerk),
        Err(ReserveFundError::Insufficient { .. })
    ));
    assert_eq!(fund.balance(), Fen::ZERO);
}

#[test]
fn only_the_district_replenishes_and_only_positive_amounts_move() {
    let mut fund = funded(10_000);
    assert_eq!(
        fund.replenish(d(2022, 9, 5), Fen(5_000), "x", &township(2)),
        Err(ReserveFundError::ReplenishedByDistrictOnly)
    );
    assert_eq!(
        fund.replenish(d(2022, 9, 5), Fen::ZERO, "x", &district(90)),
        Err(ReserveFundError::AmountNotPositive(Fen::ZERO))
    );
    assert_eq!(
        fund.draw(d(2022, 9, 5), Uuid::nil(), Fen(-1), &township(2)),
        Err(ReserveFundError::AmountNotPositive(Fen(-1)))
    );
    let other = Actor {
        id: ActorId(Uuid::from_u128(2)),
        office: Office::Township {
            code: "500112133".into(),
        },
    };
    assert!(matches!(
        fund.draw(d(2022, 9, 5), Uuid::nil(), Fen(1), &other),
        Err(ReserveFundError::OtherTownship(_))
    ));
    let entry = fund
        .replenish(
            d(2022, 9, 5),
            Fen(5_000),
            " 渝北民 2022-077 ",
            &district(90),
        )
        .unwrap();
    assert_eq!(
        entry.kind,
        EntryKind::Replenishment {
            reference: "渝北民 2022-077".into()
        }
    );
    assert_eq!(fund.balance(), Fen(15_000));
}

#[test]
fn an_act_first_payment_draws_the_fund_and_its_paperwork_is_due_five_working_days_later() {
    let cal = calendar::seed();
    let mut fund = funded(300_000);
    // Paid Friday 2022-09-30: National Day follows; the adjusted weekend 10-8/10-9 count, then 10-10..10-12.
    let (mut grant, event) = grant_act_first(
        &request(150_000, EmergencyType::Fire),
        &township(2),
        d(2022, 9, 30),
        &[],
        &mut fund,
        &cal,
        &params(),
    )
    .unwrap();
    assert_eq!(fund.balance(), Fen(150_000));
    assert!(matches!(&event, TemporaryEvent::Granted { grant } if grant.act_first.is_some()));
    let due = grant.act_first.unwrap().due;
    assert_eq!(due, d(2022, 10, 12));
    assert!(!grant.paperwork_overdue(d(2022, 10, 12)));
    assert!(grant.paperwork_overdue(d(2022, 10, 13)));
    assert_eq!(
        grant.complete_paperwork(d(2022, 10, 14)),
        Ok(TemporaryEvent::PaperworkCompleted {
            grant_id: grant.id,
            completed_on: d(2022, 10, 14),
            late: true
        })
    );
    assert!(!grant.paperwork_overdue(d(2022, 10, 20)));
    assert_eq!(
        grant.complete_paperwork(d(2022, 10, 15)),
        Err(TemporaryError::NoPaperworkPending)
    );
}

#[test]
fn a_refused_act_first_payment_leaves_the_fund_untouched() {
    let cal = calendar::seed();
    let past = [PastGrant {
        household_id: Uuid::from_u128(7),
        emergency_type: EmergencyType::Fire,
        granted_on: d(2022, 2, 1),
    }];
    // (request, approver, past grants, expected error)
    let cases: [(GrantRequest, Actor, &[PastGrant], TemporaryError); 4] = [
        (
            request(190_801, EmergencyType::Fire),
            township(2),
            &[],
            TemporaryError::ActFirstAboveCap {
                amount: Fen(190_801),
                cap: Fen(190_800),
            },
        ),
        (
            request(50_000, EmergencyType::Fire),
            district(3),
            &[],
            TemporaryError::WrongOffice("the township whose reserve fund pays"),
        ),
        (
            request(50_000, EmergencyType::Fire),
            township(2),
            &past,
            TemporaryError::YearlyLimitReached {
                emergency_type: EmergencyType::Fire,
                year: 2022,
                limit: 1,
            },
        ),
        (
            request(150_001, EmergencyType::Accident),
            township(2),
            &[],
            TemporaryError::Fund(ReserveFundError::Insufficient {
                balance: Fen(150_000),
                requested: Fen(150_001),
            }),
        ),
    ];
    for (req, approver, past, expected) in cases {
        let mut fund = funded(150_000);
        let result = grant_act_first(
            &req,
            &approver,
            d(2022, 9, 5),
            past,
            &mut fund,
            &cal,
            &params(),
        );
        assert_eq!(result.map(|_| ()), Err(expected));
        assert_eq!(fund.balance(), Fen(150_000));
        assert_eq!(fund.entries().len(), 1);
    }
}

#[test]
fn the_yearly_limit_counts_the_same_emergency_type_in_the_same_calendar_year() {
    let past = [PastGrant {
        household_id: Uuid::from_u128(7),
        emergency_type: EmergencyType::Fire,
        granted_on: d(2022, 2, 1),
    }];
    let cases = [
        (EmergencyType::Fire, d(2022, 12, 31), false),
        (EmergencyType::Accident, d(2022, 9, 5), true),
        (EmergencyType::Fire, d(2023, 1, 1), true),
    ];
    for (kind, on, allowed) in cases {
        assert_eq!(
            check_yearly_limit(&past, Uuid::from_u128(7), kind, on, &params()).is_ok(),
            allowed,
            "{kind:?} {on}"
        );
    }
    assert!(
        check_yearly_limit(
            &past,
            Uuid::from_u128(8),
            EmergencyType::Fire,
            d(2022, 5, 1),
            &params()
        )
        .is_ok()
    );
    let mut two = params();
    two.temporary_limit_per_year_per_emergency_type = 2;
    assert!(
        check_yearly_limit(
            &past,
            Uuid::from_u128(7),
            EmergencyType::Fire,
            d(2022, 5, 1),
            &two
        )
        .is_ok()
    );
}

#[test]
fn the_clerk_who_recorded_the_request_cannot_approve_it() {
    assert!(matches!(
        grant(
            &request(10_000, EmergencyType::Fire),
            &township(1),
            d(2022, 9, 5),
            &[],
            &params()
        ),
        Err(TemporaryError::Duty(_))
    ));
    assert_eq!(
        grant(
            &request(0, EmergencyType::Fire),
            &township(2),
            d(2022, 9, 5),
            &[],
            &params()
        )
        .map(|_| ()),
        Err(TemporaryError::AmountNotPositive(Fen::ZERO))
    );
}

#[test]
fn a_resumed_fund_draws_from_its_stored_balance_and_appends_only_the_new_entry() {
    let mut fund = ReserveFund::resume(TOWNSHIP, Fen(20_000));
    assert!(matches!(
        fund.draw(d(2022, 9, 5), Uuid::from_u128(1), Fen(20_001), &township(2)),
        Err(ReserveFundError::Insufficient { .. })
    ));
    let entry = fund
        .draw(d(2022, 9, 5), Uuid::from_u128(1), Fen(15_000), &township(2))
        .unwrap();
    assert_eq!(entry.balance_after, Fen(5_000));
    assert_eq!(fund.entries().len(), 1);
}
