//! The e2e harness: starts NATS (a server of its own, so faults can be injected) and every service
//! as a separate process from its built binary, each with its own PostgreSQL database; waits on
//! `/readyz`; offers only what a black-box client has — the REST edges, the NATS subjects, and the
//! partner simulator. It never opens a service's database. The same flows also run against a mesh
//! started by the launcher (`Mesh::attach`), which is what the demo command does.

pub mod attack;
pub mod flows;
mod http;
pub mod interrupted;
pub mod leaks;
pub mod nats_cluster;
mod observe;
pub mod people;
pub mod private_postgres;

use std::{
    collections::BTreeMap,
    io::Write,
    path::PathBuf,
    process::{Child, Command},
    time::Duration,
};

use async_nats::jetstream;
use kit::{
    Role,
    testing::{NatsServer, TestDatabase, nats_server::free_port},
};
use partner_sim::Partner;

pub use observe::Mark;

/// The six services in port order (8081–8086).
pub const SERVICES: [&str; 6] = [
    "aid-applications",
    "disability-subsidies",
    "child-welfare",
    "elderly-care",
    "minor-protection",
    "village-governance",
];

/// How long a flow may take to show its effect (generous: the whole suite runs several meshes of
/// six processes at once).
pub const PATIENCE: Duration = Duration::from_secs(60);

/// How a service process was started here (absent for an attached mesh).
struct Launch {
    database_url: String,
    log: PathBuf,
    child: Option<Child>,
}

struct Process {
    port: u16,
    launch: Option<Launch>,
}

/// A running mesh.
pub struct Mesh {
    /// The NATS server this harness started (none when attached to a running mesh).
    pub nats: Option<NatsServer>,
    nats_url: String,
    pub http: reqwest::Client,
    pub js: jetstream::Context,
    bin_dir: PathBuf,
    logs: Option<tempfile::TempDir>,
    processes: BTreeMap<&'static str, Process>,
    /// Print every request and observation (the demo); tests print too, nextest shows it on failure.
    narrate: bool,
    /// When the mesh was started or attached (the narration shows the time since).
    since: std::time::Instant,
    /// Extra environment of every service process.
    env: Vec<(String, String)>,
    /// Whether NATS runs the generated accounts: every process logs in as its own user.
    secured: bool,
}

/// A mesh started other than by default (the faults suites).
#[derive(Default)]
pub struct MeshOptions {
    /// One database URL per service, in [`SERVICES`] order, instead of fresh databases on the
    /// test server (e.g. on a PostgreSQL the test restarts).
    pub databases: Option<Vec<String>>,
    /// Extra environment of every service process (e.g. `STREAM_REPLICAS=3`).
    pub env: Vec<(String, String)>,
    /// NATS runs the generated accounts (`infra/nats/nats-server.conf`): each service logs in as
    /// its own user with its development password, the harness as the operators' user, a partner
    /// as its agency.
    pub secured: bool,
}

pub use kit::testing::dev_password;

/// The operators' NATS user, which the harness observes the streams as on secured NATS.
const ADMIN_USER: &str = "mesh-admin";

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

/// The built binary of a service, for tests that run its commands (`migrate`, `verify-audit`).
pub fn service_binary(name: &str) -> PathBuf {
    bin_dir().join(name)
}

impl Mesh {
    /// Starts NATS and all six services, and waits until every one is ready.
    pub async fn start() -> Self {
        Self::start_with(NatsServer::start().await, MeshOptions::default()).await
    }

    /// Starts all six services on `nats` (a cluster's first node, say) with `options`.
    pub async fn start_with(nats: NatsServer, options: MeshOptions) -> Self {
        let nats_url = nats.url();
        let observer = if options.secured {
            kit::nats::Credentials {
                user: Some(ADMIN_USER.to_owned()),
                password: Some(dev_password(ADMIN_USER)),
                ..Default::default()
            }
        } else {
            kit::nats::Credentials::default()
        };
        let js = kit::nats::jetstream(
            kit::nats::connect_with(&nats_url, "e2e", &observer)
                .await
                .expect("NATS"),
        );
        let mut mesh = Self {
            nats: Some(nats),
            nats_url,
            http: reqwest::Client::new(),
            js,
            bin_dir: bin_dir(),
            logs: Some(tempfile::tempdir().expect("log dir")),
            processes: BTreeMap::new(),
            narrate: true,
            since: std::time::Instant::now(),
            env: options.env,
            secured: options.secured,
        };
        for (i, name) in SERVICES.into_iter().enumerate() {
            let database_url = match &options.databases {
                Some(urls) => urls[i].clone(),
                None => TestDatabase::create().await.url,
            };
            let log = mesh.log_dir().join(format!("{name}.log"));
            mesh.processes.insert(
                name,
                Process {
                    port: free_port(),
                    launch: Some(Launch {
                        database_url,
                        log,
                        child: None,
                    }),
                },
            );
        }
        for name in SERVICES {
            mesh.spawn(name);
        }
        for name in SERVICES {
            if let Err(e) = mesh.wait_ready(name, Duration::from_secs(60)).await {
                panic!("{e}");
            }
        }
        mesh
    }

