//! village-governance through its REST edge and NATS, against real PostgreSQL and a nats-server of
//! the test's own.

use std::time::Duration;

use chrono::NaiveDate;
use contracts::{
    aid::PublicityOpened,
    village::{PublicityObjectionRaised, RulesFiled},
};
use kit::{
    Role,
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};
use uuid::Uuid;
use village_governance::{CONTEXT, SERVICE, domain::calendar, parts, store::Migrator};

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
    calendar::today()
}

async fn register_village(app: &TestApp, code: &str, kind: &str, households: i32) {
    let township = &code[..9];
    let token = TestApp::token(Role::TownshipClerk, township);
    let body = json!({ "code": code, "name": format!("村{}", &code[9..]), "kind": kind, "households": households });
    let (status, v) = app.post("/v1/villages", &token, &body).await;
    assert_eq!(status, 201, "{v}");
}

/// POST with `If-Match`; returns the status, the body and the new ETag.
async fn step(app: &TestApp, path: &str, token: &str, etag: &str, body: &Value) -> (u16, Value, String) {
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

/// Takes the village's rules through the procedure up to the assembly vote (not yet voted).
async fn rules_ready_for_vote(app: &TestApp, village: &str) -> (String, String) {
    let staff = TestApp::token(Role::VillageStaff, village);
    let township = TestApp::token(Role::TownshipClerk, &village[..9]);
    let (status, rules) = app
        .post("/v1/rules", &staff, &json!({ "village_code": village, "title": "村规民约", "text": "第一条 ……", "drafted_on": "2022-06-01" }))
        .await;
    assert_eq!(status, 201, "{rules}");
    let path = format!("/v1/rules/{}", rules["id"].as_str().unwrap());
    let (s, v, etag) = step(app, &format!("{path}/legal-review"), &staff, &etag_of(&rules),
        &json!({ "adviser": "法律顾问", "approved": true, "opinion": "无异议", "reviewed_on": "2022-07-01" })).await;
    assert_eq!(s, 200, "{v}");
    let (s, v, etag) = step(app, &format!("{path}/legality-review"), &township, &etag,
        &json!({ "lawful": true, "findings": [], "reviewed_on": "2022-08-01" })).await;
    assert_eq!(s, 200, "{v}");
    (path, etag)
}

/// Votes (passed), files with the township and the district, and publishes.
async fn adopt(app: &TestApp, village: &str, path: &str, etag: &str) {
    let staff = TestApp::token(Role::VillageStaff, village);
    let township = TestApp::token(Role::TownshipClerk, &village[..9]);
    let tally = json!({ "entitled": 900, "present": 600, "votes_for": 550, "votes_against": 30, "abstentions": 20 });
    let (s, v, etag) = step(app, &format!("{path}/votes"), &staff, etag,
        &json!({ "body": "villagers_assembly_households", "held_on": "2022-09-01", "tally": tally })).await;
    assert_eq!((s, v["outcome"]["result"].as_str()), (200, Some("passed")), "{v}");
    let (s, _, etag) = step(app, &format!("{path}/filings"), &township, &etag, &json!({ "with": "township", "filed_on": "2022-09-20" })).await;
    assert_eq!(s, 200);
    let (s, _, etag) = step(app, &format!("{path}/filings"), &district(), &etag, &json!({ "with": "district", "filed_on": "2022-09-28" })).await;
    assert_eq!(s, 200);
    let (s, v, _) = step(app, &format!("{path}/publication"), &staff, &etag, &json!({ "published_on": "2022-10-01" })).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("published")), "{v}");
}

