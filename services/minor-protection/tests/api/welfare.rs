//! child-welfare's facts about a case's child: the registration and the allowance on the full
//! view, a flag only on the restricted view, notes on the case, no flag raised again for a child
//! child-welfare already supports; out-of-order and repeated facts.

use std::time::Duration;

use contracts::{
    child::{
        AllowanceChangeReason, AllowanceChanged, AllowanceEndReason, AllowanceEnded,
        AllowanceStarted, CareMode, ChildCategory, Registered, RegistrationOrigin,
    },
    common::{PersonRef, TownshipCode, VillageCode},
    minor::ChildAtRiskFlagged,
};
use kit::{
    Principal, Role,
    identity::{DivisionCode, IdNumber},
    testing::{TestApp, eventually},
};
use minor_protection::commands::{access, cases};
use sea_orm::{ConnectionTrait, Database, Statement, TransactionTrait};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

fn child_ref(app: &TestApp) -> PersonRef {
    let key = &app.service().platform.config.person_ref_key;
    PersonRef::parse(
        key.person_ref(&IdNumber::parse(&child_id()).unwrap())
            .as_str(),
    )
    .unwrap()
}

struct Ids {
    child: Uuid,
    allowance: Uuid,
}

fn ids() -> Ids {
    Ids {
        child: Uuid::now_v7(),
        allowance: Uuid::now_v7(),
    }
}

fn registered(app: &TestApp, ids: &Ids, on: &str) -> Registered {
    Registered {
        child_id: ids.child,
        person_ref: child_ref(app),
        category: ChildCategory::DeFactoUnsupported,
        care_mode: CareMode::FamilyBased,
        origin: RegistrationOrigin::AtRiskFlag,
        at_risk_flag_id: None,
        township_code: TownshipCode::parse(YUFENGSHAN).unwrap(),
        village_code: VillageCode::parse(YUFENGSHAN_VILLAGE).unwrap(),
        registered_on: on.parse().unwrap(),
    }
}

fn started(app: &TestApp, ids: &Ids, month: &str) -> AllowanceStarted {
    AllowanceStarted {
        allowance_id: ids.allowance,
        child_id: ids.child,
        person_ref: child_ref(app),
        category: ChildCategory::DeFactoUnsupported,
        care_mode: CareMode::FamilyBased,
        start_month: month.parse().unwrap(),
        monthly_amount_fen: 120_000,
        township_code: TownshipCode::parse(YUFENGSHAN).unwrap(),
        village_code: VillageCode::parse(YUFENGSHAN_VILLAGE).unwrap(),
        approved_on: "2022-10-20".parse().unwrap(),
    }
}

fn ended(app: &TestApp, ids: &Ids, last: &str, reason: AllowanceEndReason) -> AllowanceEnded {
    AllowanceEnded {
        allowance_id: ids.allowance,
        child_id: ids.child,
        person_ref: child_ref(app),
        reason,
        end_month: last.parse().unwrap(),
        township_code: TownshipCode::parse(YUFENGSHAN).unwrap(),
        village_code: VillageCode::parse(YUFENGSHAN_VILLAGE).unwrap(),
        ended_on: "2023-03-10".parse().unwrap(),
    }
}

/// Waits until the holder's full view of the case satisfies `check`.
async fn full_view_until(
    app: &TestApp,
    id: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let token = township(YUFENGSHAN);
    eventually(what, Duration::from_secs(20), || async {
        let (_, v) = case(app, &token, id).await;
        check(&v).then_some(v)
    })
    .await
}

/// Waits until `n` events of `subject` went through the inbox.
async fn handled(app: &TestApp, subject: &str, n: i64) {
    let db = Database::connect(&app.database_url).await.unwrap();
    let sql = format!("SELECT COUNT(*) AS n FROM kit_inbox WHERE subject = '{subject}'");
    eventually(
        &format!("{n} × {subject} handled"),
        Duration::from_secs(20),
        || async {
            let row = db
                .query_one_raw(Statement::from_string(
                    db.get_database_backend(),
                    sql.clone(),
                ))
                .await
                .ok()??;
            (row.try_get::<i64>("", "n").ok()? == n).then_some(())
        },
    )
    .await;
}

