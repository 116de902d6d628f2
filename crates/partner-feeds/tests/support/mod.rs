//! What the integration tests share: the repository's own approvals file, an in-process relay on
//! a test's nats-server, publishing as a producer would, and reading a feed as a partner would.
#![allow(dead_code)]

use std::{collections::BTreeMap, path::PathBuf, time::Duration};

use async_nats::{
    HeaderMap,
    jetstream::{self, consumer::pull},
};
use futures::StreamExt;
use partner_feeds::{
    Settings,
    approvals::Approvals,
    pseudonym::FeedKey,
    relay,
    settings::{NatsSettings, development_key},
};
use serde_json::Value;

/// The repository root.
pub fn repo() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The AsyncAPI document the permissions derive from (`MESH_ASYNCAPI` renders against another
/// copy, e.g. the committed one while the working tree holds someone's unfinished change).
pub fn asyncapi() -> String {
    std::fs::read_to_string(
        std::env::var("MESH_ASYNCAPI")
            .map(PathBuf::from)
            .unwrap_or_else(|_| repo().join("schemas/asyncapi.yaml")),
    )
    .expect("asyncapi.yaml")
}

/// The committed approvals file.
pub fn approvals() -> Approvals {
    Approvals::load(&repo().join("k8s/services/partner-feeds/base/approvals.yaml"))
        .expect("committed approvals are valid")
}

/// Development keys for every approved partner.
pub fn keys(approvals: &Approvals) -> BTreeMap<String, FeedKey> {
    approvals
        .partners
        .keys()
        .map(|p| {
            (
                p.clone(),
                FeedKey::new(p, development_key(p).into_bytes()).unwrap(),
            )
        })
        .collect()
}

/// Settings for a relay on `nats`.
pub fn settings(nats: NatsSettings) -> Settings {
    let approvals = approvals();
    Settings {
        http_addr: "127.0.0.1:0".parse().unwrap(),
        nats,
        keys: keys(&approvals),
        approvals,
        stream_replicas: 1,
        feed_max_age: Duration::from_secs(86_400),
        ack_wait: Duration::from_secs(5),
        log_json: false,
        log_filter: "warn".into(),
    }
}

/// Starts the relay and waits until `/readyz` answers 200.
pub async fn start_relay(settings: Settings) -> partner_feeds::Running {
    let running = partner_feeds::start(settings).await.expect("relay starts");
    let url = format!("http://{}/readyz", running.addr);
    kit::testing::eventually("the relay is ready", Duration::from_secs(20), || {
        let url = url.clone();
        async move {
            let response = reqwest::get(&url).await.ok()?;
            response.status().is_success().then_some(())
        }
    })
    .await;
    running
}

/// The first example of a subject's schema.
pub fn example(subject: &str) -> Value {
    contracts::schema(subject).expect("known subject")["examples"][0].clone()
}

/// Publishes `data` on `subject` with the mesh's envelope, as its producer's relay would.
pub async fn publish(
    js: &jetstream::Context,
    subject: &str,
    event_id: &str,
    msg_id: &str,
    data: &Value,
) {
    let spec = contracts::stream_for(subject).expect("stream");
    kit::nats::ensure_stream(js, spec, 1).await.expect("stream");
    let mut headers = HeaderMap::new();
    headers.insert("ce-specversion", "1.0");
    headers.insert("ce-id", event_id);
    headers.insert("ce-source", "test-producer");
    headers.insert("ce-type", subject);
    headers.insert("ce-time", "2024-05-01T08:00:00Z");
    headers.insert(
        "traceparent",
        "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01",
    );
    headers.insert("Nats-Msg-Id", msg_id);
    js.publish_with_headers(subject.to_owned(), headers, data.to_string().into())
        .await
        .expect("publish")
        .await
        .expect("PubAck");
}

/// How many messages the partner's feed stream holds.
pub async fn feed_len(js: &jetstream::Context, partner: &str) -> u64 {
    let mut stream = js
        .get_stream(relay::feed_stream(partner))
        .await
        .expect("feed stream");
    stream.info().await.expect("info").state.messages
}

/// Waits until the relay has settled every message of `subject`'s source stream.
pub async fn relayed(js: &jetstream::Context, subject: &str) {
    let spec = contracts::stream_for(subject).unwrap();
    let durable = kit::nats::durable_name(relay::SERVICE, subject);
    kit::testing::eventually(
        &format!("the relay settled {subject}"),
        Duration::from_secs(20),
        || {
            let durable = durable.clone();
            async move {
                let stream = js.get_stream(spec.name).await.ok()?;
                let mut consumer: jetstream::consumer::Consumer<pull::Config> =
                    stream.get_consumer(&durable).await.ok()?;
                let info = consumer.info().await.ok()?;
                (info.num_pending == 0
                    && info.num_ack_pending == 0
                    && info.delivered.stream_sequence > 0)
                    .then_some(())
            }
        },
    )
    .await;
}

/// One message of a feed as the partner receives it.
#[derive(Debug, Clone)]
pub struct Received {
    pub subject: String,
    pub headers: BTreeMap<String, String>,
    pub body: Value,
}

/// Pulls everything the partner's durable consumer has, as the partner would, acknowledging it.
pub async fn pull_feed(js: &jetstream::Context, partner: &str) -> Vec<Received> {
    let consumer: jetstream::consumer::Consumer<pull::Config> = js
        .get_consumer_from_stream(relay::partner_durable(partner), relay::feed_stream(partner))
        .await
        .expect("the partner's consumer exists");
    let mut received = Vec::new();
    loop {
        let mut batch = consumer
            .batch()
            .max_messages(100)
            .expires(Duration::from_millis(300))
            .messages()
            .await
            .expect("pull");
        let before = received.len();
        while let Some(message) = batch.next().await {
            let message = message.expect("message");
            let headers = message
                .headers
                .iter()
                .flat_map(|h| h.iter())
                .map(|(k, v)| {
                    (
                        k.to_string(),
                        v.first().map(|v| v.as_str().to_owned()).unwrap_or_default(),
                    )
                })
                .collect();
            received.push(Received {
                subject: message.subject.to_string(),
                headers,
                body: serde_json::from_slice(&message.payload).expect("JSON body"),
            });
            message.ack().await.expect("ack");
        }
        if received.len() == before {
            return received;
        }
    }
}
