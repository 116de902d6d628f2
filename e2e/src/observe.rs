//! What a black-box observer sees of the mesh: the messages in the streams (from a mark on, so a
//! flow sees only its own effects even on a mesh that has run before), the services' views, the
//! durable consumers' progress (to know every service has handled everything before asserting
//! that something did NOT happen), and the dead letters.

use std::{collections::BTreeMap, time::Duration};

use contracts::Event;
use futures::TryStreamExt;
use kit::{Role, testing::eventually};
use serde_json::Value;

use crate::{Mesh, PATIENCE, SERVICES};

/// The last sequence of every stream at one moment: "what happened after this".
#[derive(Debug, Clone, Default)]
pub struct Mark {
    last: BTreeMap<&'static str, u64>,
    dead_letters: BTreeMap<&'static str, usize>,
}

/// One message of a stream.
#[derive(Debug, Clone)]
pub struct Message {
    pub subject: String,
    pub payload: String,
}

impl Mesh {
    async fn last_sequence(&self, stream: &str) -> u64 {
        let Ok(mut s) = self.js.get_stream(stream).await else {
            return 0;
        };
        s.info().await.map(|i| i.state.last_sequence).unwrap_or(0)
    }

    /// Marks now: later calls with `_since` see only what comes after it.
    pub async fn mark(&self) -> Mark {
        let mut mark = Mark::default();
        for spec in contracts::STREAMS {
            mark.last
                .insert(spec.name, self.last_sequence(spec.name).await);
        }
        for service in SERVICES {
            mark.dead_letters
                .insert(service, self.pending_dead_letters(service).await.len());
        }
        mark
    }

    /// Every message of every stream (partner facts included) after `mark`, in stream order.
    pub async fn messages_since(&self, mark: &Mark) -> Vec<Message> {
        let mut out = Vec::new();
        for spec in contracts::STREAMS {
            let Ok(mut stream) = self.js.get_stream(spec.name).await else {
                continue;
            };
            let Ok(info) = stream.info().await else {
                continue;
            };
            let from = mark.last.get(spec.name).copied().unwrap_or(0) + 1;
            let from = from.max(info.state.first_sequence);
            for seq in from..=info.state.last_sequence {
                if let Ok(m) = stream.get_raw_message(seq).await {
                    out.push(Message {
                        subject: m.subject.to_string(),
                        payload: String::from_utf8_lossy(&m.payload).into_owned(),
                    });
                }
            }
        }
        out
    }

    /// How many messages each subject received after `mark`.
    pub async fn subjects_since(&self, mark: &Mark) -> BTreeMap<String, usize> {
        let mut counts = BTreeMap::new();
        for m in self.messages_since(mark).await {
            *counts.entry(m.subject).or_default() += 1;
        }
        counts
    }

    /// Every event of type `E` published after `mark`.
    pub async fn events_since<E: Event>(&self, mark: &Mark) -> Vec<E> {
        let Some(spec) = contracts::stream_for(E::SUBJECT) else {
            return Vec::new();
        };
        let Ok(mut stream) = self.js.get_stream(spec.name).await else {
            return Vec::new();
        };
        let Ok(info) = stream.info().await else {
            return Vec::new();
        };
        let from =
            (mark.last.get(spec.name).copied().unwrap_or(0) + 1).max(info.state.first_sequence);
        let mut out = Vec::new();
        for seq in from..=info.state.last_sequence {
            if let Ok(m) = stream.get_raw_message(seq).await
                && m.subject.as_str() == E::SUBJECT
                && let Ok(e) = serde_json::from_slice(&m.payload)
            {
                out.push(e);
            }
        }
        out
    }

    /// Waits until `check` holds on the events of type `E` published after `mark`; returns the
    /// events for which `pick` holds (those the flow cares about), narrated.
    pub async fn expect_since<E: Event>(
        &self,
        mark: &Mark,
        what: &str,
        check: impl Fn(&[E]) -> bool,
    ) -> Vec<E> {
        let events = eventually(what, PATIENCE, || async {
            let events = self.events_since::<E>(mark).await;
            check(&events).then_some(events)
        })
        .await;
        self.saw(format!("{} — {what}", E::SUBJECT));
        events
    }

    /// Every message published so far on `subject`, oldest first, as raw JSON text.
    pub async fn raw_events(&self, subject: &str) -> Vec<String> {
        self.messages_since(&Mark::default())
            .await
            .into_iter()
            .filter(|m| m.subject == subject)
            .map(|m| m.payload)
            .collect()
    }

