//! The household register through the REST edge: income items, property and its predicates, the
//! changes a household reports (members joining and leaving, income, property, address) with the
//! change history, their effect on a running enrollment, and the verification platform's
//! per-member incomes in the assessment.

use std::time::Duration;

use crate::procedure_support::*;
use contracts::{
    aid::EnrollmentChanged,
    partner::{DeathRecorded, VerificationCompleted},
};
use kit::testing::{TestApp, eventually};
use serde_json::{Value, json};

/// Registers a two-member urban household with itemised income and the given property.
async fn register_itemised(app: &TestApp, property: Value) -> (String, Value) {
    let body = json!({
        "village_code": LIANGLU_VILLAGE, "residence": "urban", "address": "两路街道某小区 1 号",
        "members": [
            { "name": "户主", "id_number": id_number("50011219800101123"), "relationship": "head",
              "employed": true, "able_to_work": true,
              "income": [
                  { "kind": "wages", "monthly_fen": 120_000, "source": "某物流公司" },
                  { "kind": "family_support", "monthly_fen": 20_000 }
              ] },
            { "name": "子女", "id_number": id_number("50011220150601343"), "relationship": "child" }
        ],
        "property": property,
    });
    let (status, created) = app.post("/v1/households", &clerk(), &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, h) = app.get(&format!("/v1/households/{id}"), &clerk()).await;
    (id, h)
}

fn version(h: &Value) -> i32 {
    i32::try_from(h["version"].as_i64().unwrap()).unwrap()
}

