//! An example on every request body of a service's document, so that an integrator reading the
//! reference (or pressing "Try it out") starts from a body the service accepts.
//!
//! A body type may carry its own (`#[schema(example = json!({...}))]`), and any field may
//! (`#[schema(example = "dibao")]`): those are used as they are. Where a schema has none, one is
//! composed from the schema: its `example`, `const`, `default` or first `enum` value; an object
//! from its required properties (and the optional ones that carry an example); an array from one
//! item; a string from its `format` or, for the identifiers every service shares, from the
//! property's name (an ID number with a valid check character, a 渝北区 division code, a month).
//! The e2e test `api_documents` sends every documented example to the running service and fails
//! if one is refused as malformed.

use serde_json::{Map, Value, json};
use utoipa::openapi::{OpenApi, RefOr};

/// An ID number of the district (born 1985-03-15) whose GB 11643 check character is right.
pub const ID_NUMBER: &str = "500112198503150023";
/// A township of 渝北区 (两路街道).
pub const TOWNSHIP: &str = "500112016";
/// A village (community) of that township.
pub const VILLAGE: &str = "500112016001";
/// An address in that village.
pub const ADDRESS: &str = "重庆市渝北区两路街道空港大道1号";
/// An amount in fen (500 yuan) for a `…_fen` property.
pub const AMOUNT_FEN: i64 = 50_000;
/// A fixed UUID for identifiers in examples.
pub const UUID: &str = "3f0c2a4e-8b7d-4c1e-9a56-2d4b7e1f0a91";
/// A date for `format: date`: in the past on every day the suite runs on (scripts/test-on-days).
pub const DATE: &str = "2026-01-05";

/// How deep a schema is followed: the mesh's bodies nest three or four levels.
const DEPTH: usize = 12;

/// Adds an example to every request body of `api` that has none (see the module).
pub fn exemplify_requests(api: &mut OpenApi) {
    let schemas = api
        .components
        .as_ref()
        .and_then(|c| serde_json::to_value(&c.schemas).ok())
        .unwrap_or(Value::Null);
    for item in api.paths.paths.values_mut() {
        for operation in super::openapi::operations_mut(item) {
            let Some(RefOr::T(body)) = operation.request_body.as_mut() else {
                continue;
            };
            for content in body.content.values_mut() {
                let RefOr::T(content) = content else { continue };
                if content.example.is_some() || !content.examples.is_empty() {
                    continue;
                }
                let Some(schema) = content
                    .schema
                    .as_ref()
                    .and_then(|s| serde_json::to_value(s).ok())
                else {
                    continue;
                };
                content.example = Some(example(&schema, &schemas, None));
            }
        }
    }
}

/// An example of `schema`, its `$ref`s resolved in `schemas` (a document's
/// `components.schemas`), for a property named `property` when it is one.
pub fn example(schema: &Value, schemas: &Value, property: Option<&str>) -> Value {
    compose(schema, schemas, property, 0)
}

fn compose(schema: &Value, schemas: &Value, property: Option<&str>, depth: usize) -> Value {
    if depth > DEPTH {
        return Value::Null;
    }
    let Some(s) = schema.as_object() else {
        return Value::Null;
    };
    if let Some(given) = given(s) {
        return given;
    }
    if let Some(reference) = s.get("$ref").and_then(Value::as_str) {
        let name = reference.rsplit('/').next().unwrap_or_default();
        return compose(&schemas[name], schemas, property, depth + 1);
    }
    for key in ["oneOf", "anyOf"] {
        if let Some(alternatives) = s.get(key).and_then(Value::as_array) {
            let chosen = alternatives
                .iter()
                .find(|a| !is_null(a))
                .or(alternatives.first());
            return chosen.map_or(Value::Null, |a| compose(a, schemas, property, depth + 1));
        }
    }
    if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
        let mut merged = Map::new();
        for part in parts {
            match compose(part, schemas, property, depth + 1) {
                Value::Object(fields) => merged.extend(fields),
                other if parts.len() == 1 => return other,
                _ => {}
            }
        }
        return Value::Object(merged);
    }
    match type_of(s) {
        "object" => object(s, schemas, depth),
        "array" => {
            let item = s
                .get("items")
                .map_or(Value::Null, |i| compose(i, schemas, property, depth + 1));
            let count = s
                .get("minItems")
                .and_then(Value::as_u64)
                .unwrap_or(1)
                .max(1);
            Value::Array(vec![item; count as usize])
        }
        "string" => string(s, property),
        "integer" if property.is_some_and(|p| p.ends_with("_fen")) && number(s) <= 1.0 => {
            json!(AMOUNT_FEN)
        }
        "integer" => json!(number(s).round() as i64),
        "number" => json!(number(s)),
        "boolean" => json!(false),
        _ => Value::Null,
    }
}

/// What the schema says itself: `example`, `examples`, `const`, `default`, `enum`.
fn given(s: &Map<String, Value>) -> Option<Value> {
    if let Some(example) = s.get("example") {
        return Some(example.clone());
    }
    if let Some(first) = s
        .get("examples")
        .and_then(Value::as_array)
        .and_then(|e| e.first())
    {
        return Some(first.clone());
    }
    if let Some(constant) = s.get("const") {
        return Some(constant.clone());
    }
    if let Some(default) = s.get("default").filter(|d| !d.is_null()) {
        return Some(default.clone());
    }
    s.get("enum")
        .and_then(Value::as_array)
        .and_then(|values| values.iter().find(|v| !v.is_null()).cloned())
}

