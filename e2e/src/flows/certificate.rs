//! Flow 6: a level-1 certificate issued by the 残联 → disability opens a nursing-subsidy case by
//! itself; when the holder is an adult of a marginal household, aid also opens a single-person
//! dibao (单人保) candidate task. A holder outside any aid household gets the subsidy and no task.

use contracts::{
    aid::Programme,
    disability::{SubsidyGranted, SubsidyKind, SubsidyOrigin},
    partner::DisabilityCategory,
};
use serde_json::json;

use super::{
    ViewCounts,
    aid::{Member, Procedure, Staff, household},
};
use crate::{
    Mesh,
    people::{Place, Sex, aged, days_ago, month_of, years_after},
};

/// 木耳镇.
pub const PLACE: &str = "500112139";

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let village = place.village();
    let staff = Staff::of(&place);
    let holder = aged(45, Sex::Male);
    let wife = aged(43, Sex::Female);
    let neighbour = aged(58, Sex::Female);

    mesh.say(format!(
        "A couple of {} with 1 300 yuan a month between them is enrolled as a marginal household \
         (边缘户) through aid's procedure",
        place.name
    ));
    let (household_id, _) = household(
        mesh,
        &place,
        &staff,
        "rural",
        &[
            Member {
                person: &holder,
                name: "赵建华",
                relationship: "head",
                monthly_income_fen: 0,
                able_to_work: false,
            },
            Member {
                person: &wife,
                name: "孙桂兰",
                relationship: "spouse",
                monthly_income_fen: 130_000,
                able_to_work: true,
            },
        ],
    )
    .await;
    let procedure = Procedure::submit(
        mesh,
        &staff,
        &household_id,
        json!({ "programme": "marginal" }),
        days_ago(40),
    )
    .await;
    let marginal = procedure.through_to_enrollment(130_000).await;
    assert_eq!(marginal.programme, Programme::Marginal);
    assert!(
        marginal
            .members
            .iter()
            .any(|m| m.as_str() == holder.person_ref())
    );
    mesh.settle().await;

    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;
    mesh.say(
        "The 残联 issues level-1 physical disability certificates to the husband and to a \
         neighbour who receives no assistance (partner.dpf.certificate.issued.v1 ×2)",
    );
    let issued_on = days_ago(1);
    let expires_on = years_after(issued_on, 5);
    let dpf = mesh.partner("dpf").await;
    for person in [&holder, &neighbour] {
        let c = partner_sim::certificate(
            &person.id_number,
            DisabilityCategory::Physical,
            1,
            issued_on,
            expires_on,
            &village,
        )
        .expect("a certificate");
        dpf.publish(&c).await.expect("published");
    }

    let refs = [holder.person_ref(), neighbour.person_ref()];
    let granted = mesh
        .expect_since::<SubsidyGranted>(
            &mark,
            "disability opens and grants a nursing subsidy for each holder (政策找人)",
            |g| {
                refs.iter()
                    .all(|r| g.iter().any(|g| g.person_ref.as_str() == r))
            },
        )
        .await;
    for g in &granted {
        assert_eq!(g.kind, SubsidyKind::Nursing, "{g:?}");
        assert_eq!(g.origin, SubsidyOrigin::ActiveDiscovery, "{g:?}");
        assert_eq!(g.start_month.to_string(), month_of(issued_on), "{g:?}");
        assert_eq!(g.village_code.as_str(), village);
    }
    mesh.saw(format!(
        "nursing subsidies from {} at {} fen a month, without an application",
        granted[0].start_month, granted[0].monthly_amount_fen
    ));

    let tasks = mesh
        .expect_view(
            "aid-applications",
            "/v1/discovery-tasks?kind=single_person_dibao_candidate",
            &staff.clerk,
            "aid opens a single-person dibao (单人保) candidate task for the husband",
            |t| {
                t["items"]
                    .as_array()
                    .is_some_and(|items| items.iter().any(|t| t["person_ref"] == refs[0].as_str()))
            },
        )
        .await;
    let items = tasks["items"].as_array().expect("items");
    let task = items
        .iter()
        .find(|t| t["person_ref"] == refs[0].as_str())
        .expect("the task");
    assert_eq!(task["household_id"], household_id.as_str(), "{task}");
    assert_eq!(task["status"], "open", "{task}");
    assert!(
        items.iter().all(|t| t["person_ref"] != refs[1].as_str()),
        "no task for a holder outside any marginal household: {tasks}"
    );

    mesh.assert_only_events(
        &mark,
        &[
            ("partner.dpf.certificate.issued.v1", 2),
            ("disability.subsidy.granted.v1", 2),
        ],
    )
    .await;
    views
        .assert_grew(
            mesh,
            &place,
            &[
                ("disability-subsidies", "/v1/subsidies", 2),
                ("aid-applications", "/v1/discovery-tasks", 1),
            ],
        )
        .await;
    mesh.assert_no_dead_letters(&mark).await;
}
