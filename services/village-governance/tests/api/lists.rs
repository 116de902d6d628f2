//! The lists: versions, and certificate requests decided by them.

use super::*;

#[tokio::test]
async fn a_certificate_not_on_the_list_is_refused_naming_the_list_version_that_refused_it() {
    let app = spawn().await;
    register_village(&app, VILLAGE, "village", 800).await;
    let v1 = json!({ "township_code": YUFENGSHAN, "kind": "certificate_items", "valid_from": "2022-01-01",
        "items": [{ "code": "ZM-01", "title": "居住证明" }], "basis": "玉峰山镇 2022 清单" });
    let (s, first) = app.post("/v1/lists", &clerk(), &v1).await;
    assert_eq!((s, first["version"].as_i64()), (201, Some(1)), "{first}");
    let v2 = json!({ "township_code": YUFENGSHAN, "kind": "certificate_items", "valid_from": "2023-01-01",
        "items": [{ "code": "ZM-01", "title": "居住证明" }, { "code": "ZM-02", "title": "家庭成员关系证明" }] });
    let (s, second) = app.post("/v1/lists", &clerk(), &v2).await;
    assert_eq!((s, second["version"].as_i64()), (201, Some(2)), "{second}");
    let negative = json!({ "township_code": YUFENGSHAN, "kind": "negative", "valid_from": "2022-01-01",
        "items": [{ "code": "FM-09", "title": "无犯罪记录证明" }] });
    let (s, neg) = app.post("/v1/lists", &clerk(), &negative).await;
    assert_eq!(s, 201, "{neg}");

    let request = |item: &str| json!({ "village_code": VILLAGE, "item_code": item, "requester_name": "王五", "purpose": "办理低保" });
    let (status, problem) = app
        .post("/v1/certificates", &village_staff(), &request("ZM-03"))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["type"],
        "urn:minzheng:problem:certificate-item-not-listed"
    );
    assert_eq!(problem["errors"][0]["field"], "item_code");
    assert_eq!(problem["list"]["id"], second["id"]);
    assert_eq!(problem["list"]["version"], 2);
    assert_eq!(problem["list"]["kind"], "certificate_items");

    let (status, problem) = app
        .post("/v1/certificates", &village_staff(), &request("FM-09"))
        .await;
    assert_eq!(status, 422, "{problem}");
    assert_eq!(
        problem["type"],
        "urn:minzheng:problem:certificate-item-on-negative-list"
    );
    assert_eq!(
        (
            problem["list"]["id"].clone(),
            problem["list"]["version"].clone()
        ),
        (neg["id"].clone(), json!(1))
    );

    let (status, issued) = app
        .post("/v1/certificates", &village_staff(), &request("ZM-02"))
        .await;
    assert_eq!(status, 201, "{issued}");
    assert_eq!(
        (
            issued["list_version"].as_i64(),
            issued["item_title"].as_str()
        ),
        (Some(2), Some("家庭成员关系证明"))
    );
    let (s, shown) = app
        .get(
            &format!("/v1/certificates/{}", issued["id"].as_str().unwrap()),
            &village_staff(),
        )
        .await;
    assert_eq!(
        (s, &shown["certificate_number"]),
        (200, &issued["certificate_number"])
    );
}

#[tokio::test]
async fn a_list_version_cannot_start_before_the_current_one_nor_list_a_negative_item() {
    let app = spawn().await;
    let list = |kind: &str, from: &str, code: &str| {
        json!({ "township_code": YUFENGSHAN, "kind": kind, "valid_from": from,
        "items": [{ "code": code, "title": "事项" }] })
    };
    assert_eq!(
        app.post(
            "/v1/lists",
            &clerk(),
            &list("negative", "2022-01-01", "FM-01")
        )
        .await
        .0,
        201
    );
    let (s, p) = app
        .post(
            "/v1/lists",
            &clerk(),
            &list("negative", "2021-06-01", "FM-02"),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("valid_from")),
        "{p}"
    );
    let (s, p) = app
        .post(
            "/v1/lists",
            &clerk(),
            &list("certificate_items", "2022-03-01", "FM-01"),
        )
        .await;
    assert_eq!(
        (s, p["errors"][0]["field"].as_str()),
        (422, Some("items[0].code")),
        "{p}"
    );
    let other = TestApp::token(Role::TownshipClerk, LIANGLU);
    assert_eq!(
        app.post(
            "/v1/lists",
            &other,
            &list("negative", "2022-01-01", "FM-01")
        )
        .await
        .0,
        403
    );
    assert_eq!(
        app.post(
            "/v1/lists",
            &village_staff(),
            &list("negative", "2023-01-01", "FM-01")
        )
        .await
        .0,
        403
    );
    let (s, versions) = app
        .get(
            &format!("/v1/lists?township_code={YUFENGSHAN}"),
            &village_staff(),
        )
        .await;
    assert_eq!(
        (s, versions.as_array().map(Vec::len)),
        (200, Some(1)),
        "{versions}"
    );
}
