//! `schemas/asyncapi.yaml` agrees with the schemas and the crate: one channel per subject, the
//! right payload file, the owning producer, consumers backed by operations, JetStream facts, and
//! valid message examples.

mod support;

use std::collections::BTreeSet;

use contracts::{SUBJECTS, stream_for, validate};
use jsonschema::Draft;
use serde_json::Value;
use support::{SERVICES, path_for_subject, producer_of, schemas_dir};

fn document() -> Value {
    let text = std::fs::read_to_string(schemas_dir().join("asyncapi.yaml")).unwrap();
    serde_yaml_ng::from_str(&text).expect("asyncapi.yaml parses")
}

/// Follows a local `$ref` (`#/a/b`) inside the document.
fn resolve<'a>(doc: &'a Value, node: &'a Value) -> &'a Value {
    match node.get("$ref").and_then(Value::as_str) {
        Some(r) => {
            let pointer = r
                .strip_prefix('#')
                .unwrap_or_else(|| panic!("{r} is not a local $ref"));
            resolve(
                doc,
                doc.pointer(pointer)
                    .unwrap_or_else(|| panic!("{r} points nowhere")),
            )
        }
        None => node,
    }
}

fn channel_ref(op: &Value) -> &str {
    op["channel"]["$ref"]
        .as_str()
        .expect("operation names its channel by $ref")
}

#[test]
fn it_is_asyncapi_3_0_and_has_one_channel_per_subject() {
    let doc = document();
    assert_eq!(doc["asyncapi"], "3.0.0");
    let channels = doc["channels"].as_object().unwrap();
    let addresses: Vec<&str> = channels
        .values()
        .map(|c| c["address"].as_str().unwrap())
        .collect();
    let unique: BTreeSet<&str> = addresses.iter().copied().collect();
    assert_eq!(
        unique.len(),
        addresses.len(),
        "two channels share an address"
    );
    assert_eq!(
        unique,
        SUBJECTS.iter().copied().collect(),
        "channels differ from contracts::SUBJECTS"
    );
    for (key, channel) in channels {
        assert_eq!(
            key,
            channel["address"].as_str().unwrap(),
            "channel id must be its address"
        );
    }
}

#[test]
fn each_message_payload_refers_to_the_subjects_schema_file() {
    let doc = document();
    for (subject, channel) in doc["channels"].as_object().unwrap() {
        let messages = channel["messages"].as_object().unwrap();
        assert_eq!(
            messages.len(),
            1,
            "{subject}: exactly one message per channel"
        );
        let message = resolve(&doc, messages.values().next().unwrap());
        assert!(
            message.get("schemaFormat").is_none(),
            "{subject}: no schemaFormat (plain JSON Schema $ref)"
        );
        let payload = message["payload"].as_object().unwrap();
        assert_eq!(payload.len(), 1, "{subject}: payload must be a plain $ref");
        assert_eq!(
            payload["$ref"],
            format!("./{}", path_for_subject(subject)),
            "{subject}: wrong payload file"
        );
        assert_eq!(message["contentType"], "application/json");
        let headers = resolve(&doc, &message["headers"]);
        assert_eq!(
            headers["properties"]["ce-type"]["const"],
            subject.as_str(),
            "{subject}: ce-type"
        );
        assert_eq!(
            headers["properties"]["ce-source"]["const"],
            producer_of(subject),
            "{subject}: ce-source"
        );
        assert_eq!(
            headers["properties"]["ce-dataschema"]["const"],
            contracts::dataschema_uri(subject)
        );
    }
}

#[test]
fn each_channel_is_produced_by_the_service_owning_its_context() {
    let doc = document();
    let operations = doc["operations"].as_object().unwrap();
    for (subject, channel) in doc["channels"].as_object().unwrap() {
        let producer = producer_of(subject);
        assert_eq!(
            channel["x-producer"],
            producer.as_str(),
            "{subject}: x-producer"
        );
        let here = format!("#/channels/{subject}");
        let sends: Vec<&Value> = operations
            .values()
            .filter(|op| op["action"] == "send" && channel_ref(op) == here)
            .collect();
        assert_eq!(sends.len(), 1, "{subject}: exactly one send operation");
        assert_eq!(
            sends[0]["x-service"],
            producer.as_str(),
            "{subject}: the send operation's service"
        );
    }
}

