//! The monthly payment run through the REST edge and NATS: one batch per month with its township
//! totals, lines held back without an account, the bank file, a bank return marking its line, the
//! re-issue of returned lines, and arrears — a held month, a decision recorded after its first
//! month's batch, a returned month — paid by the next run, once; standards that follow the
//! calendar (a raise back to months already paid is topped up; a lower standard, or an amount an
//! approver set, raises a review flag).

use std::time::Duration;

use crate::procedure_support::*;
use contracts::{
    aid::{EnrollmentChanged, PaymentBatchIssued},
    partner::PaymentReturned,
};
use kit::testing::{TestApp, eventually};
use serde_json::{Value, json};

/// Two confirmed dibao households: one with a payee account, one without. Returns (the month their
/// payments start, the paid enrollment's amount, its id).
async fn two_enrollments(app: &TestApp) -> (String, i64, String) {
    let (first, _) = poor_household(app).await;
    let id = submit(app, &first, json!({})).await;
    to_publicity_closed(app, &id).await;
    let paid = confirm(app, &id, Some(payee())).await;
    let head = id_number("50011219600707131");
    let (second, _) = household(
        app,
        "rural",
        &[NewMember {
            id_number: &head,
            relationship: "head",
            income_fen: 10_000,
            able_to_work: false,
        }],
    )
    .await;
    let id = submit(app, &second, json!({})).await;
    to_publicity_closed(app, &id).await;
    confirm(app, &id, None).await;
    let (_, e) = app.get(&format!("/v1/enrollments/{paid}"), &clerk()).await;
    (
        e["start_month"].as_str().unwrap().to_owned(),
        e["monthly_amount_fen"].as_i64().unwrap(),
        paid,
    )
}

fn counts(b: &Value) -> (i64, i64, i64) {
    (
        b["line_count"].as_i64().unwrap(),
        b["total_fen"].as_i64().unwrap(),
        b["held_count"].as_i64().unwrap(),
    )
}

async fn bank_file(app: &TestApp, batch: &str, token: &str) -> (u16, String) {
    let resp = app
        .http
        .get(format!("{}/v1/payment-batches/{batch}/bank-file", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    (resp.status().as_u16(), resp.text().await.unwrap())
}

#[tokio::test]
async fn the_monthly_run_pays_each_enrollment_once_and_holds_back_lines_without_an_account() {
    let app = spawn().await;
    let (month, amount, _) = two_enrollments(&app).await;
    let body = json!({ "month": month });
    assert_eq!(
        app.post("/v1/payment-batches", &clerk(), &body).await.0,
        403
    );
    // Not a month, or one beyond the next month (a batch pays the current or next month, or an
    // earlier one not yet issued): refused, naming the month.
    let far = today().checked_add_months(chrono::Months::new(24)).unwrap();
    for bad in ["2026-13".to_owned(), far.format("%Y-%m").to_string()] {
        let (status, problem) = app
            .post(
                "/v1/payment-batches",
                &district_officer(),
                &json!({ "month": bad }),
            )
            .await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some("month")),
            "{bad}: {problem}"
        );
    }

    let (status, batch) = app
        .post("/v1/payment-batches", &district_officer(), &body)
        .await;
    assert_eq!(status, 201, "{batch}");
    assert_eq!(
        (batch["line_count"].as_i64(), batch["held_count"].as_i64()),
        (Some(1), Some(1))
    );
    assert_eq!(batch["total_fen"].as_i64(), Some(amount));
    let (raw, issued) = app.expect_events::<PaymentBatchIssued>(1).await.remove(0);
    assert_eq!((issued.line_count, issued.total_fen), (1, amount));
    assert_eq!(issued.townships[0].township_code.as_str(), LIANGLU);
    assert!(!raw.contains("6217000012345678"), "{raw}");
    let (status, problem) = app
        .post("/v1/payment-batches", &district_officer(), &body)
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:batch-exists")
    );

    // The month before the enrollments start pays nobody.
    let (year, m) = month.split_once('-').unwrap();
    let (year, m): (i32, u32) = (year.parse().unwrap(), m.parse().unwrap());
    let before = if m == 1 {
        format!("{}-12", year - 1)
    } else {
        format!("{year}-{:02}", m - 1)
    };
    let (status, empty) = app
        .post(
            "/v1/payment-batches",
            &district_officer(),
            &json!({ "month": before }),
        )
        .await;
    assert_eq!(
        (
            status,
            empty["line_count"].as_i64(),
            empty["held_count"].as_i64()
        ),
        (201, Some(0), Some(0))
    );

    let id = batch["id"].as_str().unwrap();
    assert_eq!(bank_file(&app, id, &clerk()).await.0, 403);
    let (status, csv) = bank_file(&app, id, &district_officer()).await;
    assert_eq!(status, 200);
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[0].starts_with("line_id,batch_id,month"));
    assert!(lines[1].contains("\"6217000012345678\""), "{csv}");
    assert!(
        lines[1].ends_with(&format!("{}.{:02}", amount / 100, amount % 100)),
        "{csv}"
    );
}