async fn history_kinds(app: &TestApp, id: &str) -> Vec<String> {
    let (status, page) = app
        .get(&format!("/v1/households/{id}/history"), &clerk())
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["kind"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn a_household_is_registered_with_income_items_and_property_and_the_predicates_read_it() {
    let app = spawn().await;
    let (id, h) = register_itemised(
        &app,
        json!([
            { "kind": "home", "description": "两路街道住房 60 m²" },
            { "kind": "home", "description": "老家宅基地住房" },
            { "kind": "vehicle", "description": "残疾人代步车", "exempt": true,
              "exempt_reason": "adapted for a disabled member" }
        ]),
    )
    .await;
    let head = &h["members"][0];
    assert_eq!(head["monthly_income_fen"], 140_000, "{h}");
    assert_eq!(head["income"].as_array().unwrap().len(), 2);
    assert_eq!(head["income"][0]["kind"], "wages");
    assert_eq!(head["income"][0]["source"], "某物流公司");
    assert_eq!(h["members"][1]["income"], json!([]));
    assert_eq!(h["property"].as_array().unwrap().len(), 3);
    // Two homes fail the seeded predicate; the exempt vehicle does not.
    let reasons = h["property_over_limits"].as_array().unwrap();
    assert_eq!(reasons.len(), 1, "{reasons:?}");
    assert!(reasons[0].as_str().unwrap().contains("2 homes"));
    assert_eq!(history_kinds(&app, &id).await, ["registered"]);
    let (status, tag, _) = get_tagged(&app, &format!("/v1/households/{id}"), &clerk()).await;
    assert_eq!((status, tag), (200, format!("\"v{}\"", version(&h))));
}

#[tokio::test]
async fn bad_income_or_property_is_refused_by_field_and_nothing_is_written() {
    let app = spawn().await;
    let head = id_number("50011219800101123");
    // A valid check character, a birth date a month from now.
    let unborn = id_number(&format!(
        "500112{}567",
        (today() + chrono::Days::new(30)).format("%Y%m%d")
    ));
    let cases = [
        (
            json!([{ "name": "户主", "id_number": head, "relationship": "head" },
                   { "name": "孩子", "id_number": unborn, "relationship": "child" }]),
            json!([]),
            "members[1].id_number",
        ),
        (
            json!([{ "name": "户主", "id_number": head, "relationship": "head",
                     "income": [{ "kind": "wages", "monthly_fen": -1 }] }]),
            json!([]),
            "members[0].income[0].monthly_fen",
        ),
        (
            json!([{ "name": "户主", "id_number": head, "relationship": "head",
                     "monthly_income_fen": 50_000,
                     "income": [{ "kind": "pension", "monthly_fen": 50_000 }] }]),
            json!([]),
            "members[0].monthly_income_fen",
        ),
        (
            json!([{ "name": "户主", "id_number": head, "relationship": "head" }]),
            json!([{ "kind": "vehicle", "description": "轿车", "exempt": true }]),
            "property[0].exempt_reason",
        ),
        (
            json!([{ "name": "户主", "id_number": head, "relationship": "head" }]),
            json!([{ "kind": "home", "description": "住房", "employs_others": true }]),
            "property[0].employs_others",
        ),
        (
            json!([{ "name": "户主", "id_number": head, "relationship": "head" }]),
            json!([{ "kind": "deposits", "description": " ", "value_fen": -5 }]),
            "property[0].description",
        ),
    ];
    for (members, property, field) in cases {
        let body = json!({ "village_code": LIANGLU_VILLAGE, "residence": "urban",
                           "address": "某处", "members": members, "property": property });
        let (status, problem) = app.post("/v1/households", &clerk(), &body).await;
        assert_eq!(status, 422, "{field}: {problem}");
        let fields: Vec<&str> = problem["errors"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e["field"].as_str().unwrap())
            .collect();
        assert!(fields.contains(&field), "{field}: {problem}");
    }
    // Nothing was half-written: the same person registers now.
    let body = json!({ "village_code": LIANGLU_VILLAGE, "residence": "urban", "address": "某处",
                       "members": [{ "name": "户主", "id_number": head, "relationship": "head" }] });
    assert_eq!(app.post("/v1/households", &clerk(), &body).await.0, 201);
}

#[tokio::test]
async fn changes_need_the_version_read_and_each_is_kept_in_the_history() {
    let app = spawn().await;
    let (id, h) = register_itemised(&app, json!([])).await;
    let v = version(&h);
    let newborn = id_number("50011220260101567");
    let join = json!({ "reason": "birth",
                       "member": { "name": "新生儿", "id_number": newborn, "relationship": "child" } });
    let path = format!("/v1/households/{id}/members");
    // Without If-Match: 428; with a stale version: 412; nothing written either way.
    assert_eq!(app.post(&path, &clerk(), &join).await.0, 428);
    assert_eq!(
        app.post_if_match(&path, &clerk(), v - 1, &join).await.0,
        412
    );
    let (status, h) = app.post_if_match(&path, &clerk(), v, &join).await;
    assert_eq!(status, 201, "{h}");
    assert_eq!(h["members"].as_array().unwrap().len(), 3);
    assert_eq!(version(&h), v + 1);
    // The same person cannot join twice, and nobody becomes a second head.
    let (status, problem) = app.post_if_match(&path, &clerk(), v + 1, &join).await;
    assert_eq!(status, 409, "{problem}");
    let second_head = json!({ "reason": "moved_in",
        "member": { "name": "某人", "id_number": id_number("50011219700101789"), "relationship": "head" } });
    let (status, problem) = app
        .post_if_match(&path, &clerk(), v + 1, &second_head)
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("member.relationship"))
    );

    // Income replaced: the total follows the items, the history has both figures.
    let head = h["members"][0]["id"].as_str().unwrap().to_owned();
    let (status, h) = put(
        &app,
        &format!("/v1/households/{id}/members/{head}/income"),
        &clerk(),
        &format!("\"v{}\"", v + 1),
        &json!({ "income": [{ "kind": "pension", "monthly_fen": 90_000 }], "employed": false }),
    )
    .await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["members"][0]["monthly_income_fen"], 90_000);
    assert_eq!(h["members"][0]["employed"], false);

    // Property added then disposed of; the address changes.
    let (status, h) = app
        .post_if_match(
            &format!("/v1/households/{id}/property"),
            &clerk(),
            version(&h),
            &json!({ "kind": "vehicle", "description": "面包车", "value_fen": 3_000_000 }),
        )
        .await;
    assert_eq!(status, 201, "{h}");
    assert_eq!(h["property_over_limits"].as_array().unwrap().len(), 1);
    let asset = h["property"][0]["id"].as_str().unwrap().to_owned();
    let disposal = format!("/v1/households/{id}/property/{asset}/disposal");
    let (status, h) = app
        .post_if_match(
            &disposal,
            &clerk(),
            version(&h),
            &json!({ "reason": "已出售 sold" }),
        )
        .await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["property_over_limits"], json!([]));
    assert!(h["property"][0]["disposed_on"].is_string());
    let (status, problem) = app
        .post_if_match(
            &disposal,
            &clerk(),
            version(&h),
            &json!({ "reason": "again" }),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    let (status, h) = put(
        &app,
        &format!("/v1/households/{id}/address"),
        &clerk(),
        &format!("\"v{}\"", version(&h)),
        &json!({ "address": "两路街道新址 8 号" }),
    )
    .await;
    assert_eq!(
        (status, h["address"].as_str()),
        (200, Some("两路街道新址 8 号"))
    );

    // The child moves out: a former member, masked; the head cannot leave.
    let child = h["members"][1]["id"].as_str().unwrap().to_owned();
    let (status, h) = app
        .post_if_match(
            &format!("/v1/households/{id}/members/{child}/departure"),
            &clerk(),
            version(&h),
            &json!({ "reason": "moved_out" }),
        )
        .await;
    assert_eq!(status, 200, "{h}");
    assert_eq!(h["members"].as_array().unwrap().len(), 2);
    assert_eq!(h["former_members"][0]["reason"], "moved_out");
    assert!(
        h["former_members"][0]["id_number"]
            .as_str()
            .unwrap()
            .contains('*')
    );
    let (status, problem) = app
        .post_if_match(
            &format!("/v1/households/{id}/members/{head}/departure"),
            &clerk(),
            version(&h),
            &json!({ "reason": "moved_out" }),
        )
        .await;
    assert_eq!(status, 409, "{problem}");

    assert_eq!(
        history_kinds(&app, &id).await,
        [
            "registered",
            "member_joined",
            "income_changed",
            "property_added",
            "property_disposed",
            "address_changed",
            "member_left"
        ]
    );
    let (_, page) = app
        .get(&format!("/v1/households/{id}/history"), &clerk())
        .await;
    let income = &page["items"][2];
    assert_eq!(income["detail"]["monthly_fen_before"], 140_000);
    assert_eq!(income["detail"]["monthly_fen_after"], 90_000);
    assert!(
        !page.to_string().contains(&newborn),
        "no ID numbers in the history"
    );
    // A cursor page of two.
    let (_, first) = app
        .get(&format!("/v1/households/{id}/history?limit=2"), &clerk())
        .await;
    let cursor = first["next_cursor"].as_str().unwrap();
    let (_, second) = app
        .get(
            &format!("/v1/households/{id}/history?limit=2&cursor={cursor}"),
            &clerk(),
        )
        .await;
    assert_eq!(second["items"][0]["kind"], "income_changed");
}

