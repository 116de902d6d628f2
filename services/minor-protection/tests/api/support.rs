//! Shared set-up: the service under test, tokens of each level, valid ID numbers, and calls the
//! TestApp lacks (If-Match).

use kit::{Role, testing::TestApp};
use minor_protection::{CONTEXT, SERVICE, Schedule, parts_with, store::Migrator};
use serde_json::{Value, json};

/// 玉峰山镇 and one of its villages.
pub const YUFENGSHAN: &str = "500112129";
pub const YUFENGSHAN_VILLAGE: &str = "500112129201";
/// 统景镇 and one of its villages.
pub const TONGJING: &str = "500112133";
pub const TONGJING_VILLAGE: &str = "500112133201";
pub const DISTRICT: &str = "500112";

/// The service with the periodic supervision run off: tests drive it with a chosen day.
pub async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>(SERVICE, CONTEXT, |p| parts_with(p, Schedule::Off)).await
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

/// The child of most tests: born 2012-05-01.
pub fn child_id() -> String {
    id_number("50011220120501123")
}

pub fn township(code: &str) -> String {
    TestApp::token(Role::TownshipClerk, code)
}

pub fn village(code: &str) -> String {
    TestApp::token(Role::VillageStaff, code)
}

pub fn district() -> String {
    TestApp::token(Role::DistrictOfficer, DISTRICT)
}

/// Registers a village's child director post (the district does it).
pub async fn register_village(app: &TestApp, code: &str) {
    let body =
        json!({ "division_code": code, "name": "某村儿童之家", "lead_subject": "director-1" });
    let (status, v) = app.post("/v1/units", &district(), &body).await;
    assert_eq!(status, 201, "{v}");
}

/// A report from a school about a child of `village_code`.
pub fn report(village_code: &str, major: bool) -> Value {
    json!({
        "reporter": "school",
        "village_code": village_code,
        "reported_on": "2022-10-08",
        "major": major,
        "child": { "name": "张小明", "id_number": child_id(), "address": "玉峰山镇某村3组" },
        "narrative": "班主任发现孩子身上多处淤伤，称被父亲殴打",
    })
}

/// Opens a case and returns its id.
pub async fn open(app: &TestApp, token: &str, body: &Value) -> String {
    let (status, v) = app.post("/v1/cases", token, body).await;
    assert_eq!(status, 201, "{v}");
    v["id"].as_str().unwrap().to_owned()
}

/// POST with `If-Match: "v<version>"` (and no Idempotency-Key).
pub async fn post_if_match(
    app: &TestApp,
    path: &str,
    token: &str,
    version: Option<i64>,
    body: &Value,
) -> (u16, Value) {
    let mut req = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .json(body);
    if let Some(v) = version {
        req = req.header("If-Match", format!("\"v{v}\""));
    }
    let resp = req.send().await.expect("POST");
    (
        resp.status().as_u16(),
        resp.json().await.unwrap_or(Value::Null),
    )
}

/// The case as `token` sees it.
pub async fn case(app: &TestApp, token: &str, id: &str) -> (u16, Value) {
    app.get(&format!("/v1/cases/{id}"), token).await
}
