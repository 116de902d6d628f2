//! What the assistance, monitoring and vagrant-relief tests share: a started service, tokens,
//! valid ID numbers and registered households.

use aid_applications::{CONTEXT, parts, store::Migrator};
use kit::{Role, testing::TestApp};
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

pub fn clerk(township: &str) -> String {
    TestApp::token_for(&format!("clerk@{township}"), Role::TownshipClerk, township)
}

pub fn approver(township: &str) -> String {
    TestApp::token_for(
        &format!("approver@{township}"),
        Role::TownshipApprover,
        township,
    )
}

pub fn district_officer() -> String {
    TestApp::token_for("officer@500112", Role::DistrictOfficer, DISTRICT)
}

pub fn district_approver() -> String {
    TestApp::token_for("approver@500112", Role::DistrictApprover, DISTRICT)
}

/// Registers a household in `village` whose members have these ID numbers (the first is the
/// head); returns its id.
pub async fn household(app: &TestApp, village: &str, ids: &[&str]) -> String {
    let members: Vec<Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            json!({ "name": format!("成员{i}"), "id_number": id,
                    "relationship": if i == 0 { "head" } else { "child" }, "monthly_income_fen": 30_000 })
        })
        .collect();
    let body = json!({ "village_code": village, "residence": "urban", "address": "某小区", "members": members });
    let (status, created) = app
        .post("/v1/households", &clerk(&village[..9]), &body)
        .await;
    assert_eq!(status, 201, "{created}");
    created["id"].as_str().unwrap().to_owned()
}