fn is_null(schema: &Value) -> bool {
    schema.get("type").and_then(Value::as_str) == Some("null")
}

/// The schema's type, the first that is not `null` when it lists several.
fn type_of(s: &Map<String, Value>) -> &str {
    match s.get("type") {
        Some(Value::String(t)) => t,
        Some(Value::Array(types)) => types
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .unwrap_or("null"),
        _ if s.contains_key("properties") => "object",
        _ => "",
    }
}

/// The required properties, and the optional ones whose schema gives an example.
fn object(s: &Map<String, Value>, schemas: &Value, depth: usize) -> Value {
    let required: Vec<&str> = s
        .get("required")
        .and_then(Value::as_array)
        .map(|r| r.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut fields = Map::new();
    for (name, property) in s
        .get("properties")
        .and_then(Value::as_object)
        .into_iter()
        .flatten()
    {
        let exemplified = property.get("example").is_some() || property.get("examples").is_some();
        if required.contains(&name.as_str()) || exemplified {
            fields.insert(
                name.clone(),
                compose(property, schemas, Some(name), depth + 1),
            );
        }
    }
    Value::Object(fields)
}

fn number(s: &Map<String, Value>) -> f64 {
    let at_least = s
        .get("minimum")
        .and_then(Value::as_f64)
        .or_else(|| {
            s.get("exclusiveMinimum")
                .and_then(Value::as_f64)
                .map(|m| m + 1.0)
        })
        .unwrap_or(1.0)
        .max(1.0);
    match s.get("maximum").and_then(Value::as_f64) {
        Some(most) if most < at_least => most,
        _ => at_least,
    }
}

/// A string by its format, else by the property's name for the identifiers the services share.
fn string(s: &Map<String, Value>, property: Option<&str>) -> Value {
    match s.get("format").and_then(Value::as_str) {
        Some("date") => return json!(DATE),
        Some("date-time") => return json!(format!("{DATE}T09:30:00+08:00")),
        Some("uuid") => return json!(UUID),
        _ => {}
    }
    let name = property.unwrap_or_default();
    let text = if name == "id_number" || name.ends_with("_id_number") {
        ID_NUMBER.to_owned()
    } else if name == "village" || name.ends_with("village_code") {
        VILLAGE.to_owned()
    } else if name == "township"
        || name.ends_with("township_code")
        || name.ends_with("division")
        || name.ends_with("division_code")
    {
        TOWNSHIP.to_owned()
    } else if name == "month" || name.ends_with("_month") {
        DATE[..7].to_owned()
    } else if name == "name" || name.ends_with("_name") {
        "王芳".to_owned()
    } else if name.ends_with("phone") {
        "13800138000".to_owned()
    } else if name == "address" || name.ends_with("_address") {
        ADDRESS.to_owned()
    } else if name.is_empty() {
        "text".to_owned()
    } else {
        name.replace('_', " ")
    };
    let at_least = s.get("minLength").and_then(Value::as_u64).unwrap_or(0) as usize;
    let short = at_least.saturating_sub(text.chars().count());
    json!(format!("{text}{}", ".".repeat(short)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_shared_identifiers_are_valid_ones() {
        crate::identity::IdNumber::parse(ID_NUMBER).expect("a valid ID number");
        crate::identity::DivisionCode::parse(VILLAGE).expect("a village code");
        crate::identity::DivisionCode::parse(TOWNSHIP).expect("a township code");
        assert!(VILLAGE.starts_with(TOWNSHIP) && TOWNSHIP.starts_with(crate::divisions::YUBEI));
    }

    #[test]
    fn a_body_is_composed_from_its_required_properties_references_and_the_examples_it_gives() {
        let schemas = json!({
            "Member": {"type": "object", "required": ["id_number", "born"], "properties": {
                "id_number": {"type": "string"},
                "born": {"type": "string", "format": "date"},
                "notes": {"type": ["string", "null"]},
            }},
            "Programme": {"type": "string", "enum": ["dibao", "marginal"]},
        });
        let body = json!({"type": "object", "required": ["members", "programme", "village_code", "size"],
        "properties": {
            "members": {"type": "array", "items": {"$ref": "#/components/schemas/Member"}},
            "programme": {"$ref": "#/components/schemas/Programme"},
            "village_code": {"type": "string"},
            "size": {"type": "integer", "minimum": 2},
            "channel": {"type": "string", "example": "window"},
            "ignored": {"type": "string"},
        }});
        assert_eq!(
            example(&body, &schemas, None),
            json!({
                "members": [{"id_number": ID_NUMBER, "born": DATE}],
                "programme": "dibao",
                "village_code": VILLAGE,
                "size": 2,
                "channel": "window",
            })
        );
    }

    #[test]
    fn a_body_that_gives_its_own_example_keeps_it_and_a_cycle_ends() {
        let schemas = json!({"Node": {"type": "object", "required": ["next"],
            "properties": {"next": {"$ref": "#/components/schemas/Node"}}}});
        let own = json!({"type": "object", "example": {"a": 1}});
        assert_eq!(example(&own, &schemas, None), json!({"a": 1}));
        let deep = example(
            &json!({"$ref": "#/components/schemas/Node"}),
            &schemas,
            None,
        );
        assert!(deep.to_string().contains("null"));
    }
}
