//! The schema files themselves: valid JSON Schema 2020-12, named after their subject, one Rust
//! type each, closed and documented, and free of identifying personal data outside `partner.*`.

mod support;

use std::collections::{BTreeMap, BTreeSet};

use contracts::{EVENT_TYPES, SCHEMA_FILES, SUBJECTS};
use serde_json::{Value, json};
use support::{path_for_subject, schema_files_on_disk, walk};

const DRAFT_2020_12: &str = "https://json-schema.org/draft/2020-12/schema";

fn event_schemas() -> BTreeMap<String, Value> {
    schema_files_on_disk()
        .into_iter()
        .filter(|(path, _)| path != "defs.json")
        .collect()
}

fn meta_errors(schema: &Value) -> Vec<String> {
    let validator = jsonschema::meta::validator_for(schema).expect("the meta-schema is known");
    validator
        .iter_errors(schema)
        .map(|e| format!("{}: {e}", e.instance_path()))
        .collect()
}

#[test]
fn every_schema_file_is_valid_json_schema_2020_12() {
    let files = schema_files_on_disk();
    assert!(files.contains_key("defs.json"));
    for (path, schema) in &files {
        assert_eq!(
            schema["$schema"], DRAFT_2020_12,
            "{path} must declare JSON Schema 2020-12"
        );
        let errors = meta_errors(schema);
        assert!(
            errors.is_empty(),
            "{path} is not a valid 2020-12 schema: {errors:?}"
        );
    }
}

#[test]
fn meta_schema_check_rejects_a_broken_schema() {
    // Guards the test above: the meta-schema check really looks at keywords.
    let broken = json!({"$schema": DRAFT_2020_12, "type": "strnig", "required": "id"});
    assert!(!meta_errors(&broken).is_empty());
}

#[test]
fn every_schema_id_is_its_subject_and_its_path_follows_from_it() {
    for (path, schema) in event_schemas() {
        let id = schema["$id"]
            .as_str()
            .unwrap_or_else(|| panic!("{path} has no $id"));
        assert_eq!(
            path_for_subject(id),
            path,
            "{path}: $id {id} belongs in another file"
        );
        let version = id.rsplit('.').next().unwrap();
        assert!(
            version
                .strip_prefix('v')
                .is_some_and(|n| n.parse::<u32>().is_ok()),
            "{id}: no .v<major> suffix"
        );
    }
    assert_eq!(schema_files_on_disk()["defs.json"]["$id"], "defs.json");
}

#[test]
fn subjects_are_sorted_unique_and_equal_the_schema_files() {
    let mut sorted = SUBJECTS.to_vec();
    sorted.sort_unstable();
    sorted.dedup();
    assert_eq!(sorted, SUBJECTS, "SUBJECTS must be sorted and unique");

    let on_disk: BTreeSet<String> = event_schemas().keys().cloned().collect();
    let from_subjects: BTreeSet<String> = SUBJECTS.iter().map(|s| path_for_subject(s)).collect();
    assert_eq!(
        from_subjects, on_disk,
        "SUBJECTS and the schema files on disk differ"
    );
}

#[test]
fn every_schema_file_has_exactly_one_type_and_every_type_a_schema() {
    let types: Vec<&str> = EVENT_TYPES.iter().map(|t| t.subject).collect();
    assert_eq!(
        types, SUBJECTS,
        "EVENT_TYPES must list one type per subject, in order"
    );
    let names: BTreeSet<&str> = EVENT_TYPES.iter().map(|t| t.type_name).collect();
    assert_eq!(
        names.len(),
        EVENT_TYPES.len(),
        "two subjects share a Rust type"
    );

    // The embedded copy is the file on disk, under the type's subject.
    let on_disk = schema_files_on_disk();
    assert_eq!(
        SCHEMA_FILES.len(),
        on_disk.len(),
        "a schema file is not embedded (catalogue.rs)"
    );
    for file in SCHEMA_FILES {
        let disk = on_disk
            .get(file.path)
            .unwrap_or_else(|| panic!("{} is embedded but not on disk", file.path));
        let embedded: Value = serde_json::from_str(file.text).unwrap();
        assert_eq!(&embedded, disk, "{} embedded copy is stale", file.path);
        assert_eq!(
            disk["$id"], file.id,
            "{}: catalogue pairs it with the wrong type",
            file.path
        );
    }

    // No type implements Event outside the catalogue.
    let impls = count_in_sources("impl Event for ");
    assert_eq!(
        impls,
        EVENT_TYPES.len(),
        "an Event impl is missing from catalogue.rs (or a type has none)"
    );
}

fn count_in_sources(needle: &str) -> usize {
    let mut count = 0;
    let mut dirs = vec![std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("src")];
    while let Some(dir) = dirs.pop() {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                count += std::fs::read_to_string(&path)
                    .unwrap()
                    .matches(needle)
                    .count();
            }
        }
    }
    count
}

