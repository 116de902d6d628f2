//! Flow 2: one death record from the civil registry → every service ends what it pays or
//! schedules for that person, in the month its rules say; nothing keeps paying a dead person.
//!
//! The person is a 64-year-old, severely disabled father (level-1 certificate): aid supports him
//! as a dispersed extreme-poverty person (特困, 分散供养), elderly care visits him monthly and has
//! installed a home care bed for him, the disability service pays him the nursing subsidy, and his
//! 12-year-old son is a de facto unsupported child in child-welfare (father 重残, mother declared
//! missing), found through a minor-protection case naming him as the father.

use chrono::Datelike;
use contracts::{
    aid::{EndReason, EnrollmentEnded},
    child::{AllowanceStarted, ChildCategory, Registered},
    disability::{SubsidyEndReason, SubsidyEnded, SubsidyGranted, SubsidyKind},
    elderly::{HomeBedCloseReason, HomeBedClosed, HomeBedEstablished},
    minor::ChildAtRiskFlagged,
    partner::DisabilityCategory,
};
use kit::Role;
use serde_json::{Value, json};

use super::{
    ViewCounts,
    aid::{Member, Procedure, Staff, household},
};
use crate::{
    Mesh,
    people::{Place, Sex, aged, days_ago, district, month_of, months_ago, today, years_after},
};

