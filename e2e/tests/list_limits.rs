//! One page query for every list route: a page size outside 1–200 is refused (400 naming
//! `limit`) by every list route of every service, as each OpenAPI document lists them — a route
//! that pages (`next_cursor`) or documents a `limit`.

use e2e::{
    Mesh,
    attack::{fill_path, token},
};
use kit::Role;
use serde_json::Value;

/// The schema an operation's 200 answer points to, resolved.
fn answer_schema<'a>(spec: &'a Value, op: &'a Value) -> Option<&'a Value> {
    let schema = op.pointer("/responses/200/content/application~1json/schema")?;
    match schema.get("$ref").and_then(Value::as_str) {
        Some(r) => spec.pointer(&r.replacen('#', "", 1)),
        None => Some(schema),
    }
}

fn pages(spec: &Value, op: &Value) -> bool {
    let documents_limit = op["parameters"]
        .as_array()
        .is_some_and(|p| p.iter().any(|p| p["name"] == "limit" && p["in"] == "query"));
    let answers_a_page =
        answer_schema(spec, op).is_some_and(|s| s.pointer("/properties/next_cursor").is_some());
    documents_limit || answers_a_page
}

#[tokio::test]
async fn every_list_route_refuses_a_page_size_outside_one_to_two_hundred() {
    let mesh = Mesh::start().await;
    let roles = [
        Role::DistrictOfficer,
        Role::Auditor,
        Role::DistrictApprover,
        Role::TownshipClerk,
        Role::VillageStaff,
    ];
    let mut checked = Vec::new();
    for service in e2e::SERVICES {
        let spec: Value = mesh
            .http
            .get(format!("{}/openapi.json", mesh.url(service)))
            .send()
            .await
            .expect("openapi.json")
            .json()
            .await
            .expect("JSON");
        for (template, item) in spec["paths"].as_object().expect("paths") {
            let Some(op) = item.get("get") else { continue };
            if !template.starts_with("/v1/") || !pages(&spec, op) {
                continue;
            }
            for bad in ["0", "201", "9223372036854775808", "many"] {
                let mut answered = None;
                for role in roles {
                    let path = fill_path(template);
                    let (status, body) = mesh
                        .get(service, &format!("{path}?limit={bad}"), &token(role))
                        .await;
                    if status != 401 && status != 403 {
                        answered = Some((status, body));
                        break;
                    }
                }
                let (status, body) =
                    answered.unwrap_or_else(|| panic!("no role reads {service}{template}"));
                assert_eq!(
                    status, 400,
                    "{service} GET {template}?limit={bad} answered {status}: {body}"
                );
                assert!(
                    body.to_string().contains("limit"),
                    "{service} GET {template}?limit={bad}: {body}"
                );
            }
            checked.push(format!("{service}{template}"));
        }
    }
    // The list routes of the six services (26 when this test was written) are all checked.
    assert!(checked.len() >= 26, "{checked:#?}");
}
