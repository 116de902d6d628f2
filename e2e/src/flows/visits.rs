//! Flow 3: a dispersed extreme-poverty enrollment (分散供养特困) → elderly care plans monthly
//! visits by itself → a missed visit raises `elderly.visit.overdue.v1`, once.

use chrono::Months;
use contracts::{
    aid::{Programme, SupportMode},
    elderly::VisitOverdue,
};
use kit::Role;
use serde_json::{Value, json};

use super::{
    ViewCounts,
    aid::{Member, Procedure, Staff, household},
};
use crate::{
    Mesh,
    people::{Place, Sex, aged, days_ago, district, today},
};

/// 大湾镇.
pub const PLACE: &str = "500112135";

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let staff = Staff::of(&place);
    let elder = aged(78, Sex::Male);
    let elder_ref = elder.person_ref();

    mesh.say(format!(
        "A 78-year-old man of {} living alone, without income or anyone bound to support him, \
         applies for extreme-poverty support in his own home (分散供养)",
        place.name
    ));
    let (household_id, members) = household(
        mesh,
        &place,
        &staff,
        "rural",
        &[Member {
            person: &elder,
            name: "刘德福",
            relationship: "head",
            monthly_income_fen: 0,
            able_to_work: false,
        }],
    )
    .await;
    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;
    let procedure = Procedure::submit(
        mesh,
        &staff,
        &household_id,
        json!({ "programme": "extreme_poverty", "member_id": members[0],
                "support_mode": "dispersed", "care_level": "partial_care" }),
        days_ago(80),
    )
    .await;
    let enrollment = procedure.through_to_enrollment(0).await;
    assert_eq!(enrollment.programme, Programme::ExtremePoverty);
    assert_eq!(enrollment.support_mode, Some(SupportMode::Dispersed));
    assert!(
        enrollment
            .beneficiaries
            .iter()
            .any(|b| b.as_str() == elder_ref)
    );
    let anchor = enrollment.confirmed_on;
    let due = |n: u32| anchor.checked_add_months(Months::new(n)).expect("a date");

    let clerk = place.token("elderly-clerk", Role::TownshipClerk);
    let plans = mesh
        .expect_view(
            "elderly-care",
            "/v1/visit-plans?kind=dispersed_support",
            &clerk,
            "elderly care plans monthly visits from the confirmation",
            |p| plan_of(p, &elder_ref).is_some(),
        )
        .await;
    let plan = plan_of(&plans, &elder_ref).expect("the plan");
    assert_eq!(plan["enrollment_id"], enrollment.enrollment_id.to_string());
    assert_eq!(plan["anchor_on"], anchor.to_string());
    assert_eq!(plan["interval_months"], 1);
    assert_eq!(plan["next_due_on"], due(1).to_string());
    let plan_id = plan["id"].as_str().expect("plan id").to_owned();
    mesh.saw(format!(
        "visit plan anchored on {anchor}, first visit due {}",
        due(1)
    ));

    let visited_on = anchor + chrono::Days::new(20);
    mesh.say(format!(
        "The village visits him on {visited_on}, in time for the first month; nobody comes for the second (due {})",
        due(2)
    ));
    mesh.create(
        "elderly-care",
        &format!("/v1/visit-plans/{plan_id}/visits"),
        &staff.village,
        &json!({ "visited_on": visited_on, "findings": "独居，身体尚可，屋内整洁，粮油充足",
                 "needs_follow_up": false }),
    )
    .await;
    assert!(due(2) < today(), "the second due date has passed");

    mesh.say("The district runs the overdue check for today (POST /v1/overdue-checks)");
    let officer = district("officer-ma", Role::DistrictOfficer);
    let report = mesh
        .create("elderly-care", "/v1/overdue-checks", &officer, &json!({}))
        .await;
    assert!(report["raised"].as_u64() >= Some(1), "{report}");
    mesh.saw(format!(
        "the check examined {} plan(s), raised {}",
        report["examined"], report["raised"]
    ));
    let overdue = mesh
        .expect_since::<VisitOverdue>(&mark, "the missed visit raised", |o| {
            o.iter().any(|o| o.person_ref.as_str() == elder_ref)
        })
        .await;
    let o = &overdue[0];
    assert_eq!(o.visit_plan_id.to_string(), plan_id);
    assert_eq!(o.enrollment_id, Some(enrollment.enrollment_id));
    assert_eq!(o.due_on, due(2));
    assert_eq!(o.missed_visits, 1);
    assert_eq!(o.last_visited_on, Some(visited_on));
    assert_eq!(o.detected_on, today());
    assert_eq!(o.village_code.as_str(), place.village());
    mesh.saw(format!(
        "overdue: due {}, {} visit missed, last visit {}",
        o.due_on, o.missed_visits, visited_on
    ));

    mesh.say("The check runs again the same day: the same missed visit is not raised twice");
    mesh.create("elderly-care", "/v1/overdue-checks", &officer, &json!({}))
        .await;
    mesh.expect_view(
        "elderly-care",
        &format!("/v1/visit-plans/{plan_id}"),
        &clerk,
        "the plan shows the missed visit and the next due date",
        |p| p["missed_visits"] == 1 && p["next_due_on"] == due(3).to_string(),
    )
    .await;

    // On a mesh that has run before, the check also raises visits missed under older plans (never
    // this one): ours is raised exactly once.
    mesh.settle().await;
    let raised = mesh.events_since::<VisitOverdue>(&mark).await;
    assert_eq!(
        raised
            .iter()
            .filter(|o| o.visit_plan_id.to_string() == plan_id)
            .count(),
        1,
        "the missed visit is raised once: {raised:?}"
    );
    mesh.assert_only_events(
        &mark,
        &[
            ("aid.application.submitted.v1", 1),
            ("aid.verification.requested.v1", 1),
            ("partner.verification.completed.v1", 1),
            ("aid.publicity.opened.v1", 1),
            ("aid.application.decided.v1", 1),
            ("aid.enrollment.started.v1", 1),
            ("elderly.visit.overdue.v1", raised.len()),
        ],
    )
    .await;
    views
        .assert_grew(
            mesh,
            &place,
            &[
                ("aid-applications", "/v1/applications", 1),
                ("aid-applications", "/v1/enrollments", 1),
                ("elderly-care", "/v1/visit-plans", 1),
            ],
        )
        .await;
    mesh.assert_no_dead_letters(&mark).await;
}

fn plan_of<'a>(page: &'a Value, person_ref: &str) -> Option<&'a Value> {
    page["items"]
        .as_array()?
        .iter()
        .find(|p| p["person_ref"] == person_ref)
}