    /// Attaches to a mesh somebody else runs (the launcher): services on `host:first_port` and the
    /// five ports after it in port order (8081–8086), NATS at `nats_url`. Fails when a service is not ready.
    pub async fn attach(host: &str, first_port: u16, nats_url: &str) -> Result<Self, String> {
        let client = kit::nats::connect(nats_url, "e2e-demo")
            .await
            .map_err(|e| format!("NATS at {nats_url}: {e}"))?;
        let mut mesh = Self {
            nats: None,
            nats_url: nats_url.to_owned(),
            http: reqwest::Client::new(),
            js: kit::nats::jetstream(client),
            bin_dir: PathBuf::new(),
            logs: None,
            processes: BTreeMap::new(),
            narrate: true,
            since: std::time::Instant::now(),
            env: Vec::new(),
            secured: false,
        };
        for (i, name) in SERVICES.into_iter().enumerate() {
            let port = first_port + u16::try_from(i).unwrap_or_default();
            mesh.processes.insert(name, Process { port, launch: None });
        }
        if host != "127.0.0.1" {
            return Err("only a mesh on 127.0.0.1 is supported".into());
        }
        for name in SERVICES {
            mesh.wait_ready(name, Duration::from_secs(5)).await?;
        }
        Ok(mesh)
    }

    /// Whether this harness started the processes (and may kill or restart them).
    pub fn owns_processes(&self) -> bool {
        self.nats.is_some()
    }

    fn log_dir(&self) -> PathBuf {
        self.logs
            .as_ref()
            .map(|d| d.path().to_path_buf())
            .unwrap_or_default()
    }

    /// What a service this harness started has logged so far (empty for an attached mesh).
    pub fn log(&self, name: &str) -> String {
        std::fs::read_to_string(self.log_dir().join(format!("{name}.log"))).unwrap_or_default()
    }

    /// The NATS URL of the mesh.
    pub fn nats_url(&self) -> &str {
        &self.nats_url
    }

    /// Turns the narration of requests and observations off (or on).
    pub fn set_narration(&mut self, on: bool) {
        self.narrate = on;
    }

    /// Starts a second instance of a service on the same database and NATS (another port, its
    /// own log), and waits until it is ready: the two share the consumers' work, take turns at the
    /// relay and the scheduled jobs. [`Mesh::fail_over`] kills the first.
    pub async fn add_replica(&mut self, name: &str) {
        let key: &'static str = Box::leak(format!("{name}#2").into_boxed_str());
        let launch = self.processes[name]
            .launch
            .as_ref()
            .expect("a process started here");
        let replica = Process {
            port: free_port(),
            launch: Some(Launch {
                database_url: launch.database_url.clone(),
                log: self.log_dir().join(format!("{name}-2.log")),
                child: None,
            }),
        };
        self.processes.insert(key, replica);
        self.spawn(key);
        if let Err(e) = self.wait_ready(key, Duration::from_secs(60)).await {
            panic!("{e}");
        }
    }

    /// Kills the first instance of a service (SIGKILL) and sends the service's requests to its
    /// replica from then on (see [`Mesh::add_replica`]).
    pub fn fail_over(&mut self, name: &'static str) {
        let key = self
            .processes
            .keys()
            .find(|k| k.strip_suffix("#2") == Some(name))
            .copied()
            .expect("a replica was added");
        self.kill(name);
        let replica = self.processes.remove(key).expect("the replica");
        self.processes.insert(name, replica);
    }

