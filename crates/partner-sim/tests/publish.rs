//! The simulator publishes facts that validate against their schemas, with the envelope partners
//! must use, and a retried publish is dropped by JetStream. It never creates a stream: the mesh
//! owns them (tests/secured.rs runs it against the real accounts).

use chrono::NaiveDate;
use contracts::partner::{DeathRecorded, DisabilityCategory};
use kit::testing::NatsServer;
use partner_sim::{Partner, certificate, death, synthetic_id_number};

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test]
async fn a_death_record_is_published_once_with_the_cloudevents_envelope_even_when_retried() {
    let nats = NatsServer::start().await;
    let partner = Partner::connect(&nats.url(), "civil-registry")
        .await
        .unwrap();
    let id_number = synthetic_id_number("500112", day(1940, 5, 1), 123);
    let fact = death(&id_number, day(2026, 11, 20), "500112016").unwrap();
    // Before the mesh has created the stream, the publish fails and says why.
    let early = partner.publish(&fact).await.unwrap_err().to_string();
    assert!(early.contains("no stream stores"), "{early}");
    // The mesh's services create it when they start.
    let mesh = kit::nats::jetstream(async_nats::connect(nats.url()).await.unwrap());
    kit::nats::ensure_stream(&mesh, contracts::stream_for("partner.x").unwrap(), 1)
        .await
        .unwrap();
    partner.publish_with_id(&fact, "retry-me").await.unwrap();
    partner.publish_with_id(&fact, "retry-me").await.unwrap();

    let js = async_nats::jetstream::new(async_nats::connect(nats.url()).await.unwrap());
    let mut stream = js.get_stream("PARTNER").await.unwrap();
    assert_eq!(stream.info().await.unwrap().state.messages, 1);
    let message = stream.get_raw_message(1).await.unwrap();
    assert_eq!(
        message.headers.get("ce-type").unwrap().as_str(),
        <DeathRecorded as contracts::Event>::SUBJECT
    );
    assert_eq!(
        message.headers.get("Nats-Msg-Id").unwrap().as_str(),
        "retry-me"
    );
    let body: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
    contracts::validate(<DeathRecorded as contracts::Event>::SUBJECT, &body).unwrap();
}

#[test]
fn certificates_are_numbered_from_the_id_number_category_and_level() {
    let id_number = synthetic_id_number("500112", day(1980, 1, 2), 45);
    let c = certificate(
        &id_number,
        DisabilityCategory::Physical,
        1,
        day(2026, 1, 1),
        day(2036, 1, 1),
        "500112016",
    )
    .unwrap();
    assert_eq!(c.certificate_number.as_str(), format!("{id_number}41"));
    assert!(c.is_consistent());
    assert!(kit::identity::IdNumber::parse(&id_number).is_ok());
}

#[test]
fn an_invalid_id_number_is_refused_before_publishing() {
    let mut wrong = synthetic_id_number("500112", day(1940, 5, 1), 123);
    let last = if wrong.ends_with('0') { "1" } else { "0" };
    wrong.replace_range(17.., last);
    assert!(death(&wrong, day(2026, 1, 1), "500112").is_err());
}