#[tokio::test]
async fn a_certificate_not_on_the_list_is_refused_naming_the_list_version_that_refused_it() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 800).await;
    let v1 = json!({ "township_code": YUFENGSHAN, "kind": "certificate_items", "valid_from": "2022-01-01",
        "items": [{ "code": "ZM-01", "title": "居住证明" }], "basis": "玉峰山镇 2022 清单" });
    let (s, first) = app.post("/v1/lists", &clerk(), &v1).await;
    assert_eq!((s, first["version"].as_i64()), (201, Some(1)), "{first}");
    let v2 = json!({ "township_code": YUFENGSHAN, "kind": "certificate_items", "valid_from": "2023-01-01",
        "items": [{ "code": "ZM-01", "title": "居住证明" }, { "code": "ZM-02", "title": "家庭成员关系证明" }] });
    let (s, second) = app.post("/v1/lists", &clerk(), &v2).await;
    assert_eq!((s, second["version"].as_i64()), (201, Some(2)), "{second}");
    let negative = json!({ "township_code": YUFENGSHAN, "kind": "negative", "valid_from": "2022-01-01",
        "items": [{ "code": "FM-09", "title": "无犯罪记录证明" }] });
    let (s, neg) = app.post("/v1/lists", &clerk(), &negative).await;
    assert_eq!(s, 201, "{neg}");

    let request = |item: &str| json!({ "village_code": VILLAGE, "item_code": item, "requester_name": "王五", "purpose": "办理低保" });
    let (status, problem) = app.post("/v1/certificates", &village_staff(), &request("ZM-03")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["type"], "urn:minzheng:problem:certificate-item-not-listed");
    assert_eq!(problem["errors"][0]["field"], "item_code");
    assert_eq!(problem["list"]["id"], second["id"]);
    assert_eq!(problem["list"]["version"], 2);
    assert_eq!(problem["list"]["kind"], "certificate_items");

    let (status, problem) = app.post("/v1/certificates", &village_staff(), &request("FM-09")).await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["type"], "urn:minzheng:problem:certificate-item-on-negative-list");
    assert_eq!((problem["list"]["id"].clone(), problem["list"]["version"].clone()), (neg["id"].clone(), json!(1)));

    let (status, issued) = app.post("/v1/certificates", &village_staff(), &request("ZM-02")).await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!((issued["list_version"].as_i64(), issued["item_title"].as_str()), (Some(2), Some("家庭成员关系证明")));
    let (s, shown) = app.get(&format!("/v1/certificates/{}", issued["id"].as_str().unwrap()), &village_staff()).await;
    assert_eq!((s, &shown["certificate_number"]), (200, &issued["certificate_number"]));
}

#[tokio::test]
async fn a_list_version_cannot_start_before_the_current_one_nor_list_a_negative_item() {
    let app = spawn().await;
    let list = |kind: &str, from: &str, code: &str| json!({ "township_code": YUFENGSHAN, "kind": kind, "valid_from": from,
        "items": [{ "code": code, "title": "事项" }] });
    assert_eq!(app.post("/v1/lists", &clerk(), &list("negative", "2022-01-01", "FM-01")).await.0, 201);
    let (s, p) = app.post("/v1/lists", &clerk(), &list("negative", "2021-06-01", "FM-02")).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("valid_from")), "{p}");
    let (s, p) = app.post("/v1/lists", &clerk(), &list("certificate_items", "2022-03-01", "FM-01")).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("items[0].code")), "{p}");
    let other = TestApp::token(Role::TownshipClerk, LIANGLU);
    assert_eq!(app.post("/v1/lists", &other, &list("negative", "2022-01-01", "FM-01")).await.0, 403);
    assert_eq!(app.post("/v1/lists", &village_staff(), &list("negative", "2023-01-01", "FM-01")).await.0, 403);
    let (s, versions) = app.get(&format!("/v1/lists?township_code={YUFENGSHAN}"), &village_staff()).await;
    assert_eq!((s, versions.as_array().map(Vec::len)), (200, Some(1)), "{versions}");
}

