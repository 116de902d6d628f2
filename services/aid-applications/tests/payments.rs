//! The monthly payment run through the REST edge and NATS: one batch per month with its township
//! totals, lines held back without an account, the bank file, a bank return marking its line, and
//! the re-issue of returned lines.

mod procedure_support;

use std::time::Duration;

use contracts::{aid::PaymentBatchIssued, partner::PaymentReturned};
use kit::testing::{TestApp, eventually};
use procedure_support::*;
use serde_json::{Value, json};

/// Two confirmed dibao households: one with a payee account, one without. Returns (the month their
/// payments start, the paid enrollment's amount).
async fn two_enrollments(app: &TestApp) -> (String, i64) {
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
    let (month, amount) = two_enrollments(&app).await;
    let body = json!({ "month": month });
    assert_eq!(
        app.post("/v1/payment-batches", &clerk(), &body).await.0,
        403
    );
    let (status, problem) = app
        .post(
            "/v1/payment-batches",
            &district_officer(),
            &json!({ "month": "2026-13" }),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("month"))
    );

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
async fn a_bank_return_marks_its_line_and_the_re_issue_pays_it_again() {
    let app = spawn().await;
    let (month, amount) = two_enrollments(&app).await;
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

    let (status, reissued) = app
        .post(
            &format!("/v1/payment-batches/{id}/reissue"),
            &district_officer(),
            &json!({}),
        )
        .await;
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
