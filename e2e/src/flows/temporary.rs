//! Flow 7: temporary assistance (临时救助). The township approves up to its cap (a multiple of the
//! urban dibao standard, both read from aid's reference data), the district above it; act-first
//! payments (先行救助) draw the township's reserve fund at approval, and the fund never goes
//! negative, not even when two approvals race for the last of it.

use contracts::aid::{DecisionLevel, TemporaryAssistanceGranted};
use kit::Role;
use serde_json::{Value, json};

use super::{
    ViewCounts,
    aid::{Member, Staff, household},
};
use crate::{
    Mesh,
    people::{Person, Place, Sex, aged, district, today},
};

/// Townships whose reserve fund the flow may use: the first whose balance still lets two act-first
/// requests within the cap race for the last of it (each run leaves some money behind).
pub const PLACES: [&str; 4] = ["500112140", "500112143", "500112144", "500112131"];

/// Paid into the fund, and drawn by the first act-first grant.
const REPLENISHMENT: i64 = 300_000;
const FIRE: i64 = 150_000;

/// An aid parameter in force today (from aid's `/v1/reference/parameters`).
pub async fn aid_parameter(mesh: &Mesh, token: &str, name: &str) -> Value {
    let (status, all) = mesh
        .get("aid-applications", "/v1/reference/parameters", token)
        .await;
    assert_eq!(status, 200, "{all}");
    let today = today().to_string();
    all.as_array()
        .into_iter()
        .flatten()
        .find(|p| p["name"] == name)
        .and_then(|p| {
            p["entries"]
                .as_array()?
                .iter()
                .filter(|e| {
                    e["valid_from"]
                        .as_str()
                        .is_some_and(|d| d <= today.as_str())
                })
                .max_by_key(|e| e["valid_from"].as_str().unwrap_or_default().to_owned())
                .map(|e| e["value"].clone())
        })
        .unwrap_or_else(|| panic!("no {name} in force: {all}"))
}

async fn fund(mesh: &Mesh, township: &str) -> Value {
    let officer = district("officer-ma", Role::DistrictOfficer);
    let (status, f) = mesh
        .get(
            "aid-applications",
            &format!("/v1/reserve-funds/{township}?limit=200"),
            &officer,
        )
        .await;
    assert_eq!(status, 200, "{f}");
    f
}

fn balance(f: &Value) -> i64 {
    f["balance_fen"].as_i64().expect("balance")
}

/// Records a request for the household; returns it.
async fn request(
    mesh: &Mesh,
    staff: &Staff,
    household: &str,
    emergency: &str,
    amount_fen: i64,
    act_first: bool,
) -> Value {
    mesh.create(
        "aid-applications",
        "/v1/temporary-assistance",
        &staff.clerk,
        &json!({ "household_id": household, "emergency_type": emergency,
                 "applied_at": "registered_place", "amount_fen": amount_fen,
                 "act_first": act_first, "circumstances": "突发困难，基本生活难以为继" }),
    )
    .await
}

