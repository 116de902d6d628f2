//! A hostile or careless partner floods the death records' subject with poison: 1,000 messages of
//! each kind (a NUL byte, bytes that are not UTF-8, not JSON, over the size limit, not the schema,
//! an envelope from another source). Every service that consumes death records dead-letters each
//! at once with its reason, counts it, acknowledges it — and the valid death record published
//! behind them is applied: no consumer stalls behind the flood; nothing is redelivered afterwards.

use std::time::{Duration, Instant};

use async_nats::{HeaderMap, jetstream};
use contracts::disability::{SubsidyEndReason, SubsidyEnded, SubsidyGranted};
use e2e::{
    Mesh, MeshOptions, SERVICES,
    people::{Place, Sex, aged, days_ago, months_ago, years_after},
};
use kit::{Role, testing::NatsServer};
use serde_json::Value;

const SUBJECT: &str = "partner.civil-registry.death.recorded.v1";
const EACH: usize = 1_000;
/// The consumers' body limit on this mesh (small, so that a thousand oversized bodies stay cheap).
const LIMIT: usize = 4_096;

fn envelope(source: &str) -> HeaderMap {
    let id = uuid::Uuid::now_v7().to_string();
    let mut h = HeaderMap::new();
    h.insert("ce-specversion", "1.0");
    h.insert("ce-id", id.as_str());
    h.insert("Nats-Msg-Id", id.as_str());
    h.insert("ce-type", SUBJECT);
    h.insert("ce-source", source);
    h.insert("ce-time", kit::clock::now().to_rfc3339().as_str());
    h
}

/// A poison message: its headers and its body.
type Message = fn() -> (HeaderMap, Vec<u8>);

/// The kinds of poison: the metric's label, the reason's words, the message.
fn poison() -> Vec<(&'static str, &'static str, Message)> {
    vec![
        ("not_utf8", "NUL", || {
            (envelope("partner.civil-registry"), b"\x00poison".to_vec())
        }),
        ("not_utf8", "not UTF-8", || {
            (envelope("partner.civil-registry"), b"\xc3\x28{}".to_vec())
        }),
        ("not_json", "not JSON", || {
            (
                envelope("partner.civil-registry"),
                b"{\"record_number\":".to_vec(),
            )
        }),
        ("too_large", "over the limit", || {
            (envelope("partner.civil-registry"), vec![b' '; LIMIT + 1])
        }),
        ("schema", "date_of_death", || {
            let mut fact = contracts::schema(SUBJECT).expect("schema")["examples"][0].clone();
            fact.as_object_mut()
                .expect("object")
                .remove("date_of_death");
            (
                envelope("partner.civil-registry"),
                fact.to_string().into_bytes(),
            )
        }),
        ("envelope", "ce-source", || {
            let fact = contracts::schema(SUBJECT).expect("schema")["examples"][0].clone();
            (envelope("attacker"), fact.to_string().into_bytes())
        }),
    ]
}

/// The services that consume death records: their durable on the subject.
async fn death_consumers(
    js: &jetstream::Context,
) -> Vec<(String, jetstream::consumer::PullConsumer)> {
    let stream = js.get_stream("PARTNER").await.expect("the PARTNER stream");
    let mut out = Vec::new();
    for service in SERVICES {
        let durable = kit::nats::durable_name(service, SUBJECT);
        if let Ok(c) = stream.get_consumer(&durable).await {
            out.push((service.to_owned(), c));
        }
    }
    out
}

/// Every pending dead letter of a service, page after page.
async fn dead_letters(mesh: &Mesh, service: &str) -> Vec<Value> {
    let auditor = Mesh::token(Role::Auditor, kit::divisions::YUBEI);
    mesh.list_all(service, "/v1/dead-letters?pending=true", &auditor)
        .await
}

