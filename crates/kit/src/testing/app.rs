//! `TestApp`: a service started in-process for an integration test — a fresh PostgreSQL
//! database, a nats-server of its own, the real HTTP edge on a free port — with typed helpers to
//! call the edge, publish events as a producer or partner would, and read what the service
//! published.

use std::time::Duration;

use async_nats::jetstream;
use contracts::Event;
use sea_orm_migration::MigratorTrait;
use serde_json::Value;

use super::{NatsServer, TestDatabase};
use crate::{
    Role,
    config::{Config, DEV_AUTH_SECRET},
    edge::auth::dev_token,
    nats,
    service::{Parts, Platform, Service},
};

/// A running service under test.
pub struct TestApp {
    pub base: String,
    pub http: reqwest::Client,
    pub nats: NatsServer,
    pub database_url: String,
    pub js: jetstream::Context,
    service: Option<Service>,
}

impl TestApp {
    /// Starts `service` (migrations `M`, declaring `context`'s stream) with `parts`.
    pub async fn spawn<M: MigratorTrait>(
        service: &str,
        context: &str,
        parts: impl FnOnce(&Platform) -> Parts,
    ) -> Self {
        Self::spawn_with::<M>(service, context, &[], parts).await
    }

    /// Same, with extra configuration variables.
    pub async fn spawn_with<M: MigratorTrait>(
        service: &str,
        context: &str,
        extra: &[(&str, &str)],
        parts: impl FnOnce(&Platform) -> Parts,
    ) -> Self {
        let nats = NatsServer::start().await;
        let db = TestDatabase::create().await;
        let mut vars: Vec<(String, String)> = vec![
            ("HTTP_ADDR".into(), "127.0.0.1:0".into()),
            ("DATABASE_URL".into(), db.url.clone()),
            ("NATS_URL".into(), nats.url()),
            ("RELAY_POLL_MS".into(), "20".into()),
        ];
        vars.extend(extra.iter().map(|(k, v)| (k.to_string(), v.to_string())));
        let config = Config::from_lookup(service, 0, |k| {
            vars.iter()
                .rev()
                .find(|(n, _)| n == k)
                .map(|(_, v)| v.clone())
        })
        .expect("test configuration");
        let started = Service::build::<M>(config, context, parts)
            .await
            .expect("service starts");
        let js = nats::jetstream(
            nats::connect(&nats.url(), "test-probe")
                .await
                .expect("NATS"),
        );
        Self {
            base: format!("http://{}", started.addr),
            http: reqwest::Client::new(),
            nats,
            database_url: db.url,
            js,
            service: Some(started),
        }
    }

    /// The running service (its platform and fault-injection switches).
    pub fn service(&self) -> &Service {
        self.service.as_ref().expect("running")
    }

    /// A development token for `role` at `division`.
    pub fn token(role: Role, division: &str) -> String {
        dev_token(
            DEV_AUTH_SECRET,
            &format!("{}@{division}", role.as_str()),
            role,
            division,
            chrono::Duration::minutes(30),
        )
    }

    /// A development token with a chosen subject (to act as two different staff members).
    pub fn token_for(subject: &str, role: Role, division: &str) -> String {
        dev_token(
            DEV_AUTH_SECRET,
            subject,
            role,
            division,
            chrono::Duration::minutes(30),
        )
    }

    /// GET; returns the status and the JSON body (`Null` when there is none).
    pub async fn get(&self, path: &str, token: &str) -> (u16, Value) {
        let resp = self
            .http
            .get(format!("{}{path}", self.base))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    /// POST JSON with a fresh `Idempotency-Key`.
    pub async fn post(&self, path: &str, token: &str, body: &Value) -> (u16, Value) {
        self.post_with_key(path, token, &uuid::Uuid::now_v7().to_string(), body)
            .await
    }

    /// POST JSON with the given `Idempotency-Key`.
    pub async fn post_with_key(
        &self,
        path: &str,
        token: &str,
        key: &str,
        body: &Value,
    ) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", key)
            .json(body)
            .send()
            .await
            .expect("POST");
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    /// POST JSON with a fresh `Idempotency-Key` and `If-Match: "v<version>"` (updates).
    pub async fn post_if_match(
        &self,
        path: &str,
        token: &str,
        version: i32,
        body: &Value,
    ) -> (u16, Value) {
        let resp = self
            .http
            .post(format!("{}{path}", self.base))
            .bearer_auth(token)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .header("If-Match", format!("\"v{version}\""))
            .json(body)
            .send()
            .await
            .expect("POST");
        (
            resp.status().as_u16(),
            resp.json().await.unwrap_or(Value::Null),
        )
    }

    /// Publishes `event` as its producer would (CloudEvents headers, `Nats-Msg-Id` = `ce-id`),
    /// declaring its stream first. Returns the event id.
    pub async fn publish<E: Event>(&self, event: &E) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        self.publish_with_id(event, &id).await;
        id
    }

