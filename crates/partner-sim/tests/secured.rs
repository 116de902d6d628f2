//! The reference client against the real security: nats-server runs the generated accounts
//! (`infra/nats`) with TLS and client certificates, a service's account creates the mesh's
//! streams as at its start, and the partner-feeds relay fills the feeds. Every `partner-sim`
//! command runs as its agency with that agency's credentials; what the accounts forbid (another
//! agency's facts, another agency's feed) is refused and changes nothing.

use std::{process::Output, time::Duration};

use async_nats::jetstream;
use chrono::NaiveDate;
use kit::testing::{NatsServer, NatsTls, dev_password, eventually};
use partner_feeds::{
    Settings,
    approvals::Approvals,
    pseudonym::FeedKey,
    settings::{NatsSettings, development_key},
};
use partner_sim::synthetic_id_number;
use serde_json::Value;
use uuid::Uuid;

struct Secured {
    tls: NatsTls,
    url: String,
    /// aid-applications' connection: it publishes the mesh's events.
    mesh: jetstream::Context,
    /// The operators' account, which reads the streams to check what was stored.
    admin: jetstream::Context,
    relay: partner_feeds::Running,
    server: NatsServer,
}

impl Secured {
    async fn start() -> Self {
        let tls = NatsTls::new();
        let server = NatsServer::start_with(vec![
            "-c".into(),
            tls.path("nats-server-tls.conf").display().to_string(),
        ])
        .await;
        let url = format!("tls://127.0.0.1:{}", server.port);
        let credentials = |user: &str| kit::nats::Credentials {
            user: Some(user.to_owned()),
            password: Some(dev_password(user)),
            ca_file: Some(tls.path("ca.crt")),
            cert_file: Some(tls.path("client.crt")),
            key_file: Some(tls.path("client.key")),
        };
        // The mesh's side: aid-applications creates the streams it uses when it starts.
        let aid =
            kit::nats::connect_with(&url, "aid-applications", &credentials("aid-applications"))
                .await
                .expect("aid-applications connects");
        let mesh = kit::nats::jetstream(aid);
        for subject in ["partner.x", "aid.x"] {
            kit::nats::ensure_stream(&mesh, contracts::stream_for(subject).unwrap(), 1)
                .await
                .expect("a stream");
        }
        let admin = kit::nats::jetstream(
            kit::nats::connect_with(
                &url,
                partner_feeds::nats_config::ADMIN_USER,
                &credentials(partner_feeds::nats_config::ADMIN_USER),
            )
            .await
            .expect("the operators' account connects"),
        );
        let relay_user = credentials("partner-feeds");
        let approvals = Approvals::load(
            &std::path::PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("../../k8s/services/partner-feeds/base/approvals.yaml"),
        )
        .expect("the approvals");
        let keys = approvals
            .partners
            .keys()
            .map(|p| {
                (
                    p.clone(),
                    FeedKey::new(p, development_key(p).into_bytes()).unwrap(),
                )
            })
            .collect();
        let relay = partner_feeds::start(Settings {
            http_addr: "127.0.0.1:0".parse().unwrap(),
            nats: NatsSettings {
                url: url.clone(),
                user: relay_user.user,
                password: relay_user.password,
                ca_file: relay_user.ca_file,
                cert_file: relay_user.cert_file,
                key_file: relay_user.key_file,
            },
            approvals,
            keys,
            stream_replicas: 1,
            feed_max_age: Duration::from_secs(86_400),
            ack_wait: Duration::from_secs(5),
            log_json: false,
            log_filter: "warn".into(),
        })
        .await
        .expect("the relay starts");
        Self {
            tls,
            url,
            mesh,
            admin,
            relay,
            server,
        }
    }

    /// Runs `partner-sim args` logged in as `user`, over TLS with the client certificate.
    async fn run(&self, user: &str, args: &[&str]) -> Output {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_partner-sim"));
        command
            .args(args)
            .env("NATS_URL", &self.url)
            .env("NATS_USER", user)
            .env("NATS_PASSWORD", dev_password(user))
            .env("NATS_CA_FILE", self.tls.path("ca.crt"))
            .env("NATS_CERT_FILE", self.tls.path("client.crt"))
            .env("NATS_KEY_FILE", self.tls.path("client.key"));
        tokio::task::spawn_blocking(move || command.output().expect("partner-sim runs"))
            .await
            .unwrap()
    }

    /// Publishes the schema's example on `subject` as its producing service would; returns the
    /// example.
    async fn publish_event(&self, subject: &str) -> Value {
        self.try_publish_event(subject)
            .await
            .expect("the event is stored")
    }

