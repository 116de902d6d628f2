//! The layers of every service, checked over the source tree: `domain/` is pure (no I/O crate, no
//! clock, no id minting, no OpenAPI derives), `commands/` and `domain/` never import the HTTP edge
//! (`api/`), and no service defines its own copy of what kit provides (the clock, the wire name of
//! an enum value). Test modules (`#[cfg(test)]` onwards) are not checked.

use std::path::{Path, PathBuf};

fn services() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../services")
}

/// Every `.rs` file under `dir`, with its text up to its test module.
fn sources(dir: &Path) -> Vec<(PathBuf, String)> {
    let mut out = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return out;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            if path.file_name().is_some_and(|n| n == "tests") {
                continue;
            }
            out.extend(sources(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).expect("a source file");
            let code = match text.find("#[cfg(test)]") {
                Some(i) => text[..i].to_owned(),
                None => text,
            };
            out.push((path, code));
        }
    }
    out
}

/// The layer folders of every service: (service, layer, files).
fn layer(name: &str) -> Vec<(String, PathBuf, String)> {
    let mut out = Vec::new();
    for service in std::fs::read_dir(services()).expect("services/").flatten() {
        let service_name = service.file_name().to_string_lossy().into_owned();
        for (path, code) in sources(&service.path().join("src").join(name)) {
            out.push((service_name.clone(), path, code));
        }
    }
    out
}

fn offenders(files: &[(String, PathBuf, String)], needles: &[&str]) -> Vec<String> {
    let root = services();
    files
        .iter()
        .flat_map(|(_, path, code)| {
            let root = root.clone();
            needles.iter().filter(|n| code.contains(*n)).map(move |n| {
                format!(
                    "{}: {n}",
                    path.strip_prefix(&root).unwrap_or(path).display()
                )
            })
        })
        .collect()
}

#[test]
fn domain_modules_are_pure() {
    let domain = layer("domain");
    assert!(domain.len() > 30, "the services' domain modules are read");
    let found = offenders(
        &domain,
        &[
            "use axum",
            "use sea_orm",
            "use async_nats",
            "use reqwest",
            "use sqlx",
            "kit::clock",
            "Utc::now",
            "Local::now",
            "SystemTime::now",
            "Uuid::now_v7",
            "Uuid::new_v4",
        ],
    );
    assert!(
        found.is_empty(),
        "domain/ reads the clock, mints ids or does I/O:\n{}",
        found.join("\n")
    );
}

#[test]
fn neither_commands_nor_domain_import_the_http_edge() {
    let mut files = layer("commands");
    files.extend(layer("domain"));
    let found = offenders(&files, &["crate::api", "super::api"]);
    assert!(found.is_empty(), "imports of api/:\n{}", found.join("\n"));
}

/// Commands refuse with `kit::Refusal` (typed by what the caller can do); only the HTTP edge turns
/// it into a status code and problem+json, only the NATS edge into a retry or a dead letter.
#[test]
fn commands_refuse_with_a_typed_refusal_and_consumers_never_read_a_status_code() {
    let commands = layer("commands");
    let found = offenders(
        &commands,
        &["Problem", "StatusCode", "axum", "edge::concurrency"],
    );
    assert!(
        found.is_empty(),
        "commands/ speaks HTTP:\n{}",
        found.join("\n")
    );
    let events = layer("events");
    assert!(events.len() >= 6, "the services' consumers are read");
    let found = offenders(&events, &["Problem", "StatusCode", ".status"]);
    assert!(
        found.is_empty(),
        "a consumer reads an HTTP answer back:\n{}",
        found.join("\n")
    );
}

/// `domain/` knows nothing of OpenAPI: a domain type the API shows as it is gets its schema from a
/// mirror in the service's `api/schemas.rs` (`kit::documented_as!`).
#[test]
fn no_domain_module_derives_openapi_schemas() {
    let found = offenders(&layer("domain"), &["ToSchema", "utoipa"]);
    assert!(
        found.is_empty(),
        "OpenAPI belongs in api/:\n{}",
        found.join("\n")
    );
}

#[test]
fn kit_alone_defines_the_clock_and_the_wire_name_of_an_enum_value() {
    let mut files = Vec::new();
    for dir in ["commands", "api", "events", "store", "domain"] {
        files.extend(layer(dir));
    }
    let found = offenders(
        &files,
        &[
            "fn today(",
            "fn china_today(",
            "fn snake<",
            "fn wire<",
            "fn from_wire<",
            "fn parse_snake<",
            // The bodies of kit::wire's two functions, under any name.
            ".as_str().map(str::to_owned))",
            "serde_json::Value::String(s.to_owned())).ok()",
        ],
    );
    assert!(
        found.is_empty(),
        "use kit::clock and kit::wire:\n{}",
        found.join("\n")
    );
}

/// Every write under `Idempotency-Key` goes through `kit::edge::idempotency::once` (the services'
/// macros are sugar over it). The one exception answers a refusal with its own body and audits it
/// after the rollback: village-governance's certificate request.
#[test]
fn writes_under_an_idempotency_key_go_through_the_one_kit_helper() {
    let api = layer("api");
    let found: Vec<String> = offenders(&api, &["idempotency::begin(", "idempotency::complete("])
        .into_iter()
        .filter(|f| !f.starts_with("village-governance/src/api/lists.rs"))
        .collect();
    assert!(
        found.is_empty(),
        "the idempotent-write protocol spelled out again:\n{}",
        found.join("\n")
    );
}

/// The person reference, division codes and money are defined once, with the wire contract
/// (`contracts::common`, `contracts::money`), and used as they are by kit and every service. The
/// resident ID number is two types on purpose: `contracts::common::IdNumber` is what a partner
/// sends (its shape only, masked), `kit::identity::IdNumber` a number checked in full (birth date,
/// check character). aid-applications' own `Month` is still to be replaced by the contract's.
#[test]
fn identity_and_money_types_are_defined_once_with_the_contract() {
    let root = services().join("..");
    let mut files = Vec::new();
    for service in std::fs::read_dir(services()).expect("services/").flatten() {
        files.extend(sources(&service.path().join("src")));
    }
    files.extend(sources(&root.join("crates/kit/src")));
    let copies: Vec<String> = files
        .iter()
        .flat_map(|(path, code)| {
            [
                "pub struct PersonRef(",
                "pub struct DivisionCode(",
                "pub enum DivisionLevel",
                "pub struct Fen(",
                "pub struct Month {",
            ]
            .into_iter()
            .filter(|needle| code.contains(needle))
            .map(move |needle| format!("{}: {needle}", path.display()))
        })
        .filter(|f| !f.contains("aid-applications/src/domain/month.rs"))
        .collect();
    assert!(
        copies.is_empty(),
        "a copy of a contract type:\n{}",
        copies.join("\n")
    );
}
