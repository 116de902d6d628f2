//! How an agency connects: its account's user and password, TLS with the mesh's CA and the client
//! certificate it was given (`NATS_URL`, `NATS_USER`, `NATS_PASSWORD`, `NATS_CA_FILE`,
//! `NATS_CERT_FILE`, `NATS_KEY_FILE`). Reconnects for ever after a drop.

use std::time::Duration;

pub async fn connect(name: &str) -> Result<async_nats::Client, Box<dyn std::error::Error>> {
    let var = |name: &str| std::env::var(name).ok().filter(|v| !v.is_empty());
    let url = var("NATS_URL").unwrap_or_else(|| "nats://127.0.0.1:4222".to_owned());
    let mut options = async_nats::ConnectOptions::new()
        .name(name)
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(5))
        .reconnect_delay_callback(|attempt| {
            Duration::from_millis((250 * attempt as u64).min(2_000))
        });
    if let (Some(user), Some(password)) = (var("NATS_USER"), var("NATS_PASSWORD")) {
        options = options.user_and_password(user, password);
    }
    if let Some(ca) = var("NATS_CA_FILE") {
        options = options.require_tls(true).add_root_certificates(ca.into());
        if let (Some(cert), Some(key)) = (var("NATS_CERT_FILE"), var("NATS_KEY_FILE")) {
            options = options.add_client_certificate(cert.into(), key.into());
        }
    }
    Ok(options.connect(url).await?)
}
