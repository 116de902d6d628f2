//! Flow 1: 低保 approved for a household with a certified disabled member → disability opens the
//! living subsidy by itself (政策找人, no application); 低保 ended → the living subsidy stops from
//! the next month, while the nursing subsidy (which does not depend on dibao) goes on.

use contracts::{
    aid::{EndReason, EnrollmentEnded, Programme},
    disability::{SubsidyEndReason, SubsidyEnded, SubsidyGranted, SubsidyKind, SubsidyOrigin},
    partner::DisabilityCategory,
};
use serde_json::json;

use super::{
    ViewCounts,
    aid::{Member, Procedure, Staff, household},
};
use crate::{
    Mesh,
    people::{Place, Sex, aged, days_ago, month_of, months_ago, today, years_after},
};

/// 兴隆镇.
pub const PLACE: &str = "500112138";

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let village = place.village();
    let staff = Staff::of(&place);
    let mother = aged(52, Sex::Female);
    let son = aged(24, Sex::Male);
    let son_ref = son.person_ref();

    let set_up = mesh.mark().await;
    mesh.say(format!(
        "The 残联 has certified a 24-year-old man of {} with a level-2 intellectual disability \
         (partner.dpf.certificate.issued.v1); disability grants the nursing subsidy, not the \
         living one: he is not in dibao",
        place.name
    ));
    let issued_on = months_ago(6);
    let certificate = partner_sim::certificate(
        &son.id_number,
        DisabilityCategory::Intellectual,
        2,
        issued_on,
        years_after(issued_on, 5),
        &village,
    )
    .expect("a certificate");
    mesh.partner("dpf")
        .await
        .publish(&certificate)
        .await
        .expect("published");
    let nursing = mesh
        .expect_since::<SubsidyGranted>(&set_up, "the nursing subsidy granted", |g| {
            g.iter().any(|g| g.person_ref.as_str() == son_ref)
        })
        .await
        .remove(0);
    assert_eq!(nursing.kind, SubsidyKind::Nursing);
    let (household_id, _) = household(
        mesh,
        &place,
        &staff,
        "urban",
        &[
            Member {
                person: &mother,
                name: "黄淑芬",
                relationship: "head",
                monthly_income_fen: 0,
                able_to_work: false,
            },
            Member {
                person: &son,
                name: "黄小兵",
                relationship: "child",
                monthly_income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await;
    mesh.settle().await;

    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;
    mesh.say(
        "His mother applies for dibao (低保) for the household; aid takes it through the procedure",
    );
    let procedure = Procedure::submit(mesh, &staff, &household_id, json!({}), days_ago(80)).await;
    let dibao = procedure.through_to_enrollment(0).await;
    assert_eq!(dibao.programme, Programme::Dibao);
    assert!(dibao.members.iter().any(|m| m.as_str() == son_ref));
    mesh.saw(format!(
        "dibao confirmed {}, paid from {} ({} fen a month)",
        dibao.confirmed_on, dibao.start_month, dibao.monthly_amount_fen
    ));

    let living = mesh
        .expect_since::<SubsidyGranted>(
            &mark,
            "disability opens the living subsidy by itself (政策找人)",
            |g| {
                g.iter()
                    .any(|g| g.person_ref.as_str() == son_ref && g.kind == SubsidyKind::Living)
            },
        )
        .await
        .remove(0);
    assert_eq!(living.origin, SubsidyOrigin::ActiveDiscovery);
    assert_eq!(
        living.household_id.map(|h| h.to_string()),
        Some(household_id.clone())
    );
    assert_eq!(
        living.start_month, dibao.start_month,
        "the living subsidy is paid from the first dibao month"
    );
    mesh.saw(format!(
        "living subsidy from {} at {} fen a month, without an application",
        living.start_month, living.monthly_amount_fen
    ));
    let clerk = staff.clerk.clone();
    mesh.expect_view(
        "disability-subsidies",
        &format!("/v1/subsidies?person_ref={son_ref}&status=granted"),
        &clerk,
        "both subsidies granted to him",
        |p| p["items"].as_array().is_some_and(|i| i.len() == 2),
    )
    .await;

    mesh.say("Two months on, the household's income is above the line: the district ends the dibao this month");
    let ended_on = today();
    mesh.create(
        "aid-applications",
        &format!("/v1/enrollments/{}/end", dibao.enrollment_id),
        &staff.district_approver,
        &json!({ "reason": "income_above_line", "on": ended_on }),
    )
    .await;
    let enrollment_id = dibao.enrollment_id;
    let ended = mesh
        .expect_since::<EnrollmentEnded>(&mark, "aid ends the dibao enrollment", |e| {
            e.iter().any(|e| e.enrollment_id == enrollment_id)
        })
        .await
        .remove(0);
    assert_eq!(ended.reason, EndReason::IncomeAboveLine);
    assert_eq!(ended.end_month.to_string(), month_of(ended_on));

    let stopped = mesh
        .expect_since::<SubsidyEnded>(&mark, "disability stops the living subsidy", |e| {
            e.iter().any(|e| e.subsidy_id == living.subsidy_id)
        })
        .await
        .remove(0);
    assert_eq!(stopped.reason, SubsidyEndReason::LeftDibao);
    assert_eq!(
        stopped.end_month, ended.end_month,
        "the last month paid is the last dibao month: it stops from the next month"
    );
    mesh.saw(format!(
        "living subsidy last paid {}, nothing from {}",
        stopped.end_month,
        stopped.end_month.next()
    ));
    mesh.expect_view(
        "disability-subsidies",
        &format!("/v1/subsidies/{}", nursing.subsidy_id),
        &clerk,
        "the nursing subsidy goes on (it does not depend on dibao)",
        |s| s["status"] == "granted" && s["end_month"].is_null(),
    )
    .await;

    mesh.assert_only_events(
        &mark,
        &[
            ("aid.application.submitted.v1", 1),
            ("aid.verification.requested.v1", 1),
            ("partner.verification.completed.v1", 1),
            ("aid.publicity.opened.v1", 1),
            ("aid.application.decided.v1", 1),
            ("aid.enrollment.started.v1", 1),
            ("disability.subsidy.granted.v1", 1),
            ("aid.enrollment.ended.v1", 1),
            ("disability.subsidy.ended.v1", 1),
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
                ("disability-subsidies", "/v1/subsidies", 1),
            ],
        )
        .await;
    mesh.assert_no_dead_letters(&set_up).await;

    if mesh.owns_processes() {
        next_month_pays_nursing_only(mesh, &son_ref, &stopped.end_month.to_string()).await;
    }
}

/// Next month's disability payment run: a nursing line for him, no living line after the last
/// dibao month (run only on the suite's own mesh: the payment runs are the bureau's to start).
async fn next_month_pays_nursing_only(mesh: &Mesh, son_ref: &str, last_living: &str) {
    let officer = crate::people::district("officer-ma", kit::Role::DistrictOfficer);
    let next = crate::people::month_after(today());
    mesh.say(format!(
        "The district runs the disability payment of {next}"
    ));
    let batch = mesh
        .create(
            "disability-subsidies",
            "/v1/payment-batches",
            &officer,
            &json!({ "month": next }),
        )
        .await;
    let lines = mesh
        .list_all(
            "disability-subsidies",
            &format!(
                "/v1/payment-batches/{}/lines",
                batch["id"].as_str().expect("id")
            ),
            &officer,
        )
        .await;
    let his = |kind: &str| -> Vec<String> {
        lines
            .iter()
            .filter(|l| l["person_ref"] == son_ref && l["kind"] == kind)
            .filter_map(|l| l["month"].as_str().map(str::to_owned))
            .collect()
    };
    let (living, nursing) = (his("living"), his("nursing"));
    assert!(
        living.iter().all(|m| m.as_str() <= last_living),
        "a living subsidy paid after the last dibao month: {living:?}"
    );
    assert!(
        nursing.contains(&next),
        "the nursing subsidy of {next}: {nursing:?}"
    );
    mesh.saw(format!(
        "batch {next}: nursing {nursing:?}, living {living:?} (none after {last_living})"
    ));
}
