//! Temporary-assistance grants approved without act-first are paid by the monthly payment batch,
//! through the REST edge and NATS: once, in the batch of the month of approval (or the next run),
//! in the batch totals, the event and the bank file; act-first, pending and rejected grants never;
//! a grant without an account is held and paid by the re-issue once its payee is set; a returned
//! grant line is re-issued; a grant without payee takes the household's enrollment payee. And the
//! migration and the run on SQLite.

use std::time::Duration;

use crate::procedure_support::*;
use chrono::Datelike;
use contracts::{aid::PaymentBatchIssued, partner::PaymentReturned};
use kit::testing::{TestApp, eventually};
use serde_json::{Value, json};

/// `YYYY-MM` of the month `offset` months from the current one (China time, as the service).
fn month(offset: i32) -> String {
    let t = today();
    let n = t.year() * 12 + t.month0() as i32 + offset;
    format!("{:04}-{:02}", n.div_euclid(12), n.rem_euclid(12) + 1)
}

/// A household in Lianglu with one adult (`seed` makes its ID number distinct).
async fn plain_household(app: &TestApp, seed: u32) -> String {
    let head = id_number(&format!("50011219700101{seed:03}"));
    household(
        app,
        "urban",
        &[NewMember {
            id_number: &head,
            relationship: "head",
            income_fen: 0,
            able_to_work: false,
        }],
    )
    .await
    .0
}

async fn request(app: &TestApp, household: &str, amount_fen: i64, extra: Value) -> (u16, Value) {
    let mut body = json!({ "household_id": household, "emergency_type": "serious_illness",
        "applied_at": "registered_place", "amount_fen": amount_fen, "act_first": false,
        "circumstances": "家人突发重病" });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    app.post("/v1/temporary-assistance", &clerk(), &body).await
}

/// Records and decides a request; returns the grant id.
async fn granted(app: &TestApp, household: &str, amount_fen: i64, extra: Value) -> String {
    let (status, g) = request(app, household, amount_fen, extra).await;
    assert_eq!(status, 201, "{g}");
    let id = g["id"].as_str().unwrap().to_owned();
    let (status, d) = app
        .post(
            &format!("/v1/temporary-assistance/{id}/decision"),
            &township_approver(),
            &json!({ "outcome": "approved" }),
        )
        .await;
    assert_eq!(
        (status, d["status"].as_str()),
        (200, Some("granted")),
        "{d}"
    );
    id
}

async fn grant(app: &TestApp, id: &str) -> Value {
    let (status, g) = app
        .get(&format!("/v1/temporary-assistance/{id}"), &clerk())
        .await;
    assert_eq!(status, 200, "{g}");
    g
}

async fn run(app: &TestApp, month: &str) -> Value {
    let (status, b) = app
        .post(
            "/v1/payment-batches",
            &district_officer(),
            &json!({ "month": month }),
        )
        .await;
    assert_eq!(status, 201, "{b}");
    b
}

async fn reissue(app: &TestApp, batch: &str) -> (u16, Value) {
    app.post(
        &format!("/v1/payment-batches/{batch}/reissue"),
        &district_officer(),
        &json!({}),
    )
    .await
}

async fn bank_file(app: &TestApp, batch: &str) -> String {
    let resp = app
        .http
        .get(format!("{}/v1/payment-batches/{batch}/bank-file", app.base))
        .bearer_auth(district_officer())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    resp.text().await.unwrap()
}

fn counts(b: &Value) -> (i64, i64, i64) {
    (
        b["line_count"].as_i64().unwrap(),
        b["total_fen"].as_i64().unwrap(),
        b["held_count"].as_i64().unwrap(),
    )
}

fn account() -> Value {
    json!({ "name": "张三", "bank": "重庆农村商业银行两路支行", "account": "6230520012345678" })
}

