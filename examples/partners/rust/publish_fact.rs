//! Publishes one fact into the mesh as the agency that owns its subject, with the CloudEvents
//! headers the mesh checks, and waits for JetStream's acknowledgement (no acknowledgement: not
//! delivered; send it again with the same id, JetStream drops the duplicate).
//!
//!     AGENCY=civil-registry NATS_USER=civil-registry NATS_PASSWORD=… NATS_URL=… \
//!       publish_fact partner.civil-registry.death.recorded.v1 death.json [event-id]
//!
//! The body must match the subject's schema (schemas/partner/); a fact that does not is
//! dead-lettered by the consuming service with the reason, never applied.

mod connection;

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (Some(subject), Some(body_file)) = (args.first(), args.get(1)) else {
        return Err("usage: publish_fact <subject> <body.json> [event-id]".into());
    };
    let event_id = args
        .get(2)
        .cloned()
        .unwrap_or_else(|| uuid::Uuid::now_v7().to_string());
    let agency = std::env::var("AGENCY")?;
    if !subject.starts_with(&format!("partner.{agency}.")) {
        return Err(format!("{subject} is not a fact of {agency}").into());
    }
    let body: serde_json::Value = serde_json::from_str(&std::fs::read_to_string(body_file)?)?;
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", event_id.as_str());
    headers.insert("ce-specversion", "1.0");
    headers.insert("ce-id", event_id.as_str());
    headers.insert("ce-source", format!("partner.{agency}").as_str());
    headers.insert("ce-type", subject.as_str());
    // When the fact happened or was recorded: CE_TIME (RFC 3339) for a record sent late, else now.
    let time = std::env::var("CE_TIME").unwrap_or_else(|_| chrono::Utc::now().to_rfc3339());
    headers.insert("ce-time", time.as_str());
    headers.insert(
        "ce-dataschema",
        format!("urn:minzheng:schema:{subject}").as_str(),
    );
    headers.insert("Content-Type", "application/json");
    let client = connection::connect(&format!("publish-{agency}")).await?;
    let mut js = async_nats::jetstream::new(client);
    js.set_timeout(std::time::Duration::from_secs(5));
    let ack = js
        .publish_with_headers(subject.clone(), headers, body.to_string().into())
        .await?
        .await?;
    println!(
        "{}",
        serde_json::json!({"ce_id": event_id, "stream": ack.stream, "sequence": ack.sequence})
    );
    Ok(())
}
