//! What an attacker or a careless client sends the REST edges: every route of every service from
//! its OpenAPI document, tokens that must not open anything (none, expired, forged, unsigned,
//! malformed, another scheme), and the staff of every role at their own division.

use kit::{Role, config::DEV_AUTH_SECRET, edge::auth::dev_token};
use reqwest::Method;
use serde_json::Value;

use crate::{Mesh, SERVICES, people::DISTRICT};

/// 两路街道 and one of its villages: where the attacked records live.
pub const TOWNSHIP: &str = "500112016";
pub const VILLAGE: &str = "500112016201";
/// 双凤桥街道: another township.
pub const OTHER_TOWNSHIP: &str = "500112017";
pub const OTHER_VILLAGE: &str = "500112016202";

/// One operation of a service's OpenAPI document.
#[derive(Debug, Clone)]
pub struct Operation {
    pub service: &'static str,
    pub method: Method,
    /// The documented path (`/v1/cases/{id}`).
    pub template: String,
    /// The path with every parameter filled with a plausible value.
    pub path: String,
    /// Whether it documents a request body.
    pub takes_body: bool,
}

impl Operation {
    pub fn writes(&self) -> bool {
        self.method != Method::GET
    }
}

/// A plausible value for a path parameter, so that the route (not the path parsing) answers.
fn fill(name: &str) -> String {
    match name {
        "township" | "township_code" => TOWNSHIP.to_owned(),
        "code" | "village" | "village_code" | "division" => VILLAGE.to_owned(),
        "year" => "2026".to_owned(),
        "valid_from" => "2026-01-01".to_owned(),
        "month" => "2026-01".to_owned(),
        "parent" => "father".to_owned(),
        "person_ref" => "0".repeat(64),
        "name" | "parameter" => "x".to_owned(),
        _ => "01900000-0000-7000-8000-000000000000".to_owned(),
    }
}

/// The documented path with every parameter filled with a plausible value.
pub fn fill_path(template: &str) -> String {
    let mut out = String::new();
    let mut rest = template;
    while let Some(start) = rest.find('{') {
        out.push_str(&rest[..start]);
        let end = rest[start..].find('}').map_or(rest.len(), |e| start + e);
        out.push_str(&fill(&rest[start + 1..end]));
        rest = &rest[(end + 1).min(rest.len())..];
    }
    out.push_str(rest);
    out
}

/// Every `/v1` operation every service documents.
pub async fn operations(mesh: &Mesh) -> Vec<Operation> {
    let mut out = Vec::new();
    for service in SERVICES {
        let spec: Value = mesh
            .http
            .get(format!("{}/openapi.json", mesh.url(service)))
            .send()
            .await
            .expect("openapi.json")
            .json()
            .await
            .expect("OpenAPI JSON");
        for (template, item) in spec["paths"].as_object().expect("paths") {
            if !template.starts_with("/v1/") {
                continue;
            }
            for (method, op) in item.as_object().expect("path item") {
                let Ok(method) = method.to_uppercase().parse::<Method>() else {
                    continue;
                };
                out.push(Operation {
                    service,
                    method,
                    template: template.clone(),
                    path: fill_path(template),
                    takes_body: op.get("requestBody").is_some(),
                });
            }
        }
    }
    out
}

/// A response as a client sees it.
#[derive(Debug)]
pub struct Raw {
    pub status: u16,
    pub content_type: String,
    pub body: String,
}

impl Raw {
    pub fn is_problem(&self) -> bool {
        self.content_type.starts_with("application/problem+json")
    }