#[tokio::test]
async fn a_grant_approved_without_act_first_is_paid_once_by_its_months_batch_and_act_first_pending_or_rejected_grants_never()
 {
    let app = spawn().await;
    let paid = granted(
        &app,
        &plain_household(&app, 1).await,
        123_456,
        json!({ "payee": account() }),
    )
    .await;
    // Act-first: cash from the reserve fund at approval.
    let (status, _) = app
        .post(
            &format!("/v1/reserve-funds/{LIANGLU}/replenishments"),
            &district_officer(),
            &json!({ "amount_fen": 100_000, "reference": "渝北民 2026-001" }),
        )
        .await;
    assert_eq!(status, 201);
    let cash = granted(
        &app,
        &plain_household(&app, 2).await,
        50_000,
        json!({ "act_first": true, "emergency_type": "fire" }),
    )
    .await;
    let third = plain_household(&app, 3).await;
    let (_, pending) = request(&app, &third, 70_000, json!({ "payee": account() })).await;
    let (_, rejected) = request(
        &app,
        &third,
        80_000,
        json!({ "payee": account(), "emergency_type": "accident" }),
    )
    .await;
    let (status, _) = app
        .post(
            &format!(
                "/v1/temporary-assistance/{}/decision",
                rejected["id"].as_str().unwrap()
            ),
            &township_approver(),
            &json!({ "outcome": "rejected", "reasons": "收入未超过标准" }),
        )
        .await;
    assert_eq!(status, 200);

    let g = grant(&app, &paid).await;
    assert_eq!(g["payee"], "张三 ****5678");
    assert_eq!(g["payee_source"], "request");
    assert_eq!(
        (&g["payment"]["method"], &g["payment"]["status"]),
        (&json!("bank"), &json!("awaiting_batch"))
    );
    assert_eq!(
        grant(&app, &cash).await["payment"]["method"],
        "reserve_fund"
    );

    // Approved today: not in the batch of the month before.
    assert_eq!(counts(&run(&app, &month(-1)).await), (0, 0, 0));
    let batch = run(&app, &month(0)).await;
    assert_eq!(counts(&batch), (1, 123_456, 0));
    assert_eq!(batch["townships"][0]["township_code"], LIANGLU);
    let events = app.expect_events::<PaymentBatchIssued>(2).await;
    let (raw, issued) = events
        .iter()
        .find(|(_, e)| e.batch_id.to_string() == batch["id"].as_str().unwrap())
        .unwrap();
    assert_eq!((issued.line_count, issued.total_fen), (1, 123_456));
    assert_eq!(issued.townships[0].total_fen, 123_456);
    assert!(
        !raw.contains("6230520012345678") && !raw.contains("张三"),
        "{raw}"
    );

    let id = batch["id"].as_str().unwrap();
    let csv = bank_file(&app, id).await;
    let lines: Vec<&str> = csv.lines().collect();
    assert_eq!(lines.len(), 2, "{csv}");
    assert!(lines[1].contains(&format!(",{},", month(0))), "{csv}");
    assert!(lines[1].contains("\"张三\",\"重庆农村商业银行两路支行\",\"6230520012345678\""));
    assert!(lines[1].ends_with(",1234.56"), "{csv}");

    let g = grant(&app, &paid).await;
    let payment = &g["payment"];
    assert_eq!(
        (
            &payment["status"],
            &payment["batch_id"],
            &payment["paid_on"]
        ),
        (&json!("issued"), &batch["id"], &json!(today()))
    );
    assert_eq!(payment["lines"].as_array().unwrap().len(), 1);
    assert_eq!(payment["line_id"], lines[1].split(',').next().unwrap());
    let cash = grant(&app, &cash).await;
    assert_eq!(
        (
            &cash["payment"]["status"],
            cash["payment"]["lines"].as_array().unwrap().len()
        ),
        (&json!("paid"), 0)
    );
    assert!(grant(&app, pending["id"].as_str().unwrap()).await["payment"].is_null());
    assert!(grant(&app, rejected["id"].as_str().unwrap()).await["payment"].is_null());

    // Paid once: the next month's run does not pay it again.
    assert_eq!(counts(&run(&app, &month(1)).await), (0, 0, 0));
    assert_eq!(
        grant(&app, &paid).await["payment"]["lines"]
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[tokio::test]
async fn a_grant_without_an_account_is_held_then_paid_by_the_re_issue_once_its_payee_is_set() {
    let app = spawn().await;
    let household = plain_household(&app, 4).await;
    // Bad payees are refused, naming the field, and nothing is recorded.
    let (status, problem) = request(
        &app,
        &household,
        60_000,
        json!({ "payee": { "name": "张三", "bank": "某银行", "account": "1234567" } }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("payee.account"))
    );
    let (status, problem) = request(
        &app,
        &household,
        60_000,
        json!({ "payee": account(), "act_first": true }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("payee"))
    );
    let (_, list) = app.get("/v1/temporary-assistance", &clerk()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0, "{list}");

    let id = granted(&app, &household, 60_000, json!({})).await;
    assert!(grant(&app, &id).await["payee"].is_null());
    let batch = run(&app, &month(0)).await;
    assert_eq!(counts(&batch), (0, 0, 1));
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    assert_eq!(bank_file(&app, &batch_id).await.lines().count(), 1);
    let g = grant(&app, &id).await;
    assert_eq!(
        (
            &g["payment"]["status"],
            &g["payment"]["batch_id"],
            &g["payment"]["paid_on"]
        ),
        (&json!("held"), &batch["id"], &Value::Null)
    );
    let (status, problem) = reissue(&app, &batch_id).await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:nothing-to-reissue")
    );
    // A later monthly run does not take the held grant again: the re-issue pays it.
    assert_eq!(counts(&run(&app, &month(1)).await), (0, 0, 0));

    let path = format!("/v1/temporary-assistance/{id}/payee");
    let (status, tag, _) =
        get_tagged(&app, &format!("/v1/temporary-assistance/{id}"), &clerk()).await;
    assert_eq!(status, 200);
    let bad = json!({ "name": "张三", "bank": "某银行", "account": "62305200abc" });
    let (status, problem) = put(&app, &path, &clerk(), &tag, &bad).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("account"))
    );
    assert_eq!(
        put(&app, &path, &clerk(), "\"v99\"", &account()).await.0,
        412
    );
    assert_eq!(
        put(&app, &path, &village_staff(), &tag, &account()).await.0,
        403
    );
    assert_eq!(
        put(&app, &path, &other_clerk(), &tag, &account()).await.0,
        404
    );
    let (status, g) = put(&app, &path, &clerk(), &tag, &account()).await;
    assert_eq!(status, 200, "{g}");
    assert_eq!(
        (&g["payee"], &g["payee_source"]),
        (&json!("张三 ****5678"), &json!("staff"))
    );

    let (status, again) = reissue(&app, &batch_id).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(counts(&again), (1, 60_000, 0));
    assert_eq!(again["month"], month(0));
    let (_, issued) = app
        .expect_events::<PaymentBatchIssued>(3)
        .await
        .into_iter()
        .find(|(_, e)| e.reissue_of.map(|b| b.to_string()) == Some(batch_id.clone()))
        .unwrap();
    assert_eq!((issued.line_count, issued.total_fen), (1, 60_000));
    let csv = bank_file(&app, again["id"].as_str().unwrap()).await;
    assert!(
        csv.contains("\"6230520012345678\"") && csv.contains(",600.00"),
        "{csv}"
    );
    let g = grant(&app, &id).await;
    let lines = g["payment"]["lines"].as_array().unwrap();
    assert_eq!(
        lines
            .iter()
            .map(|l| l["status"].as_str().unwrap())
            .collect::<Vec<_>>(),
        ["released", "issued"]
    );
    assert_eq!(lines[0]["reissued_in"], again["id"]);
    assert_eq!(
        (&g["payment"]["status"], &g["payment"]["batch_id"]),
        (&json!("issued"), &again["id"])
    );
    // The original batch still shows the line as held back, not as sent.
    let (_, original) = app
        .get(
            &format!("/v1/payment-batches/{batch_id}"),
            &district_officer(),
        )
        .await;
    assert_eq!(counts(&original), (0, 0, 1));
    assert!(original["townships"].as_array().unwrap().is_empty());
    assert_eq!(reissue(&app, &batch_id).await.0, 409);
    assert_eq!(counts(&run(&app, &month(-1)).await), (0, 0, 0));
}

