//! Minor-protection flags: a flag whose situations satisfy the predicate registers the child at
//! once; one that does not opens an evaluation staff complete with evidence; duplicates apply once.

use std::time::Duration;

use contracts::{
    child::{AllowanceStarted, Registered, RegistrationOrigin},
    common::{PersonRef, TownshipCode, VillageCode},
    minor::{ChildAtRiskFlagged, Parent, ParentSituation},
    partner::{CertificateIssued, DisabilityCategory},
};
use kit::testing::{TestApp, eventually};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::support::*;

fn flag(child: &str, father: ParentSituation, mother: ParentSituation) -> ChildAtRiskFlagged {
    ChildAtRiskFlagged {
        flag_id: Uuid::now_v7(),
        person_ref: PersonRef::parse(&person_ref(child)).unwrap(),
        father: Parent {
            situation: father,
            person_ref: Some(PersonRef::parse(&person_ref(&id_number(FATHER))).unwrap()),
            since: None,
            expected_end: None,
        },
        mother: Parent {
            situation: mother,
            person_ref: None,
            since: None,
            expected_end: None,
        },
        case_id: Some(Uuid::now_v7()),
        birth_month: None,
        township_code: TownshipCode::parse(LIANGLU).unwrap(),
        village_code: VillageCode::parse(LIANGLU_VILLAGE).unwrap(),
        flagged_on: chrono::NaiveDate::from_ymd_opt(2026, 11, 20).unwrap(),
    }
}

async fn evaluations(app: &TestApp, n: usize) -> Vec<Value> {
    eventually("evaluations", Duration::from_secs(20), || async {
        let (_, v) = app.get("/v1/evaluations", &clerk()).await;
        let items = v["items"].as_array().cloned().unwrap_or_default();
        (items.len() >= n).then_some(items)
    })
    .await
}

#[tokio::test]
async fn a_flag_that_satisfies_the_predicate_registers_the_child_and_starts_the_allowance() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let f = flag(
        &child,
        ParentSituation::Imprisoned,
        ParentSituation::OutOfContact,
    );
    app.publish(&f).await;
    let registered = app.expect_events::<Registered>(1).await;
    let (_, r) = &registered[0];
    assert_eq!(r.origin, RegistrationOrigin::AtRiskFlag);
    assert_eq!(r.at_risk_flag_id, Some(f.flag_id));
    assert_eq!(r.person_ref.as_str(), person_ref(&child));
    let started = app.expect_events::<AllowanceStarted>(1).await;
    assert_eq!(started[0].1.monthly_amount_fen, 120_000);
    assert_eq!(
        started[0].1.start_month,
        contracts::common::Month::from_date(started[0].1.approved_on).next()
    );
    let items = evaluations(&app, 1).await;
    assert_eq!(items[0]["status"], "registered");
    // The registration waits for the child's identity and the dated evidence.
    let id = r.child_id.to_string();
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["evidence_pending"], true);
    // Staff complete the identity: only the ID number the flag's person_ref came from fits.
    let url = format!("{}/v1/children/{id}/identity", app.base);
    let wrong = app
        .http
        .put(&url)
        .bearer_auth(clerk())
        .json(&json!({ "id_number": id_number("50011220150601124"), "name": "小红" }))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status().as_u16(), 422);
    let right = app
        .http
        .put(&url)
        .bearer_auth(clerk())
        .json(&json!({ "id_number": child, "name": "小红" }))
        .send()
        .await
        .unwrap();
    assert_eq!(right.status().as_u16(), 204);
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    assert_eq!(view["birth_date"], "2015-06-01");
}

