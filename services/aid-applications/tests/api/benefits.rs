//! Other departments' benefits and certificates through NATS and the REST edge: the household's
//! low-income monitoring view per member (child allowance, living and nursing subsidies, the
//! certificate's grade), a certificate change or revocation closing or reopening a single-person
//! dibao candidate task and flagging a single-person dibao enrollment for review, and the
//! refusals (another township, a blank note, a flag cleared twice). One benefit per person: a
//! household entering dibao ends its single-person dibao and marginal enrollments (and new
//! applications for them are refused), extreme-poverty support ends the member's single-person
//! dibao.

use std::time::Duration;

use crate::procedure_support::*;
use contracts::{
    aid::EnrollmentEnded,
    child::{AllowanceStarted, Registered},
    common::Month,
    disability::{SubsidyEnded, SubsidyGranted},
    partner::{CertificateChanged, CertificateIssued, CertificateRevoked},
};
use kit::{
    Role,
    identity::{IdNumber, PersonRefKey},
    testing::{TestApp, eventually},
};
use serde_json::{Value, json};
use uuid::Uuid;

fn person_ref(id: &str) -> String {
    let key = PersonRefKey::new(kit::config::DEV_PERSON_REF_KEY.as_bytes().to_vec()).unwrap();
    key.person_ref(&IdNumber::parse(id).unwrap())
        .as_str()
        .to_owned()
}

fn this_month() -> Month {
    Month::from_date(today())
}

fn issued(id_number: &str, category: (&str, u8), level: u8, on: u64) -> CertificateIssued {
    serde_json::from_value(json!({
        "certificate_number": format!("{id_number}{}{level}", category.1), "id_number": id_number,
        "category": category.0, "level": level, "issued_on": days_ago(on).to_string(),
        "expires_on": "2035-06-19", "registration_division": LIANGLU }))
    .unwrap()
}

fn changed(id_number: &str, category: (&str, u8), level: u8, on: u64) -> CertificateChanged {
    serde_json::from_value(json!({
        "certificate_number": format!("{id_number}{}{level}", category.1), "id_number": id_number,
        "category": category.0, "level": level,
        "previous_certificate_number": format!("{id_number}{}3", category.1),
        "change": "reassessed", "expires_on": "2035-06-19", "registration_division": LIANGLU,
        "changed_on": days_ago(on).to_string() }))
    .unwrap()
}

fn revoked(id_number: &str, category: u8, level: u8, on: u64) -> CertificateRevoked {
    serde_json::from_value(json!({
        "certificate_number": format!("{id_number}{category}{level}"), "id_number": id_number,
        "reason": "reassessed_not_disabled", "revoked_on": days_ago(on).to_string() }))
    .unwrap()
}

/// Waits until the service has handled `n` events of `subject` (its inbox rows).
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
            .ok()??;
        (row.try_get::<i64>("", "n").ok()? >= n).then_some(())
    })
    .await;
}

async fn view_until(
    app: &TestApp,
    household: &str,
    what: &str,
    check: impl Fn(&Value) -> bool,
) -> Value {
    let path = format!("/v1/low-income/{household}");
    eventually(what, Duration::from_secs(20), || async {
        let (status, v) = app.get(&path, &clerk()).await;
        (status == 200 && check(&v)).then_some(v)
    })
    .await
}

fn member<'a>(view: &'a Value, id: &str) -> &'a Value {
    view["members"]
        .as_array()
        .unwrap()
        .iter()
        .find(|m| m["member_id"] == id)
        .unwrap()
}

