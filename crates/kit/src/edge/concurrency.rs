//! Optimistic concurrency for updates: resources carry a `version`, answered as `ETag: "v<n>"`;
//! updates must send `If-Match` with it (428 without, 412 when someone changed it meanwhile).

use axum::{
    extract::FromRequestParts,
    http::{HeaderValue, StatusCode, header, request::Parts},
};

use super::problem::Problem;

/// The version the caller last saw, from `If-Match: "v<n>"`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IfMatch(pub i32);

impl<S: Send + Sync> FromRequestParts<S> for IfMatch {
    type Rejection = Problem;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        let raw = parts.headers.get(header::IF_MATCH).ok_or_else(|| {
            Problem::new(
                StatusCode::PRECONDITION_REQUIRED,
                "if-match-required",
                "Send If-Match",
            )
            .detail("updates require If-Match with the ETag of the version you read")
            .field("If-Match", "required")
        })?;
        parse(raw.to_str().unwrap_or_default())
            .map(IfMatch)
            .ok_or_else(|| Problem::invalid("If-Match", "must be an ETag of this API, like \"v3\""))
    }
}

/// The `If-Match` values [`IfMatch`] accepts, as the OpenAPI documents declare them: an ETag this
/// API sent (`"v3"`), strong or weak.
pub const ETAG_PATTERN: &str = r#"^(?:W/)?"v[0-9]{1,10}"$"#;

/// The version in a value matching [`ETAG_PATTERN`]; a number past any version there can be is
/// -1, which matches none (412).
fn parse(raw: &str) -> Option<i32> {
    let digits = raw
        .strip_prefix("W/")
        .unwrap_or(raw)
        .strip_prefix("\"v")?
        .strip_suffix('"')?;
    if digits.is_empty() || digits.len() > 10 || !digits.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    let n: u64 = digits.parse().ok()?;
    Some(i32::try_from(n).unwrap_or(-1))
}

/// The `ETag` header value of a version.
pub fn etag(version: i32) -> HeaderValue {
    HeaderValue::from_str(&format!("\"v{version}\"")).expect("ASCII")
}

/// 412: the resource changed since the caller read it.
pub fn changed_meanwhile() -> Problem {
    Problem::new(
        StatusCode::PRECONDITION_FAILED,
        "version-mismatch",
        "Changed meanwhile",
    )
    .detail("the resource was changed since you read it; read it again and retry")
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn etags_parse_strong_and_weak() {
        assert_eq!(parse("\"v3\""), Some(3));
        assert_eq!(parse("W/\"v12\""), Some(12));
        assert_eq!(parse("\"3\""), None);
        assert_eq!(parse("v3"), None);
        assert_eq!(parse("\"v+3\""), None);
        assert_eq!(parse("\"v2147483647\""), Some(i32::MAX));
        assert_eq!(parse("\"v9999999999\""), Some(-1));
        assert_eq!(parse("\"v12345678901\""), None);
    }
}
