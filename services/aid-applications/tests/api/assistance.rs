//! Temporary assistance, reserve funds and the staff-relative register through the REST edge and
//! NATS, with the refusals (overdraw, tier, separation of duties, another township's records).

use crate::assistance_support::*;
use contracts::aid::{DecisionLevel, TemporaryAssistanceGranted};
use kit::{Role, testing::TestApp};
use serde_json::{Value, json};

#[tokio::test]
async fn a_registered_staff_relative_flags_the_household_until_the_registration_is_withdrawn() {
    let app = spawn().await;
    let relative = id_number("50011219700101203");
    let household = household(&app, LIANGLU_VILLAGE, &[&relative]).await;
    let lookup = format!("/v1/households/{household}/staff-relatives");
    let (status, found) = app.get(&lookup, &clerk(LIANGLU)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["result"], "not_registered");

    let registration = json!({ "staff_subject": "wang.wu", "staff_name": "王五", "staff_division": LIANGLU_VILLAGE,
        "staff_post": "村委会主任", "relative_id_number": relative, "relative_name": "王某", "relation": "sibling" });
    let (status, registered) = app
        .post("/v1/staff-relatives", &clerk(LIANGLU), &registration)
        .await;
    assert_eq!(status, 201, "{registered}");
    assert!(
        registered["relative_id_number"]
            .as_str()
            .unwrap()
            .contains("********")
    );
    let (status, again) = app
        .post("/v1/staff-relatives", &clerk(LIANGLU), &registration)
        .await;
    assert_eq!(status, 409, "{again}");

    let (_, found) = app.get(&lookup, &clerk(LIANGLU)).await;
    assert_eq!(found["result"], "registered", "{found}");
    assert_eq!(found["relations"][0]["relation"], "sibling");
    assert_eq!(found["relations"][0]["office"]["level"], "village");

    let id = registered["id"].as_str().unwrap();
    let (status, withdrawn) = app
        .post(
            &format!("/v1/staff-relatives/{id}/withdrawal"),
            &clerk(LIANGLU),
            &json!({ "reason": "离任" }),
        )
        .await;
    assert_eq!(status, 200, "{withdrawn}");
    let (_, found) = app.get(&lookup, &clerk(LIANGLU)).await;
    assert_eq!(found["result"], "not_registered");
}