#[tokio::test]
async fn the_low_income_view_shows_each_members_benefits_from_other_departments_and_certificate() {
    let app = spawn().await;
    let (household, members) = poor_household(&app).await;
    let mother = id_number("50011219850315122");
    let child = id_number("50011220150601343");
    let now = this_month();
    let allowance = Uuid::now_v7();
    let registered: Registered = serde_json::from_value(json!({
        "child_id": Uuid::now_v7(), "person_ref": person_ref(&child), "category": "orphan",
        "care_mode": "family_based", "origin": "application", "township_code": LIANGLU,
        "village_code": LIANGLU_VILLAGE, "registered_on": days_ago(40).to_string() }))
    .unwrap();
    let started: AllowanceStarted = serde_json::from_value(json!({
        "allowance_id": allowance, "child_id": registered.child_id,
        "person_ref": person_ref(&child), "category": "orphan", "care_mode": "family_based",
        "start_month": now.prev().to_string(), "monthly_amount_fen": 120_000,
        "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE,
        "approved_on": days_ago(40).to_string() }))
    .unwrap();
    let subsidy = |id: Uuid, kind: &str, fen: i64| -> SubsidyGranted {
        serde_json::from_value(json!({
            "subsidy_id": id, "person_ref": person_ref(&mother), "kind": kind,
            "origin": "application", "start_month": now.prev().prev().to_string(),
            "monthly_amount_fen": fen, "township_code": LIANGLU,
            "village_code": LIANGLU_VILLAGE, "granted_on": days_ago(70).to_string() }))
        .unwrap()
    };
    let (nursing, living) = (Uuid::now_v7(), Uuid::now_v7());
    let nursing_granted = subsidy(nursing, "nursing", 11_000);
    app.publish(&registered).await;
    app.publish(&started).await;
    app.publish(&nursing_granted).await;
    app.publish(&nursing_granted).await;
    app.publish(&subsidy(living, "living", 10_000)).await;
    app.publish(&issued(&mother, ("physical", 4), 1, 90)).await;
    let living_ended: SubsidyEnded = serde_json::from_value(json!({
        "subsidy_id": living, "person_ref": person_ref(&mother), "kind": "living",
        "reason": "left_dibao", "end_month": now.prev().to_string(), "township_code": LIANGLU,
        "village_code": LIANGLU_VILLAGE, "ended_on": days_ago(20).to_string() }))
    .unwrap();
    app.publish(&living_ended).await;
    handled(&app, "disability.subsidy.granted.v1", 3).await;

    let view = view_until(&app, &household, "every fact shown", |v| {
        v["other_benefits_monthly_fen"] == 131_000
            && member(v, &members[0])["certificate"]["level"] == 1
            && member(v, &members[1])["child_welfare"]["category"] == "orphan"
    })
    .await;
    let mother_view = member(&view, &members[0]);
    assert_eq!(
        mother_view["id_number"],
        format!("500112********{}", &mother[14..])
    );
    assert_eq!(
        mother_view["certificate"],
        json!({ "category": "physical", "level": 1, "expires_on": "2035-06-19", "status": "valid",
                "revocation_reason": null, "as_of": days_ago(90).to_string(),
                "severe_for_single_person_dibao": true })
    );
    let benefits = mother_view["benefits"].as_array().unwrap();
    assert_eq!(
        benefits.len(),
        2,
        "a repeated grant is one subsidy: {benefits:?}"
    );
    let of = |id: Uuid| benefits.iter().find(|b| b["id"] == id.to_string()).unwrap();
    assert_eq!(
        (of(nursing)["kind"].as_str(), of(nursing)["status"].as_str()),
        (Some("nursing_subsidy"), Some("running"))
    );
    assert_eq!(
        (
            of(living)["status"].as_str(),
            of(living)["end_reason"].as_str()
        ),
        (Some("ended"), Some("left_dibao"))
    );
    assert_eq!(mother_view["other_benefits_monthly_fen"], 11_000);
    let child_view = member(&view, &members[1]);
    assert_eq!(child_view["benefits"][0]["detail"], "orphan/family_based");
    assert_eq!(child_view["other_benefits_monthly_fen"], 120_000);

    // Another township sees nothing; nor does anyone see a household that does not exist.
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let path = format!("/v1/low-income/{household}");
    assert_eq!(app.get(&path, &other).await.0, 404);
    let unknown = format!("/v1/low-income/{}", Uuid::now_v7());
    assert_eq!(app.get(&unknown, &clerk()).await.0, 404);
}

