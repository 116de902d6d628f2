//! Flow 8: payments exactly as owed. A dibao household is decided without a payee account, so its
//! first month is held; the urban standard is raised with effect from that month after another
//! household's month was paid; the account is added. The next run pays the held month (arrears),
//! the other household's difference (a top-up) and both households' current month, each once.
//! Then the household's disabled son is confirmed for extreme-poverty support: one benefit per
//! person — the dibao is recomputed without him from that support's first month, and disability
//! stops his living subsidy.

use chrono::{Datelike, Months, NaiveDate};
use contracts::{
    aid::{ChangeReason, EnrollmentChanged, EnrollmentStarted, Programme},
    disability::{SubsidyEndReason, SubsidyEnded, SubsidyGranted, SubsidyKind},
    partner::DisabilityCategory,
};
use serde_json::{Value, json};

use super::aid::{Member, Procedure, Staff, household};
use crate::{
    Mesh,
    people::{Place, Sex, aged, district, month_of, months_ago, today, years_after},
};

/// 石船镇.
pub const PLACE: &str = "500112142";

/// Runs the flow; panics at the first effect that is missing or wrong. The payment runs and the
/// standard raise happen only on the suite's own mesh: on a shared mesh they are the bureau's.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let village = place.village();
    let staff = Staff::of(&place);
    let mother = aged(50, Sex::Female);
    let son = aged(26, Sex::Male);
    let neighbour = aged(60, Sex::Male);
    let son_ref = son.person_ref();

    let set_up = mesh.mark().await;
    mesh.say(format!(
        "The 残联 has certified a 26-year-old man of {} with a level-2 intellectual disability",
        place.name
    ));
    let issued_on = months_ago(8);
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
    mesh.expect_since::<SubsidyGranted>(&set_up, "his nursing subsidy", |g| {
        g.iter().any(|g| g.person_ref.as_str() == son_ref)
    })
    .await;
    let (family, members) = household(
        mesh,
        &place,
        &staff,
        "urban",
        &[
            Member {
                person: &mother,
                name: "何秀英",
                relationship: "head",
                monthly_income_fen: 0,
                able_to_work: false,
            },
            Member {
                person: &son,
                name: "何小军",
                relationship: "child",
                monthly_income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await;
    let (neighbours, _) = household(
        mesh,
        &place,
        &staff,
        "urban",
        &[Member {
            person: &neighbour,
            name: "刘志强",
            relationship: "head",
            monthly_income_fen: 0,
            able_to_work: false,
        }],
    )
    .await;
    mesh.settle().await;

    // Both decided in the middle of the month before last: paid from last month.
    let this_month = first_of(today());
    let held_month = this_month - Months::new(1);
    let base = this_month - Months::new(2) + chrono::Days::new(1);
    let mark = mesh.mark().await;
    mesh.say(
        "The district confirms dibao for the family without a payee account (none was given), \
         and for their neighbour with one",
    );
    let family_dibao = Procedure::submit(mesh, &staff, &family, json!({}), base)
        .await
        .through_to_enrollment_without_account(0)
        .await;
    let neighbour_dibao = Procedure::submit(mesh, &staff, &neighbours, json!({}), base)
        .await
        .through_to_enrollment(0)
        .await;
    for d in [&family_dibao, &neighbour_dibao] {
        assert_eq!(d.start_month.to_string(), month_of(held_month));
    }
    let living = mesh
        .expect_since::<SubsidyGranted>(&mark, "disability opens his living subsidy", |g| {
            g.iter()
                .any(|g| g.person_ref.as_str() == son_ref && g.kind == SubsidyKind::Living)
        })
        .await
        .remove(0);
    mesh.saw(format!(
        "both paid from {held_month}: the family {} fen a month (no account), the neighbour {} \
         fen; disability opened his living subsidy by itself",
        family_dibao.monthly_amount_fen, neighbour_dibao.monthly_amount_fen
    ));

    if mesh.owns_processes() {
        pay(
            mesh,
            &staff,
            &family_dibao,
            &neighbour_dibao,
            held_month,
            this_month,
        )
        .await;
    }

    mesh.say(
        "Today the son is confirmed for extreme-poverty support (集中供养, from next month): one \
         benefit per person",
    );
    let support = Procedure::submit(
        mesh,
        &staff,
        &family,
        json!({ "programme": "extreme_poverty", "member_id": members[1],
                "support_mode": "institutional", "care_level": "full_care" }),
        today() - chrono::Days::new(13),
    )
    .await
    .through_to_enrollment(0)
    .await;
    assert_eq!(support.programme, Programme::ExtremePoverty);
    let next_month = this_month + Months::new(1);
    assert_eq!(support.start_month.to_string(), month_of(next_month));
    let family_id = family_dibao.enrollment_id;
    let changed = mesh
        .expect_since::<EnrollmentChanged>(&mark, "the family's dibao without him", |e| {
            e.iter()
                .any(|e| e.enrollment_id == family_id && e.reason == ChangeReason::MembersChanged)
        })
        .await
        .into_iter()
        .rfind(|e| e.enrollment_id == family_id)
        .expect("the change");
    assert_eq!(changed.effective_month.to_string(), month_of(next_month));
    assert!(
        changed.beneficiaries.iter().all(|b| b.as_str() != son_ref),
        "he is no longer paid by the dibao"
    );
    assert!(changed.monthly_amount_fen < family_dibao.monthly_amount_fen);
    let stopped = mesh
        .expect_since::<SubsidyEnded>(&mark, "disability stops his living subsidy", |e| {
            e.iter().any(|e| e.subsidy_id == living.subsidy_id)
        })
        .await
        .remove(0);
    // Whichever of aid's two events disability applies first ends it (they travel on two
    // subjects): his support — not paid from the month of the comparison — or his leaving the
    // household's dibao — paid through its last month.
    let (reason, last) = (stopped.reason, stopped.end_month.to_string());
    assert!(
        (reason, last.as_str())
            == (
                SubsidyEndReason::ExtremePovertySupport,
                month_of(this_month - Months::new(1)).as_str()
            )
            || (reason, last.as_str())
                == (SubsidyEndReason::LeftDibao, month_of(this_month).as_str()),
        "{reason:?} {last}"
    );
    mesh.saw(format!(
        "the family's dibao from {}: {} fen for his mother alone; his living subsidy ended ({})",
        changed.effective_month, changed.monthly_amount_fen, stopped.end_month
    ));
    // On the suite's own mesh: the standard followed by both enrollments, and three batches.
    let (runs, followed) = if mesh.owns_processes() {
        next_run_pays_the_mother_alone(mesh, &changed, &support, next_month).await;
        (3, 2)
    } else {
        (0, 0)
    };
    let mut expected = vec![
        ("aid.application.submitted.v1", 3),
        ("aid.verification.requested.v1", 3),
        ("partner.verification.completed.v1", 3),
        ("aid.publicity.opened.v1", 3),
        ("aid.application.decided.v1", 3),
        ("aid.enrollment.started.v1", 3),
        ("disability.subsidy.granted.v1", 1),
        ("aid.enrollment.changed.v1", 1 + followed),
        ("disability.subsidy.ended.v1", 1),
    ];
    if runs > 0 {
        expected.push(("aid.payment.batch.issued.v1", runs));
    }
    mesh.assert_only_events(&mark, &expected).await;
    mesh.assert_no_dead_letters(&set_up).await;
}

fn first_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).expect("the first of a month")
}