#[tokio::test]
async fn a_registration_with_a_bad_id_number_or_another_townships_staff_is_refused_and_nothing_is_written()
 {
    let app = spawn().await;
    let mut bad = id_number("50011219700101203");
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let body = |division: &str, number: &str| {
        json!({ "staff_subject": "li.si", "staff_name": "李四", "staff_division": division,
                "relative_id_number": number, "relative_name": "李某", "relation": "spouse" })
    };
    let (status, problem) = app
        .post("/v1/staff-relatives", &clerk(LIANGLU), &body(LIANGLU, &bad))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "relative_id_number");
    let good = id_number("50011219700101203");
    let (status, _) = app
        .post(
            "/v1/staff-relatives",
            &clerk(LIANGLU),
            &body(SHUANGFENGQIAO, &good),
        )
        .await;
    assert_eq!(status, 403);
    let (_, list) = app.get("/v1/staff-relatives", &district_officer()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // The district registers anyone's; the other township does not see the registration.
    assert_eq!(
        app.post(
            "/v1/staff-relatives",
            &district_officer(),
            &body(LIANGLU, &good)
        )
        .await
        .0,
        201
    );
    let (_, mine) = app.get("/v1/staff-relatives", &clerk(LIANGLU)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (_, theirs) = app.get("/v1/staff-relatives", &clerk(SHUANGFENGQIAO)).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
}

async fn fund(app: &TestApp, township: &str, amount_fen: i64) {
    let (status, body) = app
        .post(
            &format!("/v1/reserve-funds/{township}/replenishments"),
            &district_officer(),
            &json!({ "amount_fen": amount_fen, "reference": "渝北民 2022-001" }),
        )
        .await;
    assert_eq!(status, 201, "{body}");
}

async fn request(app: &TestApp, household: &str, amount_fen: i64, act_first: bool) -> Value {
    let body = json!({ "household_id": household, "emergency_type": "fire", "applied_at": "registered_place",
        "amount_fen": amount_fen, "act_first": act_first, "circumstances": "房屋失火，生活用品全毁" });
    let (status, created) = app
        .post("/v1/temporary-assistance", &clerk(LIANGLU), &body)
        .await;
    assert_eq!(status, 201, "{created}");
    created
}

async fn decide(app: &TestApp, grant: &Value, token: &str, body: Value) -> (u16, Value) {
    let path = format!(
        "/v1/temporary-assistance/{}/decision",
        grant["id"].as_str().unwrap()
    );
    app.post(&path, token, &body).await
}

async fn balance(app: &TestApp, township: &str) -> (i64, usize) {
    let (status, fund) = app
        .get(
            &format!("/v1/reserve-funds/{township}"),
            &district_officer(),
        )
        .await;
    assert_eq!(status, 200, "{fund}");
    (
        fund["balance_fen"].as_i64().unwrap(),
        fund["entries"].as_array().unwrap().len(),
    )
}

fn approve() -> Value {
    json!({ "outcome": "approved" })
}

#[tokio::test]
async fn the_township_approves_act_first_within_its_cap_and_the_reserve_fund_pays_at_once() {
    let app = spawn().await;
    let head = id_number("50011219800101123");
    let household = household(&app, LIANGLU_VILLAGE, &[&head]).await;
    fund(&app, LIANGLU, 500_000).await;
    let grant = request(&app, &household, 150_000, true).await;
    assert_eq!(grant["tier"], "township");
    assert_eq!(grant["status"], "requested");

    let (status, granted) = decide(&app, &grant, &approver(LIANGLU), approve()).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["status"], "granted");
    assert_eq!(granted["approved_by"], "township");
    assert!(granted["paperwork_due"].is_string());
    assert_eq!(balance(&app, LIANGLU).await, (350_000, 2));

    let events = app.expect_events::<TemporaryAssistanceGranted>(1).await;
    let (raw, event) = &events[0];
    assert!(event.act_first);
    assert_eq!(event.amount_fen, 150_000);
    assert_eq!(event.approved_by, DecisionLevel::Township);
    assert_eq!(event.township_code.as_str(), LIANGLU);
    assert_eq!(
        event.applicant_ref.as_str(),
        granted["applicant_ref"].as_str().unwrap()
    );
    assert!(
        !raw.contains(&head) && !raw.contains(&head[..14]) && !raw.contains("成员"),
        "{raw}"
    );

    // Paperwork: not overdue today, overdue a month on, and recorded once.
    let month_on = (kit::clock::now() + chrono::Duration::days(30))
        .with_timezone(&kit::clock::china())
        .date_naive();
    let (_, overdue) = app
        .get(
            &format!("/v1/temporary-assistance/paperwork-overdue?on={month_on}"),
            &clerk(LIANGLU),
        )
        .await;
    assert_eq!(overdue.as_array().unwrap().len(), 1, "{overdue}");
    let path = format!(
        "/v1/temporary-assistance/{}/paperwork",
        grant["id"].as_str().unwrap()
    );
    let (status, done) = app.post(&path, &clerk(LIANGLU), &json!({})).await;
    assert_eq!(status, 200, "{done}");
    assert_eq!(done["paperwork_late"], false);
    assert_eq!(app.post(&path, &clerk(LIANGLU), &json!({})).await.0, 409);
    let (_, overdue) = app
        .get(
            &format!("/v1/temporary-assistance/paperwork-overdue?on={month_on}"),
            &clerk(LIANGLU),
        )
        .await;
    assert_eq!(overdue.as_array().unwrap().len(), 0);
}

#[tokio::test]
async fn above_the_township_cap_the_township_is_refused_and_the_district_approves() {
    let app = spawn().await;
    let household = household(&app, LIANGLU_VILLAGE, &[&id_number("50011219800101123")]).await;
    // The cap is 3 × 636 yuan = 1 908 yuan.
    let at_cap = request(&app, &household, 190_800, false).await;
    assert_eq!(at_cap["tier"], "township");
    let other = household_two(&app).await;
    let above = request(&app, &other, 190_801, false).await;
    assert_eq!(above["tier"], "district");

    let (status, problem) = decide(&app, &above, &approver(LIANGLU), approve()).await;
    assert_eq!(status, 403, "{problem}");
    let (_, unchanged) = app
        .get(
            &format!("/v1/temporary-assistance/{}", above["id"].as_str().unwrap()),
            &clerk(LIANGLU),
        )
        .await;
    assert_eq!(unchanged["status"], "requested");

    let (status, granted) = decide(&app, &above, &district_approver(), approve()).await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["approved_by"], "district");
    assert_eq!(granted["paperwork_due"], Value::Null);
    let events = app.expect_events::<TemporaryAssistanceGranted>(1).await;
    assert_eq!(events[0].1.approved_by, DecisionLevel::District);
    assert!(!events[0].1.act_first);

    // An act-first request above the cap is refused when recorded.
    let body = json!({ "household_id": household, "emergency_type": "accident", "applied_at": "registered_place",
        "amount_fen": 190_801, "act_first": true, "circumstances": "车祸" });
    let (status, problem) = app
        .post("/v1/temporary-assistance", &clerk(LIANGLU), &body)
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "amount_fen");
}

