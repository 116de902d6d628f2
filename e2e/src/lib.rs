//! The e2e harness: starts NATS (a server of its own, so faults can be injected) and every service
//! as a separate process from its built binary, each with its own PostgreSQL database; waits on
//! `/readyz`; offers only what a black-box client has — the REST edges, the NATS subjects, and the
//! partner simulator. It never opens a service's database.

use std::{
    collections::BTreeMap,
    path::PathBuf,
    process::{Child, Command, Stdio},
    time::Duration,
};

use async_nats::jetstream;
use contracts::Event;
use kit::{
    Role,
    testing::{NatsServer, TestDatabase, eventually, nats_server::free_port},
};
use partner_sim::Partner;
use serde_json::Value;

/// The six services in DESIGN order.
pub const SERVICES: [&str; 6] = [
    "aid-applications",
    "disability-subsidies",
    "child-welfare",
    "elderly-care",
    "minor-protection",
    "village-governance",
];

/// How long a flow may take to show its effect.
pub const PATIENCE: Duration = Duration::from_secs(30);

struct Process {
    port: u16,
    database_url: String,
    log: PathBuf,
    child: Option<Child>,
}

/// A running mesh.
pub struct Mesh {
    pub nats: NatsServer,
    pub http: reqwest::Client,
    pub js: jetstream::Context,
    bin_dir: PathBuf,
    logs: tempfile::TempDir,
    processes: BTreeMap<&'static str, Process>,
}

fn bin_dir() -> PathBuf {
    // Test binaries live in target/<profile>/deps; service binaries in target/<profile>.
    let exe = std::env::current_exe().expect("test binary path");
    let dir = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("target directory")
        .to_path_buf();
    for name in SERVICES {
        assert!(
            dir.join(name).exists(),
            "{name} is not built in {}: run the e2e suite through `cargo nextest run --workspace` (it builds every binary)",
            dir.display()
        );
    }
    dir
}

impl Mesh {
    /// Starts NATS and all six services, and waits until every one is ready.
    pub async fn start() -> Self {
        let nats = NatsServer::start().await;
        let js = kit::nats::jetstream(kit::nats::connect(&nats.url(), "e2e").await.expect("NATS"));
        let mut mesh = Self {
            nats,
            http: reqwest::Client::new(),
            js,
            bin_dir: bin_dir(),
            logs: tempfile::tempdir().expect("log dir"),
            processes: BTreeMap::new(),
        };
        for name in SERVICES {
            let database_url = TestDatabase::create().await.url;
            let log = mesh.logs.path().join(format!("{name}.log"));
            mesh.processes.insert(
                name,
                Process {
                    port: free_port(),
                    database_url,
                    log,
                    child: None,
                },
            );
        }
        for name in SERVICES {
            mesh.spawn(name);
        }
        for name in SERVICES {
            mesh.wait_ready(name).await;
        }
        mesh
    }