    /// The same, `None` when it is not acknowledged (the server away).
    async fn try_publish_event(&self, subject: &str) -> Option<Value> {
        let event = Uuid::now_v7().to_string();
        let mut headers = async_nats::HeaderMap::new();
        headers.insert("Nats-Msg-Id", event.as_str());
        headers.insert("ce-specversion", "1.0");
        headers.insert("ce-id", event.as_str());
        headers.insert("ce-source", "aid-applications");
        headers.insert("ce-type", subject);
        headers.insert("ce-time", kit::clock::now().to_rfc3339().as_str());
        let example = contracts::schema(subject).unwrap()["examples"][0].clone();
        self.mesh
            .publish_with_headers(subject.to_owned(), headers, example.to_string().into())
            .await
            .ok()?
            .await
            .ok()?;
        Some(example)
    }

    /// The environment of a partner's program logged in as `user` over TLS.
    fn partner_env(&self, user: &str) -> Vec<(String, String)> {
        [
            ("NATS_URL", self.url.clone()),
            ("NATS_USER", user.to_owned()),
            ("NATS_PASSWORD", dev_password(user)),
            ("AGENCY", user.to_owned()),
            (
                "NATS_CA_FILE",
                self.tls.path("ca.crt").display().to_string(),
            ),
            (
                "NATS_CERT_FILE",
                self.tls.path("client.crt").display().to_string(),
            ),
            (
                "NATS_KEY_FILE",
                self.tls.path("client.key").display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v))
        .collect()
    }

    async fn partner_messages(&self) -> Vec<async_nats::jetstream::message::StreamMessage> {
        let stream = self.admin.get_stream("PARTNER").await.unwrap();
        let count = stream.get_info().await.unwrap().state.messages;
        let mut messages = Vec::new();
        for sequence in 1..=count {
            messages.push(stream.get_raw_message(sequence).await.unwrap());
        }
        messages
    }
}