/// A household of a working mother and an adult son: marginal (1 309.20 yuan a head after the
/// employment-cost deduction, between 1 and 1.5 times the 636-yuan standard).
async fn marginal_household(app: &TestApp, son: &str) -> (String, Vec<String>) {
    let mother = id_number("50011219700315122");
    household(
        app,
        "urban",
        &[
            NewMember {
                id_number: &mother,
                relationship: "head",
                income_fen: 150_000,
                able_to_work: true,
            },
            NewMember {
                id_number: son,
                relationship: "child",
                income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await
}

/// Takes an application through the procedure to confirmation (the verification finds the
/// mother's 1 500 yuan), with the investigators' `findings` if any; returns the enrollment id.
async fn through_procedure(
    app: &TestApp,
    id: &str,
    findings: Option<Value>,
    payee_account: Option<Value>,
) -> String {
    let request = to_investigation(app, id).await;
    if let Some(f) = findings {
        let (_, tag, _) = get_tagged(app, &format!("/v1/applications/{id}"), &clerk()).await;
        let (status, v) = put(
            app,
            &format!("/v1/applications/{id}/findings"),
            &investigator_clerk(),
            &tag,
            &f,
        )
        .await;
        assert_eq!(status, 200, "{v}");
    }
    answer_verification(app, id, &request, 150_000, true).await;
    step(app, id, "review", &reviewer(), json!({ "on": day(4) })).await;
    step(app, id, "publicity", &clerk(), json!({ "on": day(5) })).await;
    step(
        app,
        id,
        "publicity/close",
        &clerk(),
        json!({ "on": day(12) }),
    )
    .await;
    confirm(app, id, payee_account).await
}

async fn tasks(app: &TestApp) -> Vec<Value> {
    let (status, page) = app
        .get(
            "/v1/discovery-tasks?kind=single_person_dibao_candidate",
            &clerk(),
        )
        .await;
    assert_eq!(status, 200, "{page}");
    page["items"].as_array().unwrap().clone()
}

async fn task_until(app: &TestApp, what: &str, check: impl Fn(&Value) -> bool) -> Value {
    eventually(what, Duration::from_secs(20), || async {
        tasks(app).await.into_iter().next().filter(|t| check(t))
    })
    .await
}

#[tokio::test]
async fn a_lower_grade_or_a_revocation_closes_the_candidate_task_and_a_severe_grade_reopens_it() {
    let app = spawn().await;
    let son = id_number("50011219980101113");
    let (household, _) = marginal_household(&app, &son).await;
    let id = submit(&app, &household, json!({ "programme": "marginal" })).await;
    through_procedure(&app, &id, None, None).await;

    app.publish(&issued(&son, ("intellectual", 5), 3, 10)).await;
    let opened = task_until(&app, "the candidate task", |t| t["status"] == "open").await;
    // Re-assessed at level 4: not 重残 for single-person dibao.
    app.publish(&changed(&son, ("intellectual", 5), 4, 6)).await;
    let closed = task_until(&app, "closed", |t| t["status"] == "closed").await;
    assert_eq!(closed["id"], opened["id"]);
    assert_eq!(closed["outcome"], "not_eligible");
    assert!(
        closed["note"].as_str().unwrap().contains("intellectual/4"),
        "{closed}"
    );
    // An older change arriving late changes nothing.
    app.publish(&changed(&son, ("intellectual", 5), 2, 8)).await;
    handled(&app, "partner.dpf.certificate.changed.v1", 2).await;
    assert_eq!(tasks(&app).await[0]["status"], "closed");
    // Back to level 3: the same task opens again.
    app.publish(&changed(&son, ("intellectual", 5), 3, 4)).await;
    let reopened = task_until(&app, "reopened", |t| t["status"] == "open").await;
    assert_eq!(reopened["id"], opened["id"]);
    assert_eq!(reopened["disability_grade"], "intellectual/3");
    assert_eq!(tasks(&app).await.len(), 1);
    // Revoked: closed again, and the view shows the certificate revoked.
    app.publish(&revoked(&son, 5, 3, 2)).await;
    task_until(&app, "closed on revocation", |t| t["status"] == "closed").await;
    let view = view_until(&app, &household, "revoked", |v| {
        v["members"][1]["certificate"]["status"] == "revoked"
    })
    .await;
    assert_eq!(view["categories"], json!(["marginal"]));
    assert_eq!(
        view["members"][1]["certificate"]["severe_for_single_person_dibao"],
        false
    );
}

#[tokio::test]
async fn a_revoked_certificate_flags_the_single_person_dibao_enrollment_for_review_once() {
    let app = spawn().await;
    let son = id_number("50011219980101113");
    let (household, members) = marginal_household(&app, &son).await;
    let id = submit(
        &app,
        &household,
        json!({ "programme": "single_person_dibao", "member_id": members[1] }),
    )
    .await;
    let findings = json!({ "members": [{ "member_id": members[1],
        "disability": { "basis": "certificate", "category": 5, "level": 3, "expires_on": "2035-06-19" } }] });
    let enrollment = through_procedure(&app, &id, Some(findings), Some(payee())).await;

    let revocation = revoked(&son, 5, 3, 1);
    let event_id = app.publish(&revocation).await;
    app.publish_with_id(&revocation, &event_id).await;
    app.publish(&revocation).await;
    handled(&app, "partner.dpf.certificate.revoked.v1", 2).await;
    let view = view_until(&app, &household, "the review", |v| {
        !v["open_reviews"].as_array().unwrap().is_empty()
    })
    .await;
    let reviews = view["open_reviews"].as_array().unwrap();
    assert_eq!(
        reviews.len(),
        1,
        "one review for one revocation: {reviews:?}"
    );
    assert_eq!(reviews[0]["enrollment_id"], enrollment.as_str());
    assert_eq!(reviews[0]["reason"], "certificate_revoked");
    assert_eq!(reviews[0]["person_ref"], person_ref(&son));
    let (_, listed) = app.get("/v1/review-flags?open=true", &clerk()).await;
    assert_eq!(listed["items"].as_array().unwrap().len(), 1, "{listed}");
    let other = TestApp::token(Role::TownshipClerk, SHUANGFENGQIAO);
    let (_, theirs) = app.get("/v1/review-flags", &other).await;
    assert!(theirs["items"].as_array().unwrap().is_empty());

    let path = format!(
        "/v1/review-flags/{}/clearance",
        reviews[0]["id"].as_str().unwrap()
    );
    let note = json!({ "note": "复核：证件注销，单人保停发" });
    assert_eq!(app.post(&path, &other, &note).await.0, 404);
    assert_eq!(app.post(&path, &village_staff(), &note).await.0, 403);
    let (status, p) = app.post(&path, &clerk(), &json!({ "note": " " })).await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("note"))
    );
    let (status, cleared) = app.post(&path, &clerk(), &note).await;
    assert_eq!(status, 200, "{cleared}");
    assert_eq!(cleared["status"], "cleared");
    assert_eq!(app.post(&path, &clerk(), &note).await.0, 409);
    let (_, after) = app
        .get(&format!("/v1/low-income/{household}"), &clerk())
        .await;
    assert!(after["open_reviews"].as_array().unwrap().is_empty());
    assert_eq!(after["categories"], json!(["dibao"]));
}

/// One benefit per person: the days these tests live on. A procedure completed on 29 June is
/// confirmed on 2 June (paid from July); one completed on 20 September is confirmed on 24 August
/// (paid from September).
fn june() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 6, 29).unwrap()
}
fn september() -> chrono::NaiveDate {
    chrono::NaiveDate::from_ymd_opt(2026, 9, 20).unwrap()
}

