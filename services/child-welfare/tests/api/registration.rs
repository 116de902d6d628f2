//! Registration through the REST edge: approval publishes the registration and starts the
//! allowance next month; refusals name the field and write nothing.

use contracts::child::{AllowanceEnded, AllowanceStarted, ChildCategory, Registered};
use kit::{Role, testing::TestApp};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn an_approved_registration_is_published_and_the_allowance_starts_the_month_after() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let (id, decided) = register(&app, &de_facto_body(&child)).await;
    assert_eq!(decided["status"], "registered");
    assert_eq!(decided["category"], "de_facto_unsupported");
    // De facto unsupported children follow the family-based orphan standard (seed 1 200 yuan).
    assert_eq!(decided["monthly_amount_fen"], 120_000);

    let registered = app.expect_events::<Registered>(1).await;
    let (raw, event) = &registered[0];
    assert_eq!(event.child_id.to_string(), id);
    assert_eq!(event.person_ref.as_str(), person_ref(&child));
    assert_eq!(event.category, ChildCategory::DeFactoUnsupported);
    let started = app.expect_events::<AllowanceStarted>(1).await;
    let (raw_started, started) = &started[0];
    assert_eq!(started.start_month, start_month(&decided));
    assert_eq!(
        started.start_month,
        contracts::common::Month::from_date(started.approved_on).next()
    );
    assert_eq!(started.monthly_amount_fen, 120_000);
    for raw in [raw, raw_started] {
        assert!(
            !raw.contains(&child[6..14]) && !raw.contains("小明") && !raw.contains("6222"),
            "personal data leaked: {raw}"
        );
    }
}

#[tokio::test]
async fn parents_who_do_not_meet_the_rule_are_refused_naming_the_parent_and_nothing_is_written() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let mut body = de_facto_body(&child);
    // A term of five months is short of the six the rule asks.
    body["father"]["conditions"][0]["expected_end"] = json!("2025-06-09");
    let (status, problem) = submit(&app, &body).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "father.conditions");
    assert!(
        problem["errors"][0]["reason"]
            .as_str()
            .unwrap()
            .contains("shorter than 6 months"),
        "{problem}"
    );
    let (_, list) = app.get("/v1/children", &clerk()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // A present mother makes the pair not eligible whatever the father's situation.
    let mut body = de_facto_body(&child);
    body["mother"]["conditions"] = json!([{ "situation": "present" }]);
    let (status, problem) = submit(&app, &body).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("mother.conditions"))
    );
}

#[tokio::test]
async fn bad_input_is_refused_with_every_field_named() {
    let app = spawn().await;
    let mut body = de_facto_body("50011220150601120");
    body["father"]["conditions"][0]["since"] = json!(null);
    body["mother"]["conditions"][0]["evidence"] = json!("");
    body["bank_account"]["account"] = json!("12ab");
    let (status, problem) = submit(&app, &body).await;
    assert_eq!(status, 422, "{problem}");
    let fields: Vec<&str> = problem["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    for f in [
        "id_number",
        "father.conditions[0].since",
        "mother.conditions[0].evidence",
        "bank_account.account",
    ] {
        assert!(fields.contains(&f), "{f} missing from {fields:?}");
    }
}

#[tokio::test]
async fn a_child_born_after_today_is_refused_naming_the_id_number() {
    let app = spawn().await;
    let born = kit::clock::today() + chrono::Days::new(30);
    let (status, problem) = submit(
        &app,
        &de_facto_body(&id_number(&format!("500112{}120", born.format("%Y%m%d")))),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id_number")),
        "{problem}"
    );
    assert!(problem.to_string().contains("after today"), "{problem}");
}

#[tokio::test]
async fn a_child_past_the_age_of_entitlement_and_not_in_school_is_refused() {
    let app = spawn().await;
    let (status, problem) = submit(&app, &de_facto_body(&id_number("50011220010101123"))).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id_number"))
    );
}