#[tokio::test]
async fn rules_go_through_reviews_vote_and_filing_and_the_district_filing_is_published() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    let staff = village_staff();
    let (s, rules) = app
        .post("/v1/rules", &staff, &json!({ "village_code": VILLAGE, "title": "某村村规民约", "text": "第一条 ……", "drafted_on": "2022-06-01" }))
        .await;
    assert_eq!((s, rules["kind"].as_str(), rules["status"].as_str()), (201, Some("village_rules"), Some("drafted")), "{rules}");
    let id = rules["id"].as_str().unwrap().to_owned();
    let path = format!("/v1/rules/{id}");
    let (s, _, etag) = step(&app, &format!("{path}/legal-review"), &staff, &etag_of(&rules),
        &json!({ "adviser": "李律师", "approved": true, "opinion": "同意", "reviewed_on": "2022-06-20" })).await;
    assert_eq!(s, 200);
    // Village staff may not do the township's legality review; unlawful provisions send it back.
    let (s, _, _) = step(&app, &format!("{path}/legality-review"), &staff, &etag, &json!({ "lawful": true, "reviewed_on": "2022-07-01" })).await;
    assert_eq!(s, 403);
    let (s, p, _) = step(&app, &format!("{path}/legality-review"), &clerk(), &etag, &json!({ "lawful": false, "reviewed_on": "2022-07-01" })).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("findings")), "{p}");
    let findings = json!([{ "clause": "第七条", "finding": "不得限制外嫁女的土地承包权益" }]);
    let (s, v, etag) = step(&app, &format!("{path}/legality-review"), &clerk(), &etag,
        &json!({ "lawful": false, "findings": findings, "reviewed_on": "2022-07-01" })).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("drafted")), "{v}");
    let returned = v["steps"].as_array().unwrap().iter().find(|s| s["step"] == "legality_review").unwrap();
    assert_eq!(returned["detail"]["findings"], findings);
    // A stale ETag is refused.
    let (s, _, _) = step(&app, &format!("{path}/amendments"), &staff, &etag_of(&rules), &json!({ "text": "x" })).await;
    assert_eq!(s, 412);
    let (s, _, etag) = step(&app, &format!("{path}/amendments"), &staff, &etag, &json!({ "text": "第一条 …… 第七条（已修改）" })).await;
    assert_eq!(s, 200);
    let (s, _, etag) = step(&app, &format!("{path}/legal-review"), &staff, &etag,
        &json!({ "adviser": "李律师", "approved": true, "opinion": "同意", "reviewed_on": "2022-07-10" })).await;
    assert_eq!(s, 200);
    let (s, _, etag) = step(&app, &format!("{path}/legality-review"), &clerk(), &etag,
        &json!({ "lawful": true, "reviewed_on": "2022-08-05" })).await;
    assert_eq!(s, 200);
    // Filing before the vote is refused.
    let (s, p, _) = step(&app, &format!("{path}/filings"), &clerk(), &etag, &json!({ "with": "township", "filed_on": "2022-08-06" })).await;
    assert_eq!((s, p["type"].as_str()), (409, Some("urn:minzheng:problem:rules-step-not-allowed")));

    let tally = |entitled, present, yes, no| json!({ "entitled": entitled, "present": present, "votes_for": yes, "votes_against": no, "abstentions": 0 });
    let vote = |body: &str, t: Value| json!({ "body": body, "held_on": "2022-09-20", "tally": t });
    let (s, p, _) = step(&app, &format!("{path}/votes"), &staff, &etag, &vote("villager_representatives", tally(40, 35, 30, 5))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("body")), "representatives may not adopt rules: {p}");
    let (s, p, _) = step(&app, &format!("{path}/votes"), &staff, &etag, &vote("residents_assembly", tally(900, 600, 500, 0))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("body")), "{p}");
    let (s, p, _) = step(&app, &format!("{path}/votes"), &staff, &etag, &vote("villagers_assembly", tally(900, 600, 500, 200))).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("tally.votes_for")), "{p}");
    let (s, v, etag) = step(&app, &format!("{path}/votes"), &staff, &etag, &vote("villagers_assembly_households", tally(300, 199, 199, 0))).await;
    assert_eq!((s, v["outcome"]["result"].as_str(), v["outcome"]["quorum_met"].as_bool()), (200, Some("no_quorum"), Some(false)), "{v}");
    assert_eq!(v["rules"]["status"], "legality_reviewed");
    let (s, v, etag) = step(&app, &format!("{path}/votes"), &staff, &etag, &vote("villagers_assembly_households", tally(300, 200, 100, 100))).await;
    assert_eq!((s, v["outcome"]["result"].as_str()), (200, Some("not_carried")), "{v}");
    let (s, v, etag) = step(&app, &format!("{path}/votes"), &staff, &etag, &vote("villagers_assembly_households", tally(300, 200, 101, 99))).await;
    assert_eq!((s, v["outcome"]["result"].as_str(), v["rules"]["status"].as_str()), (200, Some("passed"), Some("voted")), "{v}");
    let recorded = v["rules"]["steps"].as_array().unwrap().iter().filter(|s| s["step"] == "vote").last().unwrap().clone();
    assert_eq!(recorded["detail"]["tally"]["present"], 200);
    assert_eq!(recorded["detail"]["threshold"]["quorum"], json!({ "numerator": 2, "denominator": 3, "strictly_more": false }));

    // Township first, by township staff; then the district.
    let (s, _, _) = step(&app, &format!("{path}/filings"), &district(), &etag, &json!({ "with": "district", "filed_on": "2022-09-28" })).await;
    assert_eq!(s, 409);
    let (s, _, _) = step(&app, &format!("{path}/filings"), &staff, &etag, &json!({ "with": "township", "filed_on": "2022-09-25" })).await;
    assert_eq!(s, 403);
    let (s, _, etag) = step(&app, &format!("{path}/filings"), &clerk(), &etag, &json!({ "with": "township", "filed_on": "2022-09-25" })).await;
    assert_eq!(s, 200);
    let (s, v, etag) = step(&app, &format!("{path}/filings"), &district(), &etag, &json!({ "with": "district", "filed_on": "2022-09-28" })).await;
    assert_eq!((s, v["status"].as_str()), (200, Some("filed")), "{v}");

    let events = app.expect_events::<RulesFiled>(1).await;
    let (_, filed) = &events[0];
    assert_eq!(filed.rules_id.to_string(), id);
    assert_eq!(filed.version, 1);
    assert_eq!(filed.village_code.as_str(), VILLAGE);
    assert_eq!(filed.legality_reviewed_on.to_string(), "2022-08-05");
    assert_eq!(filed.voted_on.to_string(), "2022-09-20");
    assert_eq!(filed.filed_on.to_string(), "2022-09-28");
    assert_eq!(filed.next_review_due_on.map(|d| d.to_string()).as_deref(), Some("2025-09-28"));

    let (s, v, etag) = step(&app, &format!("{path}/publication"), &staff, &etag, &json!({ "published_on": "2022-10-01" })).await;
    assert_eq!((s, v["published_version"].as_i64()), (200, Some(1)), "{v}");
    // The periodic review falls due; a revision starts version 2 while version 1 stays in force.
    let (s, due) = app.get("/v1/reports/rules-reviews-due?on=2025-10-01", &clerk()).await;
    assert_eq!((s, due.as_array().map(Vec::len)), (200, Some(1)), "{due}");
    let (s, v, _) = step(&app, &format!("{path}/periodic-reviews"), &staff, &etag,
        &json!({ "reviewed_on": today(), "outcome": "revise", "text": "第二版" })).await;
    assert_eq!((s, v["latest_version"].as_i64(), v["published_version"].as_i64(), v["status"].as_str()), (200, Some(2), Some(1), Some("drafted")), "{v}");
}

