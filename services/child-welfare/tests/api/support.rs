//! Helpers: a spawned service, tokens, valid ID numbers, registration bodies and the mesh's
//! person_ref of an ID number.

use std::time::Duration;

use child_welfare::{CONTEXT, SERVICE, parts, store::Migrator};
use contracts::common::Month;
use kit::{
    Role,
    config::DEV_PERSON_REF_KEY,
    identity::{IdNumber, PersonRefKey},
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};

pub const LIANGLU: &str = "500112016";
pub const LIANGLU_VILLAGE: &str = "500112016001";
pub const SHUANGFENGQIAO: &str = "500112017";
pub const DISTRICT: &str = "500112";

pub async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>(SERVICE, CONTEXT, parts).await
}

pub fn clerk() -> String {
    TestApp::token(Role::TownshipClerk, LIANGLU)
}

pub fn approver() -> String {
    TestApp::token(Role::DistrictApprover, DISTRICT)
}

pub fn officer() -> String {
    TestApp::token(Role::DistrictOfficer, DISTRICT)
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

/// The mesh's person_ref of an ID number (the service runs with the development key).
pub fn person_ref(id: &str) -> String {
    let key = PersonRefKey::new(DEV_PERSON_REF_KEY.as_bytes().to_vec()).unwrap();
    key.person_ref(&IdNumber::parse(id).unwrap())
        .as_str()
        .to_owned()
}

pub const CHILD: &str = "50011220150601123";
pub const FATHER: &str = "50011219850301111";
pub const MOTHER: &str = "50011219870402222";

/// Father imprisoned on a three-year term, mother dead: de facto unsupported.
pub fn de_facto_body(child: &str) -> Value {
    json!({
        "id_number": child, "name": "小明", "village_code": LIANGLU_VILLAGE,
        "care_mode": "family_based",
        "guardian": { "name": "王奶奶", "relationship": "grandparent" },
        "bank_account": { "holder": "王奶奶", "account": "6222020200112233445" },
        "father": { "id_number": id_number(FATHER), "name": "王父", "conditions": [
            { "situation": "imprisoned", "since": "2025-01-10", "expected_end": "2028-01-09",
              "evidence": "(2025)渝0112刑初123号 判决书" } ] },
        "mother": { "id_number": id_number(MOTHER), "name": "李母", "conditions": [
            { "situation": "dead", "since": "2024-06-01", "evidence": "死亡证明 D2024-0601" } ] }
    })
}

/// Submits a registration; returns the status and body.
pub async fn submit(app: &TestApp, body: &Value) -> (u16, Value) {
    app.post("/v1/children", &clerk(), body).await
}

/// Submits and approves; returns the child id and the decision.
pub async fn register(app: &TestApp, body: &Value) -> (String, Value) {
    let (status, submitted) = submit(app, body).await;
    assert_eq!(status, 201, "{submitted}");
    let id = submitted["id"].as_str().unwrap().to_owned();
    let (status, decided) = app
        .post(
            &format!("/v1/children/{id}/decision"),
            &approver(),
            &json!({ "approve": true }),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    (id, decided)
}

/// The month a decided registration starts paying.
pub fn start_month(decided: &Value) -> Month {
    decided["start_month"].as_str().unwrap().parse().unwrap()
}

/// Reads a child until `check` holds.
pub async fn child_until(
    app: &TestApp,
    id: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/v1/children/{id}");
    eventually(what, Duration::from_secs(20), || async {
        let (_, v) = app.get(&path, &clerk()).await;
        check(&v).then_some(v)
    })
    .await
}

/// Today in the bureau's time zone, as the service counts it (`YYYY-MM-DD`).
pub fn today_text() -> String {
    child_welfare::commands::records::today().to_string()
}

/// Moves the business clock of the test (and of the service it runs) to the 5th of `month`: a
/// month's batch is issued during the month, at the latest a month ahead.
pub fn live_in(month: Month) {
    kit::testing::set_today(
        month
            .first_day()
            .and_then(|d| d.checked_add_days(chrono::Days::new(4)))
            .expect("a day of the month"),
    );
}
