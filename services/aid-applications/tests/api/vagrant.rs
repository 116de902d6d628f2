//! Vagrant relief through the REST edge: admission, identification, the 24-hour family-tracing
//! notice and its overdue list, return or settlement, and the refusals.

use crate::assistance_support::*;
use chrono::{Duration, SecondsFormat};
use serde_json::json;

fn ago(hours: i64) -> String {
    (kit::clock::now() - Duration::hours(hours)).to_rfc3339_opts(SecondsFormat::Secs, true)
}

#[tokio::test]
async fn an_unidentified_person_admitted_25_hours_ago_without_a_notice_is_listed_overdue_until_one_is_published()
 {
    let app = spawn().await;
    let station = district_officer();
    let admission = json!({ "admitted_at": ago(25), "found_place": "渝北区某立交桥下", "referred_by": "police", "sex": "male", "apparent_age": 60 });
    let (status, late) = app.post("/v1/vagrants", &station, &admission).await;
    assert_eq!(status, 201, "{late}");
    assert_eq!(late["identified"], false);
    assert_eq!(late["tracing_overdue"], true);
    let recent = json!({ "admitted_at": ago(2), "found_place": "两路某广场", "referred_by": "public", "sex": "female" });
    let (_, recent) = app.post("/v1/vagrants", &station, &recent).await;
    assert_eq!(recent["tracing_overdue"], false);

    let (status, overdue) = app.get("/v1/vagrants/tracing-overdue", &station).await;
    assert_eq!(status, 200);
    let ids: Vec<&str> = overdue
        .as_array()
        .unwrap()
        .iter()
        .map(|s| s["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids, [late["id"].as_str().unwrap()]);
    // Judged a day later, the recent admission is overdue too.
    let tomorrow =
        (kit::clock::now() + Duration::hours(23)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (_, later) = app
        .get(
            &format!(
                "/v1/vagrants/tracing-overdue?at={}",
                tomorrow.replace('+', "%2B")
            ),
            &station,
        )
        .await;
    assert_eq!(later.as_array().unwrap().len(), 2, "{later}");

    let path = format!(
        "/v1/vagrants/{}/tracing-notice",
        late["id"].as_str().unwrap()
    );
    let (status, noticed) = app
        .post(
            &path,
            &station,
            &json!({ "channel": "national_tracing_platform" }),
        )
        .await;
    assert_eq!(status, 200, "{noticed}");
    assert_eq!(noticed["tracing_notice_late"], true);
    let (_, overdue) = app.get("/v1/vagrants/tracing-overdue", &station).await;
    assert_eq!(overdue.as_array().unwrap().len(), 0);
    let (status, problem) = app
        .post(&path, &station, &json!({ "channel": "newspaper" }))
        .await;
    assert_eq!(status, 409);
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("tracing-notice-already-published")
    );
}

#[tokio::test]
async fn an_identified_person_is_linked_to_a_registered_household_and_returned_home() {
    let app = spawn().await;
    let station = district_officer();
    let number = id_number("50011219550505101");
    let household = household(&app, LIANGLU_VILLAGE, &[&number]).await;
    let (_, stay) = app
        .post(
            "/v1/vagrants",
            &station,
            &json!({ "found_place": "火车北站", "referred_by": "city_management", "sex": "male" }),
        )
        .await;
    let id = stay["id"].as_str().unwrap();
    // A return before identification is refused, and nothing changes.
    let exit = json!({ "outcome": "returned", "destination": "两路街道 家属接回" });
    let (status, problem) = app
        .post(&format!("/v1/vagrants/{id}/exit"), &station, &exit)
        .await;
    assert_eq!(status, 409, "{problem}");
    assert!(
        problem["type"]
            .as_str()
            .unwrap()
            .ends_with("return-needs-identity")
    );

    let (status, identified) = app
        .post(&format!("/v1/vagrants/{id}/identification"), &station,
              &json!({ "id_number": number.to_lowercase(), "method": "police_records", "name": "张某" }))
        .await;
    assert_eq!(status, 200, "{identified}");
    assert_eq!(identified["household_id"], household.as_str());
    assert_eq!(
        identified["id_number"].as_str().unwrap(),
        format!("{}********{}", &number[..6], &number[14..])
    );
    assert_eq!(identified["tracing_overdue"], false);

    let (status, left) = app
        .post(&format!("/v1/vagrants/{id}/exit"), &station, &exit)
        .await;
    assert_eq!(status, 200, "{left}");
    assert_eq!(left["status"], "left");
    assert_eq!(left["exit_outcome"], "returned");
    let (status, _) = app
        .post(
            &format!("/v1/vagrants/{id}/exit"),
            &station,
            &json!({ "outcome": "settled", "destination": "x" }),
        )
        .await;
    assert_eq!(status, 409);
}

#[tokio::test]
async fn an_unidentified_person_can_be_settled_and_bad_input_is_refused_by_field() {
    let app = spawn().await;
    let station = district_officer();
    let (status, problem) = app
        .post("/v1/vagrants", &station, &json!({ "found_place": "x", "referred_by": "police", "sex": "male", "id_number": "500112195505051012" }))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "id_number");
    let future =
        (kit::clock::now() + Duration::hours(3)).to_rfc3339_opts(SecondsFormat::Secs, true);
    let (status, problem) = app
        .post("/v1/vagrants", &station, &json!({ "admitted_at": future, "found_place": "x", "referred_by": "police", "sex": "male" }))
        .await;
    assert_eq!(status, 422);
    assert_eq!(problem["errors"][0]["field"], "admitted_at");
    let (_, list) = app.get("/v1/vagrants", &station).await;
    assert_eq!(
        list["items"].as_array().unwrap().len(),
        0,
        "nothing was half-written"
    );

    let (_, stay) = app
        .post(
            "/v1/vagrants",
            &station,
            &json!({ "found_place": "x", "referred_by": "police", "sex": "unknown" }),
        )
        .await;
    let id = stay["id"].as_str().unwrap();
    let (status, settled) = app
        .post(
            &format!("/v1/vagrants/{id}/exit"),
            &station,
            &json!({ "outcome": "settled", "destination": "区社会福利院" }),
        )
        .await;
    assert_eq!(status, 200, "{settled}");
    assert_eq!(settled["exit_outcome"], "settled");
}

#[tokio::test]
async fn a_township_sees_only_its_own_admissions_and_village_staff_none() {
    let app = spawn().await;
    let (status, stay) = app
        .post(
            "/v1/vagrants",
            &clerk(LIANGLU),
            &json!({ "found_place": "x", "referred_by": "public", "sex": "female" }),
        )
        .await;
    assert_eq!(status, 201, "{stay}");
    let path = format!("/v1/vagrants/{}", stay["id"].as_str().unwrap());
    assert_eq!(app.get(&path, &clerk(LIANGLU)).await.0, 200);
    assert_eq!(app.get(&path, &district_officer()).await.0, 200);
    assert_eq!(app.get(&path, &clerk(SHUANGFENGQIAO)).await.0, 404);
    let (_, other) = app.get("/v1/vagrants", &clerk(SHUANGFENGQIAO)).await;
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    let village = kit::testing::TestApp::token(kit::Role::VillageStaff, LIANGLU_VILLAGE);
    assert_eq!(app.get(&path, &village).await.0, 403);
}
