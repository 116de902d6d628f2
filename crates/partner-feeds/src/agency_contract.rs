//! One AsyncAPI 3 document per partner agency, derived from `schemas/asyncapi.yaml` and the
//! approvals: only what that agency may receive (its feed, each message reduced to the approved
//! fields with identifiers as its pseudonyms) and publish (the `partner.<agency>.*` facts it
//! owns), with the servers, the security of its account, the message schemas and examples. The
//! documents live in `schemas/partners/<agency>.asyncapi.yaml`; a test keeps them equal to what
//! this renders (`UPDATE_PARTNER_CONTRACTS=1` rewrites them), the AsyncAPI linter checks them,
//! and the launcher's front page renders them for reading.

use std::collections::{BTreeMap, BTreeSet};

use serde_json::{Map, Value, json};

use crate::{
    approvals::{Approvals, SubjectApproval},
    projection::{feed_dataschema, feed_subject, project},
    pseudonym::FeedKey,
    settings::development_key,
};

/// The address the bureau hands over for its partners' entrance (a placeholder in the documents:
/// the real one comes with the credentials).
pub const PARTNERS_SERVER: &str = "nats-partners.minzheng.invalid:4222";

/// Every agency of the mesh: those approved for a feed and those that publish facts.
pub fn agencies(asyncapi: &Value, approvals: &Approvals) -> BTreeSet<String> {
    let mut agencies: BTreeSet<String> = approvals.partners.keys().cloned().collect();
    for channel in channels(asyncapi).values() {
        if let Some(agency) = channel["x-producer"]
            .as_str()
            .and_then(|p| p.strip_prefix("partner."))
        {
            agencies.insert(agency.to_owned());
        }
    }
    agencies
}