    fn spawn(&mut self, name: &str) {
        let nats_url = self.nats.url();
        let bin = self.bin_dir.join(name);
        let p = self.processes.get_mut(name).expect("known service");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&p.log)
            .expect("log file");
        let child = Command::new(bin)
            .env("PORT", p.port.to_string())
            .env("DATABASE_URL", &p.database_url)
            .env("NATS_URL", nats_url)
            .env("RELAY_POLL_MS", "20")
            .env("CONSUMER_ACK_WAIT_MS", "2000")
            .env("RUST_LOG", "warn")
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        p.child = Some(child);
    }

    async fn wait_ready(&self, name: &str) {
        let url = format!("{}/readyz", self.url(name));
        let http = self.http.clone();
        let log = self.processes[name].log.clone();
        let ready = tokio::time::timeout(Duration::from_secs(60), async {
            loop {
                if let Ok(r) = http.get(&url).send().await {
                    if r.status().is_success() {
                        return;
                    }
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        if ready.is_err() {
            panic!(
                "{name} not ready; its log:\n{}",
                std::fs::read_to_string(log).unwrap_or_default()
            );
        }
    }

    /// `http://127.0.0.1:<port>` of a service.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}", self.processes[name].port)
    }

    /// Kills a service with SIGKILL (no chance to finish anything).
    pub fn kill(&mut self, name: &str) {
        if let Some(mut child) = self.processes.get_mut(name).and_then(|p| p.child.take()) {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a killed service again on the same port and database, and waits until it is ready.
    pub async fn restart(&mut self, name: &str) {
        self.kill(name);
        self.spawn(name);
        self.wait_ready(name).await;
    }

    /// A development token.
    pub fn token(role: Role, division: &str) -> String {
        kit::testing::TestApp::token(role, division)
    }

    /// A development token for a named staff member.
    pub fn token_for(subject: &str, role: Role, division: &str) -> String {
        kit::testing::TestApp::token_for(subject, role, division)
    }

    /// GET on a service; status and JSON body.
    pub async fn get(&self, service: &str, path: &str, token: &str) -> (u16, Value) {
        let r = self
            .http
            .get(format!("{}{path}", self.url(service)))
            .bearer_auth(token)
            .send()
            .await
            .expect("GET");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// POST JSON with a fresh Idempotency-Key; status and JSON body.
    pub async fn post(&self, service: &str, path: &str, token: &str, body: &Value) -> (u16, Value) {
        let r = self
            .http
            .post(format!("{}{path}", self.url(service)))
            .bearer_auth(token)
            .header("Idempotency-Key", uuid::Uuid::now_v7().to_string())
            .json(body)
            .send()
            .await
            .expect("POST");
        (r.status().as_u16(), r.json().await.unwrap_or(Value::Null))
    }

    /// A partner agency's connection (the simulator).
    pub async fn partner(&self, agency: &str) -> Partner {
        Partner::connect(&self.nats.url(), agency)
            .await
            .expect("partner connects")
    }

    /// Every message published so far on `subject`, oldest first, as raw JSON text.
    pub async fn raw_events(&self, subject: &str) -> Vec<String> {
        let Some(spec) = contracts::stream_for(subject) else {
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
            if let Ok(m) = stream.get_raw_message(seq).await {
                if m.subject.as_str() == subject {
                    out.push(String::from_utf8_lossy(&m.payload).into_owned());
                }
            }
        }
        out
    }

    /// Every event of type `E` published so far.
    pub async fn events<E: Event>(&self) -> Vec<E> {
        self.raw_events(E::SUBJECT)
            .await
            .iter()
            .filter_map(|raw| serde_json::from_str(raw).ok())
            .collect()
    }

    /// Waits until `check` holds on the events of type `E`, and returns them.
    pub async fn expect_events<E: Event>(
        &self,
        what: &str,
        check: impl Fn(&[E]) -> bool,
    ) -> Vec<E> {
        eventually(what, PATIENCE, || async {
            let events = self.events::<E>().await;
            check(&events).then_some(events)
        })
        .await
    }

    /// Waits until a GET answers with a body for which `check` holds.
    pub async fn expect_view(
        &self,
        service: &str,
        path: &str,
        token: &str,
        what: &str,
        check: impl Fn(&Value) -> bool,
    ) -> Value {
        eventually(what, PATIENCE, || async {
            let (status, body) = self.get(service, path, token).await;
            (status == 200 && check(&body)).then_some(body)
        })
        .await
    }

    /// Every subject that has messages in the six services' streams (not `partner.*`).
    pub async fn all_mesh_events(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        for spec in contracts::STREAMS.iter().filter(|s| s.name != "PARTNER") {
            let Ok(mut stream) = self.js.get_stream(spec.name).await else {
                continue;
            };
            let Ok(info) = stream.info().await else {
                continue;
            };
            for seq in info.state.first_sequence..=info.state.last_sequence {
                if let Ok(m) = stream.get_raw_message(seq).await {
                    out.push((
                        m.subject.to_string(),
                        String::from_utf8_lossy(&m.payload).into_owned(),
                    ));
                }
            }
        }
        out
    }
}

impl Drop for Mesh {
    fn drop(&mut self) {
        let names: Vec<&'static str> = self.processes.keys().copied().collect();
        for name in names {
            self.kill(name);
        }
    }
}
