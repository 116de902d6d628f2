//! The dates a flag carries: each parent's `since` / `expected_end` are checked against the
//! 6-month rules (imprisonment, compulsory detox, other deprivation of liberty, out of contact),
//! and the child's month of birth tells the age-out before staff complete the identity.

use std::time::Duration;

use chrono::NaiveDate;
use contracts::{
    child::{AllowanceEndReason, AllowanceEnded, AllowanceStarted, Registered},
    common::{Month, PersonRef, TownshipCode, VillageCode},
    minor::{ChildAtRiskFlagged, Parent, ParentSituation},
};
use kit::testing::{TestApp, eventually};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

fn today() -> NaiveDate {
    child_welfare::commands::records::today()
}

fn parent(
    situation: ParentSituation,
    since: Option<NaiveDate>,
    expected_end: Option<NaiveDate>,
) -> Parent {
    Parent {
        situation,
        person_ref: None,
        since,
        expected_end,
    }
}

fn flag(
    child: &str,
    father: Parent,
    mother: Parent,
    birth_month: Option<Month>,
) -> ChildAtRiskFlagged {
    ChildAtRiskFlagged {
        flag_id: Uuid::now_v7(),
        person_ref: PersonRef::parse(&person_ref(child)).unwrap(),
        father,
        mother,
        case_id: None,
        birth_month,
        township_code: TownshipCode::parse(LIANGLU).unwrap(),
        village_code: VillageCode::parse(LIANGLU_VILLAGE).unwrap(),
        flagged_on: today(),
    }
}

fn months_ago(n: u32) -> NaiveDate {
    today() - chrono::Months::new(n)
}

fn months_ahead(n: u32) -> NaiveDate {
    today() + chrono::Months::new(n)
}

fn dead() -> Parent {
    parent(ParentSituation::Dead, Some(months_ago(30)), None)
}

/// The evaluation of `child`'s flag once its outcome is written.
async fn evaluation_of(app: &TestApp, child: &str) -> Value {
    let r = person_ref(child);
    eventually("the flag is evaluated", Duration::from_secs(20), || async {
        let (_, v) = app.get("/v1/evaluations", &clerk()).await;
        v["items"].as_array().and_then(|items| {
            items
                .iter()
                .find(|e| e["person_ref"] == r && e["outcome"] != "")
                .cloned()
        })
    })
    .await
}

#[tokio::test]
async fn custody_shorter_than_six_months_keeps_the_flag_open_and_six_or_more_registers() {
    let app = spawn().await;
    let short = id_number("50011220150601123");
    app.publish(&flag(
        &short,
        parent(
            ParentSituation::Imprisoned,
            Some(months_ago(1)),
            Some(months_ahead(4)),
        ),
        dead(),
        None,
    ))
    .await;
    let long = id_number("50011220150602234");
    app.publish(&flag(
        &long,
        parent(
            ParentSituation::Imprisoned,
            Some(months_ago(1)),
            Some(months_ahead(30)),
        ),
        dead(),
        None,
    ))
    .await;
    let e = evaluation_of(&app, &short).await;
    assert_eq!(e["status"], "open");
    assert!(
        e["outcome"]
            .as_str()
            .unwrap()
            .contains("imprisoned: term shorter than 6 months"),
        "{e}"
    );
    let e = evaluation_of(&app, &long).await;
    assert_eq!(e["status"], "registered", "{e}");
    let registered = app.expect_events::<Registered>(1).await;
    assert_eq!(registered[0].1.person_ref.as_str(), person_ref(&long));
}