    /// The problem's field errors (`errors[].field`).
    pub fn fields(&self) -> Vec<String> {
        let v: Value = serde_json::from_str(&self.body).unwrap_or(Value::Null);
        v["errors"]
            .as_array()
            .map(|e| {
                e.iter()
                    .filter_map(|e| e["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default()
    }
}

/// Sends `body` (raw bytes, as JSON) with an `Authorization` header value (or none).
pub async fn send(
    mesh: &Mesh,
    service: &str,
    method: Method,
    path: &str,
    authorization: Option<&str>,
    body: Option<Vec<u8>>,
) -> Raw {
    let mut req = mesh
        .http
        .request(method.clone(), format!("{}{path}", mesh.url(service)))
        .header("Idempotency-Key", uuid::Uuid::now_v7().to_string());
    if let Some(a) = authorization {
        req = req.header("Authorization", a);
    }
    if let Some(b) = body {
        req = req.header("Content-Type", "application/json").body(b);
    }
    let r = req
        .send()
        .await
        .unwrap_or_else(|e| panic!("{method} {service}{path}: {e}"));
    let status = r.status().as_u16();
    let content_type = r
        .headers()
        .get("content-type")
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned();
    let body = r.text().await.unwrap_or_default();
    Raw {
        status,
        content_type,
        body,
    }
}

/// The division a role works at in these suites.
pub fn division_of(role: Role) -> &'static str {
    match role {
        Role::VillageStaff => VILLAGE,
        Role::TownshipClerk | Role::TownshipApprover => TOWNSHIP,
        _ => DISTRICT,
    }
}

/// A valid token of `role` at its division.
pub fn token(role: Role) -> String {
    Mesh::token_for(
        &format!("attack-{}", role.as_str()),
        role,
        division_of(role),
    )
}

/// Base64url without padding (JWT segments).
fn b64(bytes: &[u8]) -> String {
    const A: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    let mut out = String::new();
    for chunk in bytes.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
        }
    }
    out
}

/// Authorization values that must open nothing, with what each is.
pub fn bad_credentials() -> Vec<(&'static str, Option<String>)> {
    let expired = dev_token(
        DEV_AUTH_SECRET,
        "attack-expired",
        Role::DistrictApprover,
        DISTRICT,
        chrono::Duration::minutes(-10),
    );
    let forged = dev_token(
        "an-attacker-guessed-this-secret",
        "attack-forged",
        Role::DistrictApprover,
        DISTRICT,
        chrono::Duration::minutes(30),
    );
    let claims = serde_json::json!({ "sub": "attack-unsigned", "role": "district-approver",
        "division": DISTRICT, "exp": chrono::Utc::now().timestamp() + 1800 });
    let unsigned = format!(
        "{}.{}.",
        b64(br#"{"alg":"none","typ":"JWT"}"#),
        b64(claims.to_string().as_bytes())
    );
    // A valid token whose payload was edited (auditor → district approver) after signing.
    let valid = token(Role::Auditor);
    let parts: Vec<&str> = valid.split('.').collect();
    let tampered_claims = serde_json::json!({ "sub": "attack-auditor", "role": "district-approver",
        "division": DISTRICT, "exp": chrono::Utc::now().timestamp() + 1800 });
    let tampered = format!(
        "{}.{}.{}",
        parts[0],
        b64(tampered_claims.to_string().as_bytes()),
        parts[2]
    );
    vec![
        ("no token", None),
        ("an expired token", Some(format!("Bearer {expired}"))),
        (
            "a token signed with another key",
            Some(format!("Bearer {forged}")),
        ),
        (
            "an unsigned token (alg none)",
            Some(format!("Bearer {unsigned}")),
        ),
        (
            "a token whose claims were edited",
            Some(format!("Bearer {tampered}")),
        ),
        ("garbage", Some("Bearer not-a-token".to_owned())),
        (
            "another scheme",
            Some(format!("Basic {}", b64(b"admin:admin"))),
        ),
    ]
}

/// Sends a request over a bare TCP connection and reads the answer, even when the server answers
/// before reading the whole body (an oversized one) and closes the connection: a client library
/// reports that as a failed send and loses the answer.
pub async fn send_raw(
    mesh: &Mesh,
    service: &str,
    method: &Method,
    path: &str,
    authorization: &str,
    body: &[u8],
) -> Raw {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};
    let url = mesh.url(service);
    let host = url.trim_start_matches("http://");
    let mut stream = tokio::net::TcpStream::connect(host).await.expect("connect");
    let head = format!(
        "{method} {path} HTTP/1.1\r\nHost: {host}\r\nAuthorization: {authorization}\r\n\
         Idempotency-Key: {}\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n",
        uuid::Uuid::now_v7(),
        body.len()
    );
    let (mut reader, mut writer) = stream.split();
    let write = async {
        let _ = writer.write_all(head.as_bytes()).await;
        let _ = writer.write_all(body).await;
    };
    let mut answer = Vec::new();
    let read = async {
        let _ = reader.read_to_end(&mut answer).await;
    };
    tokio::join!(write, read);
    let text = String::from_utf8_lossy(&answer).into_owned();
    let (head, body) = text.split_once("\r\n\r\n").unwrap_or((&text, ""));
    let status = head
        .split_whitespace()
        .nth(1)
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    let content_type = head
        .lines()
        .find_map(|l| {
            let (k, v) = l.split_once(':')?;
            k.eq_ignore_ascii_case("content-type")
                .then(|| v.trim().to_owned())
        })
        .unwrap_or_default();
    Raw {
        status,
        content_type,
        body: body.to_owned(),
    }
}
