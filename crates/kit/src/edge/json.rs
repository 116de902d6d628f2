//! A JSON body extractor whose every rejection is a problem naming the field and the reason.

use axum::{
    body::Bytes,
    extract::{FromRequest, Request},
    http::{StatusCode, header},
};
use serde::de::DeserializeOwned;

use super::problem::Problem;

/// Like `axum::Json`, but malformed JSON is a 400, a field of the wrong type or a missing field a
/// 422 naming the field, an oversized body a 413 — all as problem+json.
pub struct Json<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for Json<T> {
    type Rejection = Problem;

    async fn from_request(req: Request, state: &S) -> Result<Self, Self::Rejection> {
        let json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json") || v.contains("+json"));
        if !json {
            return Err(Problem::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported-media-type",
                "Send JSON",
            )
            .detail("Content-Type must be application/json"));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                Problem::new(
                    StatusCode::PAYLOAD_TOO_LARGE,
                    "payload-too-large",
                    "The body is too large",
                )
                .detail(e.body_text())
            } else {
                Problem::bad_request("unreadable-body", e.body_text())
            }
        })?;
        parse(&bytes).map(Json)
    }
}

/// Deserialises a body, mapping errors to problems with the JSON path of the offending field.
/// Text with a NUL character is refused (no record needs one, and PostgreSQL cannot store it), and
/// so is a date whose year is not four digits (`-200000-01-01`, `+12345-01-01`: chrono reads them,
/// RFC 3339 and PostgreSQL do not) — each as a 422 naming the field.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    let nul = bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000"));
    if nul || quoted_extended_date(bytes) {
        if let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes)
            && let Some((field, reason)) = unstorable(&value, String::new())
        {
            return Err(Problem::invalid(field, reason));
        }
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(ObjectsAreObjects(de)).map_err(|e| {
        let path = e.path().to_string();
        let inner = e.into_inner();
        match inner.classify() {
            serde_json::error::Category::Syntax
            | serde_json::error::Category::Eof
            | serde_json::error::Category::Io => Problem::bad_request(
                "malformed-json",
                format!("The body is not valid JSON: {inner}"),
            ),
            serde_json::error::Category::Data => {
                let field = if path == "." {
                    missing_field(&inner.to_string()).unwrap_or_else(|| "body".to_owned())
                } else {
                    path
                };
                Problem::invalid(field, strip_position(&inner.to_string()))
            }
        }
    })
}

/// A body whose type is a struct must be a JSON object: serde would also read a struct from an
/// array of its fields in order (`[null]` for `{"today": null}`), which no document of this API
/// allows. Only the body's top level is held to this; every other request goes through unchanged.
struct ObjectsAreObjects<D>(D);

impl<'de, D: serde::Deserializer<'de>> serde::Deserializer<'de> for ObjectsAreObjects<D> {
    type Error = D::Error;

    fn deserialize_struct<V: serde::de::Visitor<'de>>(
        self,
        _name: &'static str,
        _fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, Self::Error> {
        self.0.deserialize_map(visitor)
    }

    fn deserialize_any<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_any(v)
    }

    fn deserialize_option<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_option(v)
    }

    fn deserialize_enum<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        variants: &'static [&'static str],
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_enum(name, variants, v)
    }

    fn deserialize_newtype_struct<V: serde::de::Visitor<'de>>(
        self,
        name: &'static str,
        v: V,
    ) -> Result<V::Value, D::Error> {
        self.0.deserialize_newtype_struct(name, v)
    }

    fn deserialize_seq<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_seq(v)
    }

    fn deserialize_map<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_map(v)
    }

    fn deserialize_string<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_string(v)
    }

    fn deserialize_str<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_str(v)
    }

    fn deserialize_unit<V: serde::de::Visitor<'de>>(self, v: V) -> Result<V::Value, D::Error> {
        self.0.deserialize_unit(v)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char bytes byte_buf
        unit_struct tuple tuple_struct identifier ignored_any
    }
}

/// Why a text value cannot be taken, if it cannot: a NUL character, or a date with a year of
/// other than four digits.
pub fn unstorable_text(text: &str) -> Option<&'static str> {
    if text.contains('\0') {
        Some(NUL)
    } else if extended_date(text.as_bytes()) {
        Some(EXTENDED_DATE)
    } else {
        None
    }
}

const NUL: &str = "text must not contain NUL characters (\\u0000)";
const EXTENDED_DATE: &str = "a date must have a four-digit year (YYYY-MM-DD, years 0001 to 9999)";