#[tokio::test]
async fn the_coverage_report_shows_villages_missing_rules_or_any_council() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    register_village(&app, OTHER_VILLAGE, "village", 400).await;
    for kind in ["deliberation", "ceremony", "ethics"] {
        let (s, c) = app.post("/v1/councils", &village_staff(), &json!({ "village_code": VILLAGE, "kind": kind, "established_on": "2022-03-01" })).await;
        assert_eq!(s, 201, "{c}");
    }
    let (s, p) = app.post("/v1/councils", &village_staff(), &json!({ "village_code": VILLAGE, "kind": "ethics", "established_on": "2022-04-01" })).await;
    assert_eq!((s, p["type"].as_str()), (409, Some("urn:minzheng:problem:council-exists")));
    let other_staff = TestApp::token(Role::VillageStaff, OTHER_VILLAGE);
    let (_, council) = app.post("/v1/councils", &other_staff, &json!({ "village_code": OTHER_VILLAGE, "kind": "deliberation", "established_on": "2022-03-01" })).await;
    let id = council["id"].as_str().unwrap();
    let (s, c) = app.post(&format!("/v1/councils/{id}/members"), &other_staff, &json!({ "name": "赵六", "role": "chair", "joined_on": "2022-03-01" })).await;
    assert_eq!((s, c["members"].as_array().map(Vec::len)), (201, Some(1)), "{c}");
    let (s, c) = app.post(&format!("/v1/councils/{id}/meetings"), &other_staff,
        &json!({ "held_on": "2022-05-01", "topic": "修路", "attendees": 12, "resolutions": ["筹资修建村道"] })).await;
    assert_eq!((s, c["meetings"][0]["resolutions"][0].as_str()), (201, Some("筹资修建村道")), "{c}");

    let (s, report) = app.get(&format!("/v1/reports/council-coverage?township_code={YUFENGSHAN}&only_missing=false"), &clerk()).await;
    assert_eq!((s, report["villages"].as_i64(), report["complete"].as_i64()), (200, Some(2), Some(0)), "{report}");
    assert_eq!(report["items"][0]["missing_councils"], json!([]));
    assert_eq!(report["items"][0]["has_rules"], false);

    let (path, etag) = rules_ready_for_vote(&app, VILLAGE).await;
    adopt(&app, VILLAGE, &path, &etag).await;
    let (_, report) = app.get(&format!("/v1/reports/council-coverage?township_code={YUFENGSHAN}"), &clerk()).await;
    assert_eq!(report["complete"], 1, "{report}");
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "only the village missing something: {report}");
    assert_eq!(items[0]["village_code"], OTHER_VILLAGE);
    assert_eq!(items[0]["missing_councils"], json!(["ceremony", "ethics"]));
    // Another township's clerk sees nothing of it.
    let other = TestApp::token(Role::TownshipClerk, LIANGLU);
    assert_eq!(app.get(&format!("/v1/reports/council-coverage?township_code={YUFENGSHAN}"), &other).await.0, 403);
}

