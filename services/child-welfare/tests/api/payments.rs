//! Payment batches: one line per allowance payable in the month at the month's standard, the
//! batch event, the bank file, a bank return marking its line failed, and its re-issue.

use std::time::Duration;

use contracts::{
    child::PaymentBatchIssued,
    common::Month,
    partner::{Payer, PaymentReturned, ReturnReason},
};
use kit::testing::eventually;
use serde_json::json;
use uuid::Uuid;

use crate::support::*;

#[tokio::test]
async fn a_monthly_batch_pays_each_allowance_once_and_a_returned_line_is_reissued_next_month() {
    let app = spawn().await;
    let (_, decided) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    let month = start_month(&decided);
    // Nothing is payable in the month of approval.
    let (status, before) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.prev().to_string() }),
        )
        .await;
    assert_eq!(
        (status, before["line_count"].as_i64()),
        (201, Some(0)),
        "{before}"
    );
    let (status, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.to_string() }),
        )
        .await;
    assert_eq!(status, 201, "{batch}");
    assert_eq!(
        (batch["line_count"].as_i64(), batch["total_fen"].as_i64()),
        (Some(1), Some(120_000))
    );
    let (status, _) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.to_string() }),
        )
        .await;
    assert_eq!(status, 409);
    let (status, _) = app
        .post(
            "/v1/payment-batches",
            &clerk(),
            &json!({ "month": month.next().to_string() }),
        )
        .await;
    assert_eq!(status, 403);

    let events = app.expect_events::<PaymentBatchIssued>(2).await;
    let (raw, issued) = &events[1];
    assert_eq!((issued.line_count, issued.total_fen), (1, 120_000));
    assert_eq!(issued.townships[0].township_code.as_str(), LIANGLU);
    assert!(!raw.contains("6222"), "account leaked: {raw}");

    let batch_id = batch["id"].as_str().unwrap();
    let file = app
        .http
        .get(format!(
            "{}/v1/payment-batches/{batch_id}/bank-file",
            app.base
        ))
        .bearer_auth(officer())
        .send()
        .await
        .unwrap();
    assert_eq!(file.status().as_u16(), 200);
    let csv = file.text().await.unwrap();
    let row = csv.lines().nth(1).unwrap();
    assert!(
        row.contains("6222020200112233445") && row.ends_with(",1200.00,normal"),
        "{csv}"
    );
    let line_id: Uuid = row.split(',').next().unwrap().parse().unwrap();
    let forbidden = app
        .http
        .get(format!(
            "{}/v1/payment-batches/{batch_id}/bank-file",
            app.base
        ))
        .bearer_auth(clerk())
        .send()
        .await
        .unwrap();
    assert_eq!(forbidden.status().as_u16(), 403);

    let returned = PaymentReturned {
        return_id: Uuid::now_v7(),
        payer: Payer::Child,
        batch_id: batch_id.parse().unwrap(),
        line_id,
        amount_fen: 120_000,
        reason_code: ReturnReason::AccountFrozen,
        returned_on: kit::clock::today(),
    };
    app.publish(&returned).await;
    // The same return again under another event id changes nothing more.
    app.publish(&PaymentReturned {
        return_id: Uuid::now_v7(),
        ..returned.clone()
    })
    .await;
    let path = format!("/v1/payment-batches/{batch_id}");
    eventually(
        "the line marked failed",
        Duration::from_secs(20),
        || async {
            let (_, v) = app.get(&path, &officer()).await;
            (v["lines"][0]["status"] == "failed").then_some(())
        },
    )
    .await;
    live_in(month.next());
    let (status, next) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.next().to_string() }),
        )
        .await;
    assert_eq!(status, 201, "{next}");
    // The month's own line and the re-issue of the returned one.
    assert_eq!(
        (next["line_count"].as_i64(), next["total_fen"].as_i64()),
        (Some(2), Some(240_000))
    );
    let (_, next) = app
        .get(
            &format!("/v1/payment-batches/{}", next["id"].as_str().unwrap()),
            &officer(),
        )
        .await;
    let reissue = next["lines"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| !l["reissue_of"].is_null())
        .unwrap();
    assert_eq!(reissue["reissue_of"], line_id.to_string());
    assert_eq!(reissue["month"], month.to_string());
    assert_eq!(reissue["bank_account"], "****3445");
    let (_, first) = app.get(&path, &officer()).await;
    assert_eq!(first["lines"][0]["status"], "reissued");

    // The batches with their totals, oldest first; district roles only.
    let (status, list) = app.get("/v1/payment-batches", &officer()).await;
    assert_eq!(status, 200, "{list}");
    let totals: Vec<(String, i64, i64)> = list["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|b| {
            (
                b["month"].as_str().unwrap().to_owned(),
                b["line_count"].as_i64().unwrap(),
                b["total_fen"].as_i64().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        totals,
        [
            (month.prev().to_string(), 0, 0),
            (month.to_string(), 1, 120_000),
            (month.next().to_string(), 2, 240_000)
        ]
    );
    assert_eq!(app.get("/v1/payment-batches", &clerk()).await.0, 403);
    assert_eq!(
        app.get("/v1/payment-batches?limit=0", &officer()).await.0,
        400
    );
}

