//! The application procedure through the REST edge and NATS: from submission to filing, the
//! verification round trip, publicity and objections, decisions and their refusals, overdue cases,
//! the assessment with its trail, and the reference data a district officer corrects.

use crate::procedure_support::*;
use contracts::{
    aid::{ApplicationDecided, EnrollmentStarted, PublicityOpened, VerificationRequested},
    village::PublicityObjectionRaised,
};
use kit::testing::eventually;
use serde_json::{Value, json};
use std::time::Duration;

async fn status_of(app: &kit::testing::TestApp, id: &str) -> Value {
    app.get(&format!("/v1/applications/{id}"), &clerk()).await.1
}

#[tokio::test]
async fn a_dibao_household_with_a_certified_disabled_member_is_confirmed_enrolled_and_filed() {
    let app = spawn().await;
    let (household, members) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    let request = to_investigation(&app, &id).await;

    // The verification request carries no personal data: the platform reads the claim check.
    let (raw, requested) = app
        .events::<VerificationRequested>()
        .await
        .into_iter()
        .find(|(_, e)| e.application_id.to_string() == id)
        .unwrap();
    assert!(
        !raw.contains("成员") && !raw.contains("50011219850315"),
        "{raw}"
    );
    assert_eq!(requested.household_size, 2);
    let claim = requested.details_path.clone();
    assert_eq!(app.get(&claim, &clerk()).await.0, 403);
    let service =
        kit::testing::TestApp::token_for("verification-platform", kit::Role::Service, DISTRICT);
    let (status, people) = app.get(&claim, &service).await;
    assert_eq!(
        (status, people.as_array().unwrap().len()),
        (200, 2),
        "{people}"
    );

    // The child holds a level-2 physical disability certificate: one add-on (the highest of the
    // child's, 45 yuan) appears in the trail.
    let (_, tag, _) = get_tagged(&app, &format!("/v1/applications/{id}"), &clerk()).await;
    let findings = json!({ "members": [{ "member_id": members[1],
        "disability": { "basis": "certificate", "category": 4, "level": 2, "expires_on": "2030-01-01" } }] });
    let (status, _) = put(
        &app,
        &format!("/v1/applications/{id}/findings"),
        &investigator_clerk(),
        &tag,
        &findings,
    )
    .await;
    assert_eq!(status, 200);
    answer_verification(&app, &id, &request, 0, true).await;
    let (_, assessed) = app
        .get(
            &format!("/v1/applications/{id}/assessment?on={}", day(4)),
            &clerk(),
        )
        .await;
    let amount = assessed["assessment"]["monthly_amount"].as_i64().unwrap();
    assert_eq!(amount, 2 * 63_600 + 4_500, "{assessed}");
    let terms: i64 = assessed["assessment"]["terms"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["amount"].as_i64().unwrap())
        .sum();
    assert_eq!(terms, amount);
    assert!(
        assessed["trail"].as_str().unwrap().contains("分类施保"),
        "{assessed}"
    );

    step(&app, &id, "review", &reviewer(), json!({ "on": day(4) })).await;
    step(&app, &id, "publicity", &clerk(), json!({ "on": day(5) })).await;
    let (raw, opened) = app.expect_events::<PublicityOpened>(1).await.remove(0);
    assert_eq!(
        (opened.proposed_monthly_amount_fen, opened.household_size),
        (amount, 2)
    );
    assert!(!raw.contains("成员"), "{raw}");
    step(
        &app,
        &id,
        "publicity/close",
        &clerk(),
        json!({ "on": day(12) }),
    )
    .await;
    let enrollment = confirm(&app, &id, Some(payee())).await;
    step(&app, &id, "filing", &clerk(), json!({ "on": day(14) })).await;
    assert_eq!(status_of(&app, &id).await["status"], "filed");

    let (_, decided) = app.expect_events::<ApplicationDecided>(1).await.remove(0);
    assert_eq!(decided.monthly_amount_fen, Some(amount));
    assert_eq!(
        serde_json::to_value(decided.decided_by).unwrap(),
        "district"
    );
    let (raw, started) = app.expect_events::<EnrollmentStarted>(1).await.remove(0);
    assert_eq!(started.enrollment_id.to_string(), enrollment);
    assert_eq!((started.members.len(), started.beneficiaries.len()), (2, 2));
    assert_eq!(started.monthly_amount_fen, amount);
    assert!(
        !raw.contains("成员") && !raw.contains("6217000012345678"),
        "{raw}"
    );
    let (_, trail) = app
        .get(&format!("/v1/applications/{id}/audit"), &district_officer())
        .await;
    let actions: Vec<&str> = trail
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    for action in [
        "submit-application",
        "accept-application",
        "start-investigation",
        "review-application",
        "confirm-application",
        "file-decision",
    ] {
        assert!(
            actions.contains(&action),
            "{action} missing from {actions:?}"
        );
    }
}

