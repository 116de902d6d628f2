//! village-governance through its REST edge and NATS, against real PostgreSQL and a nats-server of
//! the test's own. One binary; the modules group the tests by area.

mod lists;
mod publicity;
mod rules;
mod village;

use std::time::Duration;

use chrono::NaiveDate;
use contracts::{
    aid::PublicityOpened,
    village::{ObjectionGrounds, PublicityObjectionRaised, RulesFiled},
};
use kit::{
    Role,
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};
use uuid::Uuid;
use village_governance::{CONTEXT, SERVICE, parts, store::Migrator};

const YUFENGSHAN: &str = "500112129";
const VILLAGE: &str = "500112129201";
const OTHER_VILLAGE: &str = "500112129202";
const COMMUNITY: &str = "500112129001";
const LIANGLU: &str = "500112016";
const LIANGLU_VILLAGE: &str = "500112016001";

async fn spawn() -> TestApp {
    TestApp::spawn::<Migrator>(SERVICE, CONTEXT, parts).await
}

fn clerk() -> String {
    TestApp::token(Role::TownshipClerk, YUFENGSHAN)
}

fn village_staff() -> String {
    TestApp::token(Role::VillageStaff, VILLAGE)
}

fn district() -> String {
    TestApp::token(Role::DistrictOfficer, "500112")
}

fn today() -> NaiveDate {
    kit::clock::today()
}

async fn register_village(app: &TestApp, code: &str, kind: &str, households: i32) {
    let township = &code[..9];
    let token = TestApp::token(Role::TownshipClerk, township);
    let body = json!({ "code": code, "name": format!("村{}", &code[9..]), "kind": kind, "households": households });
    let (status, v) = app.post("/v1/villages", &token, &body).await;
    assert_eq!(status, 201, "{v}");
}

/// POST with `If-Match`; returns the status, the body and the new ETag.
async fn step(
    app: &TestApp,
    path: &str,
    token: &str,
    etag: &str,
    body: &Value,
) -> (u16, Value, String) {
    let resp = app
        .http
        .post(format!("{}{path}", app.base))
        .bearer_auth(token)
        .header("If-Match", etag)
        .json(body)
        .send()
        .await
        .expect("POST");
    let status = resp.status().as_u16();
    let etag = resp
        .headers()
        .get("etag")
        .map(|v| v.to_str().unwrap().to_owned())
        .unwrap_or_default();
    (status, resp.json().await.unwrap_or(Value::Null), etag)
}

fn etag_of(v: &Value) -> String {
    format!("\"v{}\"", v["etag_version"])
}