#[tokio::test]
async fn a_returned_grant_line_is_re_issued_once() {
    let app = spawn().await;
    let id = granted(
        &app,
        &plain_household(&app, 5).await,
        45_000,
        json!({ "payee": account() }),
    )
    .await;
    let batch = run(&app, &month(0)).await;
    let batch_id = batch["id"].as_str().unwrap().to_owned();
    let line = grant(&app, &id).await["payment"]["line_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let returned: PaymentReturned =
        serde_json::from_value(json!({ "return_id": uuid::Uuid::now_v7(),
        "payer": "aid", "batch_id": batch_id, "line_id": line, "amount_fen": 45_000,
        "reason_code": "account_closed", "returned_on": today() }))
        .unwrap();
    app.publish(&returned).await;
    eventually(
        "the grant's line returned",
        Duration::from_secs(20),
        || async {
            let g = grant(&app, &id).await;
            (g["payment"]["status"] == "returned").then_some(())
        },
    )
    .await;
    assert_eq!(
        grant(&app, &id).await["payment"]["lines"][0]["return_reason"],
        "account_closed"
    );

    // The account the bank returned the money from is not paid again until a clerk confirms it:
    // neither the re-issue nor the next run takes the line.
    assert_eq!(reissue(&app, &batch_id).await.0, 409);
    assert_eq!(counts(&run(&app, &month(1)).await), (0, 0, 0));
    let (_, tag, _) = get_tagged(&app, &format!("/v1/temporary-assistance/{id}"), &clerk()).await;
    let path = format!("/v1/temporary-assistance/{id}/payee");
    assert_eq!(put(&app, &path, &clerk(), &tag, &account()).await.0, 200);

    let (status, again) = reissue(&app, &batch_id).await;
    assert_eq!(status, 201, "{again}");
    assert_eq!(counts(&again), (1, 45_000, 0));
    let g = grant(&app, &id).await;
    let statuses: Vec<_> = g["payment"]["lines"]
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["status"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(statuses, ["reissued", "issued"]);
    assert_eq!(g["payment"]["batch_id"], again["id"]);
    assert_eq!(reissue(&app, &batch_id).await.0, 409);
    assert_eq!(counts(&run(&app, &month(-1)).await), (0, 0, 0));
}

#[tokio::test]
async fn a_grant_without_payee_for_an_enrolled_household_is_paid_to_the_enrollments_account() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let application = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &application).await;
    confirm(&app, &application, Some(payee())).await;

    let id = granted(&app, &household, 88_800, json!({})).await;
    let g = grant(&app, &id).await;
    assert_eq!(
        (&g["payee"], &g["payee_source"]),
        (&json!("成员0 ****5678"), &json!("enrollment"))
    );
    let batch = run(&app, &month(0)).await;
    let g = grant(&app, &id).await;
    assert_eq!(
        (&g["payment"]["status"], &g["payment"]["batch_id"]),
        (&json!("issued"), &batch["id"])
    );
    let line = g["payment"]["line_id"].as_str().unwrap();
    let csv = bank_file(&app, batch["id"].as_str().unwrap()).await;
    let row = csv
        .lines()
        .find(|l| l.starts_with(line))
        .expect("the grant's line");
    assert!(
        row.contains("\"6217000012345678\"") && row.ends_with(",888.00"),
        "{row}"
    );
}