#[tokio::test]
async fn a_township_without_delegated_authority_cannot_confirm_and_nothing_changes() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &id).await;
    let body = json!({ "outcome": "approved", "on": day(13) });
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/decision"),
            &township_approver(),
            &body,
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (403, "urn:minzheng:problem:no-delegated-authority")
    );
    assert_eq!(status_of(&app, &id).await["status"], "publicity_closed");
    let (_, enrollments) = app.get("/v1/enrollments", &clerk()).await;
    assert_eq!(enrollments["items"].as_array().unwrap().len(), 0);

    // The district delegates; a township clerk cannot flip the switch, a stale ETag is refused.
    let path = format!("/v1/townships/{LIANGLU}/authority");
    let (_, tag, switch) = get_tagged(&app, &path, &clerk()).await;
    assert_eq!(switch["delegated"], false);
    assert_eq!(
        put(&app, &path, &clerk(), &tag, &json!({ "delegated": true }))
            .await
            .0,
        403
    );
    assert_eq!(
        put(
            &app,
            &path,
            &district_officer(),
            "\"v9\"",
            &json!({ "delegated": true })
        )
        .await
        .0,
        412
    );
    let (status, switched) = put(
        &app,
        &path,
        &district_officer(),
        &tag,
        &json!({ "delegated": true }),
    )
    .await;
    assert_eq!((status, &switched["delegated"]), (200, &json!(true)));

    let (status, decided) = app
        .post(
            &format!("/v1/applications/{id}/decision"),
            &township_approver(),
            &body,
        )
        .await;
    assert_eq!(status, 201, "{decided}");
    let (_, event) = app.expect_events::<ApplicationDecided>(1).await.remove(0);
    assert_eq!(serde_json::to_value(event.decided_by).unwrap(), "township");
}

#[tokio::test]
async fn the_investigator_cannot_approve_the_case_they_investigated() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    to_publicity_closed(&app, &id).await;
    // investigator-li also holds a district approver account: same person, same actor.
    let same_person =
        kit::testing::TestApp::token_for(INVESTIGATORS[0], kit::Role::DistrictApprover, DISTRICT);
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/decision"),
            &same_person,
            &json!({ "outcome": "approved", "on": day(13) }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (403, "urn:minzheng:problem:separation-of-duties")
    );
    assert_eq!(status_of(&app, &id).await["status"], "publicity_closed");
    // Nor may the clerk who submitted it review it.
    let (household2, _) = crate::procedure_support::household(
        &app,
        "rural",
        &[NewMember {
            id_number: &id_number("50011219700101151"),
            relationship: "head",
            income_fen: 0,
            able_to_work: false,
        }],
    )
    .await;
    let second = submit(&app, &household2, json!({})).await;
    let request = to_investigation(&app, &second).await;
    answer_verification(&app, &second, &request, 0, true).await;
    let submitter_as_approver =
        kit::testing::TestApp::token_for("clerk-wang", kit::Role::TownshipApprover, LIANGLU);
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{second}/review"),
            &submitter_as_approver,
            &json!({ "on": day(4) }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (403, "urn:minzheng:problem:separation-of-duties")
    );
}