fn decision_path(grant: &Value) -> String {
    format!(
        "/v1/temporary-assistance/{}/decision",
        grant["id"].as_str().expect("grant id")
    )
}

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let reader = district("officer-ma", Role::DistrictOfficer);
    let multiplier = aid_parameter(mesh, &reader, "temporary_township_cap_multiplier")
        .await
        .as_i64()
        .expect("‰");
    let standard = aid_parameter(mesh, &reader, "urban_dibao_standard")
        .await
        .as_i64()
        .expect("fen");
    let cap = multiplier * standard / 1000;
    let mut found = None;
    for code in PLACES {
        let before = balance(&fund(mesh, code).await);
        // Two requests of a little more than half of what is left after the fire, within the cap.
        let race = (before + REPLENISHMENT - FIRE) / 2 + 1_000;
        if race <= cap {
            found = Some((Place::township(code), before, race));
            break;
        }
    }
    let (place, before, race) =
        found.expect("a township whose reserve fund the flow can still use");
    let staff = Staff::of(&place);
    let approver = staff.reviewer.clone();
    let officer = district("officer-ma", Role::DistrictOfficer);
    mesh.say(format!(
        "{}: the township may approve up to {multiplier}‰ × the urban dibao standard {standard} = {cap} fen",
        place.name
    ));

    let people: Vec<Person> = (0..4u32).map(|i| aged(40 + i, Sex::Male)).collect();
    let mut households = Vec::new();
    for (i, p) in people.iter().enumerate() {
        let names = ["马志刚", "何永福", "邓建军", "唐国平"];
        let (id, _) = household(
            mesh,
            &place,
            &staff,
            "urban",
            &[Member {
                person: p,
                name: names[i],
                relationship: "head",
                monthly_income_fen: 20_000,
                able_to_work: true,
            }],
        )
        .await;
        households.push(id);
    }
    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;

    mesh.say("The district puts 3 000 yuan in the township's reserve fund");
    mesh.create(
        "aid-applications",
        &format!("/v1/reserve-funds/{}/replenishments", place.township),
        &officer,
        &json!({ "amount_fen": REPLENISHMENT, "reference": "渝北民〔2026〕备用金" }),
    )
    .await;

    mesh.say(format!(
        "A house fire: the township pays {FIRE} fen at once (act-first), within its cap"
    ));
    let fire = request(mesh, &staff, &households[0], "fire", FIRE, true).await;
    assert_eq!(fire["tier"], "township", "{fire}");
    let (status, granted) = mesh
        .post(
            "aid-applications",
            &decision_path(&fire),
            &approver,
            &json!({ "outcome": "approved" }),
        )
        .await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["approved_by"], "township");
    let left = before + REPLENISHMENT - FIRE;
    let f = fund(mesh, place.township).await;
    assert_eq!(balance(&f), left, "{f}");
    mesh.saw(format!(
        "reserve fund: {before} + {REPLENISHMENT} in, {FIRE} drawn, {left} left"
    ));
    mesh.create(
        "aid-applications",
        &format!(
            "/v1/temporary-assistance/{}/paperwork",
            fire["id"].as_str().expect("id")
        ),
        &staff.clerk,
        &json!({ "completed_on": today() }),
    )
    .await;
    mesh.saw("the act-first paperwork completed in time");

    mesh.say(format!(
        "Illness costs of {cap} fen (the cap itself) are the township's to approve; an accident claim of one fen more is the district's"
    ));
    let at_cap = request(mesh, &staff, &households[1], "serious_illness", cap, false).await;
    assert_eq!(at_cap["tier"], "township", "{at_cap}");
    let above = request(mesh, &staff, &households[1], "accident", cap + 1, false).await;
    assert_eq!(above["tier"], "district", "{above}");
    let (status, refused) = mesh
        .post(
            "aid-applications",
            &decision_path(&above),
            &approver,
            &json!({ "outcome": "approved" }),
        )
        .await;
    assert_eq!(
        status, 403,
        "the township may not approve above its cap: {refused}"
    );
    let (status, granted) = mesh
        .post(
            "aid-applications",
            &decision_path(&above),
            &staff.district_approver,
            &json!({ "outcome": "approved" }),
        )
        .await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["approved_by"], "district");
    let (status, granted) = mesh
        .post(
            "aid-applications",
            &decision_path(&at_cap),
            &approver,
            &json!({ "outcome": "approved" }),
        )
        .await;
    assert_eq!(status, 200, "{granted}");
    assert_eq!(granted["approved_by"], "township");
    assert_eq!(
        balance(&fund(mesh, place.township).await),
        left,
        "grants that are not act-first do not touch the reserve fund"
    );

    mesh.say(format!(
        "A flood: two act-first requests of {race} fen each are approved at the same moment; {left} fen are left"
    ));
    let a = request(mesh, &staff, &households[2], "natural_disaster", race, true).await;
    let b = request(mesh, &staff, &households[3], "natural_disaster", race, true).await;
    let body = json!({ "outcome": "approved" });
    let (pa, pb) = (decision_path(&a), decision_path(&b));
    let (ra, rb) = futures::join!(
        mesh.post("aid-applications", &pa, &approver, &body),
        mesh.post("aid-applications", &pb, &approver, &body),
    );
    let mut statuses = [ra.0, rb.0];
    statuses.sort_unstable();
    assert_eq!(
        statuses,
        [200, 409],
        "one is paid, the other refused: {ra:?} {rb:?}"
    );
    let refusal = if ra.0 == 409 { &ra.1 } else { &rb.1 };
    assert!(
        refusal["type"]
            .as_str()
            .is_some_and(|t| t.ends_with("reserve-fund-insufficient")),
        "{refusal}"
    );
    let f = fund(mesh, place.township).await;
    assert_eq!(balance(&f), left - race, "{f}");
    let entries = f["entries"].as_array().expect("ledger");
    assert!(
        entries
            .iter()
            .all(|e| e["balance_after_fen"].as_i64().is_some_and(|b| b >= 0)),
        "no ledger line below zero: {f}"
    );
    mesh.saw(format!(
        "one paid from the fund, the other refused (reserve-fund-insufficient); {} fen left, no ledger line below zero",
        left - race
    ));

    let grants = mesh
        .expect_since::<TemporaryAssistanceGranted>(&mark, "four grants published", |g| {
            g.len() >= 4
        })
        .await;
    let act_first: Vec<_> = grants.iter().filter(|g| g.act_first).collect();
    assert_eq!(act_first.len(), 2, "{grants:?}");
    assert!(
        act_first
            .iter()
            .all(|g| g.approved_by == DecisionLevel::Township)
    );
    assert_eq!(
        grants
            .iter()
            .filter(|g| g.approved_by == DecisionLevel::District)
            .map(|g| g.amount_fen)
            .collect::<Vec<_>>(),
        [cap + 1]
    );

    mesh.assert_only_events(&mark, &[("aid.temporary-assistance.granted.v1", 4)])
        .await;
    views
        .assert_grew(
            mesh,
            &place,
            &[("aid-applications", "/v1/temporary-assistance", 5)],
        )
        .await;
    mesh.assert_no_dead_letters(&mark).await;
}
