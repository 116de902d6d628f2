//! The NATS configuration under infra/nats (and its copy in k8s/platform/nats): generated from the
//! contract, accepted by nats-server, and enforced — tested against a real nats-server started
//! with it.

mod support;

use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{Arc, Mutex},
    time::Duration,
};

use async_nats::jetstream::{self, consumer::pull};
use futures::StreamExt;
use kit::testing::{NatsServer, NatsTls, dev_password, eventually};
use partner_feeds::{nats_config, relay, settings::NatsSettings};
use serde_json::json;
use support::*;

fn nats_server_bin() -> PathBuf {
    if let Ok(bin) = std::env::var("NATS_SERVER_BIN") {
        return bin.into();
    }
    [
        "/usr/sbin/nats-server",
        "/usr/bin/nats-server",
        "/usr/local/bin/nats-server",
    ]
    .into_iter()
    .map(PathBuf::from)
    .find(|p| p.exists())
    .unwrap_or_else(|| "nats-server".into())
}

fn infra() -> PathBuf {
    repo().join("infra/nats")
}

fn read(path: &Path) -> String {
    std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

#[test]
fn the_accounts_configuration_is_generated_from_the_contract() {
    let channels = nats_config::channels(&asyncapi()).unwrap();
    let approvals = approvals();
    let rendered = nats_config::render(&channels, &approvals).unwrap();
    let copies = [
        infra().join("accounts.conf"),
        repo().join("k8s/platform/nats/base/accounts.conf"),
    ];
    if std::env::var("UPDATE_NATS_CONFIG").is_ok() {
        for path in &copies {
            std::fs::write(path, &rendered).unwrap();
        }
    }
    for path in &copies {
        assert!(
            std::fs::read_to_string(path).is_ok_and(|text| text == rendered),
            "{} is out of date: UPDATE_NATS_CONFIG=1 cargo test -p partner-feeds --test nats_security",
            path.display()
        );
    }
    // Every user has a development password, and the dev overlay of the cluster uses the same.
    let passwords = read(&infra().join("passwords.conf"));
    for user in nats_config::user_names(&channels, &approvals).unwrap() {
        let variable = nats_config::password_variable(&user);
        assert!(
            passwords
                .lines()
                .any(|l| l.starts_with(&format!("{variable}: \"$2"))),
            "infra/nats/passwords.conf has no bcrypt hash {variable} for {user}"
        );
    }
    assert_eq!(
        passwords,
        read(&repo().join("k8s/platform/nats/overlays/dev/passwords.conf"))
    );
}

#[test]
fn each_service_consumes_exactly_what_asyncapi_gives_it() {
    let channels = nats_config::channels(&asyncapi()).unwrap();
    let users = nats_config::mesh_users(&channels, &approvals()).unwrap();
    let village = &users["village-governance"];
    let pulls: Vec<&String> = village
        .publish
        .iter()
        .filter(|s| s.starts_with("$JS.API.CONSUMER.MSG.NEXT."))
        .collect();
    assert_eq!(
        pulls,
        ["$JS.API.CONSUMER.MSG.NEXT.AID.village-governance--aid-publicity-opened-v1",]
    );
    for (user, p) in users.iter().filter(|(u, _)| *u != nats_config::ADMIN_USER) {
        let contexts: Vec<&String> = p.publish.iter().filter(|s| !s.starts_with('$')).collect();
        let expected = match user.as_str() {
            "partner-feeds" => contexts.iter().all(|s| s.starts_with("feed.")),
            _ => contexts.len() == 1 && contexts[0].ends_with(".>"),
        };
        assert!(expected, "{user} publishes {contexts:?}");
        assert!(
            !p.publish
                .iter()
                .any(|s| s.contains("partner.") && !s.starts_with('$'))
        );
    }
}

/// `nats-server -t -c <file>` with `env`.
fn nats_test(config: &Path, env: &[(&str, &str)]) {
    let out = Command::new(nats_server_bin())
        .args(["-t", "-c"])
        .arg(config)
        .envs(env.iter().copied())
        .output()
        .expect("nats-server runs");
    assert!(
        out.status.success(),
        "{} refused: {}{}",
        config.display(),
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn nats_server_accepts_every_configuration() {
    nats_test(&infra().join("nats-server.conf"), &[]);
    let tls = NatsTls::new();
    nats_test(&tls.path("nats-server-tls.conf"), &[]);
    // The cluster's configuration, with its development passwords beside it as in the pod, and
    // its production variant with TLS.
    let dir = tempfile::tempdir().unwrap();
    let base = repo().join("k8s/platform/nats/base");
    for file in ["nats.conf", "cluster.conf", "accounts.conf"] {
        std::fs::copy(base.join(file), dir.path().join(file)).unwrap();
    }
    std::fs::copy(
        infra().join("passwords.conf"),
        dir.path().join("passwords.conf"),
    )
    .unwrap();
    nats_test(&dir.path().join("nats.conf"), &[("SERVER_NAME", "nats-0")]);
    let prod = read(&repo().join("k8s/platform/nats/overlays/prod/nats.conf"))
        .replace("/etc/nats/tls/", &format!("{}/", tls.dir().display()));
    std::fs::write(dir.path().join("nats.conf"), prod).unwrap();
    nats_test(&dir.path().join("nats.conf"), &[("SERVER_NAME", "nats-0")]);
}

/// A client of the secured server, recording what the server refused.
struct Client {
    client: async_nats::Client,
    js: jetstream::Context,
    errors: Arc<Mutex<Vec<String>>>,
}

async fn connect(url: &str, user: &str) -> Client {
    connect_with(url, user, async_nats::ConnectOptions::new())
        .await
        .expect("connects")
}

async fn connect_with(
    url: &str,
    user: &str,
    options: async_nats::ConnectOptions,
) -> Result<Client, async_nats::ConnectError> {
    let errors = Arc::new(Mutex::new(Vec::new()));
    let sink = errors.clone();
    let client = options
        // As kit connects: replies on the service's own inbox.
        .custom_inbox_prefix(format!("_INBOX.{user}"))
        .user_and_password(user.to_owned(), dev_password(user))
        .event_callback(move |event| {
            let sink = sink.clone();
            async move {
                if let async_nats::Event::ServerError(e) = event {
                    sink.lock().unwrap().push(e.to_string());
                }
            }
        })
        .connect(url)
        .await?;
    let mut js = jetstream::new(client.clone());
    js.set_timeout(Duration::from_secs(2));
    Ok(Client { client, js, errors })
}

impl Client {
    /// Waits until the server has refused something mentioning `subject`.
    async fn refused(&self, subject: &str) {
        let errors = self.errors.clone();
        eventually(
            &format!("the server refuses {subject}"),
            Duration::from_secs(5),
            || {
                let errors = errors.clone();
                async move {
                    errors
                        .lock()
                        .unwrap()
                        .iter()
                        .any(|e| {
                            e.to_lowercase().contains("permissions violation")
                                && e.contains(subject)
                        })
                        .then_some(())
                }
            },
        )
        .await;
    }
}

async fn secured() -> NatsServer {
    NatsServer::start_with(vec![
        "-c".into(),
        infra().join("nats-server.conf").display().to_string(),
    ])
    .await
}

async fn stream_len(js: &jetstream::Context, name: &str) -> u64 {
    js.get_stream(name)
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages
}

#[tokio::test]
async fn a_service_publishes_its_own_context_and_is_refused_outside_it() {
    let server = secured().await;
    let aid = connect(&server.url(), "aid-applications").await;
    let disability = connect(&server.url(), "disability-subsidies").await;
    kit::nats::ensure_stream(&aid.js, contracts::stream_for("aid.x").unwrap(), 1)
        .await
        .unwrap();
    kit::nats::ensure_stream(
        &disability.js,
        contracts::stream_for("disability.x").unwrap(),
        1,
    )
    .await
    .unwrap();

    let data = example("aid.application.submitted.v1");
    aid.js
        .publish("aid.application.submitted.v1", data.to_string().into())
        .await
        .unwrap()
        .await
        .expect("its own subject is acknowledged");
    let foreign = aid
        .js
        .publish(
            "disability.subsidy.granted.v1",
            example("disability.subsidy.granted.v1").to_string().into(),
        )
        .await
        .unwrap();
    assert!(
        foreign.await.is_err(),
        "no acknowledgement for another context's subject"
    );
    aid.refused("disability.subsidy.granted.v1").await;
    aid.client
        .publish("partner.civil-registry.death.recorded.v1", "{}".into())
        .await
        .unwrap();
    aid.refused("partner.civil-registry.death.recorded.v1")
        .await;
    assert_eq!(stream_len(&disability.js, "DISABILITY").await, 0);
    // Nor may it declare another context's stream.
    assert!(
        aid.js
            .create_stream(jetstream::stream::Config {
                name: "MINOR".into(),
                subjects: vec!["minor.>".into()],
                ..Default::default()
            })
            .await
            .is_err()
    );
    aid.refused("$JS.API.STREAM.CREATE.MINOR").await;
}

#[tokio::test]
async fn a_service_consumes_only_what_asyncapi_gives_it() {
    let server = secured().await;
    let aid = connect(&server.url(), "aid-applications").await;
    let elderly = connect(&server.url(), "elderly-care").await;
    let subject = "aid.enrollment.started.v1";
    let stream = kit::nats::ensure_stream(&elderly.js, contracts::stream_for(subject).unwrap(), 1)
        .await
        .expect("a consumer may declare the stream it consumes");
    aid.js
        .publish(subject, example(subject).to_string().into())
        .await
        .unwrap()
        .await
        .unwrap();
    let durable = kit::nats::durable_name("elderly-care", subject);
    let consumer =
        kit::nats::ensure_pull_consumer(&stream, &durable, subject, Duration::from_secs(5))
            .await
            .expect("its own durable consumer");
    let mut batch = consumer.fetch().max_messages(1).messages().await.unwrap();
    let message = batch.next().await.expect("a message").unwrap();
    message.double_ack().await.expect("acknowledged");

    // A subject asyncapi does not give it, even under a durable name of its own making.
    kit::nats::ensure_stream(&aid.js, contracts::stream_for("partner.x").unwrap(), 1)
        .await
        .unwrap();
    let partner = elderly
        .js
        .get_stream("PARTNER")
        .await
        .expect("a stream it consumes from");
    let other = "partner.dpf.certificate.issued.v1";
    let refused = kit::nats::ensure_pull_consumer(
        &partner,
        &kit::nats::durable_name("elderly-care", other),
        other,
        Duration::from_secs(5),
    )
    .await;
    assert!(refused.is_err());
    elderly.refused("$JS.API.CONSUMER").await;
    // Another service's consumer cannot be pulled from either.
    let before = elderly.errors.lock().unwrap().len();
    elderly
        .client
        .publish(
            format!(
                "$JS.API.CONSUMER.MSG.NEXT.PARTNER.aid-applications--{}",
                other.replace('.', "-")
            ),
            "1".into(),
        )
        .await
        .unwrap();
    elderly
        .refused("$JS.API.CONSUMER.MSG.NEXT.PARTNER.aid-applications")
        .await;
    assert!(elderly.errors.lock().unwrap().len() > before);
    // And no raw subscription to a stream's subjects.
    let _sub = elderly.client.subscribe("partner.>").await.unwrap();
    elderly.refused("partner.>").await;
    // Nor to another service's replies.
    let _inbox = elderly
        .client
        .subscribe("_INBOX.aid-applications.>")
        .await
        .unwrap();
    elderly.refused("_INBOX.aid-applications.>").await;
}

#[tokio::test]
async fn partners_pull_only_their_own_feed_and_cannot_publish_on_it() {
    let server = secured().await;
    let relay_running = start_relay(settings(NatsSettings {
        url: server.url(),
        user: Some("partner-feeds".into()),
        password: Some(dev_password("partner-feeds")),
        ..Default::default()
    }))
    .await;
    let aid = connect(&server.url(), "aid-applications").await;
    kit::nats::ensure_stream(&aid.js, contracts::stream_for("aid.x").unwrap(), 1)
        .await
        .unwrap();
    let subject = "aid.enrollment.started.v1";
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("ce-id", "0190f3c8-0c1d-7e2f-8a3b-4c5d6e7f8091");
    headers.insert("Nats-Msg-Id", "0190f3c8-0c1d-7e2f-8a3b-4c5d6e7f8091");
    aid.js
        .publish_with_headers(subject, headers, example(subject).to_string().into())
        .await
        .unwrap()
        .await
        .unwrap();

    // The health-insurance bureau pulls its feed through its own account, where the mesh's
    // JetStream API is imported under a prefix.
    let hib = connect(&server.url(), "medical-insurance").await;
    let hib_js = jetstream::with_prefix(hib.client.clone(), nats_config::PARTNER_JS_PREFIX);
    let consumer: jetstream::consumer::Consumer<pull::Config> = hib_js
        .get_consumer_from_stream("medical-insurance", relay::feed_stream("medical-insurance"))
        .await
        .expect("its feed consumer is reachable");
    let message = eventually("the feed message", Duration::from_secs(10), || {
        let consumer = consumer.clone();
        async move {
            let mut batch = consumer.fetch().max_messages(1).messages().await.ok()?;
            batch.next().await?.ok()
        }
    })
    .await;
    assert_eq!(
        message.subject.as_str(),
        "feed.medical-insurance.aid.enrollment.started.v1"
    );
    let body: serde_json::Value = serde_json::from_slice(&message.payload).unwrap();
    assert_eq!(body["programme"], json!("dibao"));
    message
        .double_ack()
        .await
        .expect("the partner acknowledges");

    // It cannot publish on its feed, nor anywhere else.
    let feed = "feed.medical-insurance.aid.enrollment.started.v1";
    hib.client.publish(feed, "{}".into()).await.unwrap();
    hib.refused(feed).await;
    hib.client
        .publish("aid.enrollment.started.v1", "{}".into())
        .await
        .unwrap();
    hib.refused("aid.enrollment.started.v1").await;
    let admin = &relay_running.client;
    let feed_len = jetstream::new(admin.clone())
        .get_stream(relay::feed_stream("medical-insurance"))
        .await
        .unwrap()
        .info()
        .await
        .unwrap()
        .state
        .messages;
    assert_eq!(feed_len, 1);
    // Nor reach another partner's feed, nor create anything.
    let dpf_next = format!(
        "{}.CONSUMER.MSG.NEXT.FEED_DPF.dpf",
        nats_config::PARTNER_JS_PREFIX
    );
    hib.client
        .publish(dpf_next.clone(), "1".into())
        .await
        .unwrap();
    hib.refused(&dpf_next).await;
    assert!(
        hib_js
            .get_consumer_from_stream::<pull::Config, _, _>("dpf", "FEED_DPF")
            .await
            .is_err()
    );
    hib.client
        .publish("$JS.API.STREAM.CREATE.FEED_MEDICAL_INSURANCE", "{}".into())
        .await
        .unwrap();
    hib.refused("$JS.API.STREAM.CREATE.FEED_MEDICAL_INSURANCE")
        .await;
    relay_running.stop().await;
}

#[tokio::test]
async fn an_agency_publishes_only_its_own_facts_with_acknowledgements() {
    let server = secured().await;
    let aid = connect(&server.url(), "aid-applications").await;
    kit::nats::ensure_stream(&aid.js, contracts::stream_for("partner.x").unwrap(), 1)
        .await
        .unwrap();
    let registry = connect(&server.url(), "civil-registry").await;
    let subject = "partner.civil-registry.death.recorded.v1";
    let mut headers = async_nats::HeaderMap::new();
    headers.insert("Nats-Msg-Id", "death-1");
    let ack = registry
        .js
        .publish_with_headers(subject, headers, example(subject).to_string().into())
        .await
        .unwrap()
        .await
        .expect("the registry's fact is stored and acknowledged");
    assert_eq!(ack.stream, "PARTNER");
    assert_eq!(stream_len(&aid.js, "PARTNER").await, 1);

    let other = "partner.dpf.certificate.issued.v1";
    registry.client.publish(other, "{}".into()).await.unwrap();
    registry.refused(other).await;
    // A feed-only agency publishes no facts at all.
    let hib = connect(&server.url(), "medical-insurance").await;
    hib.client
        .publish("partner.medical-insurance.anything.v1", "{}".into())
        .await
        .unwrap();
    hib.refused("partner.medical-insurance.anything.v1").await;
    assert_eq!(stream_len(&aid.js, "PARTNER").await, 1);
}

#[tokio::test]
async fn a_wrong_password_is_refused() {
    let server = secured().await;
    let result = async_nats::ConnectOptions::with_user_and_password(
        "aid-applications".into(),
        "guess".into(),
    )
    .connect(server.url())
    .await;
    assert!(result.is_err());
    let result = async_nats::connect(server.url()).await;
    assert!(result.is_err(), "no anonymous access");
}

#[tokio::test]
async fn the_tls_variant_requires_a_client_certificate_from_the_mesh_ca() {
    let tls = NatsTls::new();
    let server = NatsServer::start_with(vec![
        "-c".into(),
        tls.path("nats-server-tls.conf").display().to_string(),
    ])
    .await;
    let url = format!("tls://127.0.0.1:{}", server.port);
    let with_cert = async_nats::ConnectOptions::new()
        .add_root_certificates(tls.path("ca.crt"))
        .add_client_certificate(tls.path("client.crt"), tls.path("client.key"))
        .require_tls(true);
    let aid = connect_with(&url, "aid-applications", with_cert)
        .await
        .expect("mutual TLS");
    let stream =
        kit::nats::ensure_stream(&aid.js, contracts::stream_for("aid.x").unwrap(), 1).await;
    assert!(stream.is_ok());

    let without_cert = async_nats::ConnectOptions::new()
        .add_root_certificates(tls.path("ca.crt"))
        .require_tls(true);
    assert!(
        connect_with(&url, "aid-applications", without_cert)
            .await
            .is_err()
    );
    let plain = format!("nats://127.0.0.1:{}", server.port);
    assert!(
        connect_with(
            &plain,
            "aid-applications",
            async_nats::ConnectOptions::new()
        )
        .await
        .is_err()
    );

    // The relay connects the same way.
    let relay_client = relay::connect(&NatsSettings {
        url: url.clone(),
        user: Some("partner-feeds".into()),
        password: Some(dev_password("partner-feeds")),
        ca_file: Some(tls.path("ca.crt")),
        cert_file: Some(tls.path("client.crt")),
        key_file: Some(tls.path("client.key")),
    })
    .await
    .unwrap();
    eventually(
        "the relay is connected over TLS",
        Duration::from_secs(5),
        || {
            let c = relay_client.clone();
            async move {
                (c.connection_state() == async_nats::connection::State::Connected).then_some(())
            }
        },
    )
    .await;
}

#[tokio::test]
async fn kit_connects_a_service_that_gets_its_replies_on_its_own_inbox() {
    let server = secured().await;
    let credentials = kit::nats::Credentials {
        user: Some("aid-applications".into()),
        password: Some(dev_password("aid-applications")),
        ..Default::default()
    };
    let client = kit::nats::connect_with(&server.url(), "aid-applications", &credentials)
        .await
        .unwrap();
    let js = kit::nats::jetstream(client);
    kit::nats::ensure_stream(&js, contracts::stream_for("aid.x").unwrap(), 1)
        .await
        .expect("the JetStream API answers on the service's own inbox");
    let subject = "aid.application.submitted.v1";
    js.publish(subject, example(subject).to_string().into())
        .await
        .unwrap()
        .await
        .expect("the PubAck comes back on the service's own inbox");
}