#[test]
fn every_object_is_closed_documented_and_lists_its_required_properties() {
    for (path, schema) in schema_files_on_disk() {
        walk(&schema, "", &mut |at, node| {
            let Some(obj) = node.as_object() else { return };
            if obj.get("type") != Some(&json!("object")) {
                return;
            }
            assert_eq!(
                obj.get("additionalProperties"),
                Some(&json!(false)),
                "{path}{at}: object not closed"
            );
            let props = obj.get("properties").and_then(Value::as_object);
            let props = props.unwrap_or_else(|| panic!("{path}{at}: object without properties"));
            let required = obj.get("required").and_then(Value::as_array);
            let required =
                required.unwrap_or_else(|| panic!("{path}{at}: object without required"));
            for name in required {
                let name = name.as_str().unwrap();
                assert!(
                    props.contains_key(name),
                    "{path}{at}: required {name} is not a property"
                );
            }
            for (name, prop) in props {
                let described = prop
                    .get("description")
                    .and_then(Value::as_str)
                    .is_some_and(|d| !d.is_empty());
                assert!(described, "{path}{at}/properties/{name}: no description");
            }
        });
    }
}

#[test]
fn every_event_schema_has_examples_and_a_description() {
    for (path, schema) in event_schemas() {
        let examples = schema["examples"]
            .as_array()
            .unwrap_or_else(|| panic!("{path}: examples must be an array"));
        assert!(!examples.is_empty(), "{path}: no example");
        assert!(
            schema["description"].as_str().is_some_and(|d| d.len() > 20),
            "{path}: no description"
        );
        assert!(schema["title"].is_string(), "{path}: no title");
    }
    for (name, def) in schema_files_on_disk()["defs.json"]["$defs"]
        .as_object()
        .unwrap()
    {
        assert!(
            def["description"].is_string(),
            "defs.json#/$defs/{name}: no description"
        );
    }
}

/// Property names that mean identifying personal data, wherever they appear.
const FORBIDDEN_NAMES: &[&str] = &[
    "id_number",
    "name",
    "full_name",
    "phone",
    "address",
    "bank_account",
    "account_number",
    "diagnosis",
];
/// Fragments that mean the same inside longer names (`head_id_number`, `mobile_phone`, ...).
const FORBIDDEN_FRAGMENTS: &[&str] = &[
    "id_number",
    "phone",
    "address",
    "bank_account",
    "account_number",
    "diagnos",
];
/// Definitions whose values contain an ID number.
const IDENTIFYING_DEFS: &[&str] = &["id_number", "certificate_number"];

fn property_names(schema: &Value) -> Vec<String> {
    let mut names = Vec::new();
    walk(schema, "", &mut |_, node| {
        if let Some(props) = node.get("properties").and_then(Value::as_object) {
            names.extend(props.keys().cloned());
        }
    });
    names
}

fn refs_to(schema: &Value, defs: &[&str]) -> bool {
    let mut found = false;
    walk(schema, "", &mut |_, node| {
        if let Some(r) = node.get("$ref").and_then(Value::as_str) {
            found |= defs.iter().any(|d| r == format!("../defs.json#/$defs/{d}"));
        }
    });
    found
}

fn personal_data_problems(path: &str, schema: &Value) -> Vec<String> {
    let mut problems = Vec::new();
    let partner = path.starts_with("partner/");
    if !partner {
        for name in property_names(schema) {
            let bad = FORBIDDEN_NAMES.contains(&name.as_str())
                || name.ends_with("_name")
                || FORBIDDEN_FRAGMENTS.iter().any(|f| name.contains(f));
            if bad {
                problems.push(format!(
                    "{path}: property {name} is identifying personal data"
                ));
            }
        }
    }
    let identifying = refs_to(schema, IDENTIFYING_DEFS);
    let pseudonymous = refs_to(schema, &["person_ref"]);
    let expected = if identifying {
        "identifying"
    } else if pseudonymous {
        "pseudonymous"
    } else {
        "none"
    };
    match schema.get("x-personal-data").and_then(Value::as_str) {
        None => problems.push(format!("{path}: x-personal-data missing")),
        Some(declared) if declared != expected => problems.push(format!(
            "{path}: x-personal-data is {declared}, its fields make it {expected}"
        )),
        Some(_) => {}
    }
    if identifying && !partner {
        problems.push(format!("{path}: carries an ID number outside partner.*"));
    }
    problems
}

#[test]
fn no_identifying_data_outside_partner_schemas_and_annotations_match_the_fields() {
    let problems: Vec<String> = event_schemas()
        .iter()
        .flat_map(|(path, schema)| personal_data_problems(path, schema))
        .collect();
    assert!(problems.is_empty(), "{problems:#?}");
}

#[test]
fn personal_data_check_catches_a_leak() {
    let schemas = event_schemas();
    let mut leaking = schemas["aid/application.submitted.v1.json"].clone();
    leaking["properties"]["applicant_name"] = json!({"type": "string", "description": "x"});
    leaking["properties"]["id_number"] =
        json!({"$ref": "../defs.json#/$defs/id_number", "description": "x"});
    let problems = personal_data_problems("aid/application.submitted.v1.json", &leaking);
    assert!(
        problems.iter().any(|p| p.contains("applicant_name")),
        "{problems:?}"
    );
    assert!(
        problems.iter().any(|p| p.contains("outside partner")),
        "{problems:?}"
    );
    assert!(
        problems
            .iter()
            .any(|p| p.contains("x-personal-data is pseudonymous")),
        "{problems:?}"
    );

    let mut unannotated = schemas["minor/case.opened.v1.json"].clone();
    unannotated
        .as_object_mut()
        .unwrap()
        .remove("x-personal-data");
    assert!(!personal_data_problems("minor/case.opened.v1.json", &unannotated).is_empty());
}
