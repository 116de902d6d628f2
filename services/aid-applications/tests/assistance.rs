//! Temporary assistance, reserve funds and the staff-relative register through the REST edge and
//! NATS, with the refusals (overdraw, tier, separation of duties, another township's records).

mod assistance_support;

use assistance_support::*;
use serde_json::json;

#[tokio::test]
async fn a_registered_staff_relative_flags_the_household_until_the_registration_is_withdrawn() {
    let app = spawn().await;
    let relative = id_number("50011219700101203");
    let household = household(&app, LIANGLU_VILLAGE, &[&relative]).await;
    let lookup = format!("/v1/households/{household}/staff-relatives");
    let (status, found) = app.get(&lookup, &clerk(LIANGLU)).await;
    assert_eq!(status, 200, "{found}");
    assert_eq!(found["result"], "not_registered");

    let registration = json!({ "staff_subject": "wang.wu", "staff_name": "王五", "staff_division": LIANGLU_VILLAGE,
        "staff_post": "村委会主任", "relative_id_number": relative, "relative_name": "王某", "relation": "sibling" });
    let (status, registered) = app
        .post("/v1/staff-relatives", &clerk(LIANGLU), &registration)
        .await;
    assert_eq!(status, 201, "{registered}");
    assert!(
        registered["relative_id_number"]
            .as_str()
            .unwrap()
            .contains("********")
    );
    let (status, again) = app
        .post("/v1/staff-relatives", &clerk(LIANGLU), &registration)
        .await;
    assert_eq!(status, 409, "{again}");

    let (_, found) = app.get(&lookup, &clerk(LIANGLU)).await;
    assert_eq!(found["result"], "registered", "{found}");
    assert_eq!(found["relations"][0]["relation"], "sibling");
    assert_eq!(found["relations"][0]["office"]["level"], "village");

    let id = registered["id"].as_str().unwrap();
    let (status, withdrawn) = app
        .post(
            &format!("/v1/staff-relatives/{id}/withdrawal"),
            &clerk(LIANGLU),
            &json!({ "reason": "离任" }),
        )
        .await;
    assert_eq!(status, 200, "{withdrawn}");
    let (_, found) = app.get(&lookup, &clerk(LIANGLU)).await;
    assert_eq!(found["result"], "not_registered");
}

#[tokio::test]
async fn a_registration_with_a_bad_id_number_or_another_townships_staff_is_refused_and_nothing_is_written()
 {
    let app = spawn().await;
    let mut bad = id_number("50011219700101203");
    bad.replace_range(17.., if bad.ends_with('1') { "2" } else { "1" });
    let body = |division: &str, number: &str| {
        json!({ "staff_subject": "li.si", "staff_name": "李四", "staff_division": division,
                "relative_id_number": number, "relative_name": "李某", "relation": "spouse" })
    };
    let (status, problem) = app
        .post("/v1/staff-relatives", &clerk(LIANGLU), &body(LIANGLU, &bad))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(problem["errors"][0]["field"], "relative_id_number");
    let good = id_number("50011219700101203");
    let (status, _) = app
        .post(
            "/v1/staff-relatives",
            &clerk(LIANGLU),
            &body(SHUANGFENGQIAO, &good),
        )
        .await;
    assert_eq!(status, 403);
    let (_, list) = app.get("/v1/staff-relatives", &district_officer()).await;
    assert_eq!(list["items"].as_array().unwrap().len(), 0);
    // The district registers anyone's; the other township does not see the registration.
    assert_eq!(
        app.post(
            "/v1/staff-relatives",
            &district_officer(),
            &body(LIANGLU, &good)
        )
        .await
        .0,
        201
    );
    let (_, mine) = app.get("/v1/staff-relatives", &clerk(LIANGLU)).await;
    assert_eq!(mine["items"].as_array().unwrap().len(), 1);
    let (_, theirs) = app.get("/v1/staff-relatives", &clerk(SHUANGFENGQIAO)).await;
    assert_eq!(theirs["items"].as_array().unwrap().len(), 0);
}
