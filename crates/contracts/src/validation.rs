//! Validation of event bodies against the embedded schemas: strict for producers, tolerant for
//! consumers. Validators are compiled once per subject and mode, on first use; `$ref`s to
//! `defs.json` resolve through an in-memory registry (no network, no files).

use std::collections::HashMap;
use std::sync::{LazyLock, OnceLock};

use jsonschema::{Draft, Registry, Validator};
use serde_json::Value;

use crate::catalogue::{DEFS_ID, SCHEMA_FILES};

/// Why an event body was refused.
#[derive(Debug, thiserror::Error)]
pub enum SchemaError {
    /// No schema exists for the subject.
    #[error("no schema for subject {0}")]
    UnknownSubject(String),
    /// The body does not match the subject's schema.
    #[error("{subject}: {}", errors.join("; "))]
    Invalid {
        /// The subject validated against.
        subject: String,
        /// One entry per violation: `"<instance path>: <message>"` (`/` is the whole body).
        errors: Vec<String>,
    },
}

/// The base URI relative `$id`s resolve against; `../defs.json` from any schema lands here.
const DEFS_URI: &str = "json-schema:///defs.json";

struct Parsed {
    strict: Value,
    tolerant: Value,
}

/// Every embedded schema, parsed, by `$id` (subjects and `defs.json`).
static SCHEMAS: LazyLock<HashMap<&'static str, Parsed>> = LazyLock::new(|| {
    SCHEMA_FILES
        .iter()
        .map(|file| {
            let strict: Value = serde_json::from_str(file.text)
                .unwrap_or_else(|e| panic!("embedded schema {} is not JSON: {e}", file.path));
            let tolerant = without_closed_objects(&strict);
            (file.id, Parsed { strict, tolerant })
        })
        .collect()
});

fn registry(tolerant: bool) -> Registry<'static> {
    let defs = &SCHEMAS[DEFS_ID];
    let defs = if tolerant {
        defs.tolerant.clone()
    } else {
        defs.strict.clone()
    };
    Registry::new()
        .add(DEFS_URI, defs)
        .and_then(|builder| builder.prepare())
        .unwrap_or_else(|e| panic!("embedded defs.json does not load: {e}"))
}

static STRICT_REGISTRY: LazyLock<Registry<'static>> = LazyLock::new(|| registry(false));
static TOLERANT_REGISTRY: LazyLock<Registry<'static>> = LazyLock::new(|| registry(true));

#[derive(Default)]
struct Validators {
    strict: OnceLock<Validator>,
    tolerant: OnceLock<Validator>,
}

static VALIDATORS: LazyLock<HashMap<&'static str, Validators>> = LazyLock::new(|| {
    crate::SUBJECTS
        .iter()
        .map(|s| (*s, Validators::default()))
        .collect()
});

fn compile(subject: &str, schema: &Value, registry: &'static Registry<'static>) -> Validator {
    jsonschema::options()
        .with_draft(Draft::Draft202012)
        .offline()
        .with_registry(registry)
        .should_validate_formats(true)
        .build(schema)
        // The schemas are embedded and compiled by the crate's tests: failing here is a build bug.
        .unwrap_or_else(|e| panic!("embedded schema {subject} does not compile: {e}"))
}

/// The schema of `subject` as written in `schemas/` (embedded at compile time).
pub fn schema(subject: &str) -> Option<&'static Value> {
    SCHEMAS
        .get(subject)
        .filter(|_| subject != DEFS_ID)
        .map(|p| &p.strict)
}

/// The schema of `subject` as a tolerant reader sees it: every `additionalProperties: false`
/// removed, so fields a newer producer added are accepted.
pub fn tolerant_schema(subject: &str) -> Option<&'static Value> {
    SCHEMAS
        .get(subject)
        .filter(|_| subject != DEFS_ID)
        .map(|p| &p.tolerant)
}

/// Validates an event body strictly, as a producer must before publishing: closed objects, every
/// pattern and format checked.
pub fn validate(subject: &str, value: &Value) -> Result<(), SchemaError> {
    run(subject, value, false)
}

/// Validates an event body as a consumer (tolerant reader): the same schema without
/// `additionalProperties: false`, so an optional field a producer added before this consumer
/// upgraded does not make the message invalid.
pub fn validate_tolerant(subject: &str, value: &Value) -> Result<(), SchemaError> {
    run(subject, value, true)
}

fn run(subject: &str, value: &Value, tolerant: bool) -> Result<(), SchemaError> {
    let (Some(slot), Some(parsed)) = (VALIDATORS.get(subject), SCHEMAS.get(subject)) else {
        return Err(SchemaError::UnknownSubject(subject.to_owned()));
    };
    let validator = if tolerant {
        slot.tolerant
            .get_or_init(|| compile(subject, &parsed.tolerant, &TOLERANT_REGISTRY))
    } else {
        slot.strict
            .get_or_init(|| compile(subject, &parsed.strict, &STRICT_REGISTRY))
    };
    let errors: Vec<String> = validator
        .iter_errors(value)
        .map(|e| {
            let path = e.instance_path().as_str();
            format!("{}: {e}", if path.is_empty() { "/" } else { path })
        })
        .collect();
    if errors.is_empty() {
        Ok(())
    } else {
        Err(SchemaError::Invalid {
            subject: subject.to_owned(),
            errors,
        })
    }
}

/// A copy of `schema` with every `additionalProperties: false` removed, at any depth.
fn without_closed_objects(schema: &Value) -> Value {
    match schema {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, v)| {
                    !(k.as_str() == "additionalProperties" && **v == Value::Bool(false))
                })
                .map(|(k, v)| (k.clone(), without_closed_objects(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_closed_objects).collect()),
        other => other.clone(),
    }
}