fn officer() -> String {
    district("officer-ma", kit::Role::DistrictOfficer)
}

async fn run_month(mesh: &Mesh, month: NaiveDate) -> Value {
    mesh.create(
        "aid-applications",
        "/v1/payment-batches",
        &officer(),
        &json!({ "month": month_of(month) }),
    )
    .await
}

/// The enrollment's lines as (month, kind, amount, status).
async fn lines(mesh: &Mesh, enrollment: &str) -> Vec<(String, String, i64, String)> {
    let (status, lines) = mesh
        .get(
            "aid-applications",
            &format!("/v1/enrollments/{enrollment}/payments"),
            &officer(),
        )
        .await;
    assert_eq!(status, 200, "{lines}");
    lines
        .as_array()
        .expect("lines")
        .iter()
        .map(|l| {
            (
                l["month"].as_str().expect("month").to_owned(),
                l["kind"].as_str().expect("kind").to_owned(),
                l["amount_fen"].as_i64().expect("amount"),
                l["status"].as_str().expect("status").to_owned(),
            )
        })
        .collect()
}

fn line(month: NaiveDate, kind: &str, amount: i64, status: &str) -> (String, String, i64, String) {
    (month_of(month), kind.into(), amount, status.into())
}

/// Last month's run (the family held), the standard raised back to it, the family's account,
/// this month's run: the held month, the neighbour's top-up and both current months, once.
async fn pay(
    mesh: &Mesh,
    staff: &Staff,
    family: &EnrollmentStarted,
    neighbour: &EnrollmentStarted,
    held_month: NaiveDate,
    this_month: NaiveDate,
) {
    mesh.say(format!(
        "The district runs the aid payment of {}",
        month_of(held_month)
    ));
    let first = run_month(mesh, held_month).await;
    assert_eq!(
        (first["line_count"].as_i64(), first["held_count"].as_i64()),
        (Some(1), Some(1)),
        "{first}"
    );
    mesh.saw("the neighbour paid, the family's line held: no account");

    mesh.say(format!(
        "The urban standard is raised by 24 yuan with effect from {} (announced late)",
        month_of(held_month)
    ));
    let (_, parameters) = mesh
        .get("aid-applications", "/v1/reference/parameters", &officer())
        .await;
    let urban = parameters
        .as_array()
        .expect("parameters")
        .iter()
        .find(|p| p["name"] == "urban_dibao_standard")
        .and_then(|p| p["entries"].as_array()?.last()?["value"].as_i64())
        .expect("the urban standard");
    let answer = mesh
        .put(
            "aid-applications",
            &format!("/v1/reference/parameters/urban_dibao_standard/{held_month}"),
            &officer(),
            Some("\"v0\""),
            &json!({ "value": urban + 2_400 }),
        )
        .await;
    assert_eq!(answer.status, 200, "{}", answer.body);
    let answer = answer.body;
    assert_eq!(answer["enrollments_following"], 2, "{answer}");
    let raised = |e: &EnrollmentStarted| e.monthly_amount_fen + 2_400 * e.members.len() as i64;

    mesh.say("The family's account is added");
    mesh.replace(
        "aid-applications",
        &format!("/v1/enrollments/{}", family.enrollment_id),
        &format!("/v1/enrollments/{}/payee", family.enrollment_id),
        &staff.clerk,
        &json!({ "name": "何秀英", "bank": "重庆农村商业银行", "account": "6217000055556666" }),
    )
    .await;

    mesh.say(format!(
        "The district runs the aid payment of {}",
        month_of(this_month)
    ));
    let batch = run_month(mesh, this_month).await;
    let (family_new, neighbour_new) = (raised(family), raised(neighbour));
    let top_up = neighbour_new - neighbour.monthly_amount_fen;
    assert_eq!(
        (batch["line_count"].as_i64(), batch["total_fen"].as_i64()),
        (Some(4), Some(2 * family_new + top_up + neighbour_new)),
        "{batch}"
    );
    assert_eq!(
        batch["arrears"],
        json!([
            { "month": month_of(held_month), "kind": "arrears", "line_count": 1, "total_fen": family_new },
            { "month": month_of(held_month), "kind": "top_up", "line_count": 1, "total_fen": top_up },
        ]),
        "{batch}"
    );
    assert_eq!(
        lines(mesh, &family.enrollment_id.to_string()).await,
        [
            line(held_month, "month", family.monthly_amount_fen, "released"),
            line(held_month, "arrears", family_new, "issued"),
            line(this_month, "month", family_new, "issued"),
        ]
    );
    assert_eq!(
        lines(mesh, &neighbour.enrollment_id.to_string()).await,
        [
            line(held_month, "month", neighbour.monthly_amount_fen, "issued"),
            line(held_month, "top_up", top_up, "issued"),
            line(this_month, "month", neighbour_new, "issued"),
        ]
    );
    mesh.saw(format!(
        "{}: the family's held month at the new standard ({family_new} fen) and its current \
         month; the neighbour's top-up ({top_up} fen) and current month ({neighbour_new} fen)",
        month_of(this_month)
    ));
}