mod sqlite {
    use aid_applications::{
        commands::payments::{RunInput, run_month},
        store::{
            Migrator, assistance::grant, enrollment, enrollment_amount, household, member,
            payment_line,
        },
    };
    use kit::{Principal, Role, identity::DivisionCode, outbox::Outbox};
    use sea_orm::{
        ActiveValue::Set, ColumnTrait, ConnectionTrait, EntityTrait, QueryFilter, TransactionTrait,
    };
    use sea_orm_migration::MigratorTrait;
    use uuid::Uuid;

    #[tokio::test]
    async fn on_sqlite_the_migration_keeps_lines_and_the_run_pays_a_grant_and_arrears_once() {
        // The runs below pay October 2026 to March 2027, on 5 March 2027.
        kit::testing::set_today(chrono::NaiveDate::from_ymd_opt(2027, 3, 5).unwrap());
        let file = std::env::temp_dir().join(format!("aid-grants-{}.db", Uuid::now_v7().simple()));
        let url = format!("sqlite://{}?mode=rwc", file.display());
        let db = kit::db::connect(&url, std::time::Duration::from_secs(5))
            .await
            .expect("SQLite");
        let before = Migrator::migrations()
            .iter()
            .position(|m| m.name() == "m20261201_000101_temporary_grant_payments")
            .expect("the migration is listed");
        Migrator::up(&db, Some(u32::try_from(before).unwrap()))
            .await
            .expect("the earlier migrations run on SQLite");
        // A line written before the migration survives the rebuild of the table.
        let old = payment_line::Model {
            id: Uuid::now_v7(),
            batch_id: Uuid::now_v7(),
            enrollment_id: Some(Uuid::now_v7()),
            grant_id: None,
            month: 202_610,
            township_code: "500112016".into(),
            amount_fen: 127_200,
            status: "issued".into(),
            return_id: None,
            return_reason: None,
            returned_on: None,
            reissued_in: None,
            kind: "month".into(),
            hold_reason: None,
        };
        db.execute_unprepared(&format!(
            "INSERT INTO payment_lines (id, batch_id, enrollment_id, month, township_code, amount_fen, status) \
             VALUES (X'{}', X'{}', X'{}', 202610, '500112016', 127200, 'issued')",
            old.id.simple(),
            old.batch_id.simple(),
            old.enrollment_id.unwrap().simple()
        ))
        .await
        .expect("an old-style line");
        Migrator::up(&db, None)
            .await
            .expect("the migration runs on SQLite");
        assert_eq!(
            payment_line::Entity::find_by_id(old.id)
                .one(&db)
                .await
                .unwrap(),
            Some(old.clone())
        );
        // Neither or both of enrollment and grant: refused by the CHECK.
        let neither = payment_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            enrollment_id: Set(None),
            ..payment_line::ActiveModel::from(old.clone())
        };
        assert!(
            payment_line::Entity::insert(neither)
                .exec(&db)
                .await
                .is_err()
        );