    /// Every event of type `E` published so far.
    pub async fn events<E: Event>(&self) -> Vec<E> {
        self.events_since(&Mark::default()).await
    }

    /// Waits until `check` holds on the events of type `E`, and returns them.
    pub async fn expect_events<E: Event>(
        &self,
        what: &str,
        check: impl Fn(&[E]) -> bool,
    ) -> Vec<E> {
        self.expect_since(&Mark::default(), what, check).await
    }

    /// Waits until a GET answers 200 with a body for which `check` holds; narrated.
    pub async fn expect_view(
        &self,
        service: &str,
        path: &str,
        token: &str,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        let body = eventually(what, PATIENCE, || async {
            let (status, body) = self.get(service, path, token).await;
            (status == 200 && check(&body)).then_some(body)
        })
        .await;
        self.saw(format!("{service} GET {path} — {what}"));
        body
    }

    /// Every subject that has messages in the six services' streams (not `partner.*`).
    pub async fn all_mesh_events(&self) -> Vec<(String, String)> {
        self.messages_since(&Mark::default())
            .await
            .into_iter()
            .filter(|m| !m.subject.starts_with("partner."))
            .map(|m| (m.subject, m.payload))
            .collect()
    }

    /// Waits until every service's durable consumer has handled every message (nothing pending,
    /// nothing awaiting its ack), twice in a row with no new message in between: after this, an
    /// effect that has not happened is not merely late.
    pub async fn settle(&self) {
        // Longer than a relay's poll (200 ms by default), so a handler's outbox is published
        // between two quiet observations.
        const GAP: Duration = Duration::from_millis(250);
        let deadline = tokio::time::Instant::now() + PATIENCE;
        let mut previous: Option<BTreeMap<&'static str, u64>> = None;
        loop {
            if self.consumers_caught_up().await {
                let mut now = BTreeMap::new();
                for spec in contracts::STREAMS {
                    now.insert(spec.name, self.last_sequence(spec.name).await);
                }
                if previous.as_ref() == Some(&now) {
                    return;
                }
                previous = Some(now);
            } else {
                previous = None;
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the mesh did not settle within {PATIENCE:?}: a consumer still has messages"
            );
            tokio::time::sleep(GAP).await;
        }
    }

    async fn consumers_caught_up(&self) -> bool {
        for spec in contracts::STREAMS {
            let Ok(stream) = self.js.get_stream(spec.name).await else {
                continue;
            };
            let Ok(infos) = stream.consumers().try_collect::<Vec<_>>().await else {
                return false;
            };
            for info in infos {
                let ours = SERVICES
                    .iter()
                    .any(|s| info.name.starts_with(&format!("{s}--")));
                if ours && (info.num_pending > 0 || info.num_ack_pending > 0) {
                    return false;
                }
            }
        }
        true
    }

    /// Settles, then asserts that after `mark` exactly the `expected` subjects received messages,
    /// each exactly as many as given — nothing on any other subject of any stream.
    pub async fn assert_only_events(&self, mark: &Mark, expected: &[(&str, usize)]) {
        self.settle().await;
        let seen = self.subjects_since(mark).await;
        let wanted: BTreeMap<String, usize> = expected
            .iter()
            .filter(|(_, n)| *n > 0)
            .map(|(s, n)| ((*s).to_owned(), *n))
            .collect();
        assert_eq!(
            seen, wanted,
            "the messages after the flow started (left) are not the ones the flow causes (right)"
        );
        self.saw(format!(
            "no other event on any stream: {}",
            seen.iter()
                .map(|(s, n)| format!("{s} ×{n}"))
                .collect::<Vec<_>>()
                .join(", ")
        ));
    }

    /// The dead letters a service has not replayed or resolved.
    pub async fn pending_dead_letters(&self, service: &str) -> Vec<Value> {
        let auditor = Mesh::token(Role::Auditor, kit::divisions::YUBEI);
        let (status, letters) = self
            .get(service, "/v1/dead-letters?pending=true&limit=200", &auditor)
            .await;
        if status != 200 {
            return Vec::new();
        }
        letters["items"].as_array().cloned().unwrap_or_default()
    }

    /// Asserts no service has a new dead letter since `mark` (nothing it could not handle).
    pub async fn assert_no_dead_letters(&self, mark: &Mark) {
        for service in SERVICES {
            let letters = self.pending_dead_letters(service).await;
            let before = mark.dead_letters.get(service).copied().unwrap_or(0);
            assert!(
                letters.len() <= before,
                "{service} has new dead letters: {}",
                Value::Array(letters[before.min(letters.len())..].to_vec())
            );
        }
        self.saw("no service has a new dead letter");
    }
}