#[tokio::test]
async fn a_batch_is_refused_for_a_month_beyond_the_next_one() {
    let app = spawn().await;
    let now = Month::from_date(kit::clock::today());
    for far in [now.plus(2), now.plus(26)] {
        let (status, problem) = app
            .post(
                "/v1/payment-batches",
                &officer(),
                &json!({ "month": far.to_string() }),
            )
            .await;
        assert_eq!(
            (status, problem["errors"][0]["field"].as_str()),
            (422, Some("month")),
            "{far}: {problem}"
        );
    }
    // The next month is issued ahead (to reach the bank in time); an earlier month not yet
    // issued can still be.
    for month in [now.next(), now.plus(-3)] {
        let (status, batch) = app
            .post(
                "/v1/payment-batches",
                &officer(),
                &json!({ "month": month.to_string() }),
            )
            .await;
        assert_eq!(status, 201, "{month}: {batch}");
    }
}

#[tokio::test]
async fn a_child_without_an_account_is_held_and_paid_once_an_account_is_recorded() {
    let app = spawn().await;
    let mut body = de_facto_body(&id_number(CHILD));
    body.as_object_mut().unwrap().remove("bank_account");
    let (id, decided) = register(&app, &body).await;
    let month = start_month(&decided);
    let (_, batch) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.to_string() }),
        )
        .await;
    assert_eq!(
        (batch["line_count"].as_i64(), batch["held_count"].as_i64()),
        (Some(0), Some(1))
    );
    let read = app
        .http
        .get(format!("{}/v1/children/{id}", app.base))
        .bearer_auth(clerk())
        .send()
        .await
        .unwrap();
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    let put = app
        .http
        .put(format!("{}/v1/children/{id}/care", app.base))
        .bearer_auth(clerk())
        .header("If-Match", tag)
        .json(&json!({ "care_mode": "family_based",
            "bank_account": { "holder": "王奶奶", "account": "6222020200998877" } }))
        .send()
        .await
        .unwrap();
    assert_eq!(put.status().as_u16(), 204);
    live_in(month.next());
    let (_, next) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.next().to_string() }),
        )
        .await;
    assert_eq!(
        (next["line_count"].as_i64(), next["total_fen"].as_i64()),
        (Some(2), Some(240_000))
    );
}

#[tokio::test]
async fn a_return_naming_a_line_this_service_never_issued_goes_to_the_dead_letters() {
    let app = spawn().await;
    let returned = PaymentReturned {
        return_id: Uuid::now_v7(),
        payer: Payer::Child,
        batch_id: Uuid::now_v7(),
        line_id: Uuid::now_v7(),
        amount_fen: 100,
        reason_code: ReturnReason::Other,
        returned_on: kit::clock::today(),
    };
    app.publish(&returned).await;
    eventually("a dead letter", Duration::from_secs(20), || async {
        let (_, v) = app.get("/v1/dead-letters", &officer()).await;
        let items = v["items"]
            .as_array()
            .cloned()
            .or_else(|| v.as_array().cloned())?;
        items
            .iter()
            .any(|d| {
                d["reason"]
                    .as_str()
                    .is_some_and(|r| r.contains("no payment line"))
            })
            .then_some(())
    })
    .await;
}