/// 统景镇.
pub const PLACE: &str = "500112133";

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let village = place.village();
    let clerk = place.token("clerk-tan", Role::TownshipClerk);
    let village_staff = place.token("director-luo", Role::VillageStaff);
    let father = aged(64, Sex::Male);
    let mother = aged(50, Sex::Female);
    let son = aged(12, Sex::Male);
    let father_ref = father.person_ref();
    let son_ref = son.person_ref();

    // ---- The person as each service knows him.
    let set_up = mesh.mark().await;
    mesh.say(format!(
        "The 残联 issued a level-1 physical disability certificate to a 64-year-old man of {} two \
         months ago (partner.dpf.certificate.issued.v1)",
        place.name
    ));
    let issued_on = months_ago(2);
    let certificate = partner_sim::certificate(
        &father.id_number,
        DisabilityCategory::Physical,
        1,
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
    let granted = mesh
        .expect_since::<SubsidyGranted>(
            &set_up,
            "disability grants the nursing subsidy by itself",
            |g| g.iter().any(|g| g.person_ref.as_str() == father_ref),
        )
        .await;
    let nursing = granted
        .iter()
        .find(|g| g.person_ref.as_str() == father_ref)
        .expect("granted");
    assert_eq!(nursing.kind, SubsidyKind::Nursing);
    assert_eq!(nursing.start_month.to_string(), month_of(issued_on));

    mesh.say("He lives alone without income: aid supports him as a dispersed extreme-poverty person (特困, 分散供养)");
    let staff = Staff::of(&place);
    let (household_id, members) = household(
        mesh,
        &place,
        &staff,
        "rural",
        &[Member {
            person: &father,
            name: "陈国强",
            relationship: "head",
            monthly_income_fen: 0,
            able_to_work: false,
        }],
    )
    .await;
    let support = Procedure::submit(
        mesh,
        &staff,
        &household_id,
        json!({ "programme": "extreme_poverty", "member_id": members[0],
                "support_mode": "dispersed", "care_level": "full_care" }),
        days_ago(80),
    )
    .await
    .through_to_enrollment(0)
    .await;
    let plans = mesh
        .expect_view(
            "elderly-care",
            "/v1/visit-plans?kind=dispersed_support",
            &clerk,
            "elderly care plans his monthly visits",
            |p| plan_of(p, &father_ref).is_some(),
        )
        .await;
    let plan_id = plan_of(&plans, &father_ref).expect("the plan")["id"]
        .as_str()
        .expect("plan id")
        .to_owned();

    mesh.say("Elderly care installs a home care bed for him (provider, application, assessment, installation)");
    let officer = district("officer-ma", Role::DistrictOfficer);
    let provider = mesh
        .create(
            "elderly-care",
            "/v1/providers",
            &officer,
            &json!({ "name": "渝北区康养服务中心", "contract_from": months_ago(6),
                     "contract_to": years_after(today(), 2) }),
        )
        .await;
    let bed = mesh
        .create(
            "elderly-care",
            "/v1/home-beds",
            &village_staff,
            &json!({ "village_code": village, "id_number": father.id_number, "name": "陈国强",
                     "address": format!("{}某村2组", place.name), "applied_on": days_ago(40) }),
        )
        .await;
    let bed_id = bed["id"].as_str().expect("bed id").to_owned();
    let bed_path = format!("/v1/home-beds/{bed_id}");
    mesh.update(
        "elderly-care",
        &bed_path,
        &format!("{bed_path}/assessment"),
        &clerk,
        &json!({ "capability_level": "severe_impairment", "assessed_on": days_ago(35) }),
    )
    .await;
    mesh.update(
        "elderly-care",
        &bed_path,
        &format!("{bed_path}/installation"),
        &clerk,
        &json!({ "provider_id": provider["id"], "installed_on": days_ago(30), "retrofit": true }),
    )
    .await;
    mesh.expect_since::<HomeBedEstablished>(&set_up, "the home bed established", |b| {
        b.iter().any(|b| b.person_ref.as_str() == father_ref)
    })
    .await;

    mesh.say(
        "A village child director reports his 12-year-old son; the township workstation records \
         the father 重残 and the mother declared missing (minor-protection)",
    );
    let case = mesh
        .create(
            "minor-protection",
            "/v1/cases",
            &clerk,
            &json!({
                "reporter": "village", "village_code": village, "reported_on": days_ago(20),
                "child": { "name": "陈小龙", "id_number": son.id_number, "address": format!("{}某村2组", place.name) },
                "narrative": "父亲重度残疾卧床，母亲多年前离家已被宣告失踪，孩子无人照料",
            }),
        )
        .await;
    let case_id = case["id"].as_str().expect("case id").to_owned();
    let (status, assessed) = mesh
        .post(
            "minor-protection",
            &format!("/v1/cases/{case_id}/parents"),
            &clerk,
            &json!({
                "father": { "situation": "severe_disability", "since": issued_on, "name": "陈国强",
                            "id_number": father.id_number },
                "mother": { "situation": "missing", "since": months_ago(30), "name": "周丽",
                            "id_number": mother.id_number },
                "recorded_on": days_ago(20),
            }),
        )
        .await;
    assert_eq!(status, 201, "{assessed}");
    assert_eq!(assessed["flagged"], true, "{assessed}");
    let registered = mesh
        .expect_since::<Registered>(
            &set_up,
            "child-welfare registers the son from the flag",
            |r| r.iter().any(|r| r.person_ref.as_str() == son_ref),
        )
        .await;
    let child_id = registered[0].child_id;
    assert_eq!(registered[0].category, ChildCategory::DeFactoUnsupported);
    let first_allowance = mesh
        .expect_since::<AllowanceStarted>(&set_up, "the son's allowance started", |a| {
            a.iter().any(|a| a.person_ref.as_str() == son_ref)
        })
        .await
        .remove(0);
    mesh.settle().await;

    // ---- One death record.
    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;
    let died_on = days_ago(3);
    let recorded_on = today();
    mesh.say(format!(
        "The civil registry records his death on {died_on} (partner.civil-registry.death.recorded.v1, recorded {recorded_on})"
    ));
    let mut death = partner_sim::death(&father.id_number, died_on, &village).expect("a death");
    death.recorded_on = recorded_on;
    mesh.partner("civil-registry")
        .await
        .publish(&death)
        .await
        .expect("published");

    // Aid: the support ends with the month of death (the last month paid).
    let enrollment_id = support.enrollment_id;
    let ended_support = mesh
        .expect_since::<EnrollmentEnded>(&mark, "aid ends his extreme-poverty support", |e| {
            e.iter().any(|e| e.enrollment_id == enrollment_id)
        })
        .await
        .remove(0);
    assert_eq!(ended_support.reason, EndReason::Death);
    assert_eq!(ended_support.end_month.to_string(), month_of(died_on));
    mesh.saw(format!(
        "extreme-poverty support last paid {}",
        ended_support.end_month
    ));

    // Elderly care: no more visits.
    mesh.expect_view(
        "elderly-care",
        &format!("/v1/visit-plans/{plan_id}"),
        &clerk,
        "elderly care cancels his visit plan",
        // Aid ends the enrollment for the death too, and the two events race: the plan is
        // cancelled by whichever arrives first — either way nothing is scheduled for him.
        |p| {
            p["status"] == "cancelled"
                && (p["cancel_reason"] == "death" || p["cancel_reason"] == "enrollment_ended")
        },
    )
    .await;

    // Disability: the nursing subsidy stops in the month of the comparison (the month the record
    // is made): the last month paid is the month before.
    let ended = mesh
        .expect_since::<SubsidyEnded>(&mark, "disability ends the nursing subsidy", |e| {
            e.iter().any(|e| e.person_ref.as_str() == father_ref)
        })
        .await;
    let ended = ended
        .iter()
        .find(|e| e.person_ref.as_str() == father_ref)
        .expect("ended");
    assert_eq!(ended.subsidy_id, nursing.subsidy_id);
    assert_eq!(ended.reason, SubsidyEndReason::Death);
    assert_eq!(
        ended.end_month.to_string(),
        month_of(months_ago(1).with_day(1).expect("a date")),
        "the last month paid is the one before the month of the comparison"
    );
    mesh.saw(format!(
        "nursing subsidy (paid from {}) ends for death, last month paid {}",
        nursing.start_month, ended.end_month
    ));
    mesh.expect_view(
        "disability-subsidies",
        &format!("/v1/subsidies/{}", nursing.subsidy_id),
        &clerk,
        "the nursing subsidy ended for death",
        |s| s["status"] == "ended" && s["end_reason"] == "death",
    )
    .await;

    // Elderly care: the home bed is closed on the date of death.
    let closed = mesh
        .expect_since::<HomeBedClosed>(&mark, "elderly care closes the home bed", |b| {
            b.iter().any(|b| b.person_ref.as_str() == father_ref)
        })
        .await;
    assert_eq!(closed[0].reason, HomeBedCloseReason::Death);
    assert_eq!(closed[0].closed_on, died_on);
    mesh.expect_view(
        "elderly-care",
        &bed_path,
        &clerk,
        "the home bed closed for death",
        |b| b["status"] == "closed" && b["close_reason"] == "death",
    )
    .await;

    // Child-welfare: the son has lost his father; with his mother declared missing he is now an
    // orphan — the de facto allowance ends and the orphan one follows without a gap.
    let child_path = format!("/v1/children/{child_id}");
    let child = mesh
        .expect_view(
            "child-welfare",
            &child_path,
            &clerk,
            "the son re-evaluated as an orphan",
            |c| {
                c["category"] == "orphan"
                    && c["allowances"]
                        .as_array()
                        .is_some_and(|a| a.iter().any(|a| a["category"] == "orphan"))
            },
        )
        .await;
    assert_allowances_follow(&child, &first_allowance, died_on);
    let orphan = mesh
        .expect_since::<AllowanceStarted>(&mark, "the orphan allowance started", |a| {
            a.iter()
                .any(|a| a.person_ref.as_str() == son_ref && a.category == ChildCategory::Orphan)
        })
        .await
        .remove(0);
    let standard = super::child_standard(
        mesh,
        "standard.orphan.family_based_fen",
        super::first_day_of(&orphan.start_month.to_string()),
    )
    .await;
    assert_eq!(
        orphan.monthly_amount_fen, standard,
        "a family-based orphan's standard"
    );
    mesh.saw(format!(
        "the son's de facto allowance ends, the orphan allowance pays {} fen a month from {}",
        orphan.monthly_amount_fen, orphan.start_month
    ));

    // Minor-protection: the father on the case is now dead.
    mesh.expect_view(
        "minor-protection",
        &format!("/v1/cases/{case_id}"),
        &clerk,
        "the case names the father as dead",
        |c| {
            c["parents"].as_array().is_some_and(|p| {
                p.iter()
                    .any(|p| p["parent"] == "father" && p["situation"] == "dead")
            })
        },
    )
    .await;

    mesh.settle().await;
    let seen = mesh.subjects_since(&mark).await;
    mesh.saw(format!("events after the death record: {seen:?}"));
    for subject in seen.keys() {
        assert!(
            [
                "partner.civil-registry.death.recorded.v1",
                "aid.enrollment.ended.v1",
                "disability.subsidy.ended.v1",
                "elderly.home-bed.closed.v1",
                "child.allowance.ended.v1",
                "child.allowance.started.v1",
                "child.allowance.changed.v1",
                "minor.child.at-risk.flagged.v1",
            ]
            .contains(&subject.as_str()),
            "unexpected event after the death record: {subject}"
        );
    }
    // Minor-protection may flag the son again (his parents' pair changed); child-welfare then
    // notes the flag as already registered.
    let flags = mesh.events_since::<ChildAtRiskFlagged>(&mark).await;
    for flag in &flags {
        assert_eq!(
            flag.person_ref.as_str(),
            son_ref,
            "only the son is flagged again"
        );
    }
    // No new case, bed, plan, subsidy or child anywhere: only changes to existing ones.
    views
        .assert_grew(
            mesh,
            &place,
            &[("child-welfare", "/v1/evaluations", flags.len())],
        )
        .await;
    mesh.assert_no_dead_letters(&set_up).await;

    if mesh.owns_processes() {
        payment_runs_skip_him(
            mesh,
            &father_ref,
            &ended.end_month.to_string(),
            &ended_support,
        )
        .await;
    } else {
        mesh.say(
            "(The monthly payment runs are the bureau's to start on a shared mesh: not run here.)",
        );
    }
}

