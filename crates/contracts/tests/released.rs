//! Released schemas stay compatible. `schemas/released.lock.json` holds a copy of every released
//! schema file; this test fails when a current schema breaks its released copy, when a schema is
//! not released yet, or when a compatible change is not recorded.
//!
//! `UPDATE_SCHEMA_LOCK=1 cargo test -p contracts --test released` releases new schemas and
//! records compatible changes (each printed); it never writes while any change is breaking.

mod support;

use std::collections::BTreeMap;

use contracts::compat::breaking_changes;
use serde_json::{Map, Value, json};
use support::{schema_files_on_disk, schemas_dir};

const LOCK: &str = "released.lock.json";

fn read_lock() -> BTreeMap<String, Value> {
    let path = schemas_dir().join(LOCK);
    let Ok(text) = std::fs::read_to_string(&path) else {
        return BTreeMap::new();
    };
    let lock: Value =
        serde_json::from_str(&text).unwrap_or_else(|e| panic!("{LOCK} is not JSON: {e}"));
    let released = lock["released"]
        .as_object()
        .unwrap_or_else(|| panic!("{LOCK} has no \"released\" object"));
    released
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn write_lock(released: &BTreeMap<String, Value>) {
    let lock = json!({
        "$comment": "Released schema files (path under schemas/ -> content). crates/contracts/tests/released.rs \
                     fails on any breaking change against these. Update with UPDATE_SCHEMA_LOCK=1 \
                     cargo test -p contracts --test released (new schemas and compatible changes only); \
                     see schemas/README.md.",
        "released": released.iter().map(|(k, v)| (k.clone(), v.clone())).collect::<Map<String, Value>>(),
    });
    let text = serde_json::to_string_pretty(&lock).unwrap() + "\n";
    std::fs::write(schemas_dir().join(LOCK), text).unwrap();
}

/// What the comparison of the schemas on disk with the lock found.
#[derive(Default)]
struct Report {
    breaking: Vec<String>,
    unreleased: Vec<String>,
    unrecorded: Vec<String>,
}

fn compare(released: &BTreeMap<String, Value>, current: &BTreeMap<String, Value>) -> Report {
    let mut report = Report::default();
    for (path, old) in released {
        match current.get(path) {
            None => report
                .breaking
                .push(format!("{path}: released schema deleted")),
            Some(new) => {
                let breaks = breaking_changes(old, new);
                report
                    .breaking
                    .extend(breaks.iter().map(|b| format!("{path}{b}")));
                if breaks.is_empty() && old != new {
                    report.unrecorded.push(path.clone());
                }
            }
        }
    }
    report.unreleased = current
        .keys()
        .filter(|p| !released.contains_key(*p))
        .cloned()
        .collect();
    report
}

#[test]
fn released_schemas_have_no_breaking_change() {
    let released = read_lock();
    let current = schema_files_on_disk();
    let report = compare(&released, &current);
    assert!(
        report.breaking.is_empty(),
        "breaking changes to released schemas (make a new .v<N+1> subject instead, see schemas/README.md):\n  {}",
        report.breaking.join("\n  ")
    );
    if std::env::var("UPDATE_SCHEMA_LOCK").is_ok_and(|v| v == "1") {
        let mut updated = released.clone();
        for path in report.unreleased.iter().chain(&report.unrecorded) {
            println!("schema lock: recording {path}");
            updated.insert(path.clone(), current[path].clone());
        }
        if updated != released {
            write_lock(&updated);
        }
        return;
    }
    assert!(
        report.unreleased.is_empty() && report.unrecorded.is_empty(),
        "schemas/{LOCK} is out of date (new: {:?}; compatible changes: {:?}). Release them with \
         UPDATE_SCHEMA_LOCK=1 cargo test -p contracts --test released",
        report.unreleased,
        report.unrecorded
    );
}

#[test]
fn the_lock_check_catches_breaks_deletions_and_unreleased_schemas() {
    let current = schema_files_on_disk();
    let mut released: BTreeMap<String, Value> = current.clone();
    released.remove("village/rules.filed.v1.json");
    released.insert("aid/gone.v1.json".into(), json!({"type": "object"}));
    let mut narrowed = current["aid/enrollment.ended.v1.json"].clone();
    narrowed["properties"]["reason"]["enum"]
        .as_array_mut()
        .unwrap()
        .push(json!("old_reason"));
    released.insert("aid/enrollment.ended.v1.json".into(), narrowed);
    let mut reworded = current["minor/case.closed.v1.json"].clone();
    reworded["description"] = json!("Old wording.");
    released.insert("minor/case.closed.v1.json".into(), reworded);

    let report = compare(&released, &current);
    assert!(
        report
            .breaking
            .iter()
            .any(|b| b.starts_with("aid/gone.v1.json: released schema deleted"))
    );
    assert!(
        report
            .breaking
            .iter()
            .any(|b| b.starts_with("aid/enrollment.ended.v1.json/properties/reason/enum")),
        "{:?}",
        report.breaking
    );
    assert_eq!(
        report.unreleased,
        vec!["village/rules.filed.v1.json".to_owned()]
    );
    assert_eq!(
        report.unrecorded,
        vec!["minor/case.closed.v1.json".to_owned()]
    );
}
