//! Helpers the tests share: spawning the service, tokens, valid ID numbers, person references
//! with the mesh key, enrollment events, and `If-Match` posts.

use chrono::NaiveDate;
use contracts::aid::{EnrollmentEnded, EnrollmentStarted};
use elderly_care::{CONTEXT, SERVICE, parts, store::Migrator};
use kit::{Role, identity::IdNumber, testing::TestApp};
use serde_json::{Value, json};
use uuid::Uuid;

pub const LIANGLU: &str = "500112016";
pub const LIANGLU_VILLAGE: &str = "500112016001";
pub const SHUANGFENGQIAO: &str = "500112017";
pub const SHICHUAN: &str = "500112142";
pub const SHICHUAN_VILLAGE: &str = "500112142201";
pub const DISTRICT: &str = "500112";

pub async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>(SERVICE, CONTEXT, parts).await
}

pub fn clerk() -> String {
    TestApp::token(Role::TownshipClerk, LIANGLU)
}

pub fn village_staff() -> String {
    TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE)
}

pub fn officer() -> String {
    TestApp::token(Role::DistrictOfficer, DISTRICT)
}

pub fn d(s: &str) -> NaiveDate {
    s.parse().expect("a date")
}

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

/// The person_ref every mesh service computes for an ID number.
pub fn person_ref(app: &TestApp, id: &str) -> String {
    app.service()
        .platform
        .config
        .person_ref_key
        .person_ref(&IdNumber::parse(id).expect("valid ID number"))
        .as_str()
        .to_owned()
}

/// `aid.enrollment.started.v1` for extreme poverty with the given support mode (or another
/// programme when `programme` is not extreme_poverty).
pub fn started(
    enrollment: Uuid,
    programme: &str,
    mode: Option<&str>,
    beneficiaries: &[&str],
    confirmed_on: &str,
) -> EnrollmentStarted {
    let mut v = json!({
        "enrollment_id": enrollment, "application_id": Uuid::now_v7(), "household_id": Uuid::now_v7(),
        "programme": programme, "residence": "rural", "members": beneficiaries,
        "beneficiaries": beneficiaries, "monthly_amount_fen": 82_700,
        "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE,
        "start_month": &confirmed_on[..7], "confirmed_on": confirmed_on });
    if let Some(mode) = mode {
        v["support_mode"] = json!(mode);
        v["care_level"] = json!("full_self_care");
    }
    serde_json::from_value(v).expect("a valid EnrollmentStarted")
}

/// Dispersed extreme-poverty support for `beneficiaries`.
pub fn dispersed(
    enrollment: Uuid,
    beneficiaries: &[&str],
    confirmed_on: &str,
) -> EnrollmentStarted {
    started(
        enrollment,
        "extreme_poverty",
        Some("dispersed"),
        beneficiaries,
        confirmed_on,
    )
}

/// `aid.enrollment.ended.v1`.
pub fn ended(enrollment: Uuid, beneficiaries: &[&str], ended_on: &str) -> EnrollmentEnded {
    serde_json::from_value(json!({
        "enrollment_id": enrollment, "household_id": Uuid::now_v7(), "programme": "extreme_poverty",
        "reason": "review_stop", "members": beneficiaries, "beneficiaries": beneficiaries,
        "end_month": &ended_on[..7], "ended_on": ended_on,
        "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE }))
    .expect("a valid EnrollmentEnded")
}

/// The visit plans the clerk sees.
pub async fn plans(app: &TestApp) -> Vec<Value> {
    let (status, page) = app.get("/v1/visit-plans?limit=200", &clerk()).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().cloned().unwrap_or_default()
}

/// Waits until the clerk sees `n` plans for `person`, and returns them.
pub async fn plans_of(app: &TestApp, person: &str, n: usize) -> Vec<Value> {
    kit::testing::eventually(
        &format!("{n} plan(s) for {person}"),
        std::time::Duration::from_secs(20),
        || async {
            let mine: Vec<Value> = plans(app)
                .await
                .into_iter()
                .filter(|p| p["person_ref"] == person)
                .collect();
            (mine.len() == n).then_some(mine)
        },
    )
    .await
}

/// POST with `If-Match`.
pub async fn post_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    if_match: Option<&str>,
    body: &Value,
) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body);
    if let Some(v) = if_match {
        req = req.header("If-Match", v);
    }
    let resp = req.send().await.expect("POST");
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// The ETag of a version, as the edge sends it.
pub fn v(version: &Value) -> String {
    format!("\"v{}\"", version.as_i64().expect("a version"))
}
