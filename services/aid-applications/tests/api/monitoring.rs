//! Low-income monitoring through NATS and the REST edge: partner flags and certificates open
//! active-discovery tasks (flow 6), the population view, closure with a referral, and the
//! refusals (another township, a closed task, a missing note).

use std::time::Duration;

use crate::procedure_support::*;
use contracts::{
    aid::ReferralRequested,
    partner::{CertificateIssued, HouseholdFlagged},
};
use kit::{
    Role,
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};

fn flag(head: &str, flag_id: &str) -> HouseholdFlagged {
    serde_json::from_value(
        json!({ "flag_id": flag_id, "head_id_number": head, "household_size": 2,
        "risk": "illness", "village_code": LIANGLU_VILLAGE, "flagged_on": "2022-07-25" }),
    )
    .unwrap()
}

fn certificate(id_number: &str, category: (&str, u8), level: u8) -> CertificateIssued {
    serde_json::from_value(json!({
        "certificate_number": format!("{id_number}{}{level}", category.1), "id_number": id_number,
        "category": category.0, "level": level, "issued_on": today().to_string(),
        "expires_on": "2035-06-19", "registration_division": LIANGLU }))
    .unwrap()
}

async fn tasks(app: &TestApp, token: &str) -> Vec<Value> {
    let (status, page) = app.get("/v1/discovery-tasks", token).await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

/// Takes a marginal-household application through the procedure to confirmation.
async fn marginal(app: &TestApp, household: &str) {
    let id = submit(app, household, json!({ "programme": "marginal" })).await;
    let request = to_investigation(app, &id).await;
    answer_verification(app, &id, &request, 150_000, true).await;
    step(app, &id, "review", &reviewer(), json!({ "on": day(4) })).await;
    step(app, &id, "publicity", &clerk(), json!({ "on": day(5) })).await;
    step(
        app,
        &id,
        "publicity/close",
        &clerk(),
        json!({ "on": day(12) }),
    )
    .await;
    confirm(app, &id, None).await;
}

/// Waits until the service has handled `n` events of `subject` (its inbox rows), so a test can
/// check that handling them opened nothing.
async fn handled(app: &TestApp, subject: &str, n: i64) {
    use sea_orm::{ConnectionTrait, Statement};
    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    eventually(subject, Duration::from_secs(20), || async {
        let row = db
            .query_one_raw(Statement::from_sql_and_values(
                db.get_database_backend(),
                "SELECT COUNT(*) AS n FROM kit_inbox WHERE subject = $1",
                [subject.into()],
            ))
            .await
            .unwrap()?;
        (row.try_get::<i64>("", "n").unwrap() >= n).then_some(())
    })
    .await;
}

async fn wait_for_tasks(app: &TestApp, n: usize) -> Vec<Value> {
    eventually("discovery tasks", Duration::from_secs(20), || async {
        let t = tasks(app, &clerk()).await;
        (t.len() >= n).then_some(t)
    })
    .await
}

#[tokio::test]
async fn a_partner_flag_opens_one_task_for_the_registered_household_whatever_the_redeliveries() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let head = id_number("50011219850315122");
    let fact = flag(&head, "0190f4b0-1f2a-7b3c-8d4e-5f60718293a4");
    app.publish(&fact).await;
    let open = wait_for_tasks(&app, 1).await;
    assert_eq!(open[0]["kind"], "assess_household");
    assert_eq!(open[0]["household_id"], household.as_str());
    assert_eq!(open[0]["risk"], "illness");
    // The same flag re-sent under another event id, and the same event twice: still one task.
    let again = app.publish(&fact).await;
    app.publish_with_id(&fact, &again).await;
    app.publish(&flag(
        &id_number("50011219700101203"),
        "0190f4b0-1f2a-7b3c-8d4e-5f60718293a5",
    ))
    .await;
    let all = wait_for_tasks(&app, 2).await;
    assert_eq!(all.len(), 2, "{all:?}");
    assert_eq!(
        all[1]["household_id"],
        Value::Null,
        "an unregistered household is still a task"
    );

    let (_, population) = app.get("/v1/low-income", &clerk()).await;
    let items = population["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{population}");
    assert_eq!(items[0]["household_id"], household.as_str());
    assert_eq!(items[0]["categories"], json!(["partner_flagged"]));

    // Another township sees neither the tasks nor the population.
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    assert!(tasks(&app, &other).await.is_empty());
    let path = format!("/v1/discovery-tasks/{}", open[0]["id"].as_str().unwrap());
    assert_eq!(app.get(&path, &other).await.0, 404);
    let (_, theirs) = app.get("/v1/low-income", &other).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn closing_a_task_as_referred_publishes_the_referral_and_a_closed_task_stays_closed() {
    let app = spawn().await;
    poor_household(&app).await;
    app.publish(&flag(
        &id_number("50011219850315122"),
        "0190f4b0-1f2a-7b3c-8d4e-5f60718293a4",
    ))
    .await;
    let task = &wait_for_tasks(&app, 1).await[0];
    let path = format!(
        "/v1/discovery-tasks/{}/closure",
        task["id"].as_str().unwrap()
    );
    let (status, problem) = app
        .post(
            &path,
            &clerk(),
            &json!({ "outcome": "referred", "note": " " }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "note");
    let (status, problem) = app
        .post(
            &path,
            &clerk(),
            &json!({ "outcome": "referred", "note": "入户核实：因病支出大" }),
        )
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "assistance");
    assert_eq!(
        app.post(
            &path,
            &TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO),
            &json!({ "outcome": "not_eligible", "note": "x" })
        )
        .await
        .0,
        404
    );

    let (status, closed) = app
        .post(&path, &clerk(), &json!({ "outcome": "referred", "note": "入户核实：因病支出大", "assistance": "medical" }))
        .await;
    assert_eq!(status, 200, "{closed}");
    assert_eq!(closed["status"], "closed");
    let events = app.expect_events::<ReferralRequested>(1).await;
    let (raw, referral) = &events[0];
    assert_eq!(
        referral.referral_id.to_string(),
        closed["referral_id"].as_str().unwrap()
    );
    assert_eq!(
        referral.person_ref.as_ref().unwrap().as_str(),
        task["person_ref"].as_str().unwrap()
    );
    assert!(!raw.contains("500112198503"), "{raw}");
    let (status, _) = app
        .post(
            &path,
            &clerk(),
            &json!({ "outcome": "not_eligible", "note": "x" }),
        )
        .await;
    assert_eq!(status, 409);
    let (_, referrals) = app.get("/v1/referrals", &clerk()).await;
    assert_eq!(referrals["items"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn a_referral_is_published_for_a_member_and_refused_for_another_townships_household() {
    let app = spawn().await;
    let (household, members) = poor_household(&app).await;
    let body = json!({ "household_id": household, "member_id": members[1], "assistance": "education", "source": "review" });
    let (status, created) = app.post("/v1/referrals", &clerk(), &body).await;
    assert_eq!(status, 201, "{created}");
    let events = app.expect_events::<ReferralRequested>(1).await;
    assert_eq!(events[0].1.village_code.as_str(), LIANGLU_VILLAGE);
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let (status, problem) = app.post("/v1/referrals", &other, &body).await;
    assert_eq!(status, 404, "{problem}");
    let (_, theirs) = app.get("/v1/referrals", &other).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());
}

#[tokio::test]
async fn a_severe_certificate_for_an_adult_of_a_marginal_household_opens_a_single_person_dibao_candidate_task()
 {
    let app = spawn().await;
    let mother = id_number("50011219850315122");
    let child = id_number("50011220150601343");
    // The mother earns 1 500 yuan: less the employment-cost deduction, 654.60 yuan a head, above
    // the 636-yuan standard and below 1.5 times it.
    let (household, _) = household(
        &app,
        "urban",
        &[
            NewMember {
                id_number: &mother,
                relationship: "head",
                income_fen: 150_000,
                able_to_work: true,
            },
            NewMember {
                id_number: &child,
                relationship: "child",
                income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await;
    marginal(&app, &household).await;
    // Not candidates: a level-3 physical grade, and a child.
    app.publish(&certificate(&mother, ("physical", 4), 3)).await;
    app.publish(&certificate(&child, ("physical", 4), 1)).await;
    // A candidate: level 3 intellectual counts for single-person dibao.
    app.publish(&certificate(&mother, ("intellectual", 5), 3))
        .await;
    handled(&app, "partner.dpf.certificate.issued.v1", 3).await;
    let found = tasks(&app, &clerk()).await;
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["kind"], "single_person_dibao_candidate");
    assert_eq!(found[0]["household_id"], household.as_str());
    assert_eq!(found[0]["disability_grade"], "intellectual/3");
    let (_, population) = app.get("/v1/low-income", &clerk()).await;
    assert_eq!(
        population["items"][0]["categories"],
        json!(["marginal"]),
        "{population}"
    );
}

#[tokio::test]
async fn a_certificate_outside_a_marginal_household_opens_nothing() {
    let app = spawn().await;
    poor_household(&app).await;
    let mother = id_number("50011219850315122");
    app.publish(&certificate(&mother, ("physical", 4), 1)).await;
    handled(&app, "partner.dpf.certificate.issued.v1", 1).await;
    assert!(tasks(&app, &clerk()).await.is_empty());
}