fn publicity(opened_on: NaiveDate, closes_on: NaiveDate) -> PublicityOpened {
    serde_json::from_value(json!({
        "publicity_id": Uuid::now_v7(), "application_id": Uuid::now_v7(),
        "publicity_number": format!("GS-2026-{YUFENGSHAN}-{}", &Uuid::now_v7().simple().to_string()[26..].to_uppercase()),
        "round": 1, "programme": "dibao", "residence": "rural", "household_size": 3,
        "proposed_monthly_amount_fen": 95_800, "township_code": YUFENGSHAN, "village_code": VILLAGE,
        "opened_on": opened_on, "closes_on": closes_on }))
    .unwrap()
}

async fn board_on(app: &TestApp, on: NaiveDate) -> Vec<Value> {
    let (s, board) = app.get(&format!("/v1/villages/{VILLAGE}/board?on={on}"), &village_staff()).await;
    assert_eq!(s, 200, "{board}");
    board["items"].as_array().cloned().unwrap_or_default()
}

async fn until_posted(app: &TestApp, event: &PublicityOpened) -> Value {
    let id = event.publicity_id.to_string();
    eventually("the publicity on the village board", Duration::from_secs(20), || async {
        board_on(app, event.opened_on).await.into_iter().find(|i| i["publicity_id"] == id.as_str())
    })
    .await
}