#[tokio::test]
async fn a_bank_return_marks_its_line_and_the_re_issue_pays_it_again_once_the_payee_is_confirmed() {
    let app = spawn().await;
    let (month, amount, enrollment) = two_enrollments(&app).await;
    let (_, batch) = app
        .post(
            "/v1/payment-batches",
            &district_officer(),
            &json!({ "month": month }),
        )
        .await;
    let id = batch["id"].as_str().unwrap().to_owned();
    let (_, csv) = bank_file(&app, &id, &district_officer()).await;
    let line = csv
        .lines()
        .nth(1)
        .unwrap()
        .split(',')
        .next()
        .unwrap()
        .to_owned();
    let (status, problem) = app
        .post(
            &format!("/v1/payment-batches/{id}/reissue"),
            &district_officer(),
            &json!({}),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:nothing-to-reissue")
    );

    let returned = |line: &str, amount: i64| -> PaymentReturned {
        serde_json::from_value(json!({ "return_id": uuid::Uuid::now_v7(), "payer": "aid", "batch_id": id,
            "line_id": line, "amount_fen": amount, "reason_code": "account_closed", "returned_on": today() }))
        .unwrap()
    };
    app.publish(&returned(&line, amount)).await;
    // A return naming no line of ours goes to the dead letters, visible at the edge.
    app.publish(&returned(&uuid::Uuid::now_v7().to_string(), amount))
        .await;
    eventually(
        "the line marked returned",
        Duration::from_secs(20),
        || async {
            let (_, b) = app
                .get(&format!("/v1/payment-batches/{id}"), &district_officer())
                .await;
            (b["returned_count"] == 1).then_some(())
        },
    )
    .await;
    eventually(
        "the unknown return dead-lettered",
        Duration::from_secs(20),
        || async {
            let (_, d) = app.get("/v1/dead-letters", &district_officer()).await;
            let items: &Vec<Value> = d["items"].as_array()?;
            items
                .iter()
                .any(|l| l["subject"] == "partner.bank.payment.returned.v1")
                .then_some(())
        },
    )
    .await;

    // The account the bank returned the money from is held until a clerk confirms or corrects it.
    let path = format!("/v1/enrollments/{enrollment}");
    let (_, tag, e) = get_tagged(&app, &path, &clerk()).await;
    assert_eq!(e["payee_returned_on"], json!(today()));
    let reissue = format!("/v1/payment-batches/{id}/reissue");
    assert_eq!(
        app.post(&reissue, &district_officer(), &json!({})).await.0,
        409
    );
    let (status, confirmed) = put(&app, &format!("{path}/payee"), &clerk(), &tag, &payee()).await;
    assert_eq!(
        (status, &confirmed["payee_returned_on"]),
        (200, &Value::Null),
        "{confirmed}"
    );

    let (status, reissued) = app.post(&reissue, &district_officer(), &json!({})).await;
    assert_eq!(status, 201, "{reissued}");
    assert_eq!(
        (reissued["kind"].as_str(), reissued["line_count"].as_i64()),
        (Some("reissue"), Some(1))
    );
    assert_eq!(
        (reissued["month"].as_str(), reissued["total_fen"].as_i64()),
        (Some(month.as_str()), Some(amount))
    );
    assert_eq!(app.expect_events::<PaymentBatchIssued>(2).await.len(), 2);
    let (status, _) = app
        .post(
            &format!("/v1/payment-batches/{id}/reissue"),
            &district_officer(),
            &json!({}),
        )
        .await;
    assert_eq!(status, 409);
    let (_, list) = app.get("/v1/payment-batches", &district_officer()).await;
    assert_eq!(list.as_array().unwrap().len(), 2);
}