/// The son's single-person dibao (level-3 intellectual certificate) in the marginal household.
async fn single_person_dibao(app: &TestApp, household: &str, son: &str) -> String {
    let id = submit(
        app,
        household,
        json!({ "programme": "single_person_dibao", "member_id": son }),
    )
    .await;
    let findings = json!({ "members": [{ "member_id": son,
        "disability": { "basis": "certificate", "category": 5, "level": 3, "expires_on": "2035-06-19" } }] });
    through_procedure(app, &id, Some(findings), Some(payee())).await
}

/// The household's dibao once the mother lost her job (the investigators find no income).
async fn dibao_after_job_loss(app: &TestApp, household: &str, mother: &str) -> String {
    let id = submit(app, household, json!({})).await;
    let findings = json!({ "members": [{ "member_id": mother, "income": [], "employed": false }] });
    through_procedure(app, &id, Some(findings), Some(payee())).await
}

async fn ended(app: &TestApp, enrollment: &str) -> (String, String) {
    let found = eventually("the end published", Duration::from_secs(20), || async {
        app.events::<EnrollmentEnded>()
            .await
            .into_iter()
            .find(|(_, e)| e.enrollment_id.to_string() == enrollment)
    })
    .await
    .1;
    (
        serde_json::to_value(found.reason)
            .unwrap()
            .as_str()
            .unwrap()
            .to_owned(),
        found.end_month.to_string(),
    )
}