#[tokio::test]
async fn an_aid_publicity_shows_masked_on_the_board_and_an_objection_goes_back_onto_nats() {
    let app = spawn().await;
    let event = publicity(today() - chrono::Days::new(1), today() + chrono::Days::new(5));
    app.publish(&event).await;
    let item = until_posted(&app, &event).await;
    assert_eq!(item["publicity_number"], event.publicity_number.as_str());
    assert_eq!((item["programme"].as_str(), item["household_size"].as_i64(), item["proposed_monthly_amount_fen"].as_i64()), (Some("dibao"), Some(3), Some(95_800)));
    assert!(item.get("application_id").is_none(), "{item}");
    assert!(board_on(&app, event.closes_on + chrono::Days::new(1)).await.is_empty(), "gone after its last day");

    let objection = json!({ "publicity_id": event.publicity_id, "grounds": "income_understated",
        "statement": "他家在城里有门面出租", "objector_name": "钱七", "objector_phone": "13812345678" });
    let (s, raised) = app.post("/v1/objections", &village_staff(), &objection).await;
    assert_eq!(s, 201, "{raised}");
    assert_eq!((raised["objector_name"].as_str(), raised["objector_phone"].as_str()), (Some("钱*"), Some("138****5678")));

    let events = app.expect_events::<PublicityObjectionRaised>(1).await;
    let (raw, e) = &events[0];
    assert_eq!((e.publicity_id, e.application_id), (event.publicity_id, event.application_id));
    assert_eq!(e.objection_id.to_string(), raised["id"].as_str().unwrap());
    assert_eq!((e.raised_on, e.village_code.as_str()), (today(), VILLAGE));
    for personal in ["钱七", "13812345678", "门面"] {
        assert!(!raw.contains(personal), "{personal} leaked: {raw}");
    }
    // The objector's identity only for an allowed role that asks, and that read is audited.
    let path = format!("/v1/objections/{}", raised["id"].as_str().unwrap());
    assert_eq!(app.get(&format!("{path}?unmasked=true"), &village_staff()).await.0, 403);
    let (s, full) = app.get(&format!("{path}?unmasked=true"), &clerk()).await;
    assert_eq!((s, full["objector_name"].as_str()), (200, Some("钱七")));
}

#[tokio::test]
async fn an_objection_after_the_publicity_closed_is_refused_and_nothing_is_published() {
    let app = spawn().await;
    let closed = publicity(today() - chrono::Days::new(8), today() - chrono::Days::new(1));
    app.publish(&closed).await;
    until_posted(&app, &closed).await;
    let objection = json!({ "publicity_id": closed.publicity_id, "grounds": "other", "statement": "不符合条件" });
    let (s, p) = app.post("/v1/objections", &village_staff(), &objection).await;
    assert_eq!((s, p["type"].as_str(), p["errors"][0]["field"].as_str()), (409, Some("urn:minzheng:problem:publicity-closed"), Some("publicity_id")), "{p}");
    // An open one on the same board is accepted, and it is the only objection published.
    let open = publicity(today(), today() + chrono::Days::new(6));
    app.publish(&open).await;
    until_posted(&app, &open).await;
    let objection = json!({ "publicity_id": open.publicity_id, "grounds": "other", "statement": "不符合条件" });
    assert_eq!(app.post("/v1/objections", &village_staff(), &objection).await.0, 201);
    let events = app.expect_events::<PublicityObjectionRaised>(1).await;
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].1.publicity_id, open.publicity_id);
    // Staff of another village cannot object to this village's publicity.
    let elsewhere = TestApp::token(Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(app.post("/v1/objections", &elsewhere, &objection).await.0, 404);
}

