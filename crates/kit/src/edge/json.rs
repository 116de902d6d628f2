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
/// Text with a NUL character is refused: no record needs one, and PostgreSQL cannot store it.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, Problem> {
    if bytes.windows(6).any(|w| w.eq_ignore_ascii_case(b"\\u0000")) {
        return Err(Problem::invalid(
            "body",
            "text must not contain NUL characters (\\u0000)",
        ));
    }
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
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
                    missing_field(&inner.to_string()).unwrap_or(path)
                } else {
                    path
                };
                Problem::invalid(field, strip_position(&inner.to_string()))
            }
        }
    })
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
    fn a_nul_character_in_text_is_refused() {
        let p = parse::<Household>(br#"{"village":"a\u0000b","members":[]}"#).unwrap_err();
        assert_eq!(p.status, 422);
    }

    #[test]
    fn malformed_json_is_a_bad_request() {
        let p = parse::<Household>(b"{\"village\":").unwrap_err();
        assert_eq!(p.status, 400);
        assert!(p.kind.ends_with("malformed-json"));
    }
}