#[tokio::test]
async fn the_submitter_cannot_decide_and_a_rejection_needs_its_reason() {
    let app = spawn().await;
    let (_, submitted) = submit(&app, &de_facto_body(&id_number(CHILD))).await;
    let path = format!(
        "/v1/children/{}/decision",
        submitted["id"].as_str().unwrap()
    );
    let same = TestApp::token_for("township-clerk@500112016", Role::DistrictApprover, DISTRICT);
    assert_eq!(
        app.post(&path, &same, &json!({ "approve": true })).await.0,
        403
    );
    assert_eq!(
        app.post(&path, &clerk(), &json!({ "approve": true }))
            .await
            .0,
        403
    );
    let (status, problem) = app
        .post(&path, &approver(), &json!({ "approve": false }))
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reason"))
    );
    let (status, rejected) = app
        .post(
            &path,
            &approver(),
            &json!({ "approve": false, "reason": "证明材料不全" }),
        )
        .await;
    assert_eq!(
        (status, rejected["status"].as_str()),
        (200, Some("rejected"))
    );
    let (status, _) = app
        .post(&path, &approver(), &json!({ "approve": true }))
        .await;
    assert_eq!(status, 409);
    assert!(app.events::<Registered>().await.is_empty());
}

#[tokio::test]
async fn a_repeated_decision_with_the_same_key_applies_once() {
    let app = spawn().await;
    let (_, submitted) = submit(&app, &de_facto_body(&id_number(CHILD))).await;
    let path = format!(
        "/v1/children/{}/decision",
        submitted["id"].as_str().unwrap()
    );
    let body = json!({ "approve": true });
    let first = app
        .post_with_key(&path, &approver(), "decide-1", &body)
        .await;
    let again = app
        .post_with_key(&path, &approver(), "decide-1", &body)
        .await;
    assert_eq!(first, again);
    assert_eq!(first.0, 200);
    app.expect_events::<AllowanceStarted>(1).await;
    let (_, view) = app
        .get(
            &format!("/v1/children/{}", submitted["id"].as_str().unwrap()),
            &clerk(),
        )
        .await;
    assert_eq!(view["allowances"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn another_township_can_neither_see_nor_change_the_child() {
    let app = spawn().await;
    let (id, _) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    assert_eq!(app.get(&format!("/v1/children/{id}"), &other).await.0, 404);
    let (_, list) = app.get("/v1/children", &other).await;
    assert!(list["items"].as_array().unwrap().is_empty());
    let condition =
        json!({ "situation": "severe_illness", "since": "2025-01-01", "evidence": "诊断" });
    let path = format!("/v1/children/{id}/parents/father/conditions");
    assert_eq!(app.post(&path, &other, &condition).await.0, 404);
    let village = TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(
        app.get(&format!("/v1/children/{id}"), &village).await.0,
        200
    );
}

#[tokio::test]
async fn id_numbers_and_the_account_are_masked_unless_an_allowed_role_asks_and_that_read_is_audited()
 {
    let app = spawn().await;
    let child = id_number(CHILD);
    let (id, _) = register(&app, &de_facto_body(&child)).await;
    let (_, masked) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(
        masked["id_number"],
        format!("500112********{}", &child[14..])
    );
    assert_eq!(
        masked["parents"][0]["id_number"].as_str().unwrap().len(),
        18
    );
    assert!(
        masked["parents"][0]["id_number"]
            .as_str()
            .unwrap()
            .contains("********")
    );
    assert_eq!(masked["bank_account"], "****3445");
    assert!(masked["hiv_infected"].is_null());
    let (_, full) = app
        .get(&format!("/v1/children/{id}?unmasked=true"), &clerk())
        .await;
    assert_eq!(full["id_number"], child);
    assert_eq!(full["bank_account"], "6222020200112233445");
    let village = TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(
        app.get(&format!("/v1/children/{id}?unmasked=true"), &village)
            .await
            .0,
        403
    );
}

#[tokio::test]
async fn a_release_from_prison_ends_the_allowance_with_the_month_of_release_as_the_last_paid() {
    let app = spawn().await;
    let (id, decided) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    let imprisonment = view["parents"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["role"] == "father")
        .unwrap()["conditions"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let released_on = view["decided_on"].as_str().unwrap().to_owned();
    let (status, changed) = app
        .post(
            &format!("/v1/children/{id}/conditions/{imprisonment}/end"),
            &clerk(),
            &json!({ "ended_on": released_on, "evidence": "释放证明 2026-118" }),
        )
        .await;
    assert_eq!(status, 200, "{changed}");
    assert_eq!(changed["allowance"], "ended: conditions_ended");
    let ended = app.expect_events::<AllowanceEnded>(1).await;
    let (_, ended) = &ended[0];
    assert_eq!(
        ended.reason,
        contracts::child::AllowanceEndReason::ConditionsEnded
    );
    // Released in the month of approval: nothing is paid (the last month paid precedes the start).
    assert_eq!(ended.end_month, start_month(&decided).prev());
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["status"], "ended");
}

#[tokio::test]
async fn care_changes_need_the_current_etag() {
    let app = spawn().await;
    let (id, _) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    let url = format!("{}/v1/children/{id}/care", app.base);
    let body = json!({ "care_mode": "institutional",
        "bank_account": { "holder": "渝北区儿童福利院", "account": "6222000011112222" } });
    let without = app
        .http
        .put(&url)
        .bearer_auth(clerk())
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(without.status().as_u16(), 428);
    let stale = app
        .http
        .put(&url)
        .bearer_auth(clerk())
        .header("If-Match", "\"v1\"")
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(stale.status().as_u16(), 412);
    let read = app
        .http
        .get(format!("{}/v1/children/{id}", app.base))
        .bearer_auth(clerk())
        .send()
        .await
        .unwrap();
    let tag = read.headers()["etag"].to_str().unwrap().to_owned();
    let ok = app
        .http
        .put(&url)
        .bearer_auth(clerk())
        .header("If-Match", tag)
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(ok.status().as_u16(), 204);
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["care_mode"], "institutional");
}

#[tokio::test]
async fn standards_show_their_placeholders_and_grow_by_the_natural_growth_rule() {
    let app = spawn().await;
    let (_, values) = app.get("/v1/standards", &clerk()).await;
    let family = values
        .as_array()
        .unwrap()
        .iter()
        .find(|v| v["name"] == "standard.orphan.family_based_fen")
        .unwrap();
    assert_eq!(family["placeholder"], true);
    let body =
        json!({ "valid_from": "2027-01-01", "per_mille": 50, "source": "渝民发〔2026〕1号" });
    assert_eq!(
        app.post("/v1/standards/natural-growth", &clerk(), &body)
            .await
            .0,
        403
    );
    let (status, raised) = app
        .post("/v1/standards/natural-growth", &approver(), &body)
        .await;
    assert_eq!(status, 201, "{raised}");
    let family = raised
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["name"] == "standard.orphan.family_based_fen")
        .unwrap();
    assert_eq!(
        (
            family["previous_fen"].as_i64(),
            family["value_fen"].as_i64()
        ),
        (Some(120_000), Some(126_000))
    );
    let (status, _) = app
        .post("/v1/standards/natural-growth", &approver(), &body)
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn an_hiv_infected_child_is_paid_as_an_orphan_and_the_status_shows_only_unmasked() {
    let app = spawn().await;
    let mut body = de_facto_body(&id_number(CHILD));
    body["hiv_infected"] = json!(true);
    body["care_mode"] = json!("institutional");
    body["father"]["conditions"] = json!([{ "situation": "present" }]);
    let (id, decided) = register(&app, &body).await;
    assert_eq!(decided["category"], "hiv_infected");
    // Paid at the institutional orphan standard (seed 1 600 yuan).
    assert_eq!(decided["monthly_amount_fen"], 160_000);
    let registered = app.expect_events::<Registered>(1).await;
    assert_eq!(registered[0].1.category, ChildCategory::Orphan);
    assert!(!registered[0].0.contains("hiv"), "{}", registered[0].0);
    let (_, masked) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(
        (
            masked["category"].as_str(),
            masked["hiv_infected"].as_bool()
        ),
        (Some("orphan"), None)
    );
    let (_, full) = app
        .get(&format!("/v1/children/{id}?unmasked=true"), &clerk())
        .await;
    assert_eq!(
        (full["category"].as_str(), full["hiv_infected"].as_bool()),
        (Some("hiv_infected"), Some(true))
    );
}