/// The days the arrears tests live on: the procedure helpers decide 27 days before "today", so a
/// case completed on 20 July is confirmed on 23 June and paid from July.
fn on(month: u32, day: u32) -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, month, day).unwrap()
}

/// A confirmed dibao enrollment of the mother-and-child household, paid from 2026-07; returns
/// its id and monthly amount.
async fn enrollment_from_july(app: &TestApp, payee: Option<Value>) -> (String, i64) {
    let (household, _) = poor_household(app).await;
    let application = submit(app, &household, json!({})).await;
    to_publicity_closed(app, &application).await;
    let id = confirm(app, &application, payee).await;
    let (_, e) = app.get(&format!("/v1/enrollments/{id}"), &clerk()).await;
    assert_eq!(e["start_month"], "2026-07");
    (id, e["monthly_amount_fen"].as_i64().unwrap())
}

async fn run(app: &TestApp, month: &str) -> Value {
    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &district_officer(),
            &json!({ "month": month }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    batch
}

/// The enrollment's lines as (month, kind, amount, status).
async fn history(app: &TestApp, id: &str) -> Vec<(String, String, i64, String)> {
    let (status, lines) = app
        .get(&format!("/v1/enrollments/{id}/payments"), &clerk())
        .await;
    assert_eq!(status, 200, "{lines}");
    lines
        .as_array()
        .unwrap()
        .iter()
        .map(|l| {
            (
                l["month"].as_str().unwrap().to_owned(),
                l["kind"].as_str().unwrap().to_owned(),
                l["amount_fen"].as_i64().unwrap(),
                l["status"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

fn line(month: &str, kind: &str, amount: i64, status: &str) -> (String, String, i64, String) {
    (month.into(), kind.into(), amount, status.into())
}

async fn set_payee(app: &TestApp, id: &str) {
    let path = format!("/v1/enrollments/{id}");
    let (_, tag, _) = get_tagged(app, &path, &clerk()).await;
    let (status, e) = put(app, &format!("{path}/payee"), &clerk(), &tag, &payee()).await;
    assert_eq!(status, 200, "{e}");
}

#[tokio::test]
async fn a_month_held_for_want_of_an_account_is_paid_as_arrears_by_the_next_run_once() {
    kit::testing::set_today(on(7, 20));
    let app = spawn().await;
    let (id, amount) = enrollment_from_july(&app, None).await;
    let july = run(&app, "2026-07").await;
    assert_eq!(counts(&july), (0, 0, 1));
    set_payee(&app, &id).await;

    kit::testing::set_today(on(8, 5));
    let august = run(&app, "2026-08").await;
    assert_eq!(counts(&august), (2, 2 * amount, 0));
    assert_eq!(
        august["arrears"],
        json!([{ "month": "2026-07", "kind": "arrears", "line_count": 1, "total_fen": amount }])
    );
    let (_, issued) = app.expect_events::<PaymentBatchIssued>(2).await.remove(1);
    assert_eq!(
        (issued.arrears.len(), issued.arrears[0].month.to_string()),
        (1, "2026-07".to_owned())
    );
    // The bank file says which line is the arrears and which month it belongs to.
    let (_, csv) = bank_file(&app, august["id"].as_str().unwrap(), &district_officer()).await;
    assert!(csv.starts_with("line_id,batch_id,month,kind,"), "{csv}");
    let mut kinds: Vec<(&str, &str)> = csv
        .lines()
        .skip(1)
        .map(|l| {
            let f: Vec<&str> = l.split(',').collect();
            (f[2], f[3])
        })
        .collect();
    kinds.sort();
    assert_eq!(kinds, [("2026-07", "arrears"), ("2026-08", "month")]);
    assert_eq!(
        history(&app, &id).await,
        [
            line("2026-07", "month", amount, "released"),
            line("2026-07", "arrears", amount, "issued"),
            line("2026-08", "month", amount, "issued"),
        ]
    );

    // Paid once: the next run pays its own month only.
    kit::testing::set_today(on(9, 5));
    assert_eq!(counts(&run(&app, "2026-09").await), (1, amount, 0));
}

#[tokio::test]
async fn a_decision_recorded_after_its_first_months_batch_is_paid_that_month_by_the_next_run() {
    kit::testing::set_today(on(7, 20));
    let app = spawn().await;
    // The July batch runs while the case still waits for its decision.
    assert_eq!(counts(&run(&app, "2026-07").await), (0, 0, 0));
    let (id, amount) = enrollment_from_july(&app, Some(payee())).await;
    kit::testing::set_today(on(8, 5));
    let august = run(&app, "2026-08").await;
    assert_eq!(counts(&august), (2, 2 * amount, 0));
    assert_eq!(
        history(&app, &id).await,
        [
            line("2026-07", "arrears", amount, "issued"),
            line("2026-08", "month", amount, "issued"),
        ]
    );
}

#[tokio::test]
async fn a_returned_month_is_held_until_the_payee_is_confirmed_then_paid_by_the_next_run_once() {
    kit::testing::set_today(on(7, 20));
    let app = spawn().await;
    let (id, amount) = enrollment_from_july(&app, Some(payee())).await;
    let july = run(&app, "2026-07").await;
    assert_eq!(counts(&july), (1, amount, 0));
    let (_, csv) = bank_file(&app, july["id"].as_str().unwrap(), &district_officer()).await;
    let line_id = csv.lines().nth(1).unwrap().split(',').next().unwrap();
    let returned: PaymentReturned = serde_json::from_value(json!({
        "return_id": uuid::Uuid::now_v7(), "payer": "aid", "batch_id": july["id"],
        "line_id": line_id, "amount_fen": amount, "reason_code": "account_closed",
        "returned_on": on(7, 20) }))
    .unwrap();
    app.publish(&returned).await;
    eventually(
        "the July line returned",
        Duration::from_secs(20),
        || async {
            let lines = history(&app, &id).await;
            (lines[0].3 == "returned").then_some(())
        },
    )
    .await;

    // August: the account the bank returned is not paid again, not even August's own month.
    kit::testing::set_today(on(8, 5));
    assert_eq!(counts(&run(&app, "2026-08").await), (0, 0, 1));
    set_payee(&app, &id).await;
    kit::testing::set_today(on(9, 5));
    let september = run(&app, "2026-09").await;
    assert_eq!(counts(&september), (3, 3 * amount, 0));
    assert_eq!(
        history(&app, &id).await,
        [
            line("2026-07", "month", amount, "reissued"),
            line("2026-07", "arrears", amount, "issued"),
            line("2026-08", "month", amount, "released"),
            line("2026-08", "arrears", amount, "issued"),
            line("2026-09", "month", amount, "issued"),
        ]
    );
    // Nothing is paid twice: the July batch has nothing left to re-issue.
    let reissue = format!(
        "/v1/payment-batches/{}/reissue",
        july["id"].as_str().unwrap()
    );
    assert_eq!(
        app.post(&reissue, &district_officer(), &json!({})).await.0,
        409
    );
}

/// Sets the urban dibao standard from `valid_from` (a new entry); returns the answer.
async fn raise_urban_standard(app: &TestApp, valid_from: &str, fen: i64) -> Value {
    let (status, answer) = put(
        app,
        &format!("/v1/reference/parameters/urban_dibao_standard/{valid_from}"),
        &district_officer(),
        "\"v0\"",
        &json!({ "value": fen }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    answer
}

#[tokio::test]
async fn a_standard_raised_back_to_paid_months_is_topped_up_by_the_next_run_and_followed_after() {
    kit::testing::set_today(on(7, 20));
    let app = spawn().await;
    let (id, amount) = enrollment_from_july(&app, Some(payee())).await;
    run(&app, "2026-07").await;
    kit::testing::set_today(on(8, 5));
    run(&app, "2026-08").await;

    // On 20 August the standard is raised from 1 July: 636 → 660 yuan for each of two people.
    kit::testing::set_today(on(8, 20));
    let answer = raise_urban_standard(&app, "2026-07-01", 66_000).await;
    assert_eq!(
        (
            &answer["enrollments_following"],
            &answer["review_flags_raised"]
        ),
        (&json!(1), &json!(0))
    );
    let raised = amount + 2 * 2_400;
    let (_, e) = app.get(&format!("/v1/enrollments/{id}"), &clerk()).await;
    assert_eq!(e["monthly_amount_fen"], raised);
    assert_eq!(
        (
            &e["amounts"][0]["amount"],
            &e["amounts"][0]["reason"],
            e["amounts"].as_array().unwrap().len()
        ),
        (&json!(raised), &json!("standard_raised"), 1),
        "{e}"
    );
    let (_, changed) = app.expect_events::<EnrollmentChanged>(1).await.remove(0);
    assert_eq!(
        (
            serde_json::to_value(changed.reason).unwrap(),
            changed.effective_month.to_string(),
            changed.monthly_amount_fen
        ),
        (json!("standard_raised"), "2026-07".to_owned(), raised)
    );

    // September pays the two differences and its own month at the new amount, once.
    kit::testing::set_today(on(9, 5));
    let september = run(&app, "2026-09").await;
    let top_up = raised - amount;
    assert_eq!(counts(&september), (3, 2 * top_up + raised, 0));
    assert_eq!(
        september["arrears"],
        json!([
            { "month": "2026-07", "kind": "top_up", "line_count": 1, "total_fen": top_up },
            { "month": "2026-08", "kind": "top_up", "line_count": 1, "total_fen": top_up },
        ])
    );
    assert_eq!(
        history(&app, &id).await,
        [
            line("2026-07", "month", amount, "issued"),
            line("2026-07", "top_up", top_up, "issued"),
            line("2026-08", "month", amount, "issued"),
            line("2026-08", "top_up", top_up, "issued"),
            line("2026-09", "month", raised, "issued"),
        ]
    );
    kit::testing::set_today(on(10, 5));
    assert_eq!(counts(&run(&app, "2026-10").await), (1, raised, 0));
}

#[tokio::test]
async fn a_lower_standard_or_an_approvers_own_amount_raises_a_review_flag_and_changes_nothing() {
    kit::testing::set_today(on(7, 20));
    let app = spawn().await;
    let (by_rule, amount) = enrollment_from_july(&app, Some(payee())).await;
    // A second household whose amount an approver set by hand.
    let head = id_number("50011219600707131");
    let (second, _) = household(
        &app,
        "urban",
        &[NewMember {
            id_number: &head,
            relationship: "head",
            income_fen: 10_000,
            able_to_work: false,
        }],
    )
    .await;
    let application = submit(&app, &second, json!({})).await;
    to_publicity_closed(&app, &application).await;
    let by_hand = confirm(&app, &application, Some(payee())).await;
    let (status, changed) = app
        .post(
            &format!("/v1/enrollments/{by_hand}/change"),
            &district_approver(),
            &json!({ "reason": "members_changed", "monthly_amount_fen": 50_000 }),
        )
        .await;
    assert_eq!(status, 200, "{changed}");

    kit::testing::set_today(on(8, 20));
    // Lowered from September: nobody's amount is cut without a decision.
    let answer = raise_urban_standard(&app, "2026-09-01", 60_000).await;
    assert_eq!(
        (
            &answer["enrollments_following"],
            &answer["review_flags_raised"]
        ),
        (&json!(0), &json!(2))
    );
    let (_, flags) = app.get("/v1/review-flags?open=true", &clerk()).await;
    let mut reasons: Vec<(String, String)> = flags["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| {
            (
                f["enrollment_id"].as_str().unwrap().to_owned(),
                f["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    reasons.sort();
    let mut expected = vec![
        (by_rule.clone(), "standard_lowered".to_owned()),
        (by_hand.clone(), "standard_changed".to_owned()),
    ];
    expected.sort();
    assert_eq!(reasons, expected, "{flags}");
    let (_, e) = app
        .get(&format!("/v1/enrollments/{by_rule}"), &clerk())
        .await;
    assert_eq!(e["monthly_amount_fen"], amount);
    assert!(app.events::<EnrollmentChanged>().await.len() == 1);
    // A parameter no amount is computed from changes no enrollment.
    let (status, answer) = put(
        &app,
        "/v1/reference/parameters/publicity_days/2026-09-01",
        &district_officer(),
        "\"v0\"",
        &json!({ "value": 8 }),
    )
    .await;
    assert_eq!(
        (
            status,
            &answer["enrollments_following"],
            &answer["review_flags_raised"]
        ),
        (200, &json!(0), &json!(0))
    );
}

#[tokio::test]
async fn a_decrease_reaching_back_to_a_paid_month_is_flagged_by_the_next_run_never_clawed_back() {
    kit::testing::set_today(on(7, 20));
    let app = spawn().await;
    let (id, amount) = enrollment_from_july(&app, Some(payee())).await;
    run(&app, "2026-07").await;
    kit::testing::set_today(on(8, 5));
    run(&app, "2026-08").await;
    // On 2 September the review of 15 July is entered from paper: a decrease from August.
    kit::testing::set_today(on(9, 2));
    let lower = amount - 20_000;
    let (status, reviewed) = app
        .post(
            &format!("/v1/enrollments/{id}/reviews"),
            &clerk(),
            &json!({ "outcome": "decrease", "monthly_amount_fen": lower, "on": on(7, 15) }),
        )
        .await;
    assert_eq!(status, 200, "{reviewed}");
    assert_eq!(reviewed["next_unpaid_month"], "2026-08");
    let september = run(&app, "2026-09").await;
    assert_eq!(counts(&september), (1, lower, 0));
    let (_, flags) = app.get("/v1/review-flags?open=true", &clerk()).await;
    let overpaid: Vec<&Value> = flags["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["reason"] == "overpaid")
        .collect();
    assert_eq!(overpaid.len(), 1, "{flags}");
    assert_eq!(overpaid[0]["enrollment_id"], json!(id));
    assert!(
        overpaid[0]["detail"]
            .as_str()
            .unwrap()
            .starts_with("2026-08:"),
        "{flags}"
    );
    // Nothing negative, nothing twice.
    kit::testing::set_today(on(10, 5));
    assert_eq!(counts(&run(&app, "2026-10").await), (1, lower, 0));
    let (_, flags) = app.get("/v1/review-flags?open=true", &clerk()).await;
    assert_eq!(flags["items"].as_array().unwrap().len(), 1);
}