#[tokio::test]
async fn programmes_admit_only_their_children() {
    let app = spawn().await;
    // An orphan of 17 in full-time higher education.
    let mut body = de_facto_body(&id_number("50011220090301123"));
    body["father"]["conditions"] =
        json!([{ "situation": "dead", "since": "2020-01-01", "evidence": "死亡证明" }]);
    body["school"] = json!({ "level": "higher_education", "school": "重庆大学", "full_time": true,
        "enrolled_on": "2026-09-01", "course_end": "2030-06-30", "evidence": "录取通知书" });
    let (id, decided) = register(&app, &body).await;
    assert_eq!(decided["category"], "orphan");
    let path = format!("/v1/children/{id}/programme-grants");
    let grant = json!({ "programme": "fucai_dream_education", "period": "2026-2027", "evidence": "录取通知书" });
    let (status, g) = app.post(&path, &approver(), &grant).await;
    assert_eq!(
        (status, g["amount_fen"].as_i64()),
        (201, Some(1_000_000)),
        "{g}"
    );
    assert_eq!(app.post(&path, &approver(), &grant).await.0, 409);
    let aid = json!({ "programme": "education_aid", "period": "2026", "amount_fen": 50_000, "evidence": "x" });
    let (status, problem) = app.post(&path, &approver(), &aid).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (409, Some("programme"))
    );
    assert_eq!(app.post(&path, &clerk(), &grant).await.0, 403);
}

/// An ID number of a child who turns 18 on the 15th of `month`.
fn turning_18_in(month: contracts::common::Month) -> String {
    id_number(&format!(
        "500112{:04}{:02}15123",
        month.year() - 18,
        month.month()
    ))
}

#[tokio::test]
async fn the_batch_after_the_18th_birthday_month_ends_the_allowance_unless_the_child_is_in_school()
{
    let app = spawn().await;
    let (_, probe) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    let month = start_month(&probe);
    let (adult, _) = register(&app, &de_facto_body(&turning_18_in(month))).await;
    let mut body = de_facto_body(&id_number(&format!(
        "500112{:04}{:02}15124",
        month.year() - 18,
        month.month()
    )));
    let course_end = month.plus(6).last_day().unwrap().to_string();
    body["school"] = json!({ "level": "senior_secondary", "school": "渝北中学", "full_time": true,
        "enrolled_on": "2024-09-01", "course_end": course_end, "evidence": "在读证明" });
    let (pupil, _) = register(&app, &body).await;
    let (_, paid) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.to_string() }),
        )
        .await;
    assert_eq!(
        paid["line_count"], 3,
        "the 18th-birthday month is paid: {paid}"
    );
    live_in(month.next());
    let (_, next) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.next().to_string() }),
        )
        .await;
    assert_eq!(
        (next["line_count"].as_i64(), next["ended_count"].as_i64()),
        (Some(2), Some(1)),
        "{next}"
    );
    let ended = app
        .expect_events::<contracts::child::AllowanceEnded>(1)
        .await;
    assert_eq!(ended[0].1.child_id.to_string(), adult);
    assert_eq!(
        ended[0].1.reason,
        contracts::child::AllowanceEndReason::ReachedAdulthood
    );
    assert_eq!(ended[0].1.end_month, month);
    // The pupil is paid to the month the normal course ends, then no more.
    live_in(month.plus(6));
    let (_, last) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.plus(6).to_string() }),
        )
        .await;
    assert_eq!(last["line_count"], 2, "{last}");
    live_in(month.plus(7));
    let (_, after) = app
        .post(
            "/v1/payment-batches",
            &officer(),
            &json!({ "month": month.plus(7).to_string() }),
        )
        .await;
    assert_eq!(
        (after["line_count"].as_i64(), after["ended_count"].as_i64()),
        (Some(1), Some(1))
    );
    let ended = app
        .expect_events::<contracts::child::AllowanceEnded>(2)
        .await;
    assert_eq!(ended[1].1.child_id.to_string(), pupil);
    assert_eq!(
        ended[1].1.reason,
        contracts::child::AllowanceEndReason::EducationCompleted
    );
    assert_eq!(ended[1].1.end_month, month.plus(6));
}
