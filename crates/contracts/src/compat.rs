//! Compatibility of a schema with its released version: what would break a consumer (or a
//! producer) that was built against the released schema.
//!
//! The rule is deliberately simple and conservative, because both sides validate (producers
//! strictly, consumers tolerantly) and a v1 schema lives as long as any of them: the only change
//! that is not breaking is a new optional property (plus annotations: descriptions, titles,
//! examples, `x-` extensions, and new `$defs` entries). Everything else — a property removed or
//! renamed, a type, format, pattern, `$ref` or bound changed, optional↔required, an enum widened
//! or narrowed, a new required property — needs a new major version of the subject.

use std::collections::BTreeSet;
use std::fmt;

use serde_json::{Map, Value};

/// One change that breaks compatibility with the released schema.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BreakingChange {
    /// JSON Pointer into the schema where the change is, e.g. `/properties/programme`.
    pub path: String,
    /// What changed, in words.
    pub reason: String,
}

impl fmt::Display for BreakingChange {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let path = if self.path.is_empty() {
            "/"
        } else {
            &self.path
        };
        write!(f, "{path}: {}", self.reason)
    }
}

/// Keywords that only document; changing them breaks nobody.
const ANNOTATIONS: &[&str] = &[
    "title",
    "description",
    "examples",
    "$comment",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];
/// Keywords whose value is one subschema.
const SINGLE: &[&str] = &[
    "items",
    "not",
    "if",
    "then",
    "else",
    "contains",
    "propertyNames",
    "unevaluatedItems",
    "unevaluatedProperties",
];
/// Keywords whose value is an array of subschemas, compared position by position.
const LISTS: &[&str] = &["allOf", "anyOf", "oneOf", "prefixItems"];
/// Keywords whose value maps names to subschemas (other than `properties`).
const MAPS: &[&str] = &["$defs", "patternProperties", "dependentSchemas"];

/// Every change from `released` to `current` that breaks compatibility; empty when `current` may
/// replace `released` under the same subject.
pub fn breaking_changes(released: &Value, current: &Value) -> Vec<BreakingChange> {
    let mut out = Vec::new();
    compare(released, current, "", &mut out);
    out
}

fn push(out: &mut Vec<BreakingChange>, path: &str, reason: String) {
    out.push(BreakingChange {
        path: path.to_owned(),
        reason,
    });
}

fn pointer(path: &str, token: &str) -> String {
    format!("{path}/{}", token.replace('~', "~0").replace('/', "~1"))
}

fn compare(old: &Value, new: &Value, path: &str, out: &mut Vec<BreakingChange>) {
    let (Value::Object(old), Value::Object(new)) = (old, new) else {
        if old != new {
            push(out, path, format!("schema changed from {old} to {new}"));
        }
        return;
    };
    let keys: BTreeSet<&String> = old.keys().chain(new.keys()).collect();
    for key in keys {
        let k = key.as_str();
        if ANNOTATIONS.contains(&k) || k.starts_with("x-") || k == "required" {
            continue;
        }
        let here = pointer(path, k);
        // A map keyword that is absent is an empty map (a first `$defs` entry is an addition).
        let empty = Value::Object(Map::new());
        let (o, n) = match (old.get(k), new.get(k)) {
            (None, n) if MAPS.contains(&k) => (Some(&empty), n),
            (o, None) if MAPS.contains(&k) => (o, Some(&empty)),
            pair => pair,
        };
        match (o, n) {
            (Some(o), Some(n)) if k == "properties" => {
                compare_properties(old, new, o, n, &here, out)
            }
            (None, Some(n)) if k == "properties" => {
                compare_properties(old, new, &Value::Object(Map::new()), n, &here, out)
            }
            (Some(o), Some(n)) if k == "enum" => compare_enum(o, n, &here, out),
            (Some(o), Some(n)) if SINGLE.contains(&k) => compare(o, n, &here, out),
            (Some(o), Some(n)) if k == "additionalProperties" && o.is_object() && n.is_object() => {
                compare(o, n, &here, out)
            }
            (Some(Value::Array(o)), Some(Value::Array(n))) if LISTS.contains(&k) => {
                if o.len() == n.len() {
                    for (i, (o, n)) in o.iter().zip(n).enumerate() {
                        compare(o, n, &pointer(&here, &i.to_string()), out);
                    }
                } else {
                    push(
                        out,
                        &here,
                        format!("{k} went from {} to {} subschemas", o.len(), n.len()),
                    );
                }
            }
            (Some(Value::Object(o)), Some(Value::Object(n))) if MAPS.contains(&k) => {
                compare_map(k, o, n, &here, out)
            }
            (Some(o), Some(n)) => {
                if o != n {
                    push(out, &here, format!("{k} changed from {o} to {n}"));
                }
            }
            (Some(o), None) => push(out, &here, format!("{k} ({o}) removed")),
            (None, Some(n)) => push(out, &here, format!("{k} ({n}) added")),
            (None, None) => {}
        }
    }
    // `required` outside `properties` (e.g. in `if`/`then`): any change is a change of rule.
    if !old.contains_key("properties") && !new.contains_key("properties") {
        let (o, n) = (required(old), required(new));
        if o != n {
            push(
                out,
                &pointer(path, "required"),
                format!("required changed from {o:?} to {n:?}"),
            );
        }
    }
}