#[tokio::test]
async fn another_township_neither_sees_nor_changes_the_household() {
    let app = spawn().await;
    let (id, h) = register_itemised(&app, json!([])).await;
    let (status, _) = app
        .post_if_match(
            &format!("/v1/households/{id}/property"),
            &other_clerk(),
            version(&h),
            &json!({ "kind": "home", "description": "住房" }),
        )
        .await;
    assert_eq!(status, 404);
    let (status, _) = app
        .get(&format!("/v1/households/{id}/history"), &other_clerk())
        .await;
    assert_eq!(status, 404);
    // Nothing moved: the version is the same.
    let (_, after) = app.get(&format!("/v1/households/{id}"), &clerk()).await;
    assert_eq!(version(&after), version(&h));
}

#[tokio::test]
async fn a_death_is_entered_in_the_history() {
    let app = spawn().await;
    let (id, _) = register_itemised(&app, json!([])).await;
    let fact: DeathRecorded = serde_json::from_value(json!({
        "record_number": "D2026-0002", "id_number": id_number("50011220150601343"),
        "date_of_death": days_ago(3), "source": "medical", "registering_division": LIANGLU,
        "recorded_on": days_ago(2) }))
    .unwrap();
    app.publish(&fact).await;
    eventually(
        "the death in the history",
        Duration::from_secs(20),
        || async {
            history_kinds(&app, &id)
                .await
                .contains(&"member_died".to_owned())
                .then_some(())
        },
    )
    .await;
}

