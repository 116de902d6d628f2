//! Streams as code: each stream of the mesh is declared once (contracts::STREAMS, with its age
//! limit) and kept as declared by its producer — created, or updated where a setting changed, a
//! change the server cannot make reported as an error — while a consumer only binds to it. The
//! operators' files for `nats stream add --config` (infra/nats/streams/) are the same
//! declarations (`UPDATE_STREAM_FILES=1` rewrites them).

use std::time::Duration;

use async_nats::jetstream::stream;
use kit::{
    nats::{self, Reconciled},
    testing::NatsServer,
};

fn spec(name: &str) -> &'static contracts::StreamSpec {
    contracts::STREAMS.iter().find(|s| s.name == name).unwrap()
}

async fn js(server: &NatsServer) -> async_nats::jetstream::Context {
    nats::jetstream(nats::connect(&server.url(), "streams-test").await.unwrap())
}

/// A stream as an earlier release declared it: a shorter duplicate window, no age limit.
fn earlier(spec: &contracts::StreamSpec) -> stream::Config {
    stream::Config {
        name: spec.name.to_owned(),
        subjects: vec![spec.subjects.to_owned()],
        storage: stream::StorageType::File,
        duplicate_window: Duration::from_secs(120),
        ..Default::default()
    }
}

#[tokio::test]
async fn a_stream_is_created_or_updated_to_its_declaration_and_left_alone_when_it_matches() {
    let server = NatsServer::start().await;
    let js = js(&server).await;
    let aid = spec("AID");
    let (_, created) = nats::reconcile_stream(&js, nats::stream_config(aid, 1))
        .await
        .unwrap();
    assert_eq!(created, Reconciled::Created);

    let child = spec("CHILD");
    js.create_stream(earlier(child)).await.unwrap();
    let (mut stream, updated) = nats::reconcile_stream(&js, nats::stream_config(child, 1))
        .await
        .unwrap();
    let Reconciled::Updated(changes) = updated else {
        panic!("{updated:?}")
    };
    assert_eq!(changes.len(), 2, "{changes:?}");
    assert!(
        changes[0].starts_with("duplicate_window: 120s"),
        "{changes:?}"
    );
    assert!(changes[1].starts_with("max_age: 0ns"), "{changes:?}");
    let config = stream.info().await.unwrap().config.clone();
    assert_eq!(config.max_age, Duration::from_secs(400 * 24 * 3600));
    assert_eq!(config.duplicate_window, nats::DUPLICATE_WINDOW);

    let (_, again) = nats::reconcile_stream(&js, nats::stream_config(child, 1))
        .await
        .unwrap();
    assert_eq!(again, Reconciled::Unchanged);
}

#[tokio::test]
async fn a_change_the_server_cannot_make_is_reported_not_ignored() {
    let server = NatsServer::start().await;
    let js = js(&server).await;
    let elderly = spec("ELDERLY");
    js.create_stream(stream::Config {
        storage: stream::StorageType::Memory,
        ..earlier(elderly)
    })
    .await
    .unwrap();
    let refused = nats::ensure_stream(&js, elderly, 1).await.unwrap_err();
    assert!(
        refused.to_string().contains("storage is Memory"),
        "{refused}"
    );
}

#[tokio::test]
async fn a_consumer_binds_to_another_service_s_stream_without_changing_it() {
    let server = NatsServer::start().await;
    let js = js(&server).await;
    let village = spec("VILLAGE");
    js.create_stream(earlier(village)).await.unwrap();
    let mut bound = nats::bind_stream(&js, village, 1).await.unwrap();
    let config = bound.info().await.unwrap().config.clone();
    assert_eq!(config.duplicate_window, Duration::from_secs(120));
    assert_eq!(config.max_age, Duration::ZERO);
    // The partners' stream has no producing service: its consumers keep it as declared.
    let partner = spec("PARTNER");
    js.create_stream(earlier(partner)).await.unwrap();
    let mut kept = nats::bind_stream(&js, partner, 1).await.unwrap();
    assert_eq!(
        kept.info().await.unwrap().config.duplicate_window,
        nats::DUPLICATE_WINDOW
    );
}

#[tokio::test]
async fn a_durable_of_an_earlier_release_is_updated_where_jetstream_allows_and_reported_where_not()
{
    use async_nats::jetstream::consumer;
    let server = NatsServer::start().await;
    let js = js(&server).await;
    let stream = nats::ensure_stream(&js, spec("AID"), 1).await.unwrap();
    let subject = "aid.application.decided.v1";
    let durable = nats::durable_name("elderly-care", subject);
    stream
        .create_consumer(consumer::pull::Config {
            durable_name: Some(durable.clone()),
            filter_subject: subject.to_owned(),
            ack_policy: consumer::AckPolicy::Explicit,
            ack_wait: Duration::from_secs(30),
            max_deliver: -1,
            max_ack_pending: 100,
            ..Default::default()
        })
        .await
        .unwrap();
    let mut kept = nats::ensure_pull_consumer(&stream, &durable, subject, Duration::from_secs(5))
        .await
        .unwrap();
    let config = kept.info().await.unwrap().config.clone();
    assert_eq!(
        (config.ack_wait, config.max_ack_pending),
        (Duration::from_secs(5), 1_000)
    );
    // Another subject for the same durable: JetStream 2.9 cannot change the filter in place.
    let refused = nats::ensure_pull_consumer(
        &stream,
        &durable,
        "aid.application.submitted.v1",
        Duration::from_secs(5),
    )
    .await
    .expect_err("refused");
    assert!(refused.to_string().contains("filter_subject"), "{refused}");
}

#[test]
fn the_operators_stream_files_are_the_declarations() {
    let folder = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../infra/nats/streams");
    for (environment, replicas) in [("dev", 1), ("prod", 3)] {
        let dir = folder.join(environment);
        for spec in contracts::STREAMS {
            let path = dir.join(format!("{}.json", spec.name));
            let declared =
                serde_json::to_string_pretty(&nats::stream_config(spec, replicas)).unwrap() + "\n";
            if std::env::var("UPDATE_STREAM_FILES").is_ok_and(|v| v == "1") {
                std::fs::create_dir_all(&dir).unwrap();
                std::fs::write(&path, &declared).unwrap();
            }
            assert_eq!(
                std::fs::read_to_string(&path).ok().as_deref(),
                Some(declared.as_str()),
                "{} differs from contracts::STREAMS (UPDATE_STREAM_FILES=1 cargo test -p kit --test streams)",
                path.display()
            );
        }
        let files = std::fs::read_dir(&dir).unwrap().count();
        assert_eq!(
            files,
            contracts::STREAMS.len(),
            "{}: a file per stream",
            dir.display()
        );
    }
}
