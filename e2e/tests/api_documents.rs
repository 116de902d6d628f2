//! The six OpenAPI documents as the running services serve them, compared with the snapshots in
//! `e2e/snapshots/`: a change to the public REST surface shows in the diff of a commit, and a
//! change meant to leave it alone (a refactoring) is proven to. `UPDATE_SNAPSHOTS=1` rewrites the
//! snapshots after a deliberate change.

use std::path::PathBuf;

use e2e::{Mesh, SERVICES};
use serde_json::Value;

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