fn required(schema: &Map<String, Value>) -> BTreeSet<&str> {
    schema
        .get("required")
        .and_then(Value::as_array)
        .map(|names| names.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default()
}

fn compare_properties(
    old_schema: &Map<String, Value>,
    new_schema: &Map<String, Value>,
    old: &Value,
    new: &Value,
    path: &str,
    out: &mut Vec<BreakingChange>,
) {
    let empty = Map::new();
    let old_props = old.as_object().unwrap_or(&empty);
    let new_props = new.as_object().unwrap_or(&empty);
    let (old_req, new_req) = (required(old_schema), required(new_schema));
    for (name, old_prop) in old_props {
        let here = pointer(path, name);
        let Some(new_prop) = new_props.get(name) else {
            push(out, &here, format!("property {name} removed (or renamed)"));
            continue;
        };
        compare(old_prop, new_prop, &here, out);
        match (
            old_req.contains(name.as_str()),
            new_req.contains(name.as_str()),
        ) {
            (false, true) => push(
                out,
                &here,
                format!("property {name} changed from optional to required"),
            ),
            (true, false) => push(
                out,
                &here,
                format!("property {name} changed from required to optional"),
            ),
            _ => {}
        }
    }
    for name in new_props.keys().filter(|n| !old_props.contains_key(*n)) {
        if new_req.contains(name.as_str()) {
            push(
                out,
                &pointer(path, name),
                format!("new required property {name}"),
            );
        }
    }
    // Names required without being declared as properties.
    let undeclared = |req: &BTreeSet<&str>, props: &Map<String, Value>| -> BTreeSet<String> {
        req.iter()
            .filter(|n| !props.contains_key(**n))
            .map(|n| (*n).to_owned())
            .collect()
    };
    let (o, n) = (
        undeclared(&old_req, old_props),
        undeclared(&new_req, new_props),
    );
    if o != n {
        let parent = path.rsplit_once('/').map_or("", |(p, _)| p);
        push(
            out,
            &pointer(parent, "required"),
            format!("undeclared required names changed from {o:?} to {n:?}"),
        );
    }
}

fn compare_enum(old: &Value, new: &Value, path: &str, out: &mut Vec<BreakingChange>) {
    let set = |v: &Value| -> BTreeSet<String> {
        v.as_array()
            .map(|a| a.iter().map(Value::to_string).collect())
            .unwrap_or_default()
    };
    let (o, n) = (set(old), set(new));
    let added: Vec<&String> = n.difference(&o).collect();
    let removed: Vec<&String> = o.difference(&n).collect();
    if !added.is_empty() {
        push(out, path, format!("enum widened by {}", join(&added)));
    }
    if !removed.is_empty() {
        push(
            out,
            path,
            format!("enum narrowed: {} removed", join(&removed)),
        );
    }
}

fn join(values: &[&String]) -> String {
    values
        .iter()
        .map(|s| s.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn compare_map(
    keyword: &str,
    old: &Map<String, Value>,
    new: &Map<String, Value>,
    path: &str,
    out: &mut Vec<BreakingChange>,
) {
    for (name, o) in old {
        match new.get(name) {
            Some(n) => compare(o, n, &pointer(path, name), out),
            None => push(
                out,
                &pointer(path, name),
                format!("{keyword} entry {name} removed"),
            ),
        }
    }
    // A new definition changes nothing until something refers to it (and that reference is a
    // change the comparison sees); a new pattern or dependency changes validation.
    if keyword != "$defs" {
        for name in new.keys().filter(|n| !old.contains_key(*n)) {
            push(
                out,
                &pointer(path, name),
                format!("{keyword} entry {name} added"),
            );
        }
    }
}
