//! The checks a consumed message passes before any handler sees it: its bytes (a size limit,
//! UTF-8 without NUL, JSON) and its CloudEvents envelope (the spec version, an id, the subject's
//! type, the source the catalogue allows for the subject, a plausible time). A message that fails
//! one can never be applied as it is: it goes to the dead letters at once, naming the check.

use async_nats::HeaderMap;
use chrono::{DateTime, TimeDelta, Utc};
use serde_json::Value;

/// Why a message is refused before its handler, and what kind of failure it is (a metric label).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// `too_large`, `not_utf8`, `not_json`, `envelope` or `schema`.
    pub kind: &'static str,
    pub reason: String,
}

impl Refusal {
    fn new(kind: &'static str, reason: impl Into<String>) -> Self {
        Self {
            kind,
            reason: reason.into(),
        }
    }
}

/// How far ahead of the receiving clock a producer's `ce-time` may be (clocks drift).
pub const CLOCK_SKEW: TimeDelta = TimeDelta::minutes(5);

/// Reads a message body: at most `max_bytes`, UTF-8 without NUL, one JSON value.
pub fn body(payload: &[u8], max_bytes: usize) -> Result<Value, Refusal> {
    if payload.len() > max_bytes {
        return Err(Refusal::new(
            "too_large",
            format!(
                "the body is {} bytes, over the limit of {max_bytes}",
                payload.len()
            ),
        ));
    }
    let text = std::str::from_utf8(payload)
        .map_err(|e| Refusal::new("not_utf8", format!("the body is not UTF-8: {e}")))?;
    if let Some(at) = text.find('\0') {
        return Err(Refusal::new(
            "not_utf8",
            format!("the body holds a NUL character at byte {at}"),
        ));
    }
    serde_json::from_str(text)
        .map_err(|e| Refusal::new("not_json", format!("the body is not JSON: {e}")))
}

/// Checks the CloudEvents headers of a message on `subject`, received at `received`.
pub fn headers(
    subject: &str,
    headers: Option<&HeaderMap>,
    received: DateTime<Utc>,
) -> Result<(), Refusal> {
    let refuse = |reason: String| Err(Refusal::new("envelope", reason));
    let get = |name: &str| {
        headers
            .and_then(|h| h.get(name))
            .map(|v| v.as_str().to_owned())
    };
    match get("ce-specversion").as_deref() {
        Some("1.0") => {}
        Some(other) => return refuse(format!("ce-specversion: {other:?} is not 1.0")),
        None => return refuse("ce-specversion: missing (no CloudEvents headers)".into()),
    }
    let id = get("ce-id").unwrap_or_default();
    if id.trim().is_empty() || id.len() > 255 || id.chars().any(char::is_control) {
        return refuse("ce-id: missing, longer than 255 or holding control characters".into());
    }
    match get("ce-type") {
        Some(t) if t == subject => {}
        Some(t) => return refuse(format!("ce-type: {t:?} is not the subject {subject}")),
        None => return refuse("ce-type: missing".into()),
    }
    let allowed = contracts::source_of(subject);
    match get("ce-source") {
        Some(s) if Some(&s) == allowed.as_ref() => {}
        Some(s) => {
            return refuse(format!(
                "ce-source: {s:?} may not publish {subject} (only {})",
                allowed.as_deref().unwrap_or("nobody")
            ));
        }
        None => return refuse("ce-source: missing".into()),
    }
    let Some(time) = get("ce-time") else {
        return refuse("ce-time: missing".into());
    };
    let Ok(time) = DateTime::parse_from_rfc3339(&time) else {
        return refuse(format!("ce-time: {time:?} is not an RFC 3339 time"));
    };
    let earliest = DateTime::parse_from_rfc3339("2000-01-01T00:00:00Z").expect("a time");
    if time > received + CLOCK_SKEW {
        return refuse(format!(
            "ce-time: {time} is after the message was received ({received})"
        ));
    }
    if time < earliest {
        return refuse(format!("ce-time: {time} is before 2000"));
    }
    Ok(())
}