#[test]
fn consumers_are_mesh_services_each_with_a_durable_receive_operation() {
    let doc = document();
    let operations = doc["operations"].as_object().unwrap();
    for (subject, channel) in doc["channels"].as_object().unwrap() {
        let consumers: BTreeSet<&str> = channel["x-consumers"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c.as_str().unwrap())
            .collect();
        for c in &consumers {
            assert!(
                SERVICES.contains(c),
                "{subject}: consumer {c} is not a mesh service"
            );
            assert_ne!(
                producer_of(subject),
                *c,
                "{subject}: a service consumes its own subject"
            );
        }
        let here = format!("#/channels/{subject}");
        let receivers: Vec<&Value> = operations
            .values()
            .filter(|op| op["action"] == "receive" && channel_ref(op) == here)
            .collect();
        let by_service: BTreeSet<&str> = receivers
            .iter()
            .map(|op| op["x-service"].as_str().unwrap())
            .collect();
        assert_eq!(
            by_service, consumers,
            "{subject}: receive operations differ from x-consumers"
        );
        for op in receivers {
            let service = op["x-service"].as_str().unwrap();
            let durable = format!("{service}--{}", subject.replace('.', "-"));
            assert_eq!(
                op["x-jetstream"]["durable"],
                durable.as_str(),
                "{subject}: durable name"
            );
            assert_eq!(op["x-jetstream"]["ack_policy"], "explicit");
            assert_eq!(op["x-jetstream"]["filter_subject"], subject.as_str());
        }
    }
    for (id, op) in operations {
        let message = op["messages"][0]["$ref"].as_str().unwrap();
        assert!(
            message.starts_with(&format!("{}/messages/", channel_ref(op))),
            "{id}: message of another channel"
        );
    }
}

#[test]
fn jetstream_facts_match_the_crates_streams() {
    let doc = document();
    for (subject, channel) in doc["channels"].as_object().unwrap() {
        let stream = stream_for(subject).unwrap();
        assert_eq!(channel["x-jetstream"]["stream"], stream.name, "{subject}");
        assert_eq!(
            channel["x-jetstream"]["stream_subjects"], stream.subjects,
            "{subject}"
        );
        assert_eq!(
            channel["x-jetstream"]["dedup_header"], "Nats-Msg-Id",
            "{subject}"
        );
        let schema = contracts::schema(subject).unwrap();
        assert_eq!(
            channel["x-personal-data"], schema["x-personal-data"],
            "{subject}"
        );
    }
}

#[test]
fn message_examples_are_valid_payloads_and_cloudevents_headers() {
    let doc = document();
    let base_headers = &doc["components"]["schemas"]["CloudEventsHeaders"];
    for key in [
        "ce-specversion",
        "ce-id",
        "ce-source",
        "ce-type",
        "ce-time",
        "ce-dataschema",
        "Nats-Msg-Id",
    ] {
        assert!(
            base_headers["required"]
                .as_array()
                .unwrap()
                .contains(&Value::from(key)),
            "{key} not required"
        );
    }
    for (subject, channel) in doc["channels"].as_object().unwrap() {
        let message = resolve(
            &doc,
            channel["messages"]
                .as_object()
                .unwrap()
                .values()
                .next()
                .unwrap(),
        );
        let mut headers_schema = resolve(&doc, &message["headers"]).clone();
        headers_schema["allOf"] = Value::Array(vec![base_headers.clone()]);
        let headers_validator = jsonschema::options()
            .with_draft(Draft::Draft7)
            .should_validate_formats(true)
            .build(&headers_schema)
            .unwrap_or_else(|e| panic!("{subject}: headers schema: {e}"));
        let examples = message["examples"]
            .as_array()
            .unwrap_or_else(|| panic!("{subject}: no message example"));
        assert!(!examples.is_empty(), "{subject}: no message example");
        for example in examples {
            if let Err(e) = validate(subject, &example["payload"]) {
                panic!("{subject}: message example payload invalid: {e}");
            }
            let headers = &example["headers"];
            let errors: Vec<String> = headers_validator
                .iter_errors(headers)
                .map(|e| e.to_string())
                .collect();
            assert!(
                errors.is_empty(),
                "{subject}: example headers invalid: {errors:?}"
            );
            assert_eq!(
                headers["ce-id"], headers["Nats-Msg-Id"],
                "{subject}: Nats-Msg-Id must equal ce-id"
            );
        }
    }
}