#[tokio::test]
async fn a_household_entering_dibao_ends_its_single_person_dibao_before_the_first_dibao_month() {
    kit::testing::set_today(june());
    let app = spawn().await;
    let son = id_number("50011219980101113");
    let (household, members) = marginal_household(&app, &son).await;
    let single = single_person_dibao(&app, &household, &members[1]).await;
    kit::testing::set_today(september());
    let dibao = dibao_after_job_loss(&app, &household, &members[0]).await;
    assert_eq!(
        ended(&app, &single).await,
        ("entered_other_programme".to_owned(), "2026-08".to_owned())
    );
    let (_, e) = app.get(&format!("/v1/enrollments/{dibao}"), &clerk()).await;
    assert_eq!(
        (e["start_month"].as_str(), e["status"].as_str()),
        (Some("2026-09"), Some("active"))
    );
    // While the dibao runs, every member is covered: neither programme can be applied for.
    for programme in [
        json!({ "programme": "single_person_dibao", "member_id": members[1] }),
        json!({ "programme": "marginal" }),
    ] {
        let mut body =
            json!({ "household_id": household, "channel": "window", "submitted_on": day(30) });
        for (k, v) in programme.as_object().unwrap() {
            body[k] = v.clone();
        }
        let (status, problem) = app.post("/v1/applications", &clerk(), &body).await;
        assert_eq!(
            (status, problem["type"].as_str()),
            (409, Some("urn:minzheng:problem:covered-by-dibao")),
            "{problem}"
        );
    }
}

#[tokio::test]
async fn a_household_entering_dibao_ends_its_marginal_enrollment() {
    kit::testing::set_today(june());
    let app = spawn().await;
    let son = id_number("50011219980101113");
    let (household, members) = marginal_household(&app, &son).await;
    let id = submit(&app, &household, json!({ "programme": "marginal" })).await;
    let marginal = through_procedure(&app, &id, None, None).await;
    kit::testing::set_today(september());
    dibao_after_job_loss(&app, &household, &members[0]).await;
    assert_eq!(
        ended(&app, &marginal).await,
        ("entered_other_programme".to_owned(), "2026-08".to_owned())
    );
}

#[tokio::test]
async fn extreme_poverty_support_for_the_member_ends_their_single_person_dibao() {
    kit::testing::set_today(june());
    let app = spawn().await;
    let son = id_number("50011219980101113");
    let (household, members) = marginal_household(&app, &son).await;
    let single = single_person_dibao(&app, &household, &members[1]).await;
    kit::testing::set_today(september());
    let id = submit(
        &app,
        &household,
        json!({ "programme": "extreme_poverty", "member_id": members[1],
                "support_mode": "dispersed", "care_level": "partial_care" }),
    )
    .await;
    through_procedure(&app, &id, None, Some(payee())).await;
    assert_eq!(
        ended(&app, &single).await,
        ("entered_other_programme".to_owned(), "2026-08".to_owned())
    );
    // And a single-person dibao is refused for a member paid extreme-poverty support.
    let (status, problem) = app
        .post(
            "/v1/applications",
            &clerk(),
            &json!({ "household_id": household, "programme": "single_person_dibao",
                     "member_id": members[1], "channel": "window", "submitted_on": day(30) }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str()),
        (
            409,
            Some("urn:minzheng:problem:member-in-extreme-poverty-support")
        ),
        "{problem}"
    );
}