    /// Publishes `event` with `ce-time` set, as a producer reporting when it happened (or a
    /// partner whose feed delivers a fact late); without it, `ce-time` is now.
    pub async fn publish_at<E: Event>(
        &self,
        event: &E,
        time: chrono::DateTime<chrono::FixedOffset>,
    ) -> String {
        let id = uuid::Uuid::now_v7().to_string();
        self.publish_inner(event, &id, Some(time)).await;
        id
    }

    /// Publishes `event` with a chosen event id (to test duplicates).
    pub async fn publish_with_id<E: Event>(&self, event: &E, id: &str) {
        self.publish_inner(event, id, None).await;
    }

    async fn publish_inner<E: Event>(
        &self,
        event: &E,
        id: &str,
        time: Option<chrono::DateTime<chrono::FixedOffset>>,
    ) {
        let spec = contracts::stream_for(E::SUBJECT).expect("a stream for the subject");
        nats::ensure_stream(&self.js, spec, 1)
            .await
            .expect("stream");
        let body = serde_json::to_vec(event).expect("serialise");
        contracts::validate(E::SUBJECT, &serde_json::from_slice(&body).expect("json"))
            .expect("the test's event is valid");
        // The envelope the subject's own producer sends (a consumer refuses any other).
        let source = contracts::source_of(E::SUBJECT).expect("a producer for the subject");
        let time = time.unwrap_or_else(|| crate::clock::now().fixed_offset());
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", id);
        headers.insert("ce-id", id);
        headers.insert("ce-specversion", "1.0");
        headers.insert("ce-type", E::SUBJECT);
        headers.insert("ce-source", source.as_str());
        headers.insert("ce-time", time.to_rfc3339().as_str());
        self.js
            .publish_with_headers(E::SUBJECT, headers, body.into())
            .await
            .expect("publish")
            .await
            .expect("PubAck");
    }

    /// Every event of type `E` in its stream so far, oldest first (raw bodies and parsed).
    pub async fn events<E: Event>(&self) -> Vec<(String, E)> {
        let Some(spec) = contracts::stream_for(E::SUBJECT) else {
            return Vec::new();
        };
        let Ok(mut stream) = self.js.get_stream(spec.name).await else {
            return Vec::new();
        };
        let Ok(info) = stream.info().await else {
            return Vec::new();
        };
        let (first, last) = (info.state.first_sequence, info.state.last_sequence);
        let mut out = Vec::new();
        for seq in first..=last {
            if let Ok(m) = stream.get_raw_message(seq).await
                && m.subject.as_str() == E::SUBJECT
            {
                let raw = String::from_utf8_lossy(&m.payload).into_owned();
                if let Ok(e) = serde_json::from_str::<E>(&raw) {
                    out.push((raw, e));
                }
            }
        }
        out
    }

    /// Waits until at least `n` events of type `E` were published and returns them.
    pub async fn expect_events<E: Event>(&self, n: usize) -> Vec<(String, E)> {
        super::eventually(
            &format!("{n} × {}", E::SUBJECT),
            Duration::from_secs(20),
            || async {
                let events = self.events::<E>().await;
                (events.len() >= n).then_some(events)
            },
        )
        .await
    }

    /// Stops the service (the HTTP edge, relay and consumers).
    pub async fn stop(mut self) {
        if let Some(s) = self.service.take() {
            s.stop().await;
        }
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        if let Some(s) = self.service.take()
            && let Ok(handle) = tokio::runtime::Handle::try_current()
        {
            handle.spawn(s.stop());
        }
    }
}