fn channels(asyncapi: &Value) -> Map<String, Value> {
    asyncapi["channels"]
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// The document of `agency`. `schema` gives a subject's JSON Schema (with its `examples`).
pub fn render(
    asyncapi: &Value,
    approvals: &Approvals,
    agency: &str,
    schema: impl Fn(&str) -> Option<Value>,
) -> Result<Value, String> {
    let mut channels_out = Map::new();
    let mut operations = Map::new();
    let mut messages = Map::new();
    let all = channels(asyncapi);
    let approval = approvals.partners.get(agency);
    let key = FeedKey::new(agency, development_key(agency).into_bytes())
        .map_err(|e| format!("{agency}: {e}"))?;
    for (subject, subject_approval) in approval.iter().flat_map(|p| &p.subjects) {
        let source = all
            .get(subject)
            .ok_or_else(|| format!("{agency}: {subject} is not a channel of asyncapi.yaml"))?;
        let source_schema =
            schema(subject).ok_or_else(|| format!("{subject}: no schema in contracts"))?;
        let feed = feed_subject(agency, subject);
        let name = message_name(asyncapi, subject);
        channels_out.insert(
            feed.clone(),
            json!({
                "address": feed,
                "title": feed,
                "description": feed_description(source, subject_approval),
                "messages": {name.clone(): {"$ref": format!("#/components/messages/{feed}")}},
            }),
        );
        operations.insert(
            format!("receive{name}"),
            json!({
                "action": "receive",
                "title": format!("{agency} pulls {feed}"),
                "description": format!(
                    "Pull from the durable consumer `{agency}` of stream `{}`, through the JetStream API prefix `{}`; acknowledge after handling.",
                    crate::relay::feed_stream(agency),
                    crate::nats_config::PARTNER_JS_PREFIX
                ),
                "channel": {"$ref": format!("#/channels/{}", pointer(&feed))},
                "messages": [{"$ref": format!("#/channels/{}/messages/{name}", pointer(&feed))}],
            }),
        );
        let example = source_schema["examples"]
            .get(0)
            .map(|data| project(&key, subject, subject_approval, "example-event", data).body);
        let mut message = json!({
            "name": name,
            "title": format!("{name} (feed of {agency})"),
            "summary": source_schema["description"].as_str().unwrap_or_default(),
            "contentType": "application/json",
            "headers": feed_headers(agency, subject),
            "payload": projected_schema(&source_schema, subject_approval),
        });
        if let Some(example) = example {
            message["examples"] = json!([{
                "name": "example",
                "summary": "The schema's example as this agency receives it (pseudonyms under a development key).",
                "payload": example,
            }]);
        }
        messages.insert(feed, message);
    }
    for (subject, source) in &all {
        if source["x-producer"].as_str() != Some(&format!("partner.{agency}")) {
            continue;
        }
        let name = message_name(asyncapi, subject);
        channels_out.insert(
            subject.clone(),
            json!({
                "address": subject,
                "title": subject,
                "description": source["description"],
                "messages": {name.clone(): {"$ref": format!("#/components/messages/{subject}")}},
            }),
        );
        operations.insert(
            format!("send{name}"),
            json!({
                "action": "send",
                "title": format!("{agency} publishes {subject}"),
                "description": "Publish with the CloudEvents headers and wait for the JetStream acknowledgement; retry with the same ce-id until it comes.",
                "channel": {"$ref": format!("#/channels/{}", pointer(subject))},
                "messages": [{"$ref": format!("#/channels/{}/messages/{name}", pointer(subject))}],
            }),
        );
        let mut message = asyncapi["components"]["messages"][subject].clone();
        if let Some(payload) = message["payload"]["$ref"].as_str() {
            // The document sits one folder below asyncapi.yaml, beside the context folders.
            message["payload"]["$ref"] = json!(format!("../{}", payload.trim_start_matches("./")));
        }
        messages.insert(subject.clone(), message);
    }
    if channels_out.is_empty() {
        return Err(format!("{agency} neither receives nor publishes anything"));
    }
    let mut schemas = json!({});
    if approval.is_some_and(|p| p.subjects.values().any(|s| !s.pseudonymise.is_empty())) {
        schemas["Pseudonym"] = json!({
            "type": "string",
            "pattern": "^[0-9a-f]{32}$",
            "description": "This agency's pseudonym of a person or record: the same value always gives the same pseudonym in this agency's feed, and a different one in any other agency's.",
        });
    }
    if operations.keys().any(|k| k.starts_with("send")) {
        // The headers every published fact carries (its messages refer to them).
        schemas["CloudEventsHeaders"] =
            asyncapi["components"]["schemas"]["CloudEventsHeaders"].clone();
    }
    let description = approval.map(|p| p.description.trim()).unwrap_or_default();
    Ok(json!({
        "asyncapi": "3.0.0",
        "id": format!("urn:minzheng:partner:{agency}"),
        "info": {
            "title": format!("Minzheng Mesh for {agency}"),
            "version": asyncapi["info"]["version"],
            "description": format!(
                "{description}\n\nWhat the agency `{agency}` receives from and publishes into the mesh of the district \
                 civil-affairs bureau, and nothing else: its account can pull and acknowledge its own feed \
                 and publish its own facts. Generated from the mesh's asyncapi.yaml and the approvals; \
                 docs/partners.md explains the contract (acknowledging, replay, refused facts, retention).",
            ).trim().to_owned(),
            "contact": asyncapi["info"]["contact"],
            "license": asyncapi["info"]["license"],
            "tags": [{"name": "partner", "description": format!("The contract of the partner agency {agency}.")}],
        },
        "defaultContentType": "application/json",
        "servers": {
            "partners": {
                "host": PARTNERS_SERVER,
                "protocol": "nats",
                "description": "The bureau's entrance for partner agencies (the real address comes with the credentials): TLS, with a client certificate issued by the mesh's CA, and the agency's user and password.",
                "security": [
                    {"$ref": "#/components/securitySchemes/account"},
                    {"$ref": "#/components/securitySchemes/certificate"},
                ],
            },
            "development": {
                "host": "127.0.0.1:4222",
                "protocol": "nats",
                "description": "A development mesh (the launcher's NATS): no TLS, no account.",
            },
        },
        "channels": channels_out,
        "operations": operations,
        "components": {
            "securitySchemes": {
                "account": {
                    "type": "userPassword",
                    "description": format!("User `{agency}` and the password the bureau issued (rotated on request or on an agreed schedule)."),
                },
                "certificate": {
                    "type": "X509",
                    "description": "A client certificate issued by the mesh's CA; the server verifies it.",
                },
            },
            "schemas": schemas,
            "messages": messages,
        },
    }))
}

/// Renders every agency's document as YAML, by agency.
pub fn render_all(
    asyncapi_yaml: &str,
    approvals: &Approvals,
    schema: impl Fn(&str) -> Option<Value>,
) -> Result<BTreeMap<String, String>, String> {
    let asyncapi: Value = serde_yaml_ng::from_str(asyncapi_yaml).map_err(|e| e.to_string())?;
    let mut out = BTreeMap::new();
    for agency in agencies(&asyncapi, approvals) {
        let document = render(&asyncapi, approvals, &agency, &schema)?;
        let yaml = serde_yaml_ng::to_string(&document).map_err(|e| e.to_string())?;
        out.insert(
            agency.clone(),
            format!(
                "# GENERATED from schemas/asyncapi.yaml and k8s/services/partner-feeds/base/approvals.yaml by\n\
                 #   UPDATE_PARTNER_CONTRACTS=1 cargo test -p partner-feeds --test agency_contracts\n\
                 # Do not edit by hand.\n{yaml}"
            ),
        );
    }
    Ok(out)
}

/// A channel name as a JSON pointer token (`/` and `~` escaped).
fn pointer(name: &str) -> String {
    name.replace('~', "~0").replace('/', "~1")
}

/// The message's name in the mesh's document (`EnrollmentStarted`).
fn message_name(asyncapi: &Value, subject: &str) -> String {
    asyncapi["components"]["messages"][subject]["name"]
        .as_str()
        .map(str::to_owned)
        .unwrap_or_else(|| subject.replace('.', "_"))
}

fn feed_description(source: &Value, approval: &SubjectApproval) -> String {
    let mut text = source["description"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .to_owned();
    text.push_str("\n\nThis feed carries only ");
    let mut parts = Vec::new();
    if !approval.fields.is_empty() {
        parts.push(format!("the fields {}", approval.fields.join(", ")));
    }
    if !approval.pseudonymise.is_empty() {
        parts.push(format!(
            "the pseudonyms of {}",
            approval.pseudonymise.join(", ")
        ));
    }
    text.push_str(&parts.join(" and "));
    text.push('.');
    if !approval.only_when.is_empty() {
        let conditions: Vec<String> = approval
            .only_when
            .iter()
            .map(|(field, values)| {
                let values: Vec<String> = values.iter().map(Value::to_string).collect();
                format!("{field} is one of {}", values.join(", "))
            })
            .collect();
        text.push_str(&format!(" Only events where {}.", conditions.join(" and ")));
    }
    text
}

fn feed_headers(agency: &str, subject: &str) -> Value {
    json!({
        "type": "object",
        "required": ["ce-specversion", "ce-id", "ce-source", "ce-type", "ce-dataschema", "Nats-Msg-Id"],
        "properties": {
            "ce-specversion": {"type": "string", "const": "1.0"},
            "ce-id": {"type": "string", "format": "uuid", "description": "This agency's id of the event: a redelivered or re-published event has the same one (de-duplicate on it)."},
            "Nats-Msg-Id": {"type": "string", "format": "uuid", "description": "Equal to ce-id."},
            "ce-source": {"type": "string", "const": "partner-feeds"},
            "ce-type": {"type": "string", "const": subject},
            "ce-dataschema": {"type": "string", "const": feed_dataschema(agency, subject)},
        },
    })
}

/// The source schema reduced to the approved fields, the pseudonymised ones as pseudonyms.
fn projected_schema(source: &Value, approval: &SubjectApproval) -> Value {
    let kept: BTreeSet<&str> = approval
        .fields
        .iter()
        .chain(&approval.pseudonymise)
        .map(String::as_str)
        .collect();
    let mut properties = Map::new();
    for field in &approval.fields {
        if let Some(property) = source["properties"].get(field) {
            properties.insert(field.clone(), property.clone());
        }
    }
    for field in &approval.pseudonymise {
        let Some(property) = source["properties"].get(field) else {
            continue;
        };
        let pseudonym = json!({"$ref": "#/components/schemas/Pseudonym"});
        let description = property["description"].clone();
        let projected = if property["type"] == "array" {
            let mut array = property.clone();
            array["items"] = pseudonym;
            array
        } else {
            json!({"allOf": [pseudonym], "description": description})
        };
        properties.insert(field.clone(), projected);
    }
    let required: Vec<&str> = source["required"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .filter(|f| kept.contains(f))
        .collect();
    json!({
        "type": "object",
        "description": source["description"],
        "additionalProperties": false,
        "required": required,
        "properties": properties,
    })
}
