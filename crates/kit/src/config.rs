//! Configuration from environment variables, with defaults that run the mesh on one machine.
//! Every variable is listed in docs/operations.md.

use std::{net::SocketAddr, time::Duration};

use crate::identity::PersonRefKey;

/// The development `person_ref` key. Used only when `PERSON_REF_KEY` is unset; production sets it
/// from a secret shared by the mesh services.
pub const DEV_PERSON_REF_KEY: &str = "minzheng-mesh-development-person-ref-key";
/// The development JWT signing secret (HS256), used when no identity-provider keys are configured.
pub const DEV_AUTH_SECRET: &str = "minzheng-mesh-development-signing-key";

/// Log output format.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    Pretty,
    Json,
}

/// How bearer tokens are verified.
#[derive(Debug, Clone)]
pub enum AuthConfig {
    /// HS256 with a shared development secret. Refused when `MESH_ENV=production`.
    DevSecret(String),
    /// RS256/ES256/EdDSA with the identity provider's public keys (PEM files).
    PublicKeys {
        pem: Vec<String>,
        issuer: Option<String>,
        audience: Option<String>,
    },
}

/// Service configuration.
#[derive(Debug, Clone)]
pub struct Config {
    pub service: String,
    pub http_addr: SocketAddr,
    pub database_url: String,
    pub nats_url: String,
    pub nats_credentials: crate::nats::Credentials,
    pub person_ref_key: PersonRefKey,
    /// The key of the audit trail's MACs and chain (`AUDIT_KEY`; see [`crate::audit`]).
    pub audit_key: crate::audit::AuditKey,
    /// How often the audit trail's new entries are chained (`AUDIT_SEAL_MS`).
    pub audit_seal_every: Duration,
    /// How often the gauges are sampled (`OBSERVE_SECS`; see [`crate::observe`]).
    pub observe_every: Duration,
    pub auth: AuthConfig,
    pub log_format: LogFormat,
    pub log_filter: String,
    pub max_body_bytes: usize,
    pub relay_batch: usize,
    pub relay_poll: Duration,
    pub consumer_max_deliver: i64,
    pub consumer_ack_wait: Duration,
    /// The largest message body a consumer reads (`CONSUMER_MAX_PAYLOAD_BYTES`).
    pub consumer_max_payload_bytes: usize,
    /// JetStream replicas of the streams this service declares (3 in a cluster).
    pub stream_replicas: usize,
    pub production: bool,
    /// `MESH_CLOCK`: the business day the service lives on (rehearsals, tests of a given day);
    /// refused in production.
    pub clock: Option<chrono::DateTime<chrono::Utc>>,
}

/// A variable that is set but cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("configuration variable {name}: {reason}")]
pub struct ConfigError {
    pub name: &'static str,
    pub reason: String,
}

impl Config {
    /// Reads the process environment.
    pub fn from_env(service: &str, default_port: u16) -> Result<Self, ConfigError> {
        Self::from_lookup(service, default_port, |k| std::env::var(k).ok())
    }

