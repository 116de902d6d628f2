//! Reads an agency's feed: pulls from the durable consumer the mesh created for the agency,
//! handles each message and acknowledges it only after handling it. An unacknowledged message
//! comes again after the feed's acknowledgement wait, so a crash or a lost connection loses
//! nothing; the same event may then arrive twice, so the consumer skips what it already handled,
//! by its `Nats-Msg-Id` (here in memory; an agency keeps it with what it stores). Survives the
//! server going away: fetches fail meanwhile and are retried.
//!
//!     AGENCY=medical-insurance NATS_USER=medical-insurance NATS_PASSWORD=… NATS_URL=… \
//!       feed_consumer [max]
//!
//! Each handled message is printed as one JSON line: subject, sequence (the position in the feed,
//! to replay from), CloudEvents headers and data.

mod connection;

use std::{
    collections::{BTreeMap, HashSet},
    time::Duration,
};

use async_nats::jetstream::{self, consumer::PullConsumer};
use futures::StreamExt;

/// Where the agency's account sees the mesh's JetStream API.
const MESH_JS_PREFIX: &str = "$JS.MESH.API";

/// What the agency does with an event; here, print it. An error leaves it unacknowledged.
fn handle(message: &jetstream::Message) -> Result<(), Box<dyn std::error::Error>> {
    let headers: BTreeMap<String, String> = message
        .headers
        .iter()
        .flat_map(|h| h.iter())
        .filter_map(|(name, values)| Some((name.to_string(), values.first()?.to_string())))
        .collect();
    let line = serde_json::json!({
        "subject": message.subject.as_str(),
        "sequence": message.info().map_err(|e| e.to_string())?.stream_sequence,
        "headers": headers,
        "data": serde_json::from_slice::<serde_json::Value>(&message.payload)?,
    });
    println!("{line}");
    Ok(())
}

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let agency = std::env::var("AGENCY")?;
    let max: usize = std::env::args()
        .nth(1)
        .map(|m| m.parse())
        .transpose()?
        .unwrap_or(0);
    let client = connection::connect(&format!("feed-{agency}")).await?;
    let js = jetstream::with_prefix(client, MESH_JS_PREFIX);
    let stream = format!("FEED_{}", agency.to_uppercase().replace('-', "_"));
    let consumer: PullConsumer = js.get_consumer_from_stream(&agency, &stream).await?;
    let mut handled = 0;
    // Nats-Msg-Id of what was handled: a redelivery is acknowledged, not handled again.
    let mut seen = HashSet::new();
    while max == 0 || handled < max {
        let fetched = consumer
            .fetch()
            .max_messages(10)
            .expires(Duration::from_secs(2))
            .messages()
            .await;
        let mut batch = match fetched {
            Ok(batch) => batch,
            Err(e) => {
                eprintln!("{agency}: fetch failed ({e}); trying again");
                tokio::time::sleep(Duration::from_secs(1)).await;
                continue;
            }
        };
        while let Some(message) = batch.next().await {
            let message = match message {
                Ok(message) => message,
                Err(e) => {
                    eprintln!("{agency}: {e}");
                    break;
                }
            };
            let event = message
                .headers
                .as_ref()
                .and_then(|h| h.get("Nats-Msg-Id"))
                .map(|id| id.to_string());
            if seen.insert(event) {
                handle(&message)?;
                handled += 1;
            }
            // After handling: a crash before this line means the message comes again.
            if let Err(e) = message.double_ack().await {
                eprintln!(
                    "{agency}: acknowledgement not confirmed ({e}); it comes again and is skipped"
                );
            }
            if max != 0 && handled >= max {
                break;
            }
        }
    }
    Ok(())
}