fn welfare_notes(v: &Value) -> usize {
    v["actions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["kind"] == "child_welfare")
        .count()
}

/// Parents meeting the de facto unsupported conditions (father imprisoned, mother out of contact).
fn qualifying_parents() -> Value {
    json!({
        "father": { "situation": "imprisoned", "term_months": 36, "since": "2021-06-01" },
        "mother": { "situation": "out_of_contact", "since": "2021-12-01" },
        "recorded_on": "2022-10-10",
    })
}

#[tokio::test]
async fn the_holder_sees_the_childs_registration_and_allowance_and_others_only_a_flag() {
    let app = spawn().await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, false),
    )
    .await;
    let (_, before) = case(&app, &township(YUFENGSHAN), &id).await;
    assert_eq!(before["child_welfare_registered"], false, "{before}");
    assert!(before.get("child_welfare").is_none());

    let ids = ids();
    let registration = registered(&app, &ids, "2022-10-20");
    app.publish_with_id(&registration, "registration").await;
    app.publish_with_id(&registration, "registration").await;
    // The same registration again under another event id is the same fact.
    app.publish(&registration).await;
    app.publish(&started(&app, &ids, "2022-11")).await;
    handled(&app, "child.registered.v1", 2).await;

    let full = full_view_until(&app, &id, "registration and allowance shown", |v| {
        v["child_welfare"]["allowance"] == "running"
    })
    .await;
    assert_eq!(
        full["child_welfare"],
        json!({
            "registered": true, "category": "de_facto_unsupported", "care_mode": "family_based",
            "registered_on": "2022-10-20", "allowance": "running", "allowance_since": "2022-11",
            "allowance_last_month": null, "allowance_end_reason": null,
        })
    );
    assert_eq!(full["child_welfare_registered"], true);
    assert_eq!(welfare_notes(&full), 1, "one note for one registration");
    let note = full["actions"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["kind"] == "child_welfare")
        .unwrap();
    assert_eq!(
        note["detail"],
        "registered as de_facto_unsupported (family_based) on 2022-10-20"
    );

    let (status, restricted) = case(&app, &district(), &id).await;
    assert_eq!(status, 200, "{restricted}");
    assert_eq!(restricted["view"], "restricted");
    assert_eq!(restricted["child_welfare_registered"], true);
    assert!(restricted.get("child_welfare").is_none(), "{restricted}");
    for secret in ["de_facto_unsupported", "family_based", "2022-11"] {
        assert!(
            !restricted.to_string().contains(secret),
            "{secret} in {restricted}"
        );
    }
    // Lists show neither.
    let (_, list) = app.get("/v1/cases", &township(YUFENGSHAN)).await;
    assert!(!list.to_string().contains("child_welfare"), "{list}");
}

#[tokio::test]
async fn an_ended_allowance_shows_its_last_month_and_reason_and_is_noted_once() {
    let app = spawn().await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, false),
    )
    .await;
    let ids = ids();
    // The end overtakes the start and the registration on the bus.
    let end = ended(&app, &ids, "2023-03", AllowanceEndReason::ConditionsEnded);
    app.publish(&end).await;
    app.publish(&end).await;
    app.publish(&started(&app, &ids, "2022-11")).await;
    app.publish(&registered(&app, &ids, "2022-10-20")).await;
    handled(&app, "child.allowance.ended.v1", 2).await;

    let full = full_view_until(&app, &id, "ended allowance shown", |v| {
        v["child_welfare"]["registered"] == true && welfare_notes(v) == 2
    })
    .await;
    let w = &full["child_welfare"];
    assert_eq!(
        (
            w["allowance"].as_str(),
            w["allowance_last_month"].as_str(),
            w["allowance_since"].as_str(),
            w["allowance_end_reason"].as_str(),
        ),
        (
            Some("ended"),
            Some("2023-03"),
            Some("2023-04"),
            Some("conditions_ended")
        ),
        "{full}"
    );
    assert!(
        full["actions"]
            .as_array()
            .unwrap()
            .iter()
            .any(|a| a["detail"] == "allowance ended (conditions_ended), last month paid 2023-03"),
        "{full}"
    );
}

#[tokio::test]
async fn a_change_of_category_shows_the_new_one_even_when_it_arrives_before_the_start() {
    let app = spawn().await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, false),
    )
    .await;
    let ids = ids();
    let change = AllowanceChanged {
        allowance_id: ids.allowance,
        child_id: ids.child,
        person_ref: child_ref(&app),
        category: ChildCategory::Orphan,
        care_mode: CareMode::Institutional,
        monthly_amount_fen: 160_000,
        previous_monthly_amount_fen: 120_000,
        effective_month: "2023-02".parse().unwrap(),
        reason: AllowanceChangeReason::CategoryChanged,
        township_code: TownshipCode::parse(YUFENGSHAN).unwrap(),
        village_code: VillageCode::parse(YUFENGSHAN_VILLAGE).unwrap(),
        changed_on: "2023-01-15".parse().unwrap(),
    };
    app.publish(&registered(&app, &ids, "2022-10-20")).await;
    app.publish(&change).await;
    app.publish(&started(&app, &ids, "2022-11")).await;
    let full = full_view_until(&app, &id, "allowance running", |v| {
        v["child_welfare"]["allowance_since"] == "2022-11"
            && v["child_welfare"]["category"] == "orphan"
    })
    .await;
    assert_eq!(
        full["child_welfare"]["care_mode"], "institutional",
        "{full}"
    );
}