    /// Reads configuration through `get` (the environment in production, a map in tests).
    pub fn from_lookup(
        service: &str,
        default_port: u16,
        get: impl Fn(&str) -> Option<String>,
    ) -> Result<Self, ConfigError> {
        let production = get("MESH_ENV").is_some_and(|v| v == "production");
        let clock = match get(crate::clock::VARIABLE).filter(|v| !v.trim().is_empty()) {
            Some(_) if production => {
                return Err(ConfigError {
                    name: crate::clock::VARIABLE,
                    reason: "the clock cannot be set in production".into(),
                });
            }
            Some(v) => Some(
                crate::clock::parse_setting(&v).map_err(|reason| ConfigError {
                    name: crate::clock::VARIABLE,
                    reason,
                })?,
            ),
            None => None,
        };
        let parse = |name: &'static str, default: &str| -> String {
            get(name).unwrap_or_else(|| default.to_owned())
        };
        let http_addr = parse(
            "HTTP_ADDR",
            &format!(
                "127.0.0.1:{}",
                get("PORT").unwrap_or(default_port.to_string())
            ),
        );
        let http_addr = http_addr.parse().map_err(|e| ConfigError {
            name: "HTTP_ADDR",
            reason: format!("{e}"),
        })?;
        let database_url = parse(
            "DATABASE_URL",
            &format!("sqlite://{}.db?mode=rwc", service.replace('-', "_")),
        );
        let key = match get("PERSON_REF_KEY") {
            Some(k) => k,
            None if production => {
                return Err(ConfigError {
                    name: "PERSON_REF_KEY",
                    reason: "required in production".into(),
                });
            }
            None => DEV_PERSON_REF_KEY.to_owned(),
        };
        let person_ref_key = PersonRefKey::new(key.into_bytes()).map_err(|e| ConfigError {
            name: "PERSON_REF_KEY",
            reason: e.into(),
        })?;
        let audit_key = match get("AUDIT_KEY") {
            Some(k) if k.len() < 16 => {
                return Err(ConfigError {
                    name: "AUDIT_KEY",
                    reason: "at least 16 bytes".into(),
                });
            }
            Some(k) => crate::audit::AuditKey::new(k),
            None if production => {
                return Err(ConfigError {
                    name: "AUDIT_KEY",
                    reason: "required in production".into(),
                });
            }
            None => crate::audit::AuditKey::new(crate::audit::DEV_AUDIT_KEY),
        };
        let auth = match get("AUTH_PUBLIC_KEYS") {
            Some(paths) => {
                let mut pem = Vec::new();
                for path in paths.split(',').map(str::trim).filter(|p| !p.is_empty()) {
                    pem.push(std::fs::read_to_string(path).map_err(|e| ConfigError {
                        name: "AUTH_PUBLIC_KEYS",
                        reason: format!("{path}: {e}"),
                    })?);
                }
                AuthConfig::PublicKeys {
                    pem,
                    issuer: get("AUTH_ISSUER"),
                    audience: get("AUTH_AUDIENCE"),
                }
            }
            None if production => {
                return Err(ConfigError {
                    name: "AUTH_PUBLIC_KEYS",
                    reason: "required in production".into(),
                });
            }
            None => AuthConfig::DevSecret(parse("AUTH_DEV_SECRET", DEV_AUTH_SECRET)),
        };
        let log_format =
            match parse("LOG_FORMAT", if production { "json" } else { "pretty" }).as_str() {
                "json" => LogFormat::Json,
                "pretty" => LogFormat::Pretty,
                other => {
                    return Err(ConfigError {
                        name: "LOG_FORMAT",
                        reason: format!("{other}: use json or pretty"),
                    });
                }
            };
        let number = |name: &'static str, default: u64| -> Result<u64, ConfigError> {
            get(name).map_or(Ok(default), |v| {
                v.parse().map_err(|e| ConfigError {
                    name,
                    reason: format!("{v}: {e}"),
                })
            })
        };
        Ok(Self {
            service: service.to_owned(),
            http_addr,
            database_url,
            nats_url: parse("NATS_URL", "nats://127.0.0.1:4222"),
            nats_credentials: crate::nats::Credentials {
                user: get("NATS_USER"),
                password: get("NATS_PASSWORD"),
                ca_file: get("NATS_CA_FILE").map(Into::into),
                cert_file: get("NATS_CERT_FILE").map(Into::into),
                key_file: get("NATS_KEY_FILE").map(Into::into),
            },
            person_ref_key,
            audit_key,
            audit_seal_every: Duration::from_millis(number("AUDIT_SEAL_MS", 1_000)?),
            observe_every: Duration::from_secs(number("OBSERVE_SECS", 5)?.max(1)),
            auth,
            log_format,
            log_filter: parse("RUST_LOG", "info"),
            max_body_bytes: number("MAX_BODY_BYTES", 256 * 1024)? as usize,
            relay_batch: number("RELAY_BATCH", 1_000)? as usize,
            relay_poll: Duration::from_millis(number("RELAY_POLL_MS", 200)?),
            consumer_max_deliver: number("CONSUMER_MAX_DELIVER", 8)? as i64,
            consumer_ack_wait: Duration::from_millis(number("CONSUMER_ACK_WAIT_MS", 5_000)?),
            consumer_max_payload_bytes: number("CONSUMER_MAX_PAYLOAD_BYTES", 64 * 1024)? as usize,
            stream_replicas: number("STREAM_REPLICAS", 1)? as usize,
            production,
            clock,
        })
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn lookup(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |k| map.get(k).cloned()
    }

    #[test]
    fn defaults_run_one_machine_with_sqlite_and_local_nats() {
        let c = Config::from_lookup("aid-applications", 8081, lookup(&[])).unwrap();
        assert_eq!(c.http_addr.port(), 8081);
        assert_eq!(c.database_url, "sqlite://aid_applications.db?mode=rwc");
        assert_eq!(c.nats_url, "nats://127.0.0.1:4222");
        assert!(matches!(c.auth, AuthConfig::DevSecret(_)));
        assert_eq!(c.log_format, LogFormat::Pretty);
    }

    #[test]
    fn environment_overrides_defaults() {
        let c = Config::from_lookup(
            "x",
            1,
            lookup(&[
                ("PORT", "9000"),
                ("DATABASE_URL", "postgres://h/db"),
                ("LOG_FORMAT", "json"),
            ]),
        )
        .unwrap();
        assert_eq!(c.http_addr.port(), 9000);
        assert_eq!(c.database_url, "postgres://h/db");
        assert_eq!(c.log_format, LogFormat::Json);
    }

    #[test]
    fn production_refuses_development_secrets() {
        let err = Config::from_lookup("x", 1, lookup(&[("MESH_ENV", "production")])).unwrap_err();
        assert_eq!(err.name, "PERSON_REF_KEY");
        let err = Config::from_lookup(
            "x",
            1,
            lookup(&[
                ("MESH_ENV", "production"),
                ("PERSON_REF_KEY", "a-long-enough-production-key"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.name, "AUDIT_KEY");
        let err = Config::from_lookup(
            "x",
            1,
            lookup(&[
                ("MESH_ENV", "production"),
                ("PERSON_REF_KEY", "a-long-enough-production-key"),
                ("AUDIT_KEY", "short"),
            ]),
        )
        .unwrap_err();
        assert_eq!(
            (err.name, err.reason.as_str()),
            ("AUDIT_KEY", "at least 16 bytes")
        );
        let err = Config::from_lookup(
            "x",
            1,
            lookup(&[
                ("MESH_ENV", "production"),
                ("PERSON_REF_KEY", "a-long-enough-production-key"),
                ("AUDIT_KEY", "a-long-enough-audit-key"),
            ]),
        )
        .unwrap_err();
        assert_eq!(err.name, "AUTH_PUBLIC_KEYS");
    }

    #[test]
    fn the_clock_is_set_by_day_or_instant_and_never_in_production() {
        let c = Config::from_lookup("x", 1, lookup(&[("MESH_CLOCK", "2028-02-29")])).unwrap();
        assert_eq!(
            c.clock.map(crate::clock::day_of),
            chrono::NaiveDate::from_ymd_opt(2028, 2, 29)
        );
        assert_eq!(
            Config::from_lookup("x", 1, lookup(&[])).unwrap().clock,
            None
        );
        let err = Config::from_lookup("x", 1, lookup(&[("MESH_CLOCK", "someday")])).unwrap_err();
        assert_eq!(err.name, "MESH_CLOCK");
        let err = Config::from_lookup(
            "x",
            1,
            lookup(&[("MESH_ENV", "production"), ("MESH_CLOCK", "2028-02-29")]),
        )
        .unwrap_err();
        assert_eq!(
            (err.name, err.reason.as_str()),
            ("MESH_CLOCK", "the clock cannot be set in production")
        );
    }

    #[test]
    fn unusable_values_name_the_variable() {
        let err = Config::from_lookup("x", 1, lookup(&[("RELAY_BATCH", "many")])).unwrap_err();
        assert_eq!(err.name, "RELAY_BATCH");
    }
}