    fn spawn(&mut self, name: &str) {
        let nats_url = self.nats_url.clone();
        // A replica (`<service>#2`) runs the service's binary.
        let service = name.split('#').next().unwrap_or(name);
        let bin = self.bin_dir.join(service);
        let p = self.processes.get_mut(name).expect("known service");
        let launch = p.launch.as_mut().expect("a process started here");
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&launch.log)
            .expect("log file");
        let credentials: Vec<(&str, String)> = if self.secured {
            vec![
                ("NATS_USER", service.to_owned()),
                ("NATS_PASSWORD", dev_password(service)),
            ]
        } else {
            Vec::new()
        };
        let child = Command::new(bin)
            .envs(credentials)
            .env("PORT", p.port.to_string())
            .env("DATABASE_URL", &launch.database_url)
            .env("NATS_URL", nats_url)
            .env("RELAY_POLL_MS", "20")
            .env("RUST_LOG", "warn")
            .env("DB_POOL_SIZE", "4")
            // The flows run minor-protection's supervision themselves, with chosen days (elderly
            // care's overdue check first runs an hour after start, after any flow).
            .env("SUPERVISION_INTERVAL_SECS", "0")
            .envs(self.env.iter().map(|(k, v)| (k, v)))
            // The service logs to standard output: kept with what it writes to standard error.
            .stdout(log.try_clone().expect("log file"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("starting {name}: {e}"));
        launch.child = Some(child);
    }

    async fn wait_ready(&self, name: &str, patience: Duration) -> Result<(), String> {
        let url = format!("{}/readyz", self.url(name));
        let http = self.http.clone();
        let ready = tokio::time::timeout(patience, async {
            loop {
                if let Ok(r) = http.get(&url).send().await
                    && r.status().is_success()
                {
                    return;
                }
                tokio::time::sleep(Duration::from_millis(50)).await;
            }
        })
        .await;
        if ready.is_ok() {
            return Ok(());
        }
        let log = self.processes[name]
            .launch
            .as_ref()
            .map(|l| std::fs::read_to_string(&l.log).unwrap_or_default())
            .unwrap_or_default();
        Err(format!("{name} is not ready at {url}\n{log}"))
    }

    /// `http://127.0.0.1:<port>` of a service.
    pub fn url(&self, name: &str) -> String {
        format!("http://127.0.0.1:{}", self.processes[name].port)
    }

    /// Kills a service with SIGKILL (no chance to finish anything).
    pub fn kill(&mut self, name: &str) {
        let launch = self
            .processes
            .get_mut(name)
            .and_then(|p| p.launch.as_mut())
            .expect("only a process started here can be killed");
        if let Some(mut child) = launch.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }

    /// Starts a killed service again on the same port and database, and waits until it is ready.
    pub async fn restart(&mut self, name: &str) {
        self.kill(name);
        self.spawn(name);
        if let Err(e) = self.wait_ready(name, Duration::from_secs(60)).await {
            panic!("{e}");
        }
    }

    /// A development token.
    pub fn token(role: Role, division: &str) -> String {
        kit::testing::TestApp::token(role, division)
    }

    /// A development token for a named staff member.
    pub fn token_for(subject: &str, role: Role, division: &str) -> String {
        kit::testing::TestApp::token_for(subject, role, division)
    }

    /// A partner agency's connection (the simulator).
    pub async fn partner(&self, agency: &str) -> Partner {
        let mut connection = partner_sim::Connection::open(&self.nats_url);
        if self.secured {
            connection.user = Some(agency.to_owned());
            connection.password = Some(dev_password(agency));
        }
        Partner::connect_with(&connection, agency)
            .await
            .expect("partner connects")
            .with_clock(kit::clock::now)
    }

    /// Prints a step of a flow.
    pub fn say(&self, text: impl AsRef<str>) {
        if self.narrate {
            println!("\n▶ {}", text.as_ref());
            let _ = std::io::stdout().flush();
        }
    }

    /// Prints an effect observed.
    pub fn saw(&self, text: impl AsRef<str>) {
        if self.narrate {
            let t = self.since.elapsed().as_secs_f32();
            println!("    ✓ {} [{t:.1}s]", text.as_ref());
            let _ = std::io::stdout().flush();
        }
    }

    fn trace(&self, text: impl AsRef<str>) {
        if self.narrate {
            println!("    {}", text.as_ref());
        }
    }
}

impl Drop for Mesh {
    fn drop(&mut self) {
        let names: Vec<&'static str> = self
            .processes
            .iter()
            .filter(|(_, p)| p.launch.is_some())
            .map(|(n, _)| *n)
            .collect();
        for name in names {
            self.kill(name);
        }
        // A failed flow shows what the services said.
        if std::thread::panicking() {
            for (name, p) in &self.processes {
                if let Some(l) = &p.launch {
                    let log = std::fs::read_to_string(&l.log).unwrap_or_default();
                    let tail: Vec<&str> = log.lines().rev().take(30).collect();
                    if !tail.is_empty() {
                        eprintln!("--- {name} (last lines of its log) ---");
                        for line in tail.into_iter().rev() {
                            eprintln!("{line}");
                        }
                    }
                }
            }
        }
    }
}
