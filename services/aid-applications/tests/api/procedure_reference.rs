//! Reference data through the REST edge: the aid parameters and the holiday calendar a district
//! officer corrects (effective-dated, version-checked, shape-checked), and the assessment that
//! follows the correction from its date.

use crate::procedure_support::*;
use serde_json::json;

#[tokio::test]
async fn a_district_officer_corrects_the_reference_data_and_the_assessment_follows() {
    let app = spawn().await;
    let (_, parameters) = app.get("/v1/reference/parameters", &clerk()).await;
    let urban = parameters
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["name"] == "urban_dibao_standard")
        .unwrap();
    assert_eq!(urban["entries"][0]["value"], 63_600);
    let path = format!("/v1/reference/parameters/urban_dibao_standard/{}", day(0));
    assert_eq!(
        put(&app, &path, &clerk(), "\"v0\"", &json!({ "value": 70_000 }))
            .await
            .0,
        403
    );
    let (status, problem) = put(
        &app,
        &path,
        &district_officer(),
        "\"v0\"",
        &json!({ "value": "much" }),
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("value"))
    );
    assert_eq!(
        put(
            &app,
            &path,
            &district_officer(),
            "\"v0\"",
            &json!({ "value": 70_000 })
        )
        .await
        .0,
        200
    );
    assert_eq!(
        put(
            &app,
            &path,
            &district_officer(),
            "\"v0\"",
            &json!({ "value": 71_000 })
        )
        .await
        .0,
        412
    );

    let (household, _) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    let (_, before) = app
        .get(
            &format!("/v1/applications/{id}/assessment?on={}", days_ago(45)),
            &clerk(),
        )
        .await;
    let (_, after) = app
        .get(
            &format!("/v1/applications/{id}/assessment?on={}", day(1)),
            &clerk(),
        )
        .await;
    // Two people at the standard, plus the child's add-on (分类施保, 45 yuan).
    assert_eq!(before["assessment"]["monthly_amount"], 2 * 63_600 + 4_500);
    assert_eq!(after["assessment"]["monthly_amount"], 2 * 70_000 + 4_500);

    // The calendar: the seeded years are there, a new year can be added, nonsense is refused.
    let (_, calendar) = app.get("/v1/reference/calendar", &clerk()).await;
    assert!(calendar.as_array().unwrap().len() >= 5);
    let notice = json!({ "year": 2027, "source": "test notice", "holidays": [
        { "name": "元旦", "from": "2027-01-01", "to": "2027-01-03" }], "working_days": [] });
    assert_eq!(
        put(
            &app,
            "/v1/reference/calendar/2027",
            &district_officer(),
            "\"v0\"",
            &notice
        )
        .await
        .0,
        200
    );
    let bad =
        json!({ "year": 2028, "source": "typo", "holidays": [], "working_days": ["2028-01-05"] });
    let (status, problem) = put(
        &app,
        "/v1/reference/calendar/2028",
        &district_officer(),
        "\"v0\"",
        &bad,
    )
    .await;
    assert_eq!(
        (status, problem["errors"][0]["field"].as_str()),
        (422, Some("notice"))
    );
}

