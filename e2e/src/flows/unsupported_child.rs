//! Flow 5: minor-protection finds both parents meet the de facto unsupported conditions
//! (事实无人抚养) → child-welfare registers the child and starts the allowance at the right
//! standard, the month after; no other service reacts.

use contracts::{
    child::{AllowanceStarted, CareMode, ChildCategory, Registered, RegistrationOrigin},
    minor::{ChildAtRiskFlagged, ParentSituation},
};
use kit::Role;
use serde_json::json;

use super::{ViewCounts, child_standard, first_day_of, no_trace_of};
use crate::{
    Mesh,
    people::{Place, Sex, aged, month_after, months_ago, today},
};

/// 玉峰山镇.
pub const PLACE: &str = "500112129";

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let village = place.village();
    let clerk = place.token("supervisor-he", Role::TownshipClerk);
    let child = aged(9, Sex::Female);
    let father = aged(38, Sex::Male);
    let mother = aged(36, Sex::Female);
    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;

    mesh.say(format!(
        "A school in {} reports a 9-year-old girl living alone with her grandmother; the township \
         workstation takes the report in (minor-protection)",
        place.name
    ));
    let case = mesh
        .create(
            "minor-protection",
            "/v1/cases",
            &clerk,
            &json!({
                "reporter": "school", "village_code": village, "reported_on": today(),
                "child": { "name": "小芳", "id_number": child.id_number, "address": format!("{}某村4组", place.name) },
                "narrative": "班主任反映孩子长期无人照料，父亲服刑，母亲失联",
            }),
        )
        .await;
    let case_id = case["id"].as_str().expect("case id").to_owned();

    mesh.say(
        "The workstation records the parents: the father serves a 3-year sentence since a year \
         ago, the mother has been out of contact for 8 months (police report accepted)",
    );
    let (status, assessed) = mesh
        .post(
            "minor-protection",
            &format!("/v1/cases/{case_id}/parents"),
            &clerk,
            &json!({
                "father": { "situation": "imprisoned", "since": months_ago(12), "term_months": 36,
                            "name": "王大军", "id_number": father.id_number },
                "mother": { "situation": "out_of_contact", "since": months_ago(8), "name": "李秀英",
                            "id_number": mother.id_number },
                "recorded_on": today(),
            }),
        )
        .await;
    assert_eq!(status, 201, "{assessed}");
    assert_eq!(assessed["finding"], "de_facto_unsupported", "{assessed}");
    assert_eq!(assessed["flagged"], true, "{assessed}");
    mesh.saw("minor-protection finds the pair de facto unsupported and flags the child");

    let child_ref = child.person_ref();
    let flags = mesh
        .expect_since::<ChildAtRiskFlagged>(&mark, "the child flagged to child-welfare", |f| {
            f.iter().any(|f| f.person_ref.as_str() == child_ref)
        })
        .await;
    let flag = &flags[0];
    assert_eq!(flag.father.situation, ParentSituation::Imprisoned);
    assert_eq!(flag.mother.situation, ParentSituation::OutOfContact);
    assert_eq!(
        flag.father
            .person_ref
            .as_ref()
            .map(|r| r.as_str().to_owned()),
        Some(father.person_ref())
    );
    assert_eq!(flag.village_code.as_str(), village);

    mesh.say("child-welfare evaluates the flag by itself");
    let registered = mesh
        .expect_since::<Registered>(&mark, "the child registered from the flag", |r| {
            r.iter().any(|r| r.person_ref.as_str() == child_ref)
        })
        .await;
    let r = &registered[0];
    assert_eq!(r.category, ChildCategory::DeFactoUnsupported);
    assert_eq!(r.origin, RegistrationOrigin::AtRiskFlag);
    assert_eq!(r.at_risk_flag_id, Some(flag.flag_id));
    assert_eq!(r.care_mode, CareMode::FamilyBased);

    let started = mesh
        .expect_since::<AllowanceStarted>(&mark, "the allowance started", |a| {
            a.iter().any(|a| a.person_ref.as_str() == child_ref)
        })
        .await;
    let a = &started[0];
    assert_eq!(a.child_id, r.child_id);
    assert_eq!(
        a.start_month.to_string(),
        month_after(a.approved_on),
        "the allowance starts the month after approval"
    );
    let standard = child_standard(
        mesh,
        "standard.orphan.family_based_fen",
        first_day_of(&a.start_month.to_string()),
    )
    .await;
    assert_eq!(
        a.monthly_amount_fen, standard,
        "a de facto unsupported child is paid the family-based orphan standard in force"
    );
    mesh.saw(format!(
        "allowance from {} at {} fen a month = standard.orphan.family_based_fen in force",
        a.start_month, a.monthly_amount_fen
    ));

    let child_id = r.child_id;
    mesh.expect_view(
        "child-welfare",
        &format!("/v1/children/{child_id}"),
        &clerk,
        "the child registered, de facto unsupported, identity evidence pending, one allowance",
        |c| {
            c["status"] == "registered"
                && c["category"] == "de_facto_unsupported"
                && c["evidence_pending"] == true
                && c["allowances"].as_array().is_some_and(|a| {
                    a.len() == 1
                        && a[0]["start_month"] == a_start(&started[0])
                        && a[0]["end_month"].is_null()
                })
        },
    )
    .await;
    let evaluations = mesh
        .list_all("child-welfare", "/v1/evaluations", &clerk)
        .await;
    assert!(
        evaluations
            .iter()
            .any(|e| e["flag_id"] == flag.flag_id.to_string() && e["status"] == "registered"),
        "the flag's evaluation is registered: {evaluations:?}"
    );
    mesh.saw("child-welfare GET /v1/evaluations — the flag's evaluation is registered");

    mesh.expect_view(
        "minor-protection",
        &format!("/v1/cases/{case_id}"),
        &clerk,
        "the case stays open with both parents recorded",
        |c| c["status"] == "open" && c["parents"].as_array().is_some_and(|p| p.len() == 2),
    )
    .await;

    mesh.assert_only_events(
        &mark,
        &[
            ("minor.case.opened.v1", 1),
            ("minor.child.at-risk.flagged.v1", 1),
            ("child.registered.v1", 1),
            ("child.allowance.started.v1", 1),
        ],
    )
    .await;
    views
        .assert_grew(
            mesh,
            &place,
            &[
                ("minor-protection", "/v1/cases", 1),
                ("child-welfare", "/v1/children", 1),
                ("child-welfare", "/v1/evaluations", 1),
            ],
        )
        .await;
    for p in [&child, &father, &mother] {
        no_trace_of(
            mesh,
            &place,
            &p.person_ref(),
            &["child-welfare", "minor-protection"],
        )
        .await;
    }
    mesh.assert_no_dead_letters(&mark).await;
}

fn a_start(a: &AllowanceStarted) -> String {
    a.start_month.to_string()
}
