//! What the procedure, enrollment and payment tests share: a started service, the staff of one
//! case (distinct subjects, so separation of duties can be exercised), households, and a driver
//! that takes an application through the procedure step by step, dated in the past.

use std::time::Duration;

use aid_applications::{CONTEXT, parts, store::Migrator};
use chrono::{Days, NaiveDate};
use contracts::{
    aid::VerificationRequested,
    partner::{VerificationCompleted, VerificationOutcome},
};
use kit::{
    Role,
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};

pub const LIANGLU: &str = "500112016";
pub const LIANGLU_VILLAGE: &str = "500112016001";
pub const SHUANGFENGQIAO: &str = "500112017";
pub const DISTRICT: &str = "500112";

/// A valid ID number from 17 digits (computes the GB 11643 check character).
pub fn id_number(first17: &str) -> String {
    const W: [u32; 17] = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
    let sum: u32 = first17
        .bytes()
        .zip(W)
        .map(|(d, w)| u32::from(d - b'0') * w)
        .sum();
    format!("{first17}{}", b"10X98765432"[(sum % 11) as usize] as char)
}

pub async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>("aid-applications", CONTEXT, parts).await
}

pub fn clerk() -> String {
    TestApp::token_for("clerk-wang", Role::TownshipClerk, LIANGLU)
}
pub fn investigator_clerk() -> String {
    TestApp::token_for("investigator-li", Role::TownshipClerk, LIANGLU)
}
pub fn township_approver() -> String {
    TestApp::token_for("approver-zhao", Role::TownshipApprover, LIANGLU)
}
pub fn reviewer() -> String {
    TestApp::token_for("reviewer-chen", Role::TownshipApprover, LIANGLU)
}
pub fn other_clerk() -> String {
    TestApp::token_for("clerk-sun", Role::TownshipClerk, SHUANGFENGQIAO)
}
pub fn district_officer() -> String {
    TestApp::token_for("officer-qian", Role::DistrictOfficer, DISTRICT)
}
pub fn district_approver() -> String {
    TestApp::token_for("district-approver-zhou", Role::DistrictApprover, DISTRICT)
}
pub fn village_staff() -> String {
    TestApp::token_for("village-wu", Role::VillageStaff, LIANGLU_VILLAGE)
}
/// Subjects of the two staff doing the home visit.
pub const INVESTIGATORS: [&str; 2] = ["investigator-li", "investigator-he"];

/// Today in China Standard Time, on the clock the service reads.
pub fn today() -> NaiveDate {
    kit::clock::today()
}

/// `n` days before today.
pub fn days_ago(n: u64) -> NaiveDate {
    today().checked_sub_days(Days::new(n)).unwrap()
}

/// A member as registered.
pub struct NewMember<'a> {
    pub id_number: &'a str,
    pub relationship: &'a str,
    pub income_fen: i64,
    pub able_to_work: bool,
}