/// Next month's run: the family's line is the mother's alone, the son's is his support, the
/// neighbour's at the new standard, nothing owed from before.
async fn next_run_pays_the_mother_alone(
    mesh: &Mesh,
    changed: &EnrollmentChanged,
    support: &EnrollmentStarted,
    next_month: NaiveDate,
) {
    mesh.say(format!(
        "The district runs the aid payment of {}",
        month_of(next_month)
    ));
    let batch = run_month(mesh, next_month).await;
    assert_eq!(batch["line_count"].as_i64(), Some(3), "{batch}");
    assert_eq!(batch["arrears"], json!([]), "{batch}");
    let family = lines(mesh, &changed.enrollment_id.to_string()).await;
    assert_eq!(
        family.last(),
        Some(&line(
            next_month,
            "month",
            changed.monthly_amount_fen,
            "issued"
        ))
    );
    assert_eq!(
        lines(mesh, &support.enrollment_id.to_string()).await,
        [line(
            next_month,
            "month",
            support.monthly_amount_fen,
            "issued"
        )]
    );
    mesh.saw(format!(
        "{}: {} fen for the mother alone, {} fen of support for him (to the institution), \
         nothing paid twice",
        month_of(next_month),
        changed.monthly_amount_fen,
        support.monthly_amount_fen
    ));
}