#[tokio::test]
async fn compulsory_detox_and_other_deprivation_of_liberty_need_six_months_too() {
    let app = spawn().await;
    for (i, situation) in [
        ParentSituation::CompulsoryDetox,
        ParentSituation::DeprivedOfLiberty,
    ]
    .into_iter()
    .enumerate()
    {
        let short = id_number(&format!("50011220150610{i}45"));
        app.publish(&flag(
            &short,
            parent(situation, Some(months_ago(1)), Some(months_ahead(2))),
            dead(),
            None,
        ))
        .await;
        let e = evaluation_of(&app, &short).await;
        assert_eq!(e["status"], "open", "{situation:?}: {e}");
        assert!(
            e["outcome"]
                .as_str()
                .unwrap()
                .contains("term shorter than 6 months"),
            "{e}"
        );
    }
    let long = id_number("50011220150609456");
    app.publish(&flag(
        &long,
        parent(
            ParentSituation::CompulsoryDetox,
            Some(months_ago(1)),
            Some(months_ahead(23)),
        ),
        dead(),
        None,
    ))
    .await;
    assert_eq!(evaluation_of(&app, &long).await["status"], "registered");

    // The seeded minimum is 6 months, with its source.
    let (_, standards) = app.get("/v1/standards", &clerk()).await;
    for name in [
        "term.compulsory_detox_min_months",
        "term.deprived_of_liberty_min_months",
    ] {
        let row = standards
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["name"] == name)
            .unwrap_or_else(|| panic!("{name} in {standards}"));
        assert_eq!(row["value"], 6, "{row}");
        assert!(row["source"].as_str().unwrap().contains("62号"), "{row}");
    }
    // Staff recording a three-month detox are refused, naming the parent.
    let mut body = de_facto_body(&id_number(CHILD));
    body["father"]["conditions"] = json!([{ "situation": "compulsory_detox",
        "since": months_ago(1).to_string(), "expected_end": months_ahead(2).to_string(),
        "evidence": "强制隔离戒毒决定书" }]);
    let (status, problem) = submit(&app, &body).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("father.conditions")),
        "{problem}"
    );
}

#[tokio::test]
async fn out_of_contact_counts_six_months_from_the_police_report() {
    let app = spawn().await;
    let recent = id_number("50011220150603567");
    app.publish(&flag(
        &recent,
        parent(ParentSituation::OutOfContact, Some(months_ago(2)), None),
        dead(),
        None,
    ))
    .await;
    let e = evaluation_of(&app, &recent).await;
    assert_eq!(e["status"], "open");
    assert!(
        e["outcome"]
            .as_str()
            .unwrap()
            .contains("out_of_contact: fewer than 6 months since"),
        "{e}"
    );
    let old = id_number("50011220150604678");
    app.publish(&flag(
        &old,
        parent(ParentSituation::OutOfContact, Some(months_ago(7)), None),
        dead(),
        None,
    ))
    .await;
    assert_eq!(evaluation_of(&app, &old).await["status"], "registered");
}

#[tokio::test]
async fn the_month_of_birth_tells_the_age_out_before_the_identity_is_complete() {
    let app = spawn().await;
    let both_dead = || (dead(), parent(ParentSituation::Missing, None, None));
    let this_month = Month::from_date(today());

    // Turned 18 five months ago: nothing left to pay, the evaluation stays open with the reason.
    let adult = id_number("50011220080601890");
    let (f, m) = both_dead();
    app.publish(&flag(&adult, f, m, Some(this_month.plus(-(18 * 12) - 5))))
        .await;
    let e = evaluation_of(&app, &adult).await;
    assert_eq!(e["status"], "open");
    assert!(
        e["outcome"].as_str().unwrap().starts_with("aged out"),
        "{e}"
    );

    // Turns 18 next month: registered, paid through that month, ended by the batch after.
    let almost = id_number("50011220081201789");
    let (f, m) = both_dead();
    let birth = this_month.plus(-(18 * 12) + 1);
    app.publish(&flag(&almost, f, m, Some(birth))).await;
    let started = app.expect_events::<AllowanceStarted>(1).await;
    assert_eq!(started[0].1.start_month, this_month.next());
    live_in(this_month.next().next());
    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": this_month.next().next().to_string() }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    let ended = app.expect_events::<AllowanceEnded>(1).await;
    assert_eq!(
        (ended[0].1.reason, ended[0].1.end_month),
        (AllowanceEndReason::ReachedAdulthood, this_month.next()),
        "the month of the 18th birthday is the last paid"
    );
}