#[tokio::test]
async fn a_publicity_delivered_more_than_once_is_posted_once() {
    let app = spawn().await;
    let event = publicity(today(), today() + chrono::Days::new(6));
    app.publish_with_id(&event, "publicity-1").await;
    app.publish_with_id(&event, "publicity-1").await;
    app.publish(&event).await; // the same publicity under another event id (a producer's replay)
    let marker = publicity(today(), today() + chrono::Days::new(6));
    app.publish(&marker).await;
    until_posted(&app, &marker).await;
    let shown: Vec<Value> = board_on(&app, today())
        .await
        .into_iter()
        .filter(|i| i["publicity_id"] == event.publicity_id.to_string().as_str())
        .collect();
    assert_eq!(shown.len(), 1);
}

#[tokio::test]
async fn communities_under_the_staffing_standard_are_reported_and_pay_follows_the_scale() {
    let app = spawn().await;
    register_village(&app, COMMUNITY, "community", 1_500).await;
    register_village(&app, VILLAGE, "village", 900).await;
    let worker = |village: &str, level: &str, q: &str, cert: Option<&str>, started: &str| json!({ "village_code": village,
        "name": "社工", "pay_level": level, "qualification": q, "certificate_number": cert, "started_on": started });
    let (s, p) = app.post("/v1/community-workers", &clerk(), &worker(COMMUNITY, "member", "assistant", None, "2020-01-01")).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("certificate_number")), "{p}");
    let ten_years_ago = today().checked_sub_months(chrono::Months::new(120)).unwrap().to_string();
    let (s, head) = app.post("/v1/community-workers", &clerk(), &worker(COMMUNITY, "head", "assistant", Some("ZS-001"), &ten_years_ago)).await;
    assert_eq!(s, 201, "{head}");
    assert_eq!((head["full_years"].as_i64(), head["monthly_pay_fen"].as_i64()), (Some(10), Some(340_000 + 10 * 3_000 + 20_000)));
    for _ in 0..3 {
        assert_eq!(app.post("/v1/community-workers", &clerk(), &worker(COMMUNITY, "member", "none", None, "2021-01-01")).await.0, 201);
        assert_eq!(app.post("/v1/community-workers", &clerk(), &worker(VILLAGE, "member", "none", None, "2021-01-01")).await.0, 201);
    }
    let (s, report) = app.get(&format!("/v1/reports/community-staffing?township_code={YUFENGSHAN}"), &clerk()).await;
    assert_eq!((s, report["communities"].as_i64(), report["under_standard"].as_i64()), (200, Some(2), Some(1)), "{report}");
    let item = &report["items"][0];
    assert_eq!(item["village_code"], COMMUNITY);
    assert_eq!((item["staffing"]["required"].as_i64(), item["staffing"]["actual"].as_i64(), item["staffing"]["shortfall"].as_i64()), (Some(5), Some(4), Some(1)));
    assert_eq!(item["qualified_workers"], 1);
    assert_eq!(app.post("/v1/community-workers", &village_staff(), &worker(VILLAGE, "member", "none", None, "2021-01-01")).await.0, 403);
}

