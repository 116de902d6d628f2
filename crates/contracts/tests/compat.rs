//! The compatibility checker itself: every kind of breaking change is caught, and what is allowed
//! (a new optional property, documentation) is not reported.

use contracts::compat::breaking_changes;
use serde_json::{Value, json};

fn released() -> Value {
    json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "aid.example.happened.v1",
        "description": "An example.",
        "type": "object",
        "additionalProperties": false,
        "required": ["id", "programme", "amount_fen"],
        "properties": {
            "id": {"$ref": "../defs.json#/$defs/uuid", "description": "Id."},
            "programme": {"type": "string", "enum": ["dibao", "marginal"], "description": "Programme."},
            "amount_fen": {"$ref": "../defs.json#/$defs/amount_fen", "description": "Amount."},
            "note": {"type": "string", "pattern": "^[a-z]+$", "description": "Optional."},
            "members": {"type": "array", "items": {"$ref": "../defs.json#/$defs/person_ref"}, "description": "M."},
            "parent": {
                "type": "object",
                "additionalProperties": false,
                "required": ["situation"],
                "properties": {"situation": {"type": "string", "enum": ["dead", "present"], "description": "S."}},
                "description": "P."
            }
        },
        "allOf": [{"if": {"properties": {"programme": {"const": "dibao"}}}, "then": {"required": ["note"]}}],
        "examples": [{"id": "x"}]
    })
}

fn changed(edit: impl FnOnce(&mut Value)) -> Vec<String> {
    let old = released();
    let mut new = old.clone();
    edit(&mut new);
    breaking_changes(&old, &new)
        .iter()
        .map(ToString::to_string)
        .collect()
}

fn assert_breaks(edit: impl FnOnce(&mut Value), expected_path: &str, expected_words: &str) {
    let found = changed(edit);
    assert!(
        found
            .iter()
            .any(|c| c.starts_with(&format!("{expected_path}: ")) && c.contains(expected_words)),
        "expected a breaking change at {expected_path} mentioning {expected_words:?}, got {found:?}"
    );
}

fn props(v: &mut Value) -> &mut serde_json::Map<String, Value> {
    v["properties"].as_object_mut().unwrap()
}

#[test]
fn an_identical_schema_has_no_breaking_change() {
    assert_eq!(changed(|_| {}), Vec::<String>::new());
}

#[test]
fn a_new_optional_property_is_allowed() {
    let found = changed(|v| {
        props(v).insert(
            "extra".into(),
            json!({"type": "integer", "description": "New."}),
        );
        v["properties"]["parent"]["properties"]["person_ref"] =
            json!({"$ref": "../defs.json#/$defs/person_ref"});
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn documentation_examples_extensions_and_new_defs_are_allowed() {
    let found = changed(|v| {
        v["description"] = json!("Reworded.");
        v["properties"]["id"]["description"] = json!("Reworded too.");
        v["examples"] = json!([{"id": "y"}, {"id": "z"}]);
        v["x-personal-data"] = json!("pseudonymous");
        v["title"] = json!("Example");
        v["$defs"] = json!({"new_def": {"type": "string"}});
    });
    assert!(found.is_empty(), "{found:?}");
}

#[test]
fn a_removed_property_breaks() {
    assert_breaks(
        |v| drop(props(v).remove("note")),
        "/properties/note",
        "removed",
    );
}

#[test]
fn a_renamed_property_breaks() {
    assert_breaks(
        |v| {
            let p = props(v).remove("note").unwrap();
            props(v).insert("remark".into(), p);
        },
        "/properties/note",
        "removed (or renamed)",
    );
}

#[test]
fn a_type_format_pattern_or_ref_change_breaks() {
    assert_breaks(
        |v| v["properties"]["note"]["type"] = json!("integer"),
        "/properties/note/type",
        "changed",
    );
    assert_breaks(
        |v| v["properties"]["note"]["pattern"] = json!("^[a-z0-9]+$"),
        "/properties/note/pattern",
        "changed",
    );
    assert_breaks(
        |v| v["properties"]["note"]["format"] = json!("date"),
        "/properties/note/format",
        "added",
    );
    assert_breaks(
        |v| v["properties"]["amount_fen"]["$ref"] = json!("../defs.json#/$defs/month"),
        "/properties/amount_fen/$ref",
        "changed",
    );
    assert_breaks(
        |v| v["properties"]["members"]["items"]["$ref"] = json!("../defs.json#/$defs/uuid"),
        "/properties/members/items/$ref",
        "changed",
    );
    assert_breaks(
        |v| v["properties"]["note"]["maxLength"] = json!(10),
        "/properties/note/maxLength",
        "added",
    );
}

#[test]
fn optional_to_required_and_back_breaks() {
    assert_breaks(
        |v| v["required"].as_array_mut().unwrap().push(json!("note")),
        "/properties/note",
        "optional to required",
    );
    assert_breaks(
        |v| {
            v["required"]
                .as_array_mut()
                .unwrap()
                .retain(|r| r != "amount_fen")
        },
        "/properties/amount_fen",
        "required to optional",
    );
}

#[test]
fn a_widened_or_narrowed_enum_breaks() {
    assert_breaks(
        |v| {
            v["properties"]["programme"]["enum"]
                .as_array_mut()
                .unwrap()
                .push(json!("extreme_poverty"))
        },
        "/properties/programme/enum",
        "widened by \"extreme_poverty\"",
    );
    assert_breaks(
        |v| v["properties"]["programme"]["enum"] = json!(["dibao"]),
        "/properties/programme/enum",
        "narrowed",
    );
    assert_breaks(
        |v| {
            v["properties"]["parent"]["properties"]["situation"]["enum"] =
                json!(["dead", "present", "missing"])
        },
        "/properties/parent/properties/situation/enum",
        "widened",
    );
    // Reordering is not a change.
    assert!(
        changed(|v| v["properties"]["programme"]["enum"] = json!(["marginal", "dibao"])).is_empty()
    );
}

#[test]
fn a_new_required_property_breaks() {
    assert_breaks(
        |v| {
            props(v).insert(
                "household_size".into(),
                json!({"type": "integer", "description": "N."}),
            );
            v["required"]
                .as_array_mut()
                .unwrap()
                .push(json!("household_size"));
        },
        "/properties/household_size",
        "new required property",
    );
}

#[test]
fn nested_objects_and_conditionals_are_compared_too() {
    assert_breaks(
        |v| {
            drop(
                v["properties"]["parent"]["properties"]
                    .as_object_mut()
                    .unwrap()
                    .remove("situation"),
            )
        },
        "/properties/parent/properties/situation",
        "removed",
    );
    assert_breaks(
        |v| v["properties"]["parent"]["additionalProperties"] = json!(true),
        "/properties/parent/additionalProperties",
        "changed",
    );
    assert_breaks(
        |v| v["allOf"][0]["then"]["required"] = json!(["note", "members"]),
        "/allOf/0/then/required",
        "changed",
    );
    assert_breaks(
        |v| v["allOf"].as_array_mut().unwrap().push(json!({})),
        "/allOf",
        "subschemas",
    );
    assert_breaks(
        |v| v["$id"] = json!("aid.example.happened.v2"),
        "/$id",
        "changed",
    );
}