#[tokio::test]
async fn an_objection_from_the_village_board_sends_the_case_back_to_investigation() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    let request = to_investigation(&app, &id).await;
    answer_verification(&app, &id, &request, 0, true).await;
    step(&app, &id, "review", &reviewer(), json!({ "on": day(4) })).await;
    step(&app, &id, "publicity", &clerk(), json!({ "on": day(5) })).await;
    let (_, opened) = app.expect_events::<PublicityOpened>(1).await.remove(0);

    // Closing early is refused while the seven days run.
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/publicity/close"),
            &clerk(),
            &json!({ "on": day(8) }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:publicity-not-elapsed")
    );

    let objection: PublicityObjectionRaised = serde_json::from_value(json!({
        "objection_id": uuid::Uuid::now_v7(), "publicity_id": opened.publicity_id, "application_id": id,
        "grounds": "income_understated", "township_code": LIANGLU, "village_code": LIANGLU_VILLAGE,
        "raised_on": day(7) })).unwrap();
    app.publish_with_id(&objection, "objection-1").await;
    app.publish_with_id(&objection, "objection-1").await;
    eventually("back to investigation", Duration::from_secs(20), || async {
        let a = status_of(&app, &id).await;
        (a["status"] == "investigating" && a["objection_pending"] == true).then_some(())
    })
    .await;
    // No review before the re-investigation; the re-investigation asks for a second verification.
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/review"),
            &reviewer(),
            &json!({ "on": day(8) }),
        )
        .await;
    assert_eq!(status, 409, "{problem}");
    step(
        &app,
        &id,
        "investigation",
        &investigator_clerk(),
        json!({ "investigators": INVESTIGATORS, "authorised_on": day(8), "on": day(8) }),
    )
    .await;
    let second = verification_request(&app, &id, 2).await;
    assert_ne!(second, request);
    let a = status_of(&app, &id).await;
    assert_eq!(
        (a["investigation_rounds"].as_u64(), &a["objection_pending"]),
        (Some(2), &json!(false))
    );
    let (_, trail) = app
        .get(&format!("/v1/applications/{id}/audit"), &clerk())
        .await;
    assert_eq!(
        trail
            .as_array()
            .unwrap()
            .iter()
            .filter(|e| e["action"] == "lodge-objection")
            .count(),
        1
    );
}

#[tokio::test]
async fn an_objection_recorded_at_the_village_edge_also_reopens_the_investigation() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    let request = to_investigation(&app, &id).await;
    answer_verification(&app, &id, &request, 0, true).await;
    step(&app, &id, "review", &reviewer(), json!({ "on": day(4) })).await;
    step(&app, &id, "publicity", &clerk(), json!({ "on": day(5) })).await;
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/publicity/objection"),
            &village_staff(),
            &json!({ "summary": "  ", "on": day(6) }),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("summary"))
    );
    step(
        &app,
        &id,
        "publicity/objection",
        &village_staff(),
        json!({ "summary": "邻居反映家中有经营收入", "on": day(6) }),
    )
    .await;
    assert_eq!(status_of(&app, &id).await["status"], "investigating");
}

#[tokio::test]
async fn a_review_waits_for_the_verification_and_a_rejection_needs_written_reasons() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    let request = to_investigation(&app, &id).await;
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/review"),
            &reviewer(),
            &json!({ "on": day(4) }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:verification-pending")
    );
    // The platform finds property over the limits: the assessment refuses, so does the review.
    answer_verification(&app, &id, &request, 0, false).await;
    let (status, problem) = app
        .post(
            &format!("/v1/applications/{id}/review"),
            &reviewer(),
            &json!({ "on": day(4) }),
        )
        .await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:assessment-refused")
    );

    let path = format!("/v1/applications/{id}/decision");
    let (status, problem) = app
        .post(
            &path,
            &district_approver(),
            &json!({ "outcome": "rejected", "reasons": [" "], "on": day(5) }),
        )
        .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("reasons"))
    );
    assert_eq!(status_of(&app, &id).await["status"], "investigating");
    let body = json!({ "outcome": "rejected", "reasons": ["核对发现家庭财产超出规定"], "rejection_reason": "property_over_limit", "on": day(5) });
    let (status, _) = app
        .post_with_key(&path, &district_approver(), "reject-1", &body)
        .await;
    assert_eq!(status, 201);
    // A retry with the same key answers the same, and publishes nothing twice.
    let (status, _) = app
        .post_with_key(&path, &district_approver(), "reject-1", &body)
        .await;
    assert_eq!(status, 201);
    let decided = app.expect_events::<ApplicationDecided>(1).await;
    assert_eq!(decided.len(), 1);
    assert_eq!(
        serde_json::to_value(decided[0].1.rejection_reason).unwrap(),
        "property_over_limit"
    );
    assert_eq!(status_of(&app, &id).await["status"], "rejected");
    assert!(app.events::<EnrollmentStarted>().await.is_empty());
}