#[tokio::test]
async fn a_member_joining_an_enrolled_household_updates_the_enrollment_and_flags_it_for_review() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &id).await;
    let enrollment = confirm(&app, &id, Some(payee())).await;
    let (_, h) = app
        .get(&format!("/v1/households/{household}"), &clerk())
        .await;
    let newborn = id_number("50011220260101567");
    let (status, h) = app
        .post_if_match(
            &format!("/v1/households/{household}/members"),
            &clerk(),
            version(&h),
            &json!({ "reason": "birth",
                     "member": { "name": "新生儿", "id_number": newborn, "relationship": "child" } }),
        )
        .await;
    assert_eq!(status, 201, "{h}");
    let new_ref = h["members"][2]["person_ref"].as_str().unwrap().to_owned();
    let changed = app.expect_events::<EnrollmentChanged>(1).await;
    let (raw, event) = &changed[0];
    assert_eq!(event.enrollment_id.to_string(), enrollment);
    assert_eq!(event.members.len(), 3);
    assert!(event.beneficiaries.iter().any(|r| r.as_str() == new_ref));
    // 2 × 636 + the child's add-on, unchanged: the amount waits for the review.
    assert_eq!(event.monthly_amount_fen, 2 * 63_600 + 4_500);
    assert!(!raw.contains(&newborn) && !raw.contains("新生儿"));
    let (_, flags) = app.get("/v1/review-flags?open=true", &clerk()).await;
    let flags = flags["items"].as_array().unwrap();
    assert_eq!(flags.len(), 1, "{flags:?}");
    assert_eq!(flags[0]["reason"], "household_changed");
    assert_eq!(flags[0]["detail"], "member_joined");
    // Two income changes of the same member on the same day: each is put before the approvers.
    let mother = h["members"][0]["id"].as_str().unwrap().to_owned();
    let mut v = version(&h);
    for fen in [30_000, 25_000] {
        let (status, changed) = put(
            &app,
            &format!("/v1/households/{household}/members/{mother}/income"),
            &clerk(),
            &format!("\"v{v}\""),
            &json!({ "income": [{ "kind": "wages", "monthly_fen": fen }], "employed": true }),
        )
        .await;
        assert_eq!(status, 200, "{changed}");
        v = version(&changed);
    }
    let (_, flags) = app.get("/v1/review-flags?open=true", &clerk()).await;
    assert_eq!(flags["items"].as_array().unwrap().len(), 3, "{flags}");
}

#[tokio::test]
async fn registered_property_over_the_limits_fails_the_assessment() {
    let app = spawn().await;
    let (household, h) = register_itemised(
        &app,
        json!([{ "kind": "deposits", "description": "银行存款", "value_fen": 10_000_000 }]),
    )
    .await;
    assert_eq!(h["property_over_limits"].as_array().unwrap().len(), 1);
    let id = submit(&app, &household, json!({})).await;
    let (_, a) = app
        .get(&format!("/v1/applications/{id}/assessment"), &clerk())
        .await;
    assert_eq!(a["assessment"]["eligible"], false, "{a}");
    let reasons = a["assessment"]["reasons"].to_string();
    assert!(reasons.contains("deposits and securities"), "{reasons}");
}

