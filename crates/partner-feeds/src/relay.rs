//! The NATS side: one durable pull consumer per approved source subject (kit's naming), each
//! message projected for every partner approved for it and published on the partner's feed
//! stream with a derived `Nats-Msg-Id`; the source is acknowledged only after every PubAck.

use std::{
    collections::{BTreeMap, BTreeSet},
    sync::{Arc, Mutex},
    time::Duration,
};

use async_nats::{
    HeaderMap,
    jetstream::{self, AckKind, stream},
};
use futures::StreamExt;
use serde_json::Value;
use tokio_util::sync::CancellationToken;

use crate::{
    approvals::Approvals,
    projection::{self, FeedMessage},
    pseudonym::FeedKey,
    settings::NatsSettings,
};

/// The relay's service name: its durable consumers are `partner-feeds--<subject>`.
pub const SERVICE: &str = "partner-feeds";

/// Inbox prefix of the relay's connection; the NATS permissions let it subscribe to nothing else.
pub const INBOX_PREFIX: &str = "_INBOX.partner-feeds";

/// The JetStream stream holding `partner`'s feed: `FEED_<PARTNER>`.
pub fn feed_stream(partner: &str) -> String {
    format!("FEED_{}", partner.to_ascii_uppercase().replace('-', "_"))
}

/// The durable consumer the partner pulls its feed from: named after the partner.
pub fn partner_durable(partner: &str) -> String {
    partner.to_owned()
}

/// Which source subjects currently have a live consumer (for `/readyz`).
#[derive(Default)]
pub struct Health {
    live: Mutex<BTreeSet<String>>,
}

impl Health {
    fn set(&self, subject: &str, live: bool) {
        let mut set = self.live.lock().expect("health lock");
        if live {
            set.insert(subject.to_owned());
        } else {
            set.remove(subject);
        }
    }

    /// How many source subjects are being consumed.
    pub fn live(&self) -> usize {
        self.live.lock().expect("health lock").len()
    }
}

/// Connects with the relay's credentials; retries for ever like every mesh client.
pub async fn connect(nats: &NatsSettings) -> Result<async_nats::Client, async_nats::ConnectError> {
    let mut options = async_nats::ConnectOptions::new()
        .name(SERVICE)
        .custom_inbox_prefix(INBOX_PREFIX)
        .retry_on_initial_connect()
        .max_reconnects(None)
        .connection_timeout(Duration::from_secs(2))
        .reconnect_delay_callback(|attempt| {
            Duration::from_millis((100 * attempt as u64).min(2_000))
        });
    if let (Some(user), Some(password)) = (&nats.user, &nats.password) {
        options = options.user_and_password(user.clone(), password.clone());
    }
    if let Some(ca) = &nats.ca_file {
        options = options.add_root_certificates(ca.clone()).require_tls(true);
    }
    if let (Some(cert), Some(key)) = (&nats.cert_file, &nats.key_file) {
        options = options.add_client_certificate(cert.clone(), key.clone());
    }
    options.connect(&nats.url).await
}

/// Declares every partner's feed stream and the durable consumer the partner pulls from, so a
/// partner needs no right to create anything.
pub async fn provision(
    js: &jetstream::Context,
    approvals: &Approvals,
    replicas: usize,
    max_age: Duration,
    ack_wait: Duration,
) -> Result<(), String> {
    for partner in approvals.partners.keys() {
        let name = feed_stream(partner);
        let filter = format!("feed.{partner}.>");
        // The relay produces the feeds: it keeps each stream as declared (a changed retention or
        // replica count is applied at its next start, and logged).
        let (stream, _) = kit::nats::reconcile_stream(
            js,
            stream::Config {
                name: name.clone(),
                subjects: vec![filter.clone()],
                storage: stream::StorageType::File,
                duplicate_window: kit::nats::DUPLICATE_WINDOW,
                max_age,
                num_replicas: replicas.max(1),
                ..Default::default()
            },
        )
        .await
        .map_err(|e| e.to_string())?;
        kit::nats::ensure_pull_consumer(&stream, &partner_durable(partner), &filter, ack_wait)
            .await
            .map_err(|e| e.to_string())?;
    }
    Ok(())
}

/// What every subject loop shares.
pub struct Relay {
    pub js: jetstream::Context,
    pub approvals: Arc<Approvals>,
    pub keys: Arc<BTreeMap<String, FeedKey>>,
    pub replicas: usize,
    pub ack_wait: Duration,
    pub health: Arc<Health>,
}

impl Relay {
    /// Starts one loop per approved source subject; they run until `stop` is cancelled.
    pub fn spawn(self: Arc<Self>, stop: &CancellationToken) -> Vec<tokio::task::JoinHandle<()>> {
        self.approvals
            .subjects()
            .into_iter()
            .map(|subject| {
                let relay = self.clone();
                let subject = subject.to_owned();
                let stop = stop.clone();
                tokio::spawn(async move { relay.run(subject, stop).await })
            })
            .collect()
    }

