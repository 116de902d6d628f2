//! The whole mesh comes up as six processes on one NATS and six databases, each edge answering
//! its health, OpenAPI and refusing the unauthenticated.

use e2e::{Mesh, SERVICES};
use kit::Role;

#[tokio::test]
async fn every_service_comes_up_documents_its_edge_and_refuses_the_unauthenticated() {
    let mesh = Mesh::start().await;
    let auditor = Mesh::token(Role::Auditor, "500112");
    for name in SERVICES {
        let spec: serde_json::Value = mesh
            .http
            .get(format!("{}/openapi.json", mesh.url(name)))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert!(
            spec["openapi"].as_str().unwrap().starts_with("3.1"),
            "{name}"
        );
        assert!(
            spec["paths"]
                .as_object()
                .unwrap()
                .keys()
                .any(|p| p.starts_with("/v1/")),
            "{name} documents /v1 routes"
        );

        let anonymous = mesh
            .http
            .get(format!("{}/v1/dead-letters", mesh.url(name)))
            .send()
            .await
            .unwrap();
        assert_eq!(anonymous.status(), 401, "{name}");
        assert_eq!(
            anonymous.headers()["content-type"],
            "application/problem+json",
            "{name}"
        );
        let (status, letters) = mesh
            .get(name, "/v1/dead-letters?pending=true", &auditor)
            .await;
        assert_eq!(status, 200, "{name}");
        assert!(
            letters["items"].as_array().unwrap().is_empty(),
            "{name} starts with no dead letters"
        );
    }
}