        let decided = chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
        let row = |act_first: bool, status: &str| grant::Model {
            id: Uuid::now_v7(),
            household_id: Uuid::now_v7(),
            applicant_member_id: Uuid::now_v7(),
            applicant_ref: format!("{:032x}", 7),
            emergency_type: "fire".into(),
            applied_at: "registered_place".into(),
            amount_fen: 30_000,
            act_first,
            township_code: "500112016".into(),
            village_code: "500112016001".into(),
            circumstances: "房屋失火".into(),
            status: status.into(),
            tier: "township".into(),
            recorded_by: "clerk".into(),
            recorded_on: decided,
            approved_by: Some("township".into()),
            approver: Some("approver".into()),
            decided_on: Some(decided),
            rejection_reasons: None,
            paperwork_due: None,
            paperwork_completed_on: None,
            paperwork_late: false,
            payee_name: Some("张三".into()),
            payee_bank: Some("某银行".into()),
            payee_account: Some("6230520012345678".into()),
            payee_source: Some("request".into()),
            payee_returned_on: None,
            version: 2,
            created_at: kit::clock::now(),
        };
        let paid = row(false, "granted");
        for g in [paid.clone(), row(true, "granted"), row(false, "requested")] {
            grant::Entity::insert(grant::ActiveModel::from(g))
                .exec(&db)
                .await
                .unwrap();
        }
        let officer = Principal {
            subject: "officer".into(),
            role: Role::DistrictOfficer,
            division: DivisionCode::parse("500112").unwrap(),
        };
        let outbox = Outbox::new();
        for (month, lines) in [("2026-10", 0), ("2026-11", 1), ("2026-12", 0)] {
            let tx = db.begin().await.unwrap();
            let batch = run_month(
                &tx,
                &outbox,
                &officer,
                &RunInput {
                    month: month.into(),
                },
            )
            .await
            .unwrap_or_else(|e| panic!("{month}: {e:?}"));
            tx.commit().await.unwrap();
            assert_eq!((month, batch.line_count), (month, lines));
        }
        let lines = payment_line::Entity::find()
            .filter(payment_line::Column::GrantId.eq(paid.id))
            .all(&db)
            .await
            .unwrap();
        assert_eq!(lines.len(), 1);
        assert_eq!((lines[0].month, lines[0].amount_fen), (202_611, 30_000));
        // A second live line for the grant is refused by the unique index.
        let twice = payment_line::ActiveModel {
            id: Set(Uuid::now_v7()),
            ..payment_line::ActiveModel::from(lines[0].clone())
        };
        assert!(payment_line::Entity::insert(twice).exec(&db).await.is_err());