/// The SHA-256 of a body, lower-case hex: what the inbox keeps to tell a redelivery (the same
/// bytes) from an id reused with another body.
pub fn digest(payload: &[u8]) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(payload))
}

#[cfg(test)]
mod tests {
    use super::*;

    const SUBJECT: &str = "partner.civil-registry.death.recorded.v1";

    fn now() -> DateTime<Utc> {
        "2026-12-07T04:00:00Z".parse().unwrap()
    }

    fn good() -> HeaderMap {
        let mut h = HeaderMap::new();
        h.insert("ce-specversion", "1.0");
        h.insert("ce-id", "0190f3e0-0a1b-7c2d-8e3f-4a5b6c7d8e9f");
        h.insert("Nats-Msg-Id", "0190f3e0-0a1b-7c2d-8e3f-4a5b6c7d8e9f");
        h.insert("ce-type", SUBJECT);
        h.insert("ce-source", "partner.civil-registry");
        h.insert("ce-time", "2026-12-07T11:59:00+08:00");
        h
    }

    fn with(name: &str, value: &str) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (n, v) in good().iter() {
            if n.to_string() != name {
                h.insert(n.clone(), v[0].clone());
            }
        }
        if !value.is_empty() {
            h.insert(name, value);
        }
        h
    }

    #[test]
    fn a_complete_envelope_from_the_subjects_own_source_passes() {
        assert_eq!(headers(SUBJECT, Some(&good()), now()), Ok(()));
    }

    #[test]
    fn each_failing_header_is_named() {
        let cases = [
            (None, "ce-specversion: missing"),
            (
                Some(with("ce-specversion", "0.1")),
                "ce-specversion: \"0.1\"",
            ),
            (Some(with("ce-id", "")), "ce-id:"),
            (
                Some(with("ce-type", "partner.dpf.certificate.issued.v1")),
                "ce-type:",
            ),
            (Some(with("ce-type", "")), "ce-type: missing"),
            (
                Some(with("ce-source", "attacker")),
                "ce-source: \"attacker\"",
            ),
            (
                Some(with("ce-source", "partner.dpf")),
                "ce-source: \"partner.dpf\"",
            ),
            (Some(with("ce-time", "")), "ce-time: missing"),
            (Some(with("ce-time", "yesterday")), "ce-time: \"yesterday\""),
            (
                Some(with("ce-time", "2027-12-07T12:00:00+08:00")),
                "is after the message",
            ),
            (Some(with("ce-time", "1970-01-01T00:00:00Z")), "before 2000"),
        ];
        for (h, expected) in cases {
            let refusal = headers(SUBJECT, h.as_ref(), now()).unwrap_err();
            assert_eq!(refusal.kind, "envelope");
            assert!(
                refusal.reason.starts_with(expected) || refusal.reason.contains(expected),
                "{expected}: {}",
                refusal.reason
            );
        }
        // A clock a little ahead is tolerated.
        let ahead = with("ce-time", "2026-12-07T12:04:00+08:00");
        assert_eq!(headers(SUBJECT, Some(&ahead), now()), Ok(()));
    }

    #[test]
    fn bodies_are_refused_by_size_encoding_nul_and_syntax() {
        assert_eq!(body(br#"{"a":1}"#, 64).unwrap()["a"], 1);
        let cases: [(&[u8], &str); 4] = [
            (&[b'x'; 65], "too_large"),
            (b"\xff\xfe{}", "not_utf8"),
            (b"\x00poison", "not_utf8"),
            (b"{\"a\":", "not_json"),
        ];
        for (bytes, kind) in cases {
            assert_eq!(body(bytes, 64).unwrap_err().kind, kind, "{bytes:?}");
        }
    }

    #[test]
    fn the_digest_tells_bodies_apart() {
        assert_eq!(digest(b"{}"), digest(b"{}"));
        assert_ne!(digest(b"{}"), digest(b"{ }"));
        assert_eq!(digest(b"").len(), 64);
    }
}