async fn household_two(app: &TestApp) -> String {
    household(app, LIANGLU_VILLAGE, &[&id_number("50011219810202234")]).await
}

#[tokio::test]
async fn an_act_first_payment_larger_than_the_reserve_fund_is_refused_and_nothing_moves() {
    let app = spawn().await;
    let household = household(&app, LIANGLU_VILLAGE, &[&id_number("50011219800101123")]).await;
    fund(&app, LIANGLU, 100_000).await;
    let grant = request(&app, &household, 150_000, true).await;
    let (status, problem) = decide(&app, &grant, &approver(LIANGLU), approve()).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("reserve-fund-insufficient")
    );
    assert_eq!(problem["errors"][0]["field"], "amount_fen");
    assert_eq!(balance(&app, LIANGLU).await, (100_000, 1));
    let (_, unchanged) = app
        .get(
            &format!("/v1/temporary-assistance/{}", grant["id"].as_str().unwrap()),
            &clerk(LIANGLU),
        )
        .await;
    assert_eq!(unchanged["status"], "requested");
    assert!(app.events::<TemporaryAssistanceGranted>().await.is_empty());
    // Once the district replenishes, the same request is paid.
    fund(&app, LIANGLU, 100_000).await;
    assert_eq!(
        decide(&app, &grant, &approver(LIANGLU), approve()).await.0,
        200
    );
    assert_eq!(balance(&app, LIANGLU).await, (50_000, 3));
}

#[tokio::test]
async fn concurrent_act_first_approvals_never_overdraw_the_reserve_fund() {
    let app = spawn().await;
    fund(&app, LIANGLU, 300_000).await;
    let mut grants = Vec::new();
    for i in 0..6 {
        let h = household(
            &app,
            LIANGLU_VILLAGE,
            &[&id_number(&format!("5001121980011{i}123"))],
        )
        .await;
        grants.push(request(&app, &h, 100_000, true).await);
    }
    let token = approver(LIANGLU);
    let results = futures_join(grants.iter().map(|g| decide(&app, g, &token, approve()))).await;
    let ok = results.iter().filter(|(s, _)| *s == 200).count();
    let refused = results.iter().filter(|(s, _)| *s == 409).count();
    assert_eq!((ok, refused), (3, 3), "{results:?}");
    let (_, fund) = app
        .get(&format!("/v1/reserve-funds/{LIANGLU}"), &district_officer())
        .await;
    assert_eq!(fund["balance_fen"], 0);
    let draws: Vec<i64> = fund["entries"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|e| e["kind"] == "draw")
        .map(|e| e["balance_after_fen"].as_i64().unwrap())
        .collect();
    assert_eq!(draws, [200_000, 100_000, 0]);
}

/// Runs the futures at once on this task and collects their outputs in order.
async fn futures_join<F: std::future::Future>(futures: impl Iterator<Item = F>) -> Vec<F::Output> {
    let handles: Vec<_> = futures.map(Box::pin).collect();
    let mut outputs = Vec::new();
    let all = async {
        let mut pending: Vec<_> = handles.into_iter().map(Some).collect();
        let mut done: Vec<Option<F::Output>> = (0..pending.len()).map(|_| None).collect();
        std::future::poll_fn(|cx| {
            let mut all_done = true;
            for (i, slot) in pending.iter_mut().enumerate() {
                if let Some(f) = slot {
                    match f.as_mut().poll(cx) {
                        std::task::Poll::Ready(v) => {
                            done[i] = Some(v);
                            *slot = None;
                        }
                        std::task::Poll::Pending => all_done = false,
                    }
                }
            }
            if all_done {
                std::task::Poll::Ready(())
            } else {
                std::task::Poll::Pending
            }
        })
        .await;
        done
    };
    for v in all.await {
        outputs.extend(v);
    }
    outputs
}