        // An enrollment without an account from 2026-10: October is held, then paid in
        // November as arrears once the account is there (the ledger's SQL on SQLite).
        let household = Uuid::now_v7();
        household::Entity::insert(household::ActiveModel::from(household::Model {
            id: household,
            township_code: "500112016".into(),
            village_code: "500112016001".into(),
            residence: "urban".into(),
            address: String::new(),
            staff_relative: false,
            created_at: kit::clock::now(),
            version: 1,
        }))
        .exec(&db)
        .await
        .unwrap();
        member::Entity::insert(member::ActiveModel::from(member::Model {
            id: Uuid::now_v7(),
            household_id: household,
            id_number: "500112197001010019".into(),
            person_ref: format!("{:032x}", 9),
            name: "成员".into(),
            relationship: "head".into(),
            employed: false,
            able_to_work: false,
            monthly_income_fen: 0,
            deceased_on: None,
        }))
        .exec(&db)
        .await
        .unwrap();
        let enrolled = Uuid::now_v7();
        enrollment::Entity::insert(enrollment::ActiveModel::from(enrollment::Model {
            id: enrolled,
            application_id: Uuid::now_v7(),
            household_id: household,
            programme: "dibao".into(),
            residence: "urban".into(),
            support_mode: None,
            care_level: None,
            township_code: "500112016".into(),
            village_code: "500112016001".into(),
            status: "active".into(),
            start_month: 202_610,
            end_month: None,
            monthly_amount_fen: 63_600,
            next_review_due: 202_710,
            payee_name: None,
            payee_account: None,
            payee_bank: None,
            next_unpaid_month: 202_610,
            payee_returned_on: None,
            state: "{}".into(),
            version: 1,
            created_at: kit::clock::now(),
        }))
        .exec(&db)
        .await
        .unwrap();
        enrollment_amount::Entity::insert(enrollment_amount::ActiveModel::from(
            enrollment_amount::Model {
                enrollment_id: enrolled,
                from_month: 202_610,
                amount_fen: 63_600,
            },
        ))
        .exec(&db)
        .await
        .unwrap();
        let monthly = |month: &'static str| {
            let (db, outbox, officer) = (&db, &outbox, &officer);
            async move {
                let tx = db.begin().await.unwrap();
                let batch = run_month(
                    &tx,
                    outbox,
                    officer,
                    &RunInput {
                        month: month.into(),
                    },
                )
                .await
                .unwrap_or_else(|e| panic!("{month}: {e:?}"));
                tx.commit().await.unwrap();
                (batch.line_count, batch.held_count)
            }
        };
        // October's batch was issued above (before the enrollment existed): January 2027 holds.
        assert_eq!(monthly("2027-01").await, (0, 1));
        enrollment::Entity::update_many()
            .col_expr(
                enrollment::Column::PayeeAccount,
                sea_orm::sea_query::Expr::value("6217000012345678"),
            )
            .filter(enrollment::Column::Id.eq(enrolled))
            .exec(&db)
            .await
            .unwrap();
        // February pays October to February, each month once, then nothing more is owed.
        assert_eq!(monthly("2027-02").await, (5, 0));
        let mut months: Vec<(i32, String)> = payment_line::Entity::find()
            .filter(payment_line::Column::EnrollmentId.eq(enrolled))
            .filter(payment_line::Column::Status.eq("issued"))
            .all(&db)
            .await
            .unwrap()
            .into_iter()
            .map(|l| (l.month, l.kind))
            .collect();
        months.sort();
        assert_eq!(
            months,
            [
                (202_610, "arrears".to_owned()),
                (202_611, "arrears".to_owned()),
                (202_612, "arrears".to_owned()),
                (202_701, "arrears".to_owned()),
                (202_702, "month".to_owned()),
            ]
        );
        assert_eq!(monthly("2027-03").await, (1, 0));
        drop(db);
        let _ = std::fs::remove_file(&file);
    }
}
