//! Partner facts: a child's death ends the allowance in the month of death; a parent's death or
//! certificate re-evaluates the child; a fact delivered twice applies once.

use contracts::{
    child::{AllowanceEndReason, AllowanceEnded, AllowanceStarted, ChildCategory},
    partner::{CertificateChanged, DeathRecorded},
};
use serde_json::json;

use crate::support::*;

async fn decided_on(app: &kit::testing::TestApp, id: &str) -> String {
    let (_, view) = app.get(&format!("/v1/children/{id}"), &clerk()).await;
    view["decided_on"].as_str().unwrap().to_owned()
}

fn death(id: &str, on: &str, record: &str) -> DeathRecorded {
    serde_json::from_value(json!({
        "record_number": record, "id_number": id, "date_of_death": on,
        "source": "medical", "registering_division": LIANGLU, "recorded_on": on }))
    .unwrap()
}

#[tokio::test]
async fn a_childs_death_ends_the_allowance_once_even_when_delivered_twice() {
    let app = spawn().await;
    let child = id_number(CHILD);
    let (id, decided) = register(&app, &de_facto_body(&child)).await;
    let second = id_number("50011220160701234");
    let (second_id, _) = register(&app, &de_facto_body(&second)).await;
    let died_on = decided_on(&app, &id).await;
    let fact = death(&child, &died_on, "D2026-0001");
    app.publish_with_id(&fact, "death-1").await;
    app.publish_with_id(&fact, "death-2").await;
    app.publish(&death(&second, &died_on, "D2026-0002")).await;
    let ended = app.expect_events::<AllowanceEnded>(2).await;
    let mine: Vec<_> = ended
        .iter()
        .filter(|(_, e)| e.child_id.to_string() == id)
        .collect();
    assert_eq!(mine.len(), 1);
    assert_eq!(mine[0].1.reason, AllowanceEndReason::Death);
    // The month of death is the last month paid: died in the month of approval, nothing is paid.
    assert_eq!(mine[0].1.end_month, start_month(&decided).prev());
    let view = child_until(&app, &id, "the child marked deceased", |v| {
        v["status"] == "ended"
    })
    .await;
    assert_eq!(view["deceased_on"], died_on);
    child_until(&app, &second_id, "the second child ended", |v| {
        v["status"] == "ended"
    })
    .await;
}

#[tokio::test]
async fn the_death_of_the_imprisoned_parent_makes_the_child_an_orphan_from_the_next_month() {
    let app = spawn().await;
    let (id, decided) = register(&app, &de_facto_body(&id_number(CHILD))).await;
    let died_on = decided_on(&app, &id).await;
    app.publish(&death(&id_number(FATHER), &died_on, "D2026-0003"))
        .await;
    let ended = app.expect_events::<AllowanceEnded>(1).await;
    assert_eq!(ended[0].1.reason, AllowanceEndReason::CategoryChanged);
    assert_eq!(ended[0].1.end_month, start_month(&decided).prev());
    let started = app.expect_events::<AllowanceStarted>(2).await;
    assert_eq!(started[1].1.category, ChildCategory::Orphan);
    assert_eq!(started[1].1.start_month, start_month(&decided));
    let view = child_until(&app, &id, "the child recategorised", |v| {
        v["allowances"].as_array().is_some_and(|a| a.len() == 2)
    })
    .await;
    assert_eq!(view["category"], "orphan");
}

#[tokio::test]
async fn a_parents_certificate_reassessed_below_severe_ends_the_allowance() {
    let app = spawn().await;
    let father = id_number(FATHER);
    let mut body = de_facto_body(&id_number(CHILD));
    body["father"]["conditions"] = json!([{ "situation": "severe_disability", "since": "2023-03-01",
        "disability_category": "physical", "disability_level": 2, "evidence": "残疾人证 (肢体二级)" }]);
    let (id, _) = register(&app, &body).await;
    let changed_on = decided_on(&app, &id).await;
    let fact: CertificateChanged = serde_json::from_value(json!({
        "certificate_number": format!("{father}43"), "id_number": father, "category": "physical",
        "level": 3, "previous_certificate_number": format!("{father}42"), "change": "reassessed",
        "expires_on": "2034-05-01", "registration_division": LIANGLU, "changed_on": changed_on }))
    .unwrap();
    app.publish(&fact).await;
    let ended = app.expect_events::<AllowanceEnded>(1).await;
    assert_eq!(ended[0].1.reason, AllowanceEndReason::ConditionsEnded);
}
