//! Flags to child-welfare: from the recorded parents' situation, and from a parent's death record;
//! duplicates apply once.

use contracts::{
    minor::{ChildAtRiskFlagged, ParentSituation},
    partner::DeathRecorded,
};
use kit::{
    identity::IdNumber,
    testing::{TestApp, eventually},
};
use sea_orm::{ConnectionTrait, Database, Statement};
use serde_json::{Value, json};

use crate::support::*;

fn father_id() -> String {
    id_number("50011219850302111")
}

fn parents(father: Value, mother: Value) -> Value {
    json!({ "father": father, "mother": mother, "recorded_on": "2022-10-10" })
}

fn person_ref(app: &TestApp, id: &str) -> String {
    let key = &app.service().platform.config.person_ref_key;
    key.person_ref(&IdNumber::parse(id).unwrap())
        .as_str()
        .to_owned()
}

#[tokio::test]
async fn parents_meeting_the_conditions_flag_the_child_to_child_welfare_once_and_without_names() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let body = parents(
        json!({ "situation": "imprisoned", "term_months": 36, "since": "2021-06-01", "name": "张大山", "id_number": father_id() }),
        json!({ "situation": "out_of_contact", "since": "2021-12-01", "name": "李小花" }),
    );
    let path = format!("/v1/cases/{id}/parents");
    let (status, assessed) = app.post(&path, &token, &body).await;
    assert_eq!(status, 201, "{assessed}");
    assert_eq!(
        (assessed["finding"].as_str(), assessed["flagged"].as_bool()),
        (Some("de_facto_unsupported"), Some(true))
    );

    let events = app.expect_events::<ChildAtRiskFlagged>(1).await;
    let (raw, flag) = &events[0];
    assert_eq!(flag.person_ref.as_str(), person_ref(&app, &child_id()));
    assert_eq!(flag.father.situation, ParentSituation::Imprisoned);
    assert_eq!(
        flag.father
            .person_ref
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        Some(person_ref(&app, &father_id()))
    );
    assert_eq!(
        (flag.mother.situation, flag.mother.person_ref.as_ref()),
        (ParentSituation::OutOfContact, None)
    );
    assert_eq!(flag.case_id.map(|c| c.to_string()), Some(id.clone()));
    assert_eq!(flag.village_code.as_str(), YUFENGSHAN_VILLAGE);
    for secret in [
        "张小明",
        "张大山",
        "李小花",
        &child_id(),
        &father_id(),
        &child_id()[6..14],
        "3组",
    ] {
        assert!(!raw.contains(secret), "{secret} leaked: {raw}");
    }
    // The same situation recorded again does not flag twice.
    let (_, again) = app.post(&path, &token, &body).await;
    assert_eq!(again["flagged"], false, "{again}");
    // The restricted view shows nothing of the parents; the holder sees their situation.
    let (_, restricted) = case(&app, &district(), &id).await;
    assert!(restricted.get("parents").is_none());
    for secret in ["imprisoned", "out_of_contact", "张大山"] {
        assert!(
            !restricted.to_string().contains(secret),
            "{secret} in {restricted}"
        );
    }
    let (_, full) = case(&app, &token, &id).await;
    assert_eq!(full["parents"][0]["situation"], "imprisoned");
}

#[tokio::test]
async fn missing_evidence_or_a_present_parent_raises_no_flag() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let path = format!("/v1/cases/{id}/parents");
    let no_term = parents(
        json!({ "situation": "imprisoned" }),
        json!({ "situation": "out_of_contact" }),
    );
    let (status, p) = app.post(&path, &token, &no_term).await;
    assert_eq!(status, 422);
    let fields: Vec<&str> = p["errors"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["father.term_months", "mother.since"]);
    let one_present = parents(
        json!({ "situation": "severe_illness" }),
        json!({ "situation": "present" }),
    );
    let (_, assessed) = app.post(&path, &token, &one_present).await;
    assert_eq!(
        (assessed["finding"].as_str(), assessed["flagged"].as_bool()),
        (Some("not_met"), Some(false))
    );
    // Too recent a loss of contact does not count yet.
    let recent = parents(
        json!({ "situation": "dead", "since": "2020-01-01" }),
        json!({ "situation": "out_of_contact", "since": "2022-06-01" }),
    );
    assert_eq!(
        app.post(&path, &token, &recent).await.1["finding"],
        "not_met"
    );
    assert!(app.events::<ChildAtRiskFlagged>().await.is_empty());
}

#[tokio::test]
async fn a_parents_death_record_flags_the_child_and_duplicates_apply_once() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let body = parents(
        json!({ "situation": "present", "id_number": father_id() }),
        json!({ "situation": "compulsory_detox", "term_months": 24, "since": "2022-03-01" }),
    );
    let (_, assessed) = app
        .post(&format!("/v1/cases/{id}/parents"), &token, &body)
        .await;
    assert_eq!(assessed["finding"], "not_met", "{assessed}");

    let death: DeathRecorded = serde_json::from_value(json!({
        "record_number": "YB-D-2022-0931", "id_number": father_id(), "date_of_death": "2022-11-02",
        "source": "medical", "registering_division": YUFENGSHAN, "recorded_on": "2022-11-03" }))
    .unwrap();
    app.publish_with_id(&death, "death-of-the-father").await;
    app.publish_with_id(&death, "death-of-the-father").await;
    // The registry sends the same record again under a new event id.
    app.publish(&death).await;

    let db = Database::connect(&app.database_url).await.unwrap();
    eventually("both distinct deliveries handled", std::time::Duration::from_secs(20), || async {
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM kit_inbox WHERE subject = 'partner.civil-registry.death.recorded.v1'",
            ))
            .await
            .ok()??;
        (row.try_get::<i64>("", "n").ok()? == 2).then_some(())
    })
    .await;
    let events = app.expect_events::<ChildAtRiskFlagged>(1).await;
    assert_eq!(events.len(), 1, "one flag for one death");
    let flag = &events[0].1;
    assert_eq!(
        (flag.father.situation, flag.mother.situation),
        (ParentSituation::Dead, ParentSituation::CompulsoryDetox)
    );
    assert_eq!(flag.flagged_on.to_string(), "2022-11-03");
    let (_, v) = case(&app, &token, &id).await;
    let deaths = v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "parent_died")
        .count();
    assert_eq!(deaths, 1);
    assert_eq!(
        v["parents"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["parent"] == "father")
            .unwrap()["situation"],
        "dead"
    );
}