#[tokio::test]
async fn another_township_can_neither_see_nor_act_on_the_application() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    assert_eq!(
        app.get(&format!("/v1/applications/{id}"), &other_clerk())
            .await
            .0,
        404
    );
    let (status, _) = app
        .post(
            &format!("/v1/applications/{id}/acceptance"),
            &other_clerk(),
            &json!({}),
        )
        .await;
    assert_eq!(status, 404);
    let (_, list) = app.get("/v1/applications", &other_clerk()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    let (_, list) = app.get("/v1/applications", &clerk()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 1);
    assert_eq!(status_of(&app, &id).await["status"], "submitted");
}

#[tokio::test]
async fn cases_past_their_working_day_limits_are_listed_as_overdue() {
    let app = spawn().await;
    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({ "submitted_on": days_ago(80) })).await;
    step(
        &app,
        &id,
        "acceptance",
        &clerk(),
        json!({ "on": days_ago(79) }),
    )
    .await;
    let (_, overdue) = app.get("/v1/applications/overdue", &clerk()).await;
    let stages: Vec<&str> = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["stage"].as_str().unwrap())
        .collect();
    assert_eq!(stages, ["investigation_start", "decision"], "{overdue}");
    let (_, other) = app.get("/v1/applications/overdue", &other_clerk()).await;
    assert_eq!(other.as_array().unwrap().len(), 0);
    let (status, problem) = app.post("/v1/applications", &clerk(), &json!({ "household_id": household, "programme": "marginal", "channel": "window", "submitted_on": "2999-01-01" })).await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("submitted_on"))
    );
}

#[tokio::test]
async fn a_staff_relative_case_is_confirmed_only_by_the_district_after_its_own_home_visit() {
    let app = spawn().await;
    let head = id_number("50011219750505111");
    let (household, _) = household_in(
        &app,
        LIANGLU_VILLAGE,
        &clerk(),
        "urban",
        &[NewMember {
            id_number: &head,
            relationship: "head",
            income_fen: 0,
            able_to_work: false,
        }],
        true,
    )
    .await;
    let id = submit(&app, &household, json!({})).await;
    assert_eq!(status_of(&app, &id).await["staff_relative"], true);
    to_publicity_closed(&app, &id).await;
    let path = format!("/v1/townships/{LIANGLU}/authority");
    let (_, tag, _) = get_tagged(&app, &path, &clerk()).await;
    put(
        &app,
        &path,
        &district_officer(),
        &tag,
        &json!({ "delegated": true }),
    )
    .await;
    let body = json!({ "outcome": "approved", "on": day(13) });
    let decision = format!("/v1/applications/{id}/decision");
    let (status, problem) = app.post(&decision, &township_approver(), &body).await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (403, "urn:minzheng:problem:staff-relative-needs-district")
    );
    let (status, problem) = app.post(&decision, &district_approver(), &body).await;
    assert_eq!(
        (status, problem["type"].as_str().unwrap()),
        (409, "urn:minzheng:problem:district-home-visit-missing")
    );
    step(
        &app,
        &id,
        "district-home-visit",
        &district_officer(),
        json!({ "on": day(12) }),
    )
    .await;
    let (status, _) = app.post(&decision, &district_approver(), &body).await;
    assert_eq!(status, 201);
}
