//! Flow 4: aid opens the 7-day publicity (公示) → village-governance shows it on the village board
//! with masked data (a number, the programme, the household size, the proposed amount — no name,
//! ID number or application) for exactly its 7 days → a resident's objection is filed at the
//! village edge → the aid application goes back to investigation, with a new verification round.

use contracts::{
    aid::{Programme, PublicityOpened},
    village::PublicityObjectionRaised,
};
use serde_json::{Value, json};

use super::{
    ViewCounts,
    aid::{Member, Procedure, Staff, household},
};
use crate::{
    Mesh,
    people::{Place, Sex, aged, days_ago, today},
};

/// 古路镇.
pub const PLACE: &str = "500112141";

/// Runs the flow; panics at the first effect that is missing or wrong.
pub async fn run(mesh: &Mesh) {
    let place = Place::township(PLACE);
    let village = place.village();
    let staff = Staff::of(&place);
    let head = aged(47, Sex::Male);
    let daughter = aged(15, Sex::Female);
    let names = ["吴长林", "吴小雨"];

    let (household_id, _) = household(
        mesh,
        &place,
        &staff,
        "rural",
        &[
            Member {
                person: &head,
                name: names[0],
                relationship: "head",
                monthly_income_fen: 30_000,
                able_to_work: true,
            },
            Member {
                person: &daughter,
                name: names[1],
                relationship: "child",
                monthly_income_fen: 0,
                able_to_work: false,
            },
        ],
    )
    .await;
    let views = ViewCounts::of(mesh, &place).await;
    let mark = mesh.mark().await;
    mesh.say(format!(
        "A father and his daughter of {} apply for dibao; aid investigates, reviews and opens the \
         publicity yesterday",
        place.name
    ));
    let procedure = Procedure::submit(mesh, &staff, &household_id, json!({}), days_ago(6)).await;
    let request = procedure.investigate().await;
    procedure.answer(&request, 30_000, 3).await;
    let opened: PublicityOpened = procedure.review_and_publish(4).await;
    assert_eq!(opened.opened_on, days_ago(1));
    assert_eq!(opened.programme, Programme::Dibao);
    assert_eq!(opened.household_size, 2);
    assert_eq!(
        (opened.closes_on - opened.opened_on).num_days(),
        6,
        "the publicity runs 7 days, the first and the last included"
    );

    let board_path = format!("/v1/villages/{village}/board");
    let board = mesh
        .expect_view(
            "village-governance",
            &board_path,
            &staff.village,
            "the publicity is on the village board today",
            |b| item_of(b, &opened).is_some(),
        )
        .await;
    let item = item_of(&board, &opened).expect("the posting");
    assert_eq!(item["publicity_number"], opened.publicity_number.as_str());
    assert_eq!(item["programme"], "dibao");
    assert_eq!(item["household_size"], 2);
    assert_eq!(
        item["proposed_monthly_amount_fen"],
        opened.proposed_monthly_amount_fen
    );
    let shown = board.to_string();
    for secret in [
        names[0],
        names[1],
        &head.id_number[..14],
        &daughter.id_number[..14],
        &head.person_ref(),
        &household_id,
        &procedure.id,
    ] {
        assert!(!shown.contains(secret), "the board shows {secret}: {shown}");
    }
    mesh.saw(format!(
        "board item {}: dibao, 2 people, {} fen a month proposed — no name, ID number or application",
        opened.publicity_number, opened.proposed_monthly_amount_fen
    ));

    mesh.say(
        "The board on the days around the publicity: shown from its first to its seventh day only",
    );
    for (on, visible) in [
        (opened.opened_on.pred_opt().expect("a date"), false),
        (opened.opened_on, true),
        (opened.closes_on, true),
        (opened.closes_on.succ_opt().expect("a date"), false),
    ] {
        let (status, b) = mesh
            .get(
                "village-governance",
                &format!("{board_path}?on={on}"),
                &staff.village,
            )
            .await;
        assert_eq!(status, 200, "{b}");
        assert_eq!(item_of(&b, &opened).is_some(), visible, "on {on}: {b}");
        mesh.saw(format!(
            "board on {on}: {}",
            if visible { "shown" } else { "not shown" }
        ));
    }

    mesh.say("A neighbour objects at the village: the father earns from a shop he did not declare");
    let objector = ["钱大妈", "13800001234"];
    let objection = mesh
        .create(
            "village-governance",
            "/v1/objections",
            &staff.village,
            &json!({ "publicity_id": opened.publicity_id, "grounds": "income_understated",
                     "statement": "他在镇上开了一家小卖部，收入没有申报",
                     "objector_name": objector[0], "objector_phone": objector[1] }),
        )
        .await;
    assert_ne!(objection["objector_name"], objector[0], "{objection}");
    assert_ne!(objection["objector_phone"], objector[1], "{objection}");
    let raised = mesh
        .expect_since::<PublicityObjectionRaised>(
            &mark,
            "village-governance publishes the objection",
            |o| o.iter().any(|o| o.publicity_id == opened.publicity_id),
        )
        .await
        .remove(0);
    assert_eq!(raised.application_id.to_string(), procedure.id);
    assert_eq!(raised.raised_on, today());
    let raw = mesh
        .raw_events("village.publicity.objection.raised.v1")
        .await
        .join("\n");
    for secret in [objector[0], objector[1], "小卖部"] {
        assert!(!raw.contains(secret), "the event carries {secret}: {raw}");
    }

    let application = mesh
        .expect_view(
            "aid-applications",
            &format!("/v1/applications/{}", procedure.id),
            &staff.clerk,
            "aid sends the application back to investigation",
            |a| a["status"] == "investigating" && a["objection_pending"] == true,
        )
        .await;
    assert_eq!(application["investigation_rounds"], 1, "{application}");

    mesh.say("Nothing is decided on it meanwhile; the township investigates again (a second verification round)");
    let (status, refused) = mesh
        .post(
            "aid-applications",
            &format!("/v1/applications/{}/decision", procedure.id),
            &staff.district_approver,
            &json!({ "outcome": "approved", "on": today() }),
        )
        .await;
    assert_eq!(status, 409, "{refused}");
    let second = procedure.reinvestigate(6, 2).await;
    assert_ne!(second.request_id, request.request_id);
    let application = procedure.view().await;
    assert_eq!(application["investigation_rounds"], 2, "{application}");
    assert_eq!(application["objection_pending"], false, "{application}");

    mesh.assert_only_events(
        &mark,
        &[
            ("aid.application.submitted.v1", 1),
            ("aid.verification.requested.v1", 2),
            ("partner.verification.completed.v1", 1),
            ("aid.publicity.opened.v1", 1),
            ("village.publicity.objection.raised.v1", 1),
        ],
    )
    .await;
    views
        .assert_grew(
            mesh,
            &place,
            &[
                ("aid-applications", "/v1/applications", 1),
                ("village-governance", "/v1/villages/{village}/board", 1),
            ],
        )
        .await;
    mesh.assert_no_dead_letters(&mark).await;
}

fn item_of<'a>(board: &'a Value, opened: &PublicityOpened) -> Option<&'a Value> {
    board["items"]
        .as_array()?
        .iter()
        .find(|i| i["publicity_id"] == opened.publicity_id.to_string())
}