#[tokio::test]
async fn a_thousand_poison_messages_of_each_kind_are_dead_lettered_and_a_death_behind_them_is_applied()
 {
    let mesh = Mesh::start_with(
        NatsServer::start().await,
        MeshOptions {
            env: vec![("CONSUMER_MAX_PAYLOAD_BYTES".into(), LIMIT.to_string())],
            ..MeshOptions::default()
        },
    )
    .await;
    // Someone whose death has an effect: a nursing subsidy disability grants on a certificate.
    let place = Place::township("500112016");
    let person = aged(60, Sex::Female);
    let issued_on = months_ago(3);
    let certificate = partner_sim::certificate(
        &person.id_number,
        contracts::partner::DisabilityCategory::Physical,
        1,
        issued_on,
        years_after(issued_on, 5),
        &place.village(),
    )
    .expect("a certificate");
    let mark = mesh.mark().await;
    mesh.partner("dpf")
        .await
        .publish(&certificate)
        .await
        .expect("published");
    let person_ref = person.person_ref();
    let granted = mesh
        .expect_since::<SubsidyGranted>(&mark, "the nursing subsidy", |g| {
            g.iter().any(|g| g.person_ref.as_str() == person_ref)
        })
        .await
        .remove(0);

    mesh.say(format!(
        "A partner floods {SUBJECT} with {} poison messages",
        EACH * poison().len()
    ));
    let kinds = poison();
    for _ in 0..EACH {
        for (_, _, make) in &kinds {
            let (headers, body) = make();
            mesh.js
                .publish_with_headers(SUBJECT, headers, body.into())
                .await
                .expect("publish");
        }
    }
    mesh.say("Then the civil registry records the death of the subsidy's holder");
    let death =
        partner_sim::death(&person.id_number, days_ago(1), place.township).expect("a death");
    let published = Instant::now();
    mesh.partner("civil-registry")
        .await
        .publish(&death)
        .await
        .expect("published");
    let ended = mesh
        .expect_since::<SubsidyEnded>(&mark, "disability ends the subsidy of the dead", |e| {
            e.iter().any(|e| e.subsidy_id == granted.subsidy_id)
        })
        .await
        .remove(0);
    assert_eq!(ended.reason, SubsidyEndReason::Death);
    // Every consumer of death records has worked through the flood and the record.
    let consumers = death_consumers(&mesh.js).await;
    assert!(
        consumers.len() >= 5,
        "{:?}",
        consumers.iter().map(|c| &c.0).collect::<Vec<_>>()
    );
    let total = (EACH * kinds.len() + 1) as u64;
    for (service, consumer) in &consumers {
        kit::testing::eventually(
            &format!("{service} through the flood"),
            Duration::from_secs(60),
            || {
                let mut consumer = consumer.clone();
                async move {
                    let info = consumer.info().await.ok()?.clone();
                    (info.num_pending == 0
                        && info.num_ack_pending == 0
                        && info.delivered.stream_sequence >= total)
                        .then_some(())
                }
            },
        )
        .await;
    }
    let took = published.elapsed();
    // How long it took is reported, not asserted (the bench measures speed against floors of
    // the same run); the bound above is liveness: a consumer stuck behind the flood fails it.
    mesh.saw(format!(
        "every consumer of death records applied the record {took:?} after it was published"
    ));

    for (service, _) in &consumers {
        let letters = dead_letters(&mesh, service).await;
        assert_eq!(letters.len(), EACH * kinds.len(), "{service}");
        for (kind, words, _) in &kinds {
            let n = letters
                .iter()
                .filter(|l| l["reason"].as_str().is_some_and(|r| r.contains(words)))
                .count();
            assert_eq!(n, EACH, "{service}: {kind} ({words})");
        }
        let (_, metrics) = mesh.get_text(service, "/metrics").await;
        for kind in ["not_utf8", "not_json", "too_large", "schema", "envelope"] {
            let per_kind = if kind == "not_utf8" { 2 * EACH } else { EACH };
            let line =
                format!("dead_letters_total{{subject=\"{SUBJECT}\",kind=\"{kind}\"}} {per_kind}");
            assert!(metrics.contains(&line), "{service}: {line} in\n{metrics}");
        }
    }
    mesh.saw(format!(
        "{} services each hold {} dead letters with their reasons, counted by kind",
        consumers.len(),
        EACH * kinds.len()
    ));

    // Nothing comes back: the acknowledgement wait passes twice with nothing redelivered.
    tokio::time::sleep(Duration::from_secs(5)).await;
    for (service, consumer) in death_consumers(&mesh.js).await {
        let mut consumer = consumer;
        let info = consumer.info().await.expect("info");
        assert_eq!(
            (info.num_pending, info.num_ack_pending, info.num_redelivered),
            (0, 0, 0),
            "{service}"
        );
        assert_eq!(
            dead_letters(&mesh, &service).await.len(),
            EACH * kinds.len()
        );
    }
}