#[tokio::test]
async fn a_flag_delivered_again_under_another_event_id_registers_once() {
    let app = spawn().await;
    let f = flag(
        &id_number(CHILD),
        ParentSituation::Dead,
        ParentSituation::Deported,
    );
    app.publish_with_id(&f, "flag-a").await;
    app.publish_with_id(&f, "flag-a").await;
    app.publish_with_id(&f, "flag-b").await;
    // A later flag for another child, on the same consumer, proves the earlier ones were handled.
    let other = flag(
        &id_number("50011220160701234"),
        ParentSituation::Dead,
        ParentSituation::Missing,
    );
    app.publish(&other).await;
    evaluations(&app, 2).await;
    let registered = app.expect_events::<Registered>(2).await;
    assert_eq!(registered.len(), 2);
    assert_eq!(app.events::<AllowanceStarted>().await.len(), 2);
    // Both parents dead or missing: an orphan.
    assert_eq!(
        registered[1].1.category,
        contracts::child::ChildCategory::Orphan
    );
}

#[tokio::test]
async fn a_flag_short_of_the_predicate_opens_an_evaluation_staff_complete_with_evidence() {
    let app = spawn().await;
    let child = id_number(CHILD);
    // A claimed severe disability without a certificate on record is not enough on its own.
    let f = flag(
        &child,
        ParentSituation::SevereDisability,
        ParentSituation::Dead,
    );
    app.publish(&f).await;
    let items = evaluations(&app, 1).await;
    assert_eq!(items[0]["status"], "open");
    assert!(
        items[0]["outcome"]
            .as_str()
            .unwrap()
            .contains("no certificate"),
        "{}",
        items[0]
    );
    let path = format!(
        "/v1/evaluations/{}/completion",
        items[0]["id"].as_str().unwrap()
    );
    let mut body = de_facto_body(&child);
    body["father"]["conditions"] = json!([{ "situation": "severe_disability", "since": "2023-03-01",
        "disability_category": "mental", "disability_level": 3, "evidence": "残疾人证 (精神三级)" }]);
    let (status, problem) = app
        .post(&path, &clerk(), &{
            let mut wrong = body.clone();
            wrong["id_number"] = json!(id_number("50011220150601124"));
            wrong
        })
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("id_number"))
    );
    let (status, submitted) = app.post(&path, &clerk(), &body).await;
    assert_eq!(status, 201, "{submitted}");
    assert_eq!(submitted["status"], "pending_approval");
    let (status, decided) = app
        .post(
            &format!(
                "/v1/children/{}/decision",
                submitted["id"].as_str().unwrap()
            ),
            &approver(),
            &json!({ "approve": true }),
        )
        .await;
    assert_eq!(status, 200, "{decided}");
    let registered = app.expect_events::<Registered>(1).await;
    assert_eq!(registered[0].1.origin, RegistrationOrigin::AtRiskFlag);
    let (_, e) = app
        .get(
            &format!("/v1/evaluations/{}", items[0]["id"].as_str().unwrap()),
            &clerk(),
        )
        .await;
    assert_eq!(e["status"], "submitted");
    assert_eq!(app.post(&path, &clerk(), &body).await.0, 409);
}

#[tokio::test]
async fn a_parents_certificate_arriving_later_registers_the_flagged_child() {
    let app = spawn().await;
    let f = flag(
        &id_number(CHILD),
        ParentSituation::SevereDisability,
        ParentSituation::Dead,
    );
    app.publish(&f).await;
    assert_eq!(evaluations(&app, 1).await[0]["status"], "open");
    let father = id_number(FATHER);
    let cert: CertificateIssued = serde_json::from_value(json!({
        "certificate_number": format!("{father}41"), "id_number": father, "category": "physical",
        "level": 1, "issued_on": "2024-05-01", "expires_on": "2034-05-01",
        "registration_division": LIANGLU }))
    .unwrap();
    app.publish(&cert).await;
    let registered = app.expect_events::<Registered>(1).await;
    assert_eq!(registered[0].1.at_risk_flag_id, Some(f.flag_id));
    assert_eq!(evaluations(&app, 1).await[0]["status"], "registered");
    let _ = DisabilityCategory::Physical;
}