#[tokio::test]
async fn a_child_child_welfare_already_supports_is_not_flagged_again_until_its_allowance_ends() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let ids = ids();
    app.publish(&registered(&app, &ids, "2022-10-05")).await;
    app.publish(&started(&app, &ids, "2022-11")).await;
    // Both facts applied (they travel on different subjects, in either order), so neither
    // changes the case while the parents are recorded.
    full_view_until(&app, &id, "registered, allowance running", |v| {
        v["child_welfare"]["allowance"] == "running"
            && v["child_welfare"]["registered_on"] == "2022-10-05"
    })
    .await;

    let path = format!("/v1/cases/{id}/parents");
    let (status, assessed) = app.post(&path, &token, &qualifying_parents()).await;
    assert_eq!(status, 201, "{assessed}");
    assert_eq!(
        (
            assessed["finding"].as_str(),
            assessed["flagged"].as_bool(),
            assessed["note"].as_str()
        ),
        (
            Some("de_facto_unsupported"),
            Some(false),
            Some("child-welfare already registers and supports the child")
        )
    );

    // The conditions ended at child-welfare: the same situation recorded again flags the child.
    app.publish(&ended(
        &app,
        &ids,
        "2023-03",
        AllowanceEndReason::ConditionsEnded,
    ))
    .await;
    full_view_until(&app, &id, "allowance ended", |v| {
        v["child_welfare"]["allowance"] == "ended"
    })
    .await;
    let (_, again) = app.post(&path, &token, &qualifying_parents()).await;
    assert_eq!(again["flagged"], true, "{again}");
    let events = app.expect_events::<ChildAtRiskFlagged>(1).await;
    assert_eq!(events.len(), 1);
}

#[tokio::test]
async fn a_case_opened_after_the_registration_shows_it_and_a_closed_case_gets_no_note() {
    let app = spawn().await;
    let token = township(YUFENGSHAN);
    let closed = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let (status, v) = post_if_match(
        &app,
        &format!("/v1/cases/{closed}/closure"),
        &token,
        Some(1),
        &json!({ "outcome": "resolved", "reason": "家访后情况稳定", "closed_on": "2022-10-12" }),
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let ids = ids();
    app.publish(&registered(&app, &ids, "2022-10-20")).await;
    full_view_until(&app, &closed, "registration recorded", |v| {
        v["child_welfare_registered"] == true
    })
    .await;
    let id = open(&app, &token, &report(YUFENGSHAN_VILLAGE, false)).await;
    let full = full_view_until(&app, &id, "registration shown", |v| {
        v["child_welfare"]["registered"] == true
    })
    .await;
    assert_eq!(full["child_welfare"]["allowance"], "not_started");
    assert_eq!(welfare_notes(&full), 0, "opened after the registration");
    let (_, old) = case(&app, &token, &closed).await;
    assert_eq!(welfare_notes(&old), 0, "closed cases are not written to");
}

#[tokio::test]
async fn a_fact_arriving_while_a_command_holds_the_case_waits_for_it_instead_of_failing_it() {
    let app = spawn().await;
    let id = open(
        &app,
        &township(YUFENGSHAN),
        &report(YUFENGSHAN_VILLAGE, false),
    )
    .await;
    let version = case(&app, &township(YUFENGSHAN), &id).await.1["version"]
        .as_i64()
        .unwrap();
    let holder = Principal {
        subject: "clerk-1".into(),
        role: Role::TownshipClerk,
        division: DivisionCode::parse(YUFENGSHAN).unwrap(),
    };
    let case_id: Uuid = id.parse().unwrap();
    let db = Database::connect(&app.database_url).await.unwrap();

    // A command (recording the parents, say) has loaded the case, as every command starts, and
    // has not saved it yet when child-welfare's registration of the child arrives.
    let tx = db.begin().await.unwrap();
    let loaded = access::load(&tx, &holder, case_id).await.unwrap();
    app.publish(&registered(&app, &ids(), "2022-10-20")).await;
    tokio::time::sleep(Duration::from_secs(2)).await;
    let noted = db
        .query_one_raw(Statement::from_string(
            db.get_database_backend(),
            "SELECT COUNT(*) AS n FROM kit_inbox WHERE subject = 'child.registered.v1'",
        ))
        .await
        .unwrap()
        .unwrap()
        .try_get::<i64>("", "n")
        .unwrap();
    assert_eq!(noted, 0, "the fact changed the case under the command");
    // The command's save at the version it read succeeds: no "changed meanwhile" for a caller who
    // sent no version.
    let saved = cases::save(&tx, case_id, loaded.case.version, Default::default())
        .await
        .expect("the command's save");
    tx.commit().await.unwrap();

    // Then the fact is noted, on top of the command's change.
    handled(&app, "child.registered.v1", 1).await;
    let full = full_view_until(&app, &id, "the registration noted", |v| {
        welfare_notes(v) == 1
    })
    .await;
    assert_eq!(i64::from(saved), version + 1);
    assert_eq!(full["version"], version + 2, "{full}");
}
