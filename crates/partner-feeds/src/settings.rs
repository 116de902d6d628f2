//! Configuration from environment variables: the approvals file, one feed key per partner, and
//! how to reach NATS (user/password, TLS). Production refuses development keys.

use std::{collections::BTreeMap, net::SocketAddr, path::PathBuf, time::Duration};

use crate::{approvals::Approvals, pseudonym::FeedKey};

/// The relay's default HTTP port (health and metrics), after the six services' 8081–8086.
pub const PORT: u16 = 8087;

/// How to reach NATS.
#[derive(Debug, Clone, Default)]
pub struct NatsSettings {
    pub url: String,
    pub user: Option<String>,
    pub password: Option<String>,
    /// CA bundle that signed the server's certificate; set it to require TLS.
    pub ca_file: Option<PathBuf>,
    /// Client certificate and key, for servers that verify clients.
    pub cert_file: Option<PathBuf>,
    pub key_file: Option<PathBuf>,
}

/// Everything the relay needs.
#[derive(Debug, Clone)]
pub struct Settings {
    pub http_addr: SocketAddr,
    pub nats: NatsSettings,
    pub approvals: Approvals,
    pub keys: BTreeMap<String, FeedKey>,
    pub stream_replicas: usize,
    /// How long a partner's feed keeps messages it has not fetched.
    pub feed_max_age: Duration,
    pub ack_wait: Duration,
    pub log_json: bool,
    pub log_filter: String,
}

/// A variable that cannot be used, and why.
#[derive(Debug, thiserror::Error)]
#[error("{name}: {reason}")]
pub struct SettingsError {
    pub name: String,
    pub reason: String,
}

fn error(name: impl Into<String>, reason: impl Into<String>) -> SettingsError {
    SettingsError {
        name: name.into(),
        reason: reason.into(),
    }
}

/// `FEED_KEY_<PARTNER>`: the partner's name upper-cased with `-` as `_`.
pub fn key_variable(partner: &str) -> String {
    format!(
        "FEED_KEY_{}",
        partner.to_ascii_uppercase().replace('-', "_")
    )
}

/// The development key of a partner (refused when `MESH_ENV=production`).
pub fn development_key(partner: &str) -> String {
    format!("development-feed-key-of-{partner}")
}

impl Settings {
    /// Reads the process environment.
    pub fn from_env() -> Result<Self, SettingsError> {
        Self::from_lookup(|k| std::env::var(k).ok())
    }