#[tokio::test]
async fn the_openapi_document_lists_the_procedure_enrollment_and_payment_routes() {
    let app = spawn().await;
    let doc: serde_json::Value = app
        .http
        .get(format!("{}/openapi.json", app.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let paths = doc["paths"].as_object().unwrap();
    for path in [
        "/v1/applications/{id}/decision",
        "/v1/applications/{id}/assessment",
        "/v1/applications/overdue",
        "/v1/reference/parameters/{name}/{valid_from}",
        "/v1/townships/{code}/authority",
        "/v1/enrollments/{id}/gradual-exit",
        "/v1/payment-batches/{id}/bank-file",
        "/v1/verification-requests/{id}/household",
    ] {
        assert!(paths.contains_key(path), "{path} missing");
    }
}

#[tokio::test]
async fn severe_disability_is_reference_data_and_borrowed_values_are_flagged_as_placeholders() {
    let app = spawn().await;
    let (_, parameters) = app.get("/v1/reference/parameters", &clerk()).await;
    let find = |name: &str| {
        parameters
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["name"] == name)
            .unwrap_or_else(|| panic!("{name} listed"))
            .clone()
    };
    let severe = find("severe_disability");
    assert_eq!(
        severe["entries"][0]["value"],
        json!({ "dibao_add_on": { "level": 2, "cognitive_level": 2 },
                "single_person_dibao": { "level": 2, "cognitive_level": 3 } })
    );
    assert_eq!(severe["placeholder"], false);
    // The 30 % employment-cost deduction is borrowed from another locality.
    assert_eq!(find("employment_cost_deduction")["placeholder"], true);

    // The district widens the add-on's definition to level 3 of any category: a level-3 member
    // now gets the add-on, with no code change.
    let (household, members) = poor_household(&app).await;
    let id = submit(&app, &household, json!({})).await;
    to_investigation(&app, &id).await;
    let (_, tag, _) = get_tagged(&app, &format!("/v1/applications/{id}"), &clerk()).await;
    let findings = json!({ "members": [{ "member_id": members[0],
        "disability": { "basis": "certificate", "category": 4, "level": 3 } }] });
    let (status, v) = put(
        &app,
        &format!("/v1/applications/{id}/findings"),
        &investigator_clerk(),
        &tag,
        &findings,
    )
    .await;
    assert_eq!(status, 200, "{v}");
    let amount = |on: String| {
        let app = &app;
        let id = id.clone();
        async move {
            app.get(
                &format!("/v1/applications/{id}/assessment?on={on}"),
                &clerk(),
            )
            .await
            .1["assessment"]["monthly_amount"]
                .as_i64()
                .unwrap()
        }
    };
    let before = amount(day(1)).await;
    let path = format!("/v1/reference/parameters/severe_disability/{}", day(2));
    let (status, answer) = put(
        &app,
        &path,
        &district_officer(),
        "\"v0\"",
        &json!({ "value": { "dibao_add_on": { "level": 3, "cognitive_level": 3 },
                            "single_person_dibao": { "level": 2, "cognitive_level": 3 } } }),
    )
    .await;
    assert_eq!(status, 200, "{answer}");
    // The mother is now 重残 for the add-on (45 yuan; her child's add-on is another person's).
    assert_eq!(amount(day(3)).await, before + 4_500);
}

#[tokio::test]
async fn a_database_created_before_a_parameter_existed_is_given_its_seeded_entries() {
    use aid_applications::store::{Migrator, reference_parameter};
    use sea_orm::{ColumnTrait, EntityTrait, QueryFilter};
    use sea_orm_migration::MigratorTrait;

    let db = kit::testing::TestDatabase::create().await;
    let conn = db.connect().await;
    let before = Migrator::migrations()
        .iter()
        .position(|m| m.name() == "m20261207_000102_seed_new_parameters")
        .expect("the migration is listed");
    Migrator::up(&conn, Some(u32::try_from(before).unwrap()))
        .await
        .unwrap();
    // As a database of last month would be: no severe_disability entry.
    let only = || {
        reference_parameter::Entity::find()
            .filter(reference_parameter::Column::Name.eq("severe_disability"))
    };
    reference_parameter::Entity::delete_many()
        .filter(reference_parameter::Column::Name.eq("severe_disability"))
        .exec(&conn)
        .await
        .unwrap();
    let others = reference_parameter::Entity::find()
        .all(&conn)
        .await
        .unwrap()
        .len();
    Migrator::up(&conn, None).await.unwrap();
    assert_eq!(only().all(&conn).await.unwrap().len(), 1);
    assert_eq!(
        reference_parameter::Entity::find()
            .all(&conn)
            .await
            .unwrap()
            .len(),
        others + 1
    );
}