fn stdout(output: &Output) -> String {
    assert!(
        output.status.success(),
        "partner-sim failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout).trim().to_owned()
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn each_command_publishes_as_its_agency_over_tls_and_nothing_else_is_accepted() {
    let mesh = Secured::start().await;
    let person = synthetic_id_number("500112", day(1950, 6, 1), 4);
    let (request, application, household) = (Uuid::now_v7(), Uuid::now_v7(), Uuid::now_v7());
    let (request, application, household) = (
        request.to_string(),
        application.to_string(),
        household.to_string(),
    );
    let (batch, line) = (Uuid::now_v7().to_string(), Uuid::now_v7().to_string());
    let commands: [(&str, Vec<&str>); 5] = [
        (
            "civil-registry",
            vec!["death", &person, "2026-11-20", "500112016"],
        ),
        (
            "dpf",
            vec![
                "certificate",
                &person,
                "physical",
                "2",
                "2026-01-05",
                "500112016",
            ],
        ),
        (
            "verification",
            vec![
                "verification",
                &request,
                &application,
                &household,
                "120000",
                "true",
            ],
        ),
        (
            "bank",
            vec![
                "bank-return",
                "aid",
                &batch,
                &line,
                "50000",
                "account_closed",
            ],
        ),
        ("rural", vec!["flag", &person, "500112016001", "illness"]),
    ];
    for (agency, args) in &commands {
        let id = stdout(&mesh.run(agency, args).await);
        let stored = mesh.partner_messages().await;
        let message = stored
            .iter()
            .find(|m| m.headers.get("ce-id").map(|v| v.as_str()) == Some(id.as_str()))
            .unwrap_or_else(|| panic!("{agency}: {id} is not in the PARTNER stream"));
        assert_eq!(
            message.headers.get("ce-source").unwrap().as_str(),
            format!("partner.{agency}")
        );
        let subject = message.subject.to_string();
        let body: Value = serde_json::from_slice(&message.payload).unwrap();
        contracts::validate(&subject, &body).expect("the fact matches its schema");
        // partner-sim stamps ce-time with this machine's clock, so the check receives on it too.
        kit::envelope::headers(&subject, Some(&message.headers), chrono::Utc::now())
            .expect("the envelope a consumer accepts");
    }
    assert_eq!(mesh.partner_messages().await.len(), commands.len());

    // The dpf's account may not publish the civil registry's facts: the server refuses it.
    let refused = mesh
        .run("dpf", &["death", &person, "2026-11-20", "500112016"])
        .await;
    assert!(
        !refused.status.success(),
        "a death published with the dpf's account"
    );
    // The tool refuses to publish a fact as an agency that is not its source.
    let refused = mesh
        .run("civil-registry", &["certificate", &person, "physical", "2"])
        .await;
    assert!(!refused.status.success());
    // A wrong password is refused at the door.
    let mut stranger = std::process::Command::new(env!("CARGO_BIN_EXE_partner-sim"));
    stranger
        .args(["death", &person, "2026-11-20"])
        .env("NATS_URL", &mesh.url)
        .env("NATS_USER", "civil-registry")
        .env("NATS_PASSWORD", "guess")
        .env("NATS_CA_FILE", mesh.tls.path("ca.crt"))
        .env("NATS_CERT_FILE", mesh.tls.path("client.crt"))
        .env("NATS_KEY_FILE", mesh.tls.path("client.key"));
    let refused = tokio::task::spawn_blocking(move || stranger.output().unwrap())
        .await
        .unwrap();
    assert!(!refused.status.success());
    assert_eq!(mesh.partner_messages().await.len(), commands.len());
    mesh.relay.stop().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_agency_reads_and_acknowledges_its_own_feed_and_cannot_read_another() {
    let mesh = Secured::start().await;
    let subject = "aid.enrollment.started.v1";
    let example = mesh.publish_event(subject).await;

    let line = eventually(
        "the event in the medical-insurance feed",
        Duration::from_secs(20),
        || async {
            let out = mesh
                .run(
                    "medical-insurance",
                    &["feed", "medical-insurance", "1", "2"],
                )
                .await;
            let text = stdout(&out);
            (!text.is_empty()).then_some(text)
        },
    )
    .await;
    let message: Value = serde_json::from_str(&line).expect("a JSON line");
    assert_eq!(
        message["subject"],
        "feed.medical-insurance.aid.enrollment.started.v1"
    );
    assert_eq!(message["headers"]["ce-type"], subject);
    let feed_id = message["headers"]["ce-id"].as_str().expect("a ce-id");
    assert!(
        Uuid::parse_str(feed_id).is_ok(),
        "the feed's ce-id is a UUID (the agency's own id for the event)"
    );
    assert_eq!(message["data"]["programme"], example["programme"]);
    // Only the fields the bureau approved for this agency (k8s/.../approvals.yaml).
    let approved = [
        "programme",
        "residence",
        "support_mode",
        "township_code",
        "start_month",
        "confirmed_on",
        "enrollment_id",
        "beneficiaries",
    ];
    for field in message["data"].as_object().expect("an object").keys() {
        assert!(approved.contains(&field.as_str()), "{field} is in the feed");
    }
    // Acknowledged: it does not come again.
    let again = mesh
        .run(
            "medical-insurance",
            &["feed", "medical-insurance", "1", "1"],
        )
        .await;
    assert_eq!(stdout(&again), "");
    // Another agency's feed is out of reach with this account.
    let other = mesh
        .run("medical-insurance", &["feed", "dpf", "1", "1"])
        .await;
    assert!(
        !other.status.success(),
        "the dpf feed read by medical-insurance"
    );
    mesh.relay.stop().await;
}

/// How an example program is started: the program and the arguments before the example's own.
#[derive(Clone)]
struct Program {
    program: std::path::PathBuf,
    args: Vec<String>,
    dir: std::path::PathBuf,
}

impl Program {
    fn command(&self, args: &[&str], env: Vec<(String, String)>) -> tokio::process::Command {
        let mut command = tokio::process::Command::new(&self.program);
        command
            .args(&self.args)
            .args(args)
            .current_dir(&self.dir)
            .envs(env)
            .kill_on_drop(true);
        command
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_python_examples_read_a_feed_across_a_server_restart_and_publish_a_fact() {
    let python = partner_sim::examples::python();
    let program = |script: &str| Program {
        program: python.clone(),
        args: vec![script.to_owned()],
        dir: partner_sim::examples::python_dir(),
    };
    examples_scenario(
        program("feed_consumer.py"),
        program("publish_fact.py"),
        &["--max"],
    )
    .await;
}

/// A Rust example of partner-sim (`examples/partners/rust`, built by the test build).
fn rust_example(name: &str) -> Program {
    let exe = std::env::current_exe().unwrap();
    let examples = exe
        .parent()
        .and_then(|d| d.parent())
        .unwrap()
        .join("examples");
    let program = examples.join(name);
    assert!(
        program.exists(),
        "{} is built by the test build",
        program.display()
    );
    Program {
        program,
        args: Vec::new(),
        dir: std::env::temp_dir(),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_rust_examples_read_a_feed_across_a_server_restart_and_publish_a_fact() {
    examples_scenario(
        rust_example("partner_feed_consumer"),
        rust_example("partner_publish_fact"),
        &[],
    )
    .await;
}

/// A feed consumer reads two events across a restart of the server and acknowledges them; the
/// fact publisher's fact is stored with an envelope the mesh accepts; another agency's fact is
/// refused. `max` is how the consumer is told to stop after two (`--max` or nothing before 2).
async fn examples_scenario(consumer_program: Program, publisher: Program, max: &[&str]) {
    use tokio::io::AsyncBufReadExt;
    let mut mesh = Secured::start().await;
    let subject = "aid.enrollment.started.v1";
    mesh.publish_event(subject).await;

    let mut args = max.to_vec();
    args.push("2");
    let mut consumer = consumer_program
        .command(&args, mesh.partner_env("medical-insurance"))
        .stdout(std::process::Stdio::piped())
        .spawn()
        .expect("the consumer runs");
    let mut lines = tokio::io::BufReader::new(consumer.stdout.take().unwrap()).lines();
    let next = async |lines: &mut tokio::io::Lines<_>| -> Value {
        let line = tokio::time::timeout(Duration::from_secs(60), lines.next_line())
            .await
            .expect("a feed message within a minute")
            .unwrap()
            .expect("a line");
        serde_json::from_str(&line).expect("a JSON line")
    };
    let first = next(&mut lines).await;
    assert_eq!(
        first["subject"],
        "feed.medical-insurance.aid.enrollment.started.v1"
    );

    // Once the first is acknowledged, the server goes away and comes back; the consumer
    // reconnects and reads the next event.
    let feed = mesh
        .admin
        .get_stream(partner_sim::feed_stream("medical-insurance"))
        .await
        .unwrap();
    eventually(
        "the first acknowledged",
        Duration::from_secs(30),
        || async {
            let mut consumer: async_nats::jetstream::consumer::PullConsumer =
                feed.get_consumer("medical-insurance").await.ok()?;
            let info = consumer.info().await.ok()?;
            (info.num_ack_pending == 0 && info.ack_floor.stream_sequence >= 1).then_some(())
        },
    )
    .await;
    mesh.server.kill();
    mesh.server.resume().await;
    eventually(
        "the mesh publishes again after the restart",
        Duration::from_secs(30),
        || mesh.try_publish_event(subject),
    )
    .await;
    let second = next(&mut lines).await;
    assert_eq!(second["subject"], first["subject"]);
    assert!(second["sequence"].as_u64() > first["sequence"].as_u64());
    let status = tokio::time::timeout(Duration::from_secs(30), consumer.wait())
        .await
        .expect("the consumer stops after two")
        .unwrap();
    assert!(status.success());
    // Both were acknowledged: the feed has nothing left for the agency.
    let again = mesh
        .run(
            "medical-insurance",
            &["feed", "medical-insurance", "1", "1"],
        )
        .await;
    assert_eq!(stdout(&again), "");

    // A fact published by the example as the civil registry is stored with an envelope the mesh
    // accepts.
    let fact = "partner.civil-registry.death.recorded.v1";
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(
        body.path(),
        contracts::schema(fact).unwrap()["examples"][0].to_string(),
    )
    .unwrap();
    let published = publisher
        .command(
            &[fact, body.path().to_str().unwrap()],
            mesh.partner_env("civil-registry"),
        )
        .output()
        .await
        .unwrap();
    let answer: Value = serde_json::from_str(&stdout(&published)).expect("a JSON answer");
    assert_eq!(answer["stream"], "PARTNER");
    let stored = mesh.partner_messages().await;
    let message = stored
        .iter()
        .find(|m| m.headers.get("ce-id").map(|v| v.as_str()) == answer["ce_id"].as_str())
        .expect("the fact in the PARTNER stream");
    // The example stamps ce-time with this machine's clock, so the check receives on it too.
    kit::envelope::headers(fact, Some(&message.headers), chrono::Utc::now())
        .expect("an envelope the consuming service accepts");
    contracts::validate(fact, &serde_json::from_slice(&message.payload).unwrap()).unwrap();
    // And a fact of another agency is refused by the server: no acknowledgement, nothing stored.
    let as_dpf = mesh
        .partner_env("civil-registry")
        .into_iter()
        .map(|(k, v)| {
            if k == "AGENCY" {
                (k, "dpf".to_owned())
            } else {
                (k, v)
            }
        })
        .collect();
    let refused = publisher
        .command(
            &[
                "partner.dpf.certificate.issued.v1",
                body.path().to_str().unwrap(),
            ],
            as_dpf,
        )
        .output()
        .await
        .unwrap();
    assert!(!refused.status.success());
    assert_eq!(mesh.partner_messages().await.len(), 1);
    mesh.relay.stop().await;
}

#[test]
fn the_client_names_the_feed_and_the_api_prefix_as_the_mesh_does() {
    assert_eq!(
        partner_sim::MESH_JS_PREFIX,
        partner_feeds::nats_config::PARTNER_JS_PREFIX
    );
    for agency in ["human-resources", "dpf"] {
        assert_eq!(
            partner_sim::feed_stream(agency),
            partner_feeds::relay::feed_stream(agency)
        );
    }
}
