//! The named register of left-behind children, visits, and overdue visits.

use kit::{Role, testing::TestApp};
use serde_json::json;

use crate::support::*;

#[tokio::test]
async fn left_behind_children_are_registered_by_name_visited_and_overdue_visits_listed() {
    let app = spawn().await;
    register_village(&app, YUFENGSHAN_VILLAGE).await;
    let director = village(YUFENGSHAN_VILLAGE);
    let body = json!({ "name": "王小芳", "id_number": child_id(), "village_code": YUFENGSHAN_VILLAGE, "address": "某村5组",
        "guardian_name": "王奶奶", "guardian_relationship": "grandparent", "registered_on": "2022-09-01" });
    let (status, child) = app.post("/v1/left-behind-children", &director, &body).await;
    assert_eq!(status, 201, "{child}");
    assert_eq!(child["next_visit_due"], "2022-10-01", "monthly by default");
    assert_eq!(
        app.post("/v1/left-behind-children", &director, &body)
            .await
            .0,
        409,
        "registered once"
    );
    let id = child["id"].as_str().unwrap();

    let (_, mine) = app
        .get(
            "/v1/left-behind-children/overdue-visits?today=2022-10-02",
            &director,
        )
        .await;
    assert_eq!(
        (
            mine["items"][0]["name"].as_str(),
            mine["items"][0]["overdue_days"].as_i64()
        ),
        (Some("王小芳"), Some(1))
    );
    let (_, township_view) = app
        .get(
            "/v1/left-behind-children/overdue-visits?today=2022-10-02",
            &township(YUFENGSHAN),
        )
        .await;
    assert_eq!(township_view["items"][0]["view"], "restricted");
    assert!(!township_view.to_string().contains("王"), "{township_view}");
    let (_, other) = app
        .get(
            "/v1/left-behind-children/overdue-visits?today=2022-10-02",
            &township(TONGJING),
        )
        .await;
    assert_eq!(other["items"].as_array().unwrap().len(), 0);
    assert_eq!(
        app.get(
            &format!("/v1/left-behind-children/{id}"),
            &township(TONGJING)
        )
        .await
        .0,
        404
    );

    let visit = json!({ "visited_on": "2022-10-05", "findings": "学习正常，祖母身体尚可" });
    assert_eq!(
        app.post(
            &format!("/v1/left-behind-children/{id}/visits"),
            &township(YUFENGSHAN),
            &visit
        )
        .await
        .0,
        403
    );
    let (status, visited) = app
        .post(
            &format!("/v1/left-behind-children/{id}/visits"),
            &director,
            &visit,
        )
        .await;
    assert_eq!(
        (status, visited["next_visit_due"].as_str()),
        (201, Some("2022-11-04")),
        "{visited}"
    );
    let (_, none) = app
        .get(
            "/v1/left-behind-children/overdue-visits?today=2022-10-06",
            &director,
        )
        .await;
    assert_eq!(none["items"].as_array().unwrap().len(), 0);

    let db = sea_orm::Database::connect(&app.database_url).await.unwrap();
    let trail = kit::audit::for_resource(&db, "left-behind-child", id)
        .await
        .unwrap();
    let reads: Vec<(&str, &str)> = trail
        .iter()
        .map(|e| (e.action.as_str(), e.detail.as_str()))
        .collect();
    assert!(
        reads.contains(&("list-overdue-visits", "full"))
            && reads.contains(&("list-overdue-visits", "restricted")),
        "{reads:?}"
    );
}

#[tokio::test]
async fn only_the_villages_own_child_director_keeps_its_register() {
    let app = spawn().await;
    register_village(&app, YUFENGSHAN_VILLAGE).await;
    let body = json!({ "name": "王小芳", "id_number": child_id(), "village_code": YUFENGSHAN_VILLAGE,
        "guardian_name": "王奶奶", "guardian_relationship": "grandparent", "registered_on": "2022-09-01" });
    assert_eq!(
        app.post("/v1/left-behind-children", &township(YUFENGSHAN), &body)
            .await
            .0,
        403
    );
    assert_eq!(
        app.post("/v1/left-behind-children", &village("500112129202"), &body)
            .await
            .0,
        403
    );
    let adult = json!({ "name": "王大", "id_number": id_number("50011219900101123"), "village_code": YUFENGSHAN_VILLAGE,
        "guardian_name": "王奶奶", "guardian_relationship": "grandparent", "registered_on": "2022-09-01" });
    let (status, p) = app
        .post(
            "/v1/left-behind-children",
            &village(YUFENGSHAN_VILLAGE),
            &adult,
        )
        .await;
    assert_eq!(
        (status, p["errors"][0]["field"].as_str()),
        (422, Some("id_number"))
    );
    // Townships register their own villages' posts, not another township's.
    let post = json!({ "division_code": "500112133202", "name": "某社区" });
    assert_eq!(
        app.post("/v1/units", &township(YUFENGSHAN), &post).await.0,
        403
    );
    let auditor = TestApp::token(Role::Auditor, DISTRICT);
    let (_, units) = app.get("/v1/units", &auditor).await;
    assert_eq!(
        units.as_array().unwrap().len(),
        32,
        "the centre, 30 workstations and the village post"
    );
}