/// The month's payment runs pay him nothing for a month after his death: disability's batch of
/// this month has no line for him after the last month paid; aid's batch of next month pays his
/// support only for the months he lived that no run had paid yet (arrears), none after.
async fn payment_runs_skip_him(
    mesh: &Mesh,
    father_ref: &str,
    last_paid: &str,
    support: &EnrollmentEnded,
) {
    let officer = district("officer-ma", Role::DistrictOfficer);
    mesh.say("The district runs this month's disability payment and next month's aid payment");
    let batch = mesh
        .create(
            "disability-subsidies",
            "/v1/payment-batches",
            &officer,
            &json!({ "month": month_of(today()) }),
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
    let his: Vec<&Value> = lines
        .iter()
        .filter(|l| l["person_ref"] == father_ref)
        .collect();
    assert!(
        his.iter()
            .all(|l| l["month"].as_str().is_some_and(|m| m <= last_paid)),
        "disability pays him for a month after the last one: {his:?}"
    );
    mesh.saw(format!(
        "disability batch {}: {} line(s) for him, none after {last_paid}",
        batch["month"],
        his.len()
    ));
    let next = crate::people::month_after(today());
    let batch = mesh
        .create(
            "aid-applications",
            "/v1/payment-batches",
            &officer,
            &json!({ "month": next }),
        )
        .await;
    let (status, lines) = mesh
        .get(
            "aid-applications",
            &format!("/v1/enrollments/{}/payments", support.enrollment_id),
            &officer,
        )
        .await;
    assert_eq!(status, 200, "{lines}");
    let months: Vec<&str> = lines
        .as_array()
        .expect("lines")
        .iter()
        .filter_map(|l| l["month"].as_str())
        .collect();
    let last_support = support.end_month.to_string();
    assert!(
        months.iter().all(|m| *m <= last_support.as_str()),
        "aid pays the dead: {months:?} after {last_support} ({batch})"
    );
    mesh.saw(format!(
        "aid batch {next}: his months owed while he lived {months:?}, none after {last_support}"
    ));
}

/// The son's allowances after his father's death: the first ended no later than the month of
/// the death, and an orphan allowance pays from the month after, with no month unpaid between.
fn assert_allowances_follow(child: &Value, first: &AllowanceStarted, died_on: chrono::NaiveDate) {
    let allowances = child["allowances"].as_array().expect("allowances");
    let old = allowances
        .iter()
        .find(|a| a["id"] == first.allowance_id.to_string())
        .expect("the first allowance");
    let end = old["end_month"]
        .as_str()
        .expect("the first allowance ended");
    assert!(
        end <= month_of(died_on).as_str(),
        "the de facto allowance is not paid after the month of the death: {child}"
    );
    let orphan = allowances
        .iter()
        .find(|a| a["category"] == "orphan")
        .expect("an orphan allowance");
    let start = orphan["start_month"].as_str().expect("start");
    assert!(
        super::first_day_of(start) > super::first_day_of(end),
        "the orphan allowance starts after the de facto one ends: {child}"
    );
    assert!(
        super::first_day_of(start)
            <= super::first_day_of(end)
                .checked_add_months(chrono::Months::new(1))
                .expect("a date"),
        "no month unpaid between the two allowances: {child}"
    );
}

fn plan_of<'a>(page: &'a Value, person_ref: &str) -> Option<&'a Value> {
    page["items"]
        .as_array()?
        .iter()
        .find(|p| p["person_ref"] == person_ref)
}
