//! Helpers the contract tests share: where `schemas/` is and what is in it on disk.
#![allow(dead_code)] // each test binary uses a different part

use std::collections::BTreeMap;
use std::path::PathBuf;

use serde_json::Value;

/// The repository's `schemas/` directory.
pub fn schemas_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../schemas")
}

/// Files under `schemas/` that are not JSON Schemas.
pub const NOT_SCHEMAS: &[&str] = &["released.lock.json"];

/// Every JSON Schema file on disk, by path relative to `schemas/` (`/`-separated), parsed.
pub fn schema_files_on_disk() -> BTreeMap<String, Value> {
    let mut out = BTreeMap::new();
    let mut dirs = vec![schemas_dir()];
    while let Some(dir) = dirs.pop() {
        for entry in
            std::fs::read_dir(&dir).unwrap_or_else(|e| panic!("read {}: {e}", dir.display()))
        {
            let path = entry.unwrap().path();
            if path.is_dir() {
                dirs.push(path);
                continue;
            }
            if path.extension().and_then(|e| e.to_str()) != Some("json") {
                continue;
            }
            let rel = path
                .strip_prefix(schemas_dir())
                .unwrap()
                .to_str()
                .unwrap()
                .replace('\\', "/");
            if NOT_SCHEMAS.contains(&rel.as_str()) {
                continue;
            }
            let text = std::fs::read_to_string(&path).unwrap();
            let value =
                serde_json::from_str(&text).unwrap_or_else(|e| panic!("{rel} is not JSON: {e}"));
            out.insert(rel, value);
        }
    }
    out
}

/// The file a subject's schema must live in: `<context>/<rest>.json`
/// (`partner.dpf.certificate.issued.v1` → `partner/dpf.certificate.issued.v1.json`).
pub fn path_for_subject(subject: &str) -> String {
    let (context, rest) = subject
        .split_once('.')
        .expect("a subject has several tokens");
    format!("{context}/{rest}.json")
}

/// The service that owns a context and alone publishes its subjects; `partner.<agency>` for
/// partner facts.
pub fn producer_of(subject: &str) -> String {
    contracts::source_of(subject)
        .unwrap_or_else(|| panic!("subject {subject} has no known context"))
}

/// The six mesh services.
pub const SERVICES: &[&str] = &[
    "aid-applications",
    "disability-subsidies",
    "child-welfare",
    "elderly-care",
    "minor-protection",
    "village-governance",
];

/// Calls `f(path, schema)` for `schema` and every subschema-bearing object below it.
pub fn walk<'a>(value: &'a Value, path: &str, f: &mut dyn FnMut(&str, &'a Value)) {
    f(path, value);
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                if k == "examples" || k == "enum" || k == "const" {
                    continue;
                }
                walk(v, &format!("{path}/{k}"), f);
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                walk(v, &format!("{path}/{i}"), f);
            }
        }
        _ => {}
    }
}