#[tokio::test]
async fn service_centre_progress_only_moves_forward_and_counts_against_the_years_target() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    register_village(&app, OTHER_VILLAGE, "village", 400).await;
    let project = |v: &str| json!({ "village_code": v, "name": "村级综合服务中心", "year": 2022, "planned_completion_on": "2022-12-31" });
    let (s, a) = app.post("/v1/service-centre-projects", &clerk(), &project(VILLAGE)).await;
    assert_eq!(s, 201, "{a}");
    assert_eq!(app.post("/v1/service-centre-projects", &clerk(), &project(OTHER_VILLAGE)).await.0, 201);
    let path = format!("/v1/service-centre-projects/{}/progress", a["id"].as_str().unwrap());
    let report = |stage: &str, pct: i32, on: &str| json!({ "reported_on": on, "stage": stage, "percent_complete": pct });
    let (s, v, etag) = step(&app, &path, &village_staff(), "\"v1\"", &report("construction", 40, "2022-06-01")).await;
    assert_eq!(s, 200, "{v}");
    let (s, _, _) = step(&app, &path, &village_staff(), "\"v1\"", &report("construction", 60, "2022-07-01")).await;
    assert_eq!(s, 412);
    let (s, p, _) = step(&app, &path, &village_staff(), &etag, &report("design", 60, "2022-07-01")).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("stage")));
    let (s, p, _) = step(&app, &path, &village_staff(), &etag, &report("completed", 90, "2022-07-01")).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("percent_complete")));
    let (s, _, _) = step(&app, &path, &village_staff(), &etag, &report("completed", 100, "2022-11-30")).await;
    assert_eq!(s, 200);
    let (s, r) = app.get("/v1/reports/service-centres?year=2022", &district()).await;
    assert_eq!((s, r["target"].as_i64(), r["projects"].as_i64(), r["built"].as_i64(), r["remaining"].as_i64()), (200, Some(7), Some(2), Some(1), Some(6)), "{r}");
}

#[tokio::test]
async fn a_duty_report_answers_the_years_pledge_and_deliberation_counts_must_add_up() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 900).await;
    let staff = village_staff();
    let (s, m) = app.post("/v1/committee-members", &staff, &json!({ "village_code": VILLAGE, "name": "孙八", "position": "director", "term_from": "2021-01-01" })).await;
    assert_eq!(s, 201, "{m}");
    let member = m["id"].as_str().unwrap();
    let report = json!({ "year": 2022, "summary": "全年走访农户 120 户", "reported_on": "2023-01-10", "assessment": "competent" });
    let (s, p) = app.post(&format!("/v1/committee-members/{member}/duty-reports"), &staff, &report).await;
    assert_eq!((s, p["type"].as_str()), (409, Some("urn:minzheng:problem:no-duty-pledge")), "{p}");
    let pledge = json!({ "year": 2022, "commitments": ["每月走访困难群众"], "pledged_on": "2022-01-15" });
    assert_eq!(app.post(&format!("/v1/committee-members/{member}/duty-pledges"), &staff, &pledge).await.0, 201);
    assert_eq!(app.post(&format!("/v1/committee-members/{member}/duty-pledges"), &staff, &pledge).await.0, 409);
    let (s, v) = app.post(&format!("/v1/committee-members/{member}/duty-reports"), &staff, &report).await;
    assert_eq!((s, v["duty_reports"][0]["assessment"].as_str()), (201, Some("competent")), "{v}");

    let session = |yes: i32| json!({ "village_code": VILLAGE, "held_on": "2022-05-01", "topic": "村道维修", "participants": 15,
        "resolutions": [{ "text": "一事一议筹资", "votes_for": yes, "votes_against": 2, "abstentions": 1, "adopted": true }] });
    let (s, p) = app.post("/v1/deliberations", &staff, &session(13)).await;
    assert_eq!((s, p["errors"][0]["field"].as_str()), (422, Some("resolutions[0].votes_for")));
    assert_eq!(app.post("/v1/deliberations", &staff, &session(12)).await.0, 201);
    let contact = json!({ "member_id": member, "contacted_on": "2022-05-02", "channel": "visit", "households_reached": 6, "issues": "饮水困难" });
    assert_eq!(app.post("/v1/contact-records", &staff, &contact).await.0, 201);
    let elsewhere = TestApp::token(Role::VillageStaff, OTHER_VILLAGE);
    assert_eq!(app.post("/v1/contact-records", &elsewhere, &contact).await.0, 404);
}