    /// Reads settings through `get`.
    pub fn from_lookup(get: impl Fn(&str) -> Option<String>) -> Result<Self, SettingsError> {
        let production = get("MESH_ENV").is_some_and(|v| v == "production");
        let path = get("FEED_APPROVALS").ok_or_else(|| {
            error(
                "FEED_APPROVALS",
                "path of the approvals file (partner → subjects → fields) is required",
            )
        })?;
        let approvals = Approvals::load(path.as_ref()).map_err(|e| error("FEED_APPROVALS", e.0))?;
        let keys = keys(&approvals, &get, production)?;
        let number = |name: &str, default: u64| -> Result<u64, SettingsError> {
            get(name).map_or(Ok(default), |v| {
                v.parse().map_err(|e| error(name, format!("{v}: {e}")))
            })
        };
        let http_addr = get("HTTP_ADDR")
            .unwrap_or_else(|| format!("127.0.0.1:{}", get("PORT").unwrap_or(PORT.to_string())));
        let nats = NatsSettings {
            url: get("NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned()),
            user: get("NATS_USER"),
            password: get("NATS_PASSWORD"),
            ca_file: get("NATS_CA_FILE").map(PathBuf::from),
            cert_file: get("NATS_CERT_FILE").map(PathBuf::from),
            key_file: get("NATS_KEY_FILE").map(PathBuf::from),
        };
        if nats.user.is_some() != nats.password.is_some() {
            return Err(error(
                "NATS_USER",
                "NATS_USER and NATS_PASSWORD go together",
            ));
        }
        Ok(Self {
            http_addr: http_addr
                .parse()
                .map_err(|e| error("HTTP_ADDR", format!("{http_addr}: {e}")))?,
            nats,
            approvals,
            keys,
            stream_replicas: number("STREAM_REPLICAS", 1)?.max(1) as usize,
            feed_max_age: Duration::from_secs(number("FEED_MAX_AGE_DAYS", 30)? * 86_400),
            ack_wait: Duration::from_millis(number("CONSUMER_ACK_WAIT_MS", 30_000)?),
            log_json: get("LOG_FORMAT").map_or(production, |f| f == "json"),
            log_filter: get("RUST_LOG").unwrap_or_else(|| "info".to_owned()),
        })
    }
}

fn keys(
    approvals: &Approvals,
    get: &impl Fn(&str) -> Option<String>,
    production: bool,
) -> Result<BTreeMap<String, FeedKey>, SettingsError> {
    let mut keys: BTreeMap<String, FeedKey> = BTreeMap::new();
    for partner in approvals.partners.keys() {
        let variable = key_variable(partner);
        let secret = match get(&variable) {
            Some(k) if production && k == development_key(partner) => {
                return Err(error(
                    variable,
                    "the development key is refused in production",
                ));
            }
            Some(k) => k,
            None if production => return Err(error(variable, "required in production")),
            None => development_key(partner),
        };
        let key = FeedKey::new(partner, secret.into_bytes()).map_err(|e| error(&variable, e))?;
        if let Some(other) = keys.values().find(|k| k.same_secret(&key)) {
            return Err(error(
                variable,
                format!(
                    "the same key as {}'s: every partner needs its own",
                    other.partner()
                ),
            ));
        }
        keys.insert(partner.clone(), key);
    }
    Ok(keys)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    fn with_approvals(
        pairs: &[(&str, &str)],
    ) -> (tempfile::NamedTempFile, HashMap<String, String>) {
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(
            file.path(),
            "partners:\n  hib: {subjects: {aid.enrollment.started.v1: {fields: [programme]}}}\n  dpf: {subjects: {aid.enrollment.started.v1: {fields: [programme]}}}\n",
        )
        .unwrap();
        let mut env: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        env.insert("FEED_APPROVALS".into(), file.path().display().to_string());
        (file, env)
    }

    fn load(env: &HashMap<String, String>) -> Result<Settings, SettingsError> {
        Settings::from_lookup(|k| env.get(k).cloned())
    }

    #[test]
    fn development_keys_differ_per_partner_and_are_refused_in_production() {
        let (_f, env) = with_approvals(&[]);
        let settings = load(&env).unwrap();
        assert!(!settings.keys["hib"].same_secret(&settings.keys["dpf"]));

        let (_f, env) = with_approvals(&[("MESH_ENV", "production")]);
        assert_eq!(load(&env).unwrap_err().name, "FEED_KEY_DPF");

        let dev = development_key("dpf");
        let (_f, env) = with_approvals(&[
            ("MESH_ENV", "production"),
            ("FEED_KEY_DPF", dev.as_str()),
            ("FEED_KEY_HIB", "hib-production-key-0001"),
        ]);
        assert!(load(&env).unwrap_err().reason.contains("development key"));
    }

    #[test]
    fn two_partners_may_not_share_a_key() {
        let (_f, env) = with_approvals(&[
            ("FEED_KEY_DPF", "one-key-for-two-partners"),
            ("FEED_KEY_HIB", "one-key-for-two-partners"),
        ]);
        assert!(
            load(&env)
                .unwrap_err()
                .reason
                .contains("every partner needs its own")
        );
    }

    #[test]
    fn the_approvals_file_is_required_and_checked() {
        let err = Settings::from_lookup(|_| None).unwrap_err();
        assert_eq!(err.name, "FEED_APPROVALS");
        let (_f, mut env) = with_approvals(&[]);
        env.insert("NATS_USER".into(), "partner-feeds".into());
        assert_eq!(load(&env).unwrap_err().name, "NATS_USER");
    }
}