/// The path (`members[0].name`, as serde_path_to_error writes it) and reason of the first string in
/// `value` that cannot be taken.
fn unstorable(value: &serde_json::Value, path: String) -> Option<(String, &'static str)> {
    use serde_json::Value;
    match value {
        Value::String(text) => unstorable_text(text).map(|reason| {
            let field = if path.is_empty() { "body".into() } else { path };
            (field, reason)
        }),
        Value::Array(items) => items
            .iter()
            .enumerate()
            .find_map(|(i, v)| unstorable(v, format!("{path}[{i}]"))),
        Value::Object(fields) => fields.iter().find_map(|(k, v)| {
            let key_reason = unstorable_text(k);
            let field = if path.is_empty() {
                k.clone()
            } else {
                format!("{path}.{k}")
            };
            match key_reason {
                Some(reason) => Some((field, reason)),
                None => unstorable(v, field),
            }
        }),
        _ => None,
    }
}

/// Whether some JSON string in `bytes` starts like a date with an extended year (a cheap scan
/// before any walk of the document).
fn quoted_extended_date(bytes: &[u8]) -> bool {
    bytes
        .iter()
        .enumerate()
        .any(|(i, &b)| b == b'"' && extended_date(&bytes[i + 1..]))
}

/// Whether `text` starts like a date (`YYYY-MM-DD`) whose year has a sign or more than four
/// digits — what chrono reads but PostgreSQL's `date` and RFC 3339's full-date do not.
pub fn extended_date(text: &[u8]) -> bool {
    let (signed, rest) = match text.first() {
        Some(b'+' | b'-') => (true, &text[1..]),
        _ => (false, text),
    };
    let digits = rest.iter().take_while(|b| b.is_ascii_digit()).count();
    if digits < 4 || !(signed || digits > 4) {
        return false;
    }
    let tail = &rest[digits..];
    tail.len() >= 6
        && tail[0] == b'-'
        && tail[1..3].iter().all(u8::is_ascii_digit)
        && tail[3] == b'-'
        && tail[4..6].iter().all(u8::is_ascii_digit)
}

fn missing_field(message: &str) -> Option<String> {
    let rest = message.strip_prefix("missing field `")?;
    Some(rest.split('`').next()?.to_owned())
}

fn strip_position(message: &str) -> String {
    message
        .split(" at line ")
        .next()
        .unwrap_or(message)
        .to_owned()
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Member {
        age: u8,
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Household {
        village: String,
        members: Vec<Member>,
    }

    #[test]
    fn a_wrong_type_names_the_nested_field() {
        let p = parse::<Household>(br#"{"village":"x","members":[{"age":"old"}]}"#).unwrap_err();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "members[0].age");
    }

    #[test]
    fn a_missing_field_is_named() {
        let p = parse::<Household>(br#"{"members":[]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "village");
    }

    #[test]
    fn a_nul_character_in_text_is_refused_naming_the_field() {
        let p = parse::<Household>(br#"{"village":"a\u0000b","members":[]}"#).unwrap_err();
        assert_eq!(p.status, 422);
        assert_eq!(p.errors[0].field, "village");
        let p = parse::<serde_json::Value>(br#"{"members":[{"name":"x\u0000y"}]}"#).unwrap_err();
        assert_eq!(p.errors[0].field, "members[0].name");
    }

    #[test]
    fn a_date_with_an_extended_year_is_refused_naming_the_field() {
        for date in [
            "-200000-01-01",
            "+2026-01-01",
            "20260-01-01",
            "-0001-12-31T00:00:00Z",
        ] {
            let body = format!(r#"{{"members":[{{"born_on":"{date}"}}]}}"#);
            let p = parse::<serde_json::Value>(body.as_bytes()).unwrap_err();
            assert_eq!(p.status, 422, "{date}");
            assert_eq!(p.errors[0].field, "members[0].born_on", "{date}");
        }
        for fine in [
            "0001-01-01",
            "9999-12-31",
            "2026-12-07T08:00:00+08:00",
            "-5",
            "12345",
            "+86 138",
        ] {
            let body = format!(r#"{{"v":"{fine}"}}"#);
            assert!(
                parse::<serde_json::Value>(body.as_bytes()).is_ok(),
                "{fine}"
            );
        }
    }

    #[derive(Debug, Deserialize)]
    #[allow(dead_code)]
    struct Run {
        today: Option<String>,
    }

    #[test]
    fn a_body_of_a_struct_must_be_an_object_not_an_array_of_its_fields() {
        let p = parse::<Run>(b"[null]").unwrap_err();
        assert_eq!(p.status, 422, "{p:?}");
        assert_eq!(p.errors[0].field, "body");
        assert!(parse::<Run>(br#"{"today": null}"#).is_ok());
        assert!(parse::<Run>(b"{}").is_ok());
        // Other shapes of body pass through as before.
        assert_eq!(parse::<Vec<u8>>(b"[1, 2]").unwrap(), [1, 2]);
        assert_eq!(parse::<Option<u8>>(b"null").unwrap(), None);
        assert_eq!(
            parse::<serde_json::Value>(b"[null]").unwrap(),
            serde_json::json!([null])
        );
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let p = parse::<Household>(b"{\"village\":").unwrap_err();
        assert_eq!(p.status, 400);
        assert!(p.kind.ends_with("malformed-json"));
    }
}
