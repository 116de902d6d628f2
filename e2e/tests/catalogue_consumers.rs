//! The catalogue is true to the running mesh: the durable consumers the six services create are
//! exactly the receive operations `schemas/asyncapi.yaml` lists (so NATS permissions, partner
//! documentation and the services agree on who reads what).

use std::collections::BTreeSet;

use e2e::Mesh;
use futures::TryStreamExt;

fn catalogued_durables() -> BTreeSet<String> {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../schemas/asyncapi.yaml"
    ))
    .unwrap();
    let doc: serde_json::Value = serde_yaml_ng::from_str(&text).unwrap();
    doc["operations"]
        .as_object()
        .unwrap()
        .values()
        .filter(|op| op["action"] == "receive")
        .filter_map(|op| op["x-jetstream"]["durable"].as_str().map(str::to_owned))
        .collect()
}

#[tokio::test]
async fn the_services_durable_consumers_are_exactly_the_catalogued_ones() {
    let mesh = Mesh::start().await;
    let expected = catalogued_durables();
    // Consumers are created by each service's runners shortly after start: wait until every
    // catalogued one exists, or give up after a while and report the difference.
    let deadline = tokio::time::Instant::now() + std::time::Duration::from_secs(15);
    let running = loop {
        let mut seen = BTreeSet::new();
        for spec in contracts::STREAMS {
            let Ok(stream) = mesh.js.get_stream(spec.name).await else {
                continue;
            };
            let names: Vec<String> = stream
                .consumer_names()
                .try_collect()
                .await
                .unwrap_or_default();
            seen.extend(names);
        }
        if seen.is_superset(&expected) || tokio::time::Instant::now() > deadline {
            break seen;
        }
        tokio::time::sleep(std::time::Duration::from_millis(200)).await;
    };
    let missing: Vec<_> = expected.difference(&running).collect();
    let extra: Vec<_> = running.difference(&expected).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "catalogued but not consumed: {missing:?}\nconsumed but not catalogued: {extra:?}"
    );
}