/// Registers a household in Lianglu; returns its id and member ids in order.
pub async fn household(
    app: &TestApp,
    residence: &str,
    members: &[NewMember<'_>],
) -> (String, Vec<String>) {
    household_in(app, LIANGLU_VILLAGE, &clerk(), residence, members, false).await
}

pub async fn household_in(
    app: &TestApp,
    village: &str,
    token: &str,
    residence: &str,
    members: &[NewMember<'_>],
    staff_relative: bool,
) -> (String, Vec<String>) {
    let body = json!({
        "village_code": village, "residence": residence, "address": "某街道某小区",
        "staff_relative": staff_relative,
        "members": members.iter().enumerate().map(|(i, m)| json!({
            "name": format!("成员{i}"), "id_number": m.id_number, "relationship": m.relationship,
            "monthly_income_fen": m.income_fen, "employed": m.income_fen > 0,
            "able_to_work": m.able_to_work })).collect::<Vec<_>>(),
    });
    let (status, created) = app.post("/v1/households", token, &body).await;
    assert_eq!(status, 201, "{created}");
    let id = created["id"].as_str().unwrap().to_owned();
    let (_, h) = app.get(&format!("/v1/households/{id}"), token).await;
    let ids = h["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap().to_owned())
        .collect();
    (id, ids)
}

/// A household of a mother (no income) and a child, urban: dibao 2 × 636 = 1 272 yuan.
pub async fn poor_household(app: &TestApp) -> (String, Vec<String>) {
    let mother = id_number("50011219850315122");
    let child = id_number("50011220150601343");
    household(
        app,
        "urban",
        &[
            NewMember {
                id_number: &mother,
                relationship: "head",
                income_fen: 0,
                able_to_work: false,
            },
            NewMember {
                id_number: &child,
                relationship: "child",
                income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await
}

/// PUT JSON with `If-Match`.
pub async fn put(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: &str,
    body: &Value,
) -> (u16, Value) {
    let resp = app
        .http
        .put(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("If-Match", if_match)
        .json(body)
        .send()
        .await
        .unwrap();
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// GET returning the ETag too.
pub async fn get_tagged(app: &TestApp, path: &str, token: &str) -> (u16, String, Value) {
    let resp = app
        .http
        .get(format!("{}{path}", app.base))
        .bearer_auth(token)
        .send()
        .await
        .unwrap();
    let tag = resp
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (
        resp.status().as_u16(),
        tag,
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// Dates of the procedure: submitted 40 days ago, then one step a day.
pub fn day(n: u64) -> String {
    days_ago(40 - n).to_string()
}

/// Submits an application; returns its id.
pub async fn submit(app: &TestApp, household: &str, extra: Value) -> String {
    let mut body = json!({ "household_id": household, "programme": "dibao", "channel": "window",
                           "submitted_on": day(0) });
    for (k, v) in extra.as_object().unwrap() {
        body[k] = v.clone();
    }
    let (status, a) = app.post("/v1/applications", &clerk(), &body).await;
    assert_eq!(status, 201, "{a}");
    a["id"].as_str().unwrap().to_owned()
}

/// POSTs a step and asserts it succeeded; returns the answer.
pub async fn step(app: &TestApp, id: &str, route: &str, token: &str, body: Value) -> Value {
    let (status, v) = app
        .post(&format!("/v1/applications/{id}/{route}"), token, &body)
        .await;
    assert!(status == 200 || status == 201, "{route}: {status} {v}");
    v
}

/// Accepts and starts the investigation (day 1 and 2); returns the verification request id.
pub async fn to_investigation(app: &TestApp, id: &str) -> String {
    step(app, id, "acceptance", &clerk(), json!({ "on": day(1) })).await;
    step(
        app,
        id,
        "investigation",
        &investigator_clerk(),
        json!({ "investigators": INVESTIGATORS, "authorised_on": day(1), "on": day(2) }),
    )
    .await;
    verification_request(app, id, 1).await
}

/// The id of the `round`-th verification request of the application.
pub async fn verification_request(app: &TestApp, id: &str, round: usize) -> String {
    eventually(
        "the verification request",
        Duration::from_secs(20),
        || async {
            let requests: Vec<_> = app
                .events::<VerificationRequested>()
                .await
                .into_iter()
                .filter(|(_, e)| e.application_id.to_string() == id)
                .collect();
            requests
                .get(round - 1)
                .map(|(_, e)| e.request_id.to_string())
        },
    )
    .await
}

/// The verification platform's answer, as the partner publishes it; waits until it is recorded.
pub async fn answer_verification(
    app: &TestApp,
    id: &str,
    request: &str,
    income_fen: i64,
    property_ok: bool,
) {
    let (_, a) = app.get(&format!("/v1/applications/{id}"), &clerk()).await;
    let fact: VerificationCompleted = serde_json::from_value(json!({
        "request_id": request, "application_id": id, "household_id": a["household_id"],
        "outcome": "complete", "household_monthly_income_fen": income_fen,
        "property_within_limits": property_ok, "findings": [], "completed_on": day(3) }))
    .unwrap();
    assert_eq!(fact.outcome, VerificationOutcome::Complete);
    app.publish(&fact).await;
    let path = format!("/v1/applications/{id}/assessment");
    eventually(
        "the verification answer recorded",
        Duration::from_secs(20),
        || async {
            let (_, v) = app.get(&path, &clerk()).await;
            (v["verification"]["request_id"] == request
                && v["verification"]["outcome"] == "complete")
                .then_some(())
        },
    )
    .await;
}

/// Takes the application to a closed publicity (review day 4, publicity days 5–11, closed day 12).
pub async fn to_publicity_closed(app: &TestApp, id: &str) {
    let request = to_investigation(app, id).await;
    answer_verification(app, id, &request, 0, true).await;
    step(app, id, "review", &reviewer(), json!({ "on": day(4) })).await;
    step(app, id, "publicity", &clerk(), json!({ "on": day(5) })).await;
    step(
        app,
        id,
        "publicity/close",
        &clerk(),
        json!({ "on": day(12) }),
    )
    .await;
}

/// Confirms by the district on day 13; returns the enrollment id.
pub async fn confirm(app: &TestApp, id: &str, payee: Option<Value>) -> String {
    let mut body = json!({ "outcome": "approved", "on": day(13) });
    if let Some(p) = payee {
        body["payee"] = p;
    }
    let v = step(app, id, "decision", &district_approver(), body).await;
    v["enrollment_id"].as_str().unwrap().to_owned()
}

/// A payee account.
pub fn payee() -> Value {
    json!({ "name": "成员0", "bank": "重庆农村商业银行两路支行", "account": "6217000012345678" })
}
