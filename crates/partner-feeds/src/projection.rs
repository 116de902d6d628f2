//! A source event turned into one partner's feed message: only the approved fields, identifiers
//! replaced by the partner's pseudonyms, and headers that carry nothing joinable across partners
//! (no source event id, no trace id, no timestamp).

use serde_json::{Map, Value};

use crate::{approvals::SubjectApproval, pseudonym::FeedKey};

/// What the relay publishes on a partner's feed.
#[derive(Debug, Clone, PartialEq)]
pub struct FeedMessage {
    /// `feed.<partner>.<source subject>`.
    pub subject: String,
    /// NATS headers, `Nats-Msg-Id` included.
    pub headers: Vec<(&'static str, String)>,
    /// The projected event.
    pub body: Value,
}

/// The feed subject of `partner` for a source subject.
pub fn feed_subject(partner: &str, subject: &str) -> String {
    format!("feed.{partner}.{subject}")
}

/// The `ce-dataschema` of a feed message: the feed's own contract, not the source schema.
pub fn feed_dataschema(partner: &str, subject: &str) -> String {
    format!("urn:minzheng:feed:{partner}:{subject}")
}

/// Projects `data` (a valid event of `subject`, identified by `source_event_id`) for the partner
/// whose key is `key`. Fields absent from the event (optional ones) stay absent.
pub fn project(
    key: &FeedKey,
    subject: &str,
    approval: &SubjectApproval,
    source_event_id: &str,
    data: &Value,
) -> FeedMessage {
    let mut body = Map::new();
    for field in &approval.fields {
        if let Some(value) = data.get(field) {
            body.insert(field.clone(), value.clone());
        }
    }
    for field in &approval.pseudonymise {
        if let Some(value) = data.get(field) {
            body.insert(field.clone(), pseudonymise(key, value));
        }
    }
    let id = key.message_id(source_event_id);
    FeedMessage {
        subject: feed_subject(key.partner(), subject),
        headers: vec![
            ("ce-specversion", "1.0".to_owned()),
            ("ce-id", id.clone()),
            ("ce-source", "partner-feeds".to_owned()),
            ("ce-type", subject.to_owned()),
            ("ce-dataschema", feed_dataschema(key.partner(), subject)),
            ("Nats-Msg-Id", id),
        ],
        body: Value::Object(body),
    }
}

fn pseudonymise(key: &FeedKey, value: &Value) -> Value {
    match value {
        Value::String(s) => Value::String(key.pseudonym(s)),
        Value::Array(items) => Value::Array(items.iter().map(|v| pseudonymise(key, v)).collect()),
        // Identifiers are strings; anything else would be a schema change this relay was not
        // reviewed for, so it is dropped rather than passed through.
        _ => Value::Null,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn approval(fields: &[&str], pseudonymise: &[&str]) -> SubjectApproval {
        SubjectApproval {
            fields: fields.iter().map(|s| s.to_string()).collect(),
            pseudonymise: pseudonymise.iter().map(|s| s.to_string()).collect(),
            only_when: Default::default(),
        }
    }

    fn example() -> Value {
        json!({
            "enrollment_id": "0190f3c8-0c1d-7e2f-8a3b-4c5d6e7f8091",
            "household_id": "0190f3c2-5a6b-7c8d-9e0f-1a2b3c4d5e6f",
            "programme": "dibao",
            "members": ["3f8a9c0d2b7e4f61a5c8d9e0f1a2b3c4", "9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f"],
            "monthly_amount_fen": 95800,
            "township_code": "500112016",
        })
    }

    #[test]
    fn only_approved_fields_reach_the_feed_and_identifiers_are_pseudonymised() {
        let key = FeedKey::new("hib", b"hib-feed-key-000000001".to_vec()).unwrap();
        let message = project(
            &key,
            "aid.enrollment.started.v1",
            &approval(
                &["programme", "township_code", "support_mode"],
                &["members", "household_id"],
            ),
            "source-1",
            &example(),
        );
        assert_eq!(message.subject, "feed.hib.aid.enrollment.started.v1");
        let body = message.body.as_object().unwrap();
        let mut keys: Vec<&str> = body.keys().map(String::as_str).collect();
        keys.sort_unstable();
        assert_eq!(
            keys,
            ["household_id", "members", "programme", "township_code"]
        );
        assert_eq!(
            body["members"],
            json!([
                key.pseudonym("3f8a9c0d2b7e4f61a5c8d9e0f1a2b3c4"),
                key.pseudonym("9b1d2e3f4a5b6c7d8e9f0a1b2c3d4e5f")
            ])
        );
        assert_eq!(
            body["household_id"],
            json!(key.pseudonym("0190f3c2-5a6b-7c8d-9e0f-1a2b3c4d5e6f"))
        );
    }

    #[test]
    fn headers_carry_the_partners_message_id_and_nothing_joinable() {
        let key = FeedKey::new("hib", b"hib-feed-key-000000001".to_vec()).unwrap();
        let message = project(
            &key,
            "aid.enrollment.started.v1",
            &approval(&["programme"], &[]),
            "source-1",
            &example(),
        );
        let header = |name: &str| {
            message
                .headers
                .iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| v.clone())
        };
        assert_eq!(header("Nats-Msg-Id"), Some(key.message_id("source-1")));
        assert_eq!(header("ce-id"), header("Nats-Msg-Id"));
        assert_eq!(
            header("ce-type").as_deref(),
            Some("aid.enrollment.started.v1")
        );
        for absent in ["traceparent", "ce-time"] {
            assert_eq!(header(absent), None, "{absent}");
        }
        assert!(!message.headers.iter().any(|(_, v)| v.contains("source-1")));
    }
}
