//! The six OpenAPI documents as the running services serve them, compared with the snapshots in
//! `e2e/snapshots/`: a change to the public REST surface shows in the diff of a commit, and a
//! change meant to leave it alone (a refactoring) is proven to. `UPDATE_SNAPSHOTS=1` rewrites the
//! snapshots after a deliberate change.

use std::path::PathBuf;

use e2e::{Mesh, SERVICES};
use serde_json::{Value, json};

fn snapshot(service: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("snapshots")
        .join(format!("{service}.openapi.json"))
}

#[tokio::test]
async fn every_service_serves_the_openapi_document_of_its_snapshot() {
    let mesh = Mesh::start().await;
    let update = std::env::var("UPDATE_SNAPSHOTS").is_ok_and(|v| v == "1");
    let mut differ = Vec::new();
    for service in SERVICES {
        let served: Value = mesh
            .http
            .get(format!("{}/openapi.json", mesh.url(service)))
            .send()
            .await
            .expect("openapi.json")
            .json()
            .await
            .expect("JSON");
        // serde_json's maps are sorted: the text is stable.
        let text = serde_json::to_string_pretty(&served).expect("JSON") + "\n";
        let path = snapshot(service);
        if update {
            std::fs::create_dir_all(path.parent().expect("a folder")).expect("snapshots/");
            std::fs::write(&path, &text).expect("the snapshot written");
            continue;
        }
        let kept = std::fs::read_to_string(&path).unwrap_or_default();
        if kept != text {
            differ.push(service);
        }
    }
    assert!(
        differ.is_empty(),
        "the OpenAPI documents of {differ:?} differ from e2e/snapshots/ (UPDATE_SNAPSHOTS=1 \
         cargo nextest run -p e2e -E 'binary(api_documents)' records a deliberate change)"
    );
}

/// Every request body of every document carries an example (a body type's own, or the one
/// `kit::edge::examples` composes), the example is valid against the body's schema, and the
/// running service does not refuse it as malformed or invalid (400, 422) nor fail on it (5xx) —
/// as a district officer and as a township clerk, with a fresh `Idempotency-Key`, an `If-Match`
/// where one is declared, and random identifiers in the path (so that most answers are 404 after
/// the body was read, and a creating route runs its rules on the example).
#[tokio::test]
async fn every_request_body_documents_an_example_its_schema_and_its_service_accept() {
    let mesh = Mesh::start().await;
    let callers = [
        e2e::Mesh::token(kit::Role::DistrictOfficer, kit::divisions::YUBEI),
        e2e::Mesh::token(kit::Role::TownshipClerk, kit::edge::examples::TOWNSHIP),
    ];
    let mut faults = Vec::new();
    let mut sent = 0;
    for service in SERVICES {
        let base = mesh.url(service);
        let document: Value = mesh
            .http
            .get(format!("{base}/openapi.json"))
            .send()
            .await
            .expect("openapi.json")
            .json()
            .await
            .expect("JSON");
        let schemas = &document["components"]["schemas"];
        for (path, item) in document["paths"].as_object().expect("paths") {
            for (method, operation) in item.as_object().expect("a path item") {
                let Some(content) = operation["requestBody"]["content"].as_object() else {
                    continue;
                };
                let id = operation["operationId"].as_str().unwrap_or(method);
                let media = &content["application/json"];
                let Some(example) = media.get("example") else {
                    faults.push(format!("{service} {id}: no example on the request body"));
                    continue;
                };
                let root = json!({
                    "$schema": "https://json-schema.org/draft/2020-12/schema",
                    "components": {"schemas": schemas},
                    "allOf": [media["schema"]],
                });
                let validator = jsonschema::draft202012::new(&root).expect("a schema");
                if let Some(error) = validator.iter_errors(example).next() {
                    faults.push(format!(
                        "{service} {id}: the example is not valid against its schema: {error} at {}",
                        error.instance_path()
                    ));
                    continue;
                }
                for token in &callers {
                    let answer = send(
                        &mesh, &base, path, method, operation, schemas, example, token,
                    )
                    .await;
                    sent += 1;
                    if let Err(fault) = answer {
                        faults.push(format!("{service} {id}: {fault}"));
                    }
                }
            }
        }
    }
    assert!(sent > 100, "only {sent} examples were sent");
    assert!(
        faults.is_empty(),
        "{} faults:\n{}",
        faults.len(),
        faults.join("\n")
    );
}

/// Sends `body` to the operation; an error names what the service answered if it refused the
/// body as malformed or invalid, or failed.
#[allow(clippy::too_many_arguments)]
async fn send(
    mesh: &Mesh,
    base: &str,
    path: &str,
    method: &str,
    operation: &Value,
    schemas: &Value,
    body: &Value,
    token: &str,
) -> Result<(), String> {
    let mut url = format!("{base}{path}");
    let mut query = Vec::new();
    let mut headers = Vec::new();
    for parameter in operation["parameters"].as_array().into_iter().flatten() {
        let name = parameter["name"].as_str().expect("a parameter name");
        let value = match parameter["schema"]["format"].as_str() {
            Some("uuid") => uuid::Uuid::now_v7().to_string(),
            _ => match kit::edge::examples::example(&parameter["schema"], schemas, Some(name)) {
                Value::String(s) => s,
                other => other.to_string(),
            },
        };
        match (parameter["in"].as_str(), name.to_ascii_lowercase().as_str()) {
            (Some("path"), _) => url = url.replace(&format!("{{{name}}}"), &value),
            (Some("header"), "idempotency-key") => {
                headers.push((name.to_owned(), uuid::Uuid::now_v7().to_string()))
            }
            (Some("header"), "if-match") => headers.push((name.to_owned(), "\"v1\"".to_owned())),
            (Some("query"), _) if parameter["required"] == json!(true) => {
                query.push((name.to_owned(), value))
            }
            _ => {}
        }
    }
    let method =
        reqwest::Method::from_bytes(method.to_ascii_uppercase().as_bytes()).expect("a method");
    let url = reqwest::Url::parse_with_params(&url, &query).expect("a URL");
    let mut request = mesh.http.request(method, url).bearer_auth(token).json(body);
    for (name, value) in headers {
        request = request.header(name, value);
    }
    let response = request.send().await.map_err(|e| format!("not sent: {e}"))?;
    let status = response.status().as_u16();
    if status == 400 || status == 422 || status >= 500 {
        let text = response.text().await.unwrap_or_default();
        return Err(format!("{status} for {body}: {text}"));
    }
    Ok(())
}