#[tokio::test]
async fn the_clerk_who_recorded_a_request_cannot_approve_it_and_a_second_fire_in_a_year_is_refused()
{
    let app = spawn().await;
    let household = household(&app, LIANGLU_VILLAGE, &[&id_number("50011219800101123")]).await;
    let grant = request(&app, &household, 50_000, false).await;
    let same_person =
        TestApp::token_for(&format!("clerk@{LIANGLU}"), Role::TownshipApprover, LIANGLU);
    let (status, problem) = decide(&app, &grant, &same_person, approve()).await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("separation-of-duties")
    );
    let (status, problem) = decide(
        &app,
        &grant,
        &approver(LIANGLU),
        json!({ "outcome": "rejected" }),
    )
    .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "reasons");
    assert_eq!(
        decide(&app, &grant, &approver(LIANGLU), approve()).await.0,
        200
    );
    assert_eq!(
        decide(&app, &grant, &approver(LIANGLU), approve()).await.0,
        409
    );

    let body = json!({ "household_id": household, "emergency_type": "fire", "applied_at": "registered_place",
        "amount_fen": 10_000, "circumstances": "再次失火" });
    let (status, problem) = app
        .post("/v1/temporary-assistance", &clerk(LIANGLU), &body)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("yearly-limit-reached")
    );
}

#[tokio::test]
async fn another_township_neither_sees_nor_decides_the_request_nor_reads_the_fund() {
    let app = spawn().await;
    let household = household(&app, LIANGLU_VILLAGE, &[&id_number("50011219800101123")]).await;
    fund(&app, LIANGLU, 100_000).await;
    let grant = request(&app, &household, 50_000, true).await;
    let path = format!("/v1/temporary-assistance/{}", grant["id"].as_str().unwrap());
    assert_eq!(app.get(&path, &clerk(SHUANGFENGQIAO)).await.0, 404);
    assert_eq!(
        decide(&app, &grant, &approver(SHUANGFENGQIAO), approve())
            .await
            .0,
        404
    );
    assert_eq!(
        app.get(
            &format!("/v1/reserve-funds/{LIANGLU}"),
            &clerk(SHUANGFENGQIAO)
        )
        .await
        .0,
        404
    );
    let (_, list) = app
        .get("/v1/temporary-assistance", &clerk(SHUANGFENGQIAO))
        .await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // A township cannot replenish, not even its own fund.
    let (status, _) = app
        .post(
            &format!("/v1/reserve-funds/{LIANGLU}/replenishments"),
            &approver(LIANGLU),
            &json!({ "amount_fen": 1, "reference": "x" }),
        )
        .await;
    assert_eq!(status, 403);
    assert_eq!(balance(&app, LIANGLU).await, (100_000, 1));
    // Registered-place requests for another township's household are refused.
    let body = json!({ "household_id": household, "emergency_type": "fire", "applied_at": "registered_place",
        "amount_fen": 10_000, "circumstances": "x" });
    assert_eq!(
        app.post("/v1/temporary-assistance", &clerk(SHUANGFENGQIAO), &body)
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn a_staff_relatives_household_gets_no_act_first_payment_and_only_the_district_approves() {
    let app = spawn().await;
    let relative = id_number("50011219800101123");
    let household = household(&app, LIANGLU_VILLAGE, &[&relative]).await;
    let registration = json!({ "staff_subject": "approver@500112016", "staff_name": "赵六", "staff_division": LIANGLU,
        "relative_id_number": relative, "relative_name": "赵某", "relation": "parent" });
    assert_eq!(
        app.post("/v1/staff-relatives", &clerk(LIANGLU), &registration)
            .await
            .0,
        201
    );
    fund(&app, LIANGLU, 100_000).await;
    let body = json!({ "household_id": household, "emergency_type": "fire", "applied_at": "registered_place",
        "amount_fen": 10_000, "act_first": true, "circumstances": "失火" });
    let (status, problem) = app
        .post("/v1/temporary-assistance", &clerk(LIANGLU), &body)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "act_first");
    let grant = request(&app, &household, 10_000, false).await;
    assert_eq!(grant["tier"], "district");
    assert_eq!(
        decide(&app, &grant, &approver(LIANGLU), approve()).await.0,
        403
    );
    assert_eq!(
        decide(&app, &grant, &district_approver(), approve())
            .await
            .0,
        200
    );
}