    async fn run(&self, subject: String, stop: CancellationToken) {
        let mut attempt = 0u32;
        while !stop.is_cancelled() {
            match self.consume(&subject, &stop).await {
                Ok(()) => break,
                Err(e) => {
                    self.health.set(&subject, false);
                    attempt += 1;
                    tracing::warn!(%subject, error = %e, "feed consumer interrupted; resubscribing");
                    let pause = Duration::from_millis((200u64 << attempt.min(4)).min(3_000));
                    tokio::select! {
                        () = stop.cancelled() => break,
                        () = tokio::time::sleep(pause) => {}
                    }
                }
            }
        }
        self.health.set(&subject, false);
    }

    async fn consume(&self, subject: &str, stop: &CancellationToken) -> Result<(), String> {
        let spec =
            contracts::stream_for(subject).ok_or_else(|| format!("no stream for {subject}"))?;
        let stream = kit::nats::bind_stream(&self.js, spec, self.replicas)
            .await
            .map_err(|e| e.to_string())?;
        let durable = kit::nats::durable_name(SERVICE, subject);
        let consumer = kit::nats::ensure_pull_consumer(&stream, &durable, subject, self.ack_wait)
            .await
            .map_err(|e| e.to_string())?;
        let mut messages = consumer
            .stream()
            .max_messages_per_batch(64)
            .heartbeat(Duration::from_secs(5))
            .expires(Duration::from_secs(30))
            .messages()
            .await
            .map_err(|e| e.to_string())?;
        self.health.set(subject, true);
        loop {
            let next = tokio::select! {
                () = stop.cancelled() => return Ok(()),
                next = messages.next() => next,
            };
            match next {
                None => return Err("message stream ended".into()),
                Some(Err(e)) => return Err(e.to_string()),
                Some(Ok(message)) => self.process(subject, spec.name, message).await,
            }
        }
    }

    async fn process(&self, subject: &str, stream: &str, message: jetstream::Message) {
        let (seq, deliveries) = message
            .info()
            .map(|i| (i.stream_sequence, i.delivered))
            .unwrap_or((0, 1));
        let header = |name: &str| {
            message
                .headers
                .as_ref()
                .and_then(|h| h.get(name))
                .map(|v| v.as_str().to_owned())
        };
        let event_id = header("ce-id")
            .or_else(|| header("Nats-Msg-Id"))
            .unwrap_or_else(|| format!("{stream}:{seq}"));
        let data = serde_json::from_slice::<Value>(&message.payload)
            .map_err(|e| format!("not JSON: {e}"))
            .and_then(|v| {
                contracts::validate_tolerant(subject, &v)
                    .map(|()| v)
                    .map_err(|e| e.to_string())
            });
        let settle = match data {
            Err(reason) => {
                // Nothing a partner may rely on can come out of an invalid event; it stays in the
                // source stream (and in the consuming services' dead letters) for inspection.
                metrics::counter!("feed_source_events_total", "subject" => subject.to_owned(), "outcome" => "invalid").increment(1);
                tracing::warn!(%subject, %event_id, %reason, "invalid event not relayed to partners");
                AckKind::Term
            }
            Ok(data) => match self.publish(subject, &event_id, &data).await {
                Ok(()) => {
                    metrics::counter!("feed_source_events_total", "subject" => subject.to_owned(), "outcome" => "relayed").increment(1);
                    AckKind::Ack
                }
                Err(reason) => {
                    metrics::counter!("feed_source_events_total", "subject" => subject.to_owned(), "outcome" => "retry").increment(1);
                    tracing::warn!(%subject, %event_id, deliveries, %reason, "not relayed yet; will be redelivered");
                    AckKind::Nak(Some(Duration::from_millis(
                        (500u64 << deliveries.clamp(0, 7)).min(60_000),
                    )))
                }
            },
        };
        if let Err(e) = message.ack_with(settle).await {
            // A redelivery republishes with the same Nats-Msg-Ids: the feeds drop it.
            tracing::warn!(error = %e, "acknowledgement not sent");
        }
    }

    /// Publishes the event on every approved partner's feed and waits for every PubAck.
    async fn publish(&self, subject: &str, event_id: &str, data: &Value) -> Result<(), String> {
        let mut pending = Vec::new();
        for (partner, approval) in self.approvals.partners_for(subject) {
            if !approval.admits(data) {
                continue;
            }
            let key = self
                .keys
                .get(partner)
                .ok_or_else(|| format!("no feed key for {partner}"))?;
            let FeedMessage {
                subject: feed_subject,
                headers,
                body,
            } = projection::project(key, subject, approval, event_id, data);
            let mut map = HeaderMap::new();
            for (name, value) in headers {
                map.insert(name, value.as_str());
            }
            let ack = self
                .js
                .publish_with_headers(feed_subject, map, body.to_string().into())
                .await
                .map_err(|e| format!("{partner}: {e}"))?;
            pending.push((partner, ack));
        }
        for (partner, ack) in pending {
            let ack = ack.await.map_err(|e| format!("{partner}: {e}"))?;
            let outcome = if ack.duplicate {
                "duplicate"
            } else {
                "published"
            };
            metrics::counter!("feed_messages_total", "partner" => partner.to_owned(), "subject" => subject.to_owned(), "outcome" => outcome).increment(1);
        }
        Ok(())
    }
}
