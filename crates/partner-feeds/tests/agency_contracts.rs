//! The per-agency AsyncAPI documents (`schemas/partners/<agency>.asyncapi.yaml`): generated from
//! the mesh's contract and the approvals, so that what an agency is told is exactly what its
//! account can do and its feed carries. `UPDATE_PARTNER_CONTRACTS=1` rewrites them after a change
//! of either; `scripts/lint-asyncapi` lints them with the mesh's own document.

mod support;

use std::collections::BTreeSet;

use partner_feeds::agency_contract;
use serde_json::Value;
use support::*;

fn rendered() -> std::collections::BTreeMap<String, String> {
    agency_contract::render_all(&asyncapi(), &approvals(), |s| contracts::schema(s).cloned())
        .expect("the documents render")
}

#[test]
fn each_agency_has_its_document_generated_from_the_contract_and_the_approvals() {
    let folder = repo().join("schemas/partners");
    let documents = rendered();
    if std::env::var("UPDATE_PARTNER_CONTRACTS").is_ok_and(|v| v == "1") {
        std::fs::create_dir_all(&folder).unwrap();
        for entry in std::fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.to_string_lossy().ends_with(".asyncapi.yaml") {
                std::fs::remove_file(path).unwrap();
            }
        }
        for (agency, yaml) in &documents {
            std::fs::write(folder.join(format!("{agency}.asyncapi.yaml")), yaml).unwrap();
        }
        return;
    }
    let committed: BTreeSet<String> = std::fs::read_dir(&folder)
        .expect("schemas/partners")
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        // html/: the pages rendered from these documents (scripts/render-partner-pages).
        .filter(|name| name.ends_with(".asyncapi.yaml"))
        .collect();
    let expected: BTreeSet<String> = documents
        .keys()
        .map(|a| format!("{a}.asyncapi.yaml"))
        .collect();
    assert_eq!(
        committed, expected,
        "schemas/partners holds a document per agency (UPDATE_PARTNER_CONTRACTS=1 cargo test -p partner-feeds --test agency_contracts, then scripts/render-partner-pages)"
    );
    for (agency, yaml) in &documents {
        let kept = std::fs::read_to_string(folder.join(format!("{agency}.asyncapi.yaml"))).unwrap();
        assert!(
            kept == *yaml,
            "schemas/partners/{agency}.asyncapi.yaml differs from what the contract and the approvals give (UPDATE_PARTNER_CONTRACTS=1 cargo test -p partner-feeds --test agency_contracts, then scripts/render-partner-pages)"
        );
    }
}

#[test]
fn a_document_lists_exactly_the_agencys_feed_and_facts_with_examples_of_the_approved_fields() {
    let mesh: Value = serde_yaml_ng::from_str(&asyncapi()).unwrap();
    let approvals = approvals();
    let mut publishers = 0;
    for agency in agency_contract::agencies(&mesh, &approvals) {
        let document = agency_contract::render(&mesh, &approvals, &agency, |s| {
            contracts::schema(s).cloned()
        })
        .unwrap();
        let channels: BTreeSet<String> = document["channels"]
            .as_object()
            .unwrap()
            .keys()
            .cloned()
            .collect();
        let mut expected: BTreeSet<String> = approvals
            .partners
            .get(&agency)
            .into_iter()
            .flat_map(|p| p.subjects.keys())
            .map(|s| format!("feed.{agency}.{s}"))
            .collect();
        for (subject, channel) in mesh["channels"].as_object().unwrap() {
            if channel["x-producer"].as_str() == Some(&format!("partner.{agency}")) {
                expected.insert(subject.clone());
                publishers += 1;
            }
        }
        assert_eq!(channels, expected, "{agency}");
        for (name, message) in document["components"]["messages"].as_object().unwrap() {
            let Some(example) = message["examples"][0]["payload"].as_object() else {
                panic!("{agency}: {name} has no example");
            };
            let properties = message["payload"]["properties"].as_object();
            if let Some(properties) = properties {
                for field in example.keys() {
                    assert!(
                        properties.contains_key(field),
                        "{agency}: {name}: {field} not in its schema"
                    );
                }
                for required in message["payload"]["required"].as_array().unwrap() {
                    assert!(
                        example.contains_key(required.as_str().unwrap()),
                        "{agency}: {name}: {required} missing from the example"
                    );
                }
            }
            if name.starts_with("feed.") {
                let approval =
                    &approvals.partners[&agency].subjects[name.splitn(3, '.').nth(2).unwrap()];
                for field in example.keys() {
                    assert!(
                        approval.fields.contains(field) || approval.pseudonymise.contains(field),
                        "{agency}: {name}: {field} is not approved"
                    );
                }
                for field in &approval.pseudonymise {
                    let value = &example[field.as_str()];
                    let pseudonyms: Vec<&Value> = match value {
                        Value::Array(items) => items.iter().collect(),
                        other => vec![other],
                    };
                    for p in pseudonyms {
                        let p = p.as_str().unwrap_or_default();
                        assert!(
                            p.len() == 32 && p.bytes().all(|b| b.is_ascii_hexdigit()),
                            "{agency}: {name}: {field} = {p} is not a pseudonym"
                        );
                    }
                }
            }
        }
    }
    assert!(
        publishers >= 5,
        "the agencies publishing facts have their facts"
    );
}