#[tokio::test]
async fn the_platforms_per_member_income_replaces_the_registered_items_in_the_assessment() {
    let app = spawn().await;
    let (household, h) = register_itemised(&app, json!([])).await;
    let head_ref = h["members"][0]["person_ref"].as_str().unwrap().to_owned();
    let id = submit(&app, &household, json!({})).await;
    let request = to_investigation(&app, &id).await;
    // Registered: 1 200 wages + 200 support. The platform finds 900 of work income.
    let fact: VerificationCompleted = serde_json::from_value(json!({
        "request_id": request, "application_id": id, "household_id": household,
        "outcome": "complete", "household_monthly_income_fen": 90_000,
        "property_within_limits": true, "findings": ["employed_member"], "completed_on": day(3),
        "members": [{ "person_ref": head_ref, "monthly_income_fen": 90_000, "employed": true }] }))
    .unwrap();
    app.publish(&fact).await;
    let path = format!("/v1/applications/{id}/assessment");
    let a = eventually("the answer recorded", Duration::from_secs(20), || async {
        let (_, v) = app.get(&path, &clerk()).await;
        (v["verification"]["outcome"] == "complete").then_some(v)
    })
    .await;
    let terms = a["assessment"]["terms"].as_array().unwrap();
    let fen = |needle: &str| {
        terms
            .iter()
            .find(|t| t["label"].as_str().unwrap().contains(needle))
            .map(|t| t["amount"].as_i64().unwrap())
    };
    // 2 × 636 − 900 + 30 % × 636 = 562.80 yuan, rounded up, + the child's add-on of 45.
    assert_eq!(fen("工资 wages"), Some(-90_000), "{terms:?}");
    assert_eq!(fen("就业成本扣减"), Some(19_080), "{terms:?}");
    assert_eq!(
        fen("赡养费"),
        None,
        "the registered items are replaced: {terms:?}"
    );
    assert_eq!(a["assessment"]["monthly_amount"], 60_800, "{a}");
    let sum: i64 = terms.iter().map(|t| t["amount"].as_i64().unwrap()).sum();
    assert_eq!(sum, 60_800);
    assert_eq!(
        a["verification"]["members"][0]["monthly_income_fen"],
        90_000
    );
}

#[tokio::test]
async fn a_member_leaving_an_enrolled_household_leaves_its_member_lists() {
    let app = spawn().await;
    let (household, members) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &id).await;
    confirm(&app, &id, Some(payee())).await;
    let (_, h) = app
        .get(&format!("/v1/households/{household}"), &clerk())
        .await;
    let child_ref = h["members"][1]["person_ref"].as_str().unwrap().to_owned();
    let (status, h) = app
        .post_if_match(
            &format!(
                "/v1/households/{household}/members/{}/departure",
                members[1]
            ),
            &clerk(),
            version(&h),
            &json!({ "reason": "moved_out", "on": days_ago(1) }),
        )
        .await;
    assert_eq!(status, 200, "{h}");
    let changed = app.expect_events::<EnrollmentChanged>(1).await;
    let event = &changed[0].1;
    assert_eq!(event.members.len(), 1);
    assert!(event.members.iter().all(|r| r.as_str() != child_ref));
    assert!(event.beneficiaries.iter().all(|r| r.as_str() != child_ref));
    let (_, flags) = app.get("/v1/review-flags?open=true", &clerk()).await;
    assert_eq!(flags["items"][0]["detail"], "member_left", "{flags}");
}

#[tokio::test]
async fn impossible_amounts_are_refused_by_field() {
    let app = spawn().await;
    let (id, h) = register_itemised(&app, json!([])).await;
    let head = h["members"][0]["id"].as_str().unwrap().to_owned();
    let (status, problem) = put(
        &app,
        &format!("/v1/households/{id}/members/{head}/income"),
        &clerk(),
        &format!("\"v{}\"", version(&h)),
        &json!({ "income": [{ "kind": "wages", "monthly_fen": i64::MAX }] }),
    )
    .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "income[0].monthly_fen");
    let (status, problem) = put(
        &app,
        &format!("/v1/households/{id}/address"),
        &clerk(),
        &format!("\"v{}\"", i32::MAX),
        &json!({ "address": "某处" }),
    )
    .await;
    assert_eq!(status, 412, "{problem}");
}
