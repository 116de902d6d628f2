//! The report: each mesh figure beside its baseline, as a ratio, against its target in
//! docs/architecture.md; the machine it was measured on; written into BENCHMARKS.md between
//! markers, with a history line.

use std::{fmt::Write as _, path::Path};

use crate::{Plan, rss::Memory, stats::Rounds};

const BEGIN: &str = "<!-- bench:begin (written by `cargo run --release -p bench`) -->";
const END: &str = "<!-- bench:end -->";
const HISTORY: &str = "<!-- bench:history -->";

/// The machine.
#[derive(Debug, Default, Clone)]
pub struct Machine {
    pub cpus: usize,
    pub memory_gib: f64,
    pub cpu_model: String,
    pub kernel: String,
    pub postgres: String,
    pub nats: String,
    pub load: String,
}

impl Machine {
    pub fn describe(&self) -> String {
        format!(
            "{} CPUs ({}), {:.1} GiB memory, Linux {}; {}; nats-server {}; load average at start {}",
            self.cpus,
            self.cpu_model,
            self.memory_gib,
            self.kernel,
            self.postgres,
            self.nats,
            self.load
        )
    }
}

fn read(path: &str) -> String {
    std::fs::read_to_string(path).unwrap_or_default()
}

/// The load average now.
pub fn load_average() -> String {
    read("/proc/loadavg")
        .split_whitespace()
        .take(3)
        .collect::<Vec<_>>()
        .join(" ")
}

/// What this machine is.
pub async fn machine() -> Machine {
    let meminfo = read("/proc/meminfo");
    let kib: f64 = meminfo
        .lines()
        .find_map(|l| l.strip_prefix("MemTotal:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .unwrap_or(0.0);
    let cpu_model = read("/proc/cpuinfo")
        .lines()
        .find_map(|l| l.strip_prefix("model name"))
        .map(|v| v.trim_start_matches([' ', '\t', ':']).to_owned())
        .unwrap_or_default();
    let postgres = match sea_orm::Database::connect(kit::testing::pg::server_url().await).await {
        Ok(db) => {
            use sea_orm::ConnectionTrait;
            db.query_one_raw(sea_orm::Statement::from_string(
                db.get_database_backend(),
                "SELECT current_setting('server_version') AS v",
            ))
            .await
            .ok()
            .flatten()
            .and_then(|r| r.try_get::<String>("", "v").ok())
            .map_or_else(String::new, |v| format!("PostgreSQL {v}"))
        }
        Err(_) => String::new(),
    };
    let nats = std::process::Command::new("nats-server")
        .arg("--version")
        .output()
        .ok()
        .map(|o| {
            String::from_utf8_lossy(&o.stdout)
                .trim()
                .replace("nats-server: ", "")
        })
        .unwrap_or_default();
    Machine {
        cpus: std::thread::available_parallelism().map_or(0, |n| n.get()),
        memory_gib: kib / 1024.0 / 1024.0,
        cpu_model,
        kernel: read("/proc/sys/kernel/osrelease").trim().to_owned(),
        postgres,
        nats,
        load: load_average(),
    }
}

/// A payment run's figures.
pub struct PaymentFigures {
    pub recipients: u64,
    pub seconds: Rounds,
    pub detail: String,
}

/// Everything measured.
pub struct Results {
    pub plan: Plan,
    pub machine: Machine,
    /// The load average when the run ended (other work on the machine skews every figure).
    pub load_end: String,
    pub date: String,
    pub js_publish: Rounds,
    pub js_consume: Rounds,
    pub pg_commits: Rounds,
    pub axum_rps: Rounds,
    pub axum_p99: Rounds,
    pub flow: Rounds,
    pub flow_writes: Rounds,
    /// The flow's own transaction without the mesh (`baseline::outbox_write`).
    pub outbox_writes: Rounds,
    pub relay: Rounds,
    pub read_rps: Rounds,
    pub read_p99: Rounds,
    pub bare_read_rps: Rounds,
    pub bare_read_p99: Rounds,
    pub latency_rate: f64,
    pub e2e_p50: Rounds,
    pub e2e_p99: Rounds,
    pub answered_p99: Rounds,
    pub published_p99: Rounds,
    pub payments: Vec<PaymentFigures>,
    pub memory: Vec<Memory>,
}

fn cell(r: &Rounds, unit: &str, decimals: usize) -> String {
    if r.is_empty() {
        return "–".into();
    }
    format!(
        "{:.*} {unit} (±{:.0}%)",
        decimals,
        r.median(),
        r.spread_pct() / 2.0
    )
}

fn verdict(ok: bool) -> &'static str {
    if ok { "**met**" } else { "not met" }
}

impl Results {
    pub fn new(plan: &Plan) -> Self {
        Self {
            plan: plan.clone(),
            machine: Machine::default(),
            load_end: String::new(),
            date: chrono::Utc::now().format("%Y-%m-%d %H:%M UTC").to_string(),
            js_publish: Rounds::default(),
            js_consume: Rounds::default(),
            pg_commits: Rounds::default(),
            axum_rps: Rounds::default(),
            axum_p99: Rounds::default(),
            flow: Rounds::default(),
            flow_writes: Rounds::default(),
            outbox_writes: Rounds::default(),
            relay: Rounds::default(),
            read_rps: Rounds::default(),
            read_p99: Rounds::default(),
            bare_read_rps: Rounds::default(),
            bare_read_p99: Rounds::default(),
            latency_rate: 0.0,
            e2e_p50: Rounds::default(),
            e2e_p99: Rounds::default(),
            answered_p99: Rounds::default(),
            published_p99: Rounds::default(),
            payments: Vec::new(),
            memory: Vec::new(),
        }
    }

    fn ratio(mesh: &Rounds, base: &Rounds) -> Option<f64> {
        (!mesh.is_empty() && !base.is_empty()).then(|| mesh.median() / base.median())
    }

    /// The headline ratios, for the history line: (flow, relay, e2e p99, read, 1M run, max idle).
    fn headline(&self) -> Vec<String> {
        let pct = |r: Option<f64>| r.map_or("–".into(), |r| format!("{:.0}%", r * 100.0));
        let times = |r: Option<f64>| r.map_or("–".into(), |r| format!("{r:.2}×"));
        let million = self
            .payments
            .iter()
            .find(|p| p.recipients == 1_000_000)
            .map_or("–".into(), |p| format!("{:.1} s", p.seconds.median()));
        let idle = self
            .memory
            .iter()
            .map(|m| m.idle_mib)
            .fold(None, |a: Option<f64>, b| Some(a.map_or(b, |a| a.max(b))))
            .map_or("–".into(), |m| format!("{m:.1} MiB"));
        vec![
            pct(Self::ratio(&self.flow, &self.pg_commits)),
            pct(Self::ratio(&self.relay, &self.js_publish)),
            if self.e2e_p99.is_empty() {
                "–".into()
            } else {
                format!("{:.1} ms", self.e2e_p99.median())
            },
            times(Self::ratio(&self.read_p99, &self.axum_p99)),
            million,
            idle,
        ]
    }

    /// The Markdown report.
    pub fn render(&self) -> String {
        let mut s = String::new();
        let _ = writeln!(
            s,
            "Measured {} on {}; at the end {}.",
            self.date,
            self.machine.describe(),
            self.load_end
        );
        let _ = writeln!(
            s,
            "{} rounds{}; each cell is the median (± half the range over the rounds).\n",
            self.plan.rounds,
            if self.plan.quick {
                ", quick counts"
            } else {
                ""
            }
        );
        let _ = writeln!(s, "| figure | mesh | baseline | ratio | target | |");
        let _ = writeln!(s, "| --- | --- | --- | --- | --- | --- |");
        if let Some(r) = Self::ratio(&self.flow, &self.pg_commits) {
            let _ = writeln!(
                s,
                "| cross-service flow throughput (REST write → outbox → relay → JetStream → consumer commit) | {} | single-row PostgreSQL commits, pool 8: {} | {:.0}% | ≥ 50% | {} |",
                cell(&self.flow, "flows/s", 0),
                cell(&self.pg_commits, "tx/s", 0),
                r * 100.0,
                verdict(r >= 0.5)
            );
        }
        if let Some(r) = Self::ratio(&self.relay, &self.js_publish) {
            let _ = writeln!(
                s,
                "| outbox relay drain ({} pre-filled rows) | {} | raw JetStream publish, 256 B: {} | {:.0}% | ≥ 25% | {} |",
                self.plan.relay_rows,
                cell(&self.relay, "rows/s", 0),
                cell(&self.js_publish, "msg/s", 0),
                r * 100.0,
                verdict(r >= 0.25)
            );
        }
        if !self.e2e_p99.is_empty() {
            let p99 = self.e2e_p99.median();
            let _ = writeln!(
                s,
                "| end-to-end flow latency p99 at half the maximum throughput ({:.0} flows/s, open loop) | {} (p50 {}) | – | – | ≤ 50 ms | {} |",
                self.latency_rate,
                cell(&self.e2e_p99, "ms", 1),
                cell(&self.e2e_p50, "ms", 1),
                verdict(p99 <= 50.0)
            );
        }
        if let Some(r) = Self::ratio(&self.read_p99, &self.axum_p99) {
            let _ = writeln!(
                s,
                "| REST read p99, 64 connections (disability-subsidies `GET /v1/subsidies/{{id}}`) | {} | bare axum `GET /`: {} | {:.2}× | ≤ 3× | {} |",
                cell(&self.read_p99, "ms", 2),
                cell(&self.axum_p99, "ms", 2),
                r,
                verdict(r <= 3.0)
            );
        }
        for p in &self.payments {
            let target = if p.recipients >= 1_000_000 {
                format!("< 60 s | {}", verdict(p.seconds.median() < 60.0))
            } else {
                "– | |".into()
            };
            let _ = writeln!(
                s,
                "| monthly payment run with every cross-check, {} recipients ({}) | {} | – | – | {target}",
                p.recipients,
                p.detail,
                cell(&p.seconds, "s", 1),
            );
        }
        if !self.memory.is_empty() {
            let max = self.memory.iter().map(|m| m.idle_mib).fold(0.0, f64::max);
            let _ = writeln!(
                s,
                "| idle memory per service (largest of {}) | {max:.1} MiB RSS | – | – | ≤ 40 MiB | {} |",
                self.memory.len(),
                verdict(max <= 40.0)
            );
        }
        let _ = writeln!(s, "\nOther figures of the same run:\n");
        let _ = writeln!(s, "| figure | value |");
        let _ = writeln!(s, "| --- | --- |");
        let _ = writeln!(
            s,
            "| JetStream pull consume + ack, 256 B (baseline) | {} |",
            cell(&self.js_consume, "msg/s", 0)
        );
        let _ = writeln!(
            s,
            "| bare axum throughput, 64 connections (baseline) | {} |",
            cell(&self.axum_rps, "req/s", 0)
        );
        let _ = writeln!(
            s,
            "| flow producer: REST writes answered (row + outbox event, one transaction) | {} |",
            cell(&self.flow_writes, "req/s", 0)
        );
        if !self.outbox_writes.is_empty() {
            let pct =
                |r: Option<f64>| r.map_or_else(|| "–".to_owned(), |r| format!("{:.0}%", r * 100.0));
            let _ = writeln!(
                s,
                "| the flow's own transaction without the mesh (a row and its outbox row: `BEGIN`, 2 × `INSERT`, `COMMIT`; raw pool of 8, no HTTP): rate / as a share of single-row commits / mesh flow as a share of it | {} / {} / {} |",
                cell(&self.outbox_writes, "tx/s", 0),
                pct(Self::ratio(&self.outbox_writes, &self.pg_commits)),
                pct(Self::ratio(&self.flow, &self.outbox_writes))
            );
        }
        if !self.e2e_p99.is_empty() {
            let _ = writeln!(
                s,
                "| flow latency p99 at half the maximum throughput: write answered / event published / consumer committed | {} / {} / {} |",
                cell(&self.answered_p99, "ms", 1),
                cell(&self.published_p99, "ms", 1),
                cell(&self.e2e_p99, "ms", 1)
            );
        }
        let _ = writeln!(
            s,
            "| REST read throughput, 64 connections | {} |",
            cell(&self.read_rps, "req/s", 0)
        );
        if !self.bare_read_p99.is_empty() {
            let _ = writeln!(
                s,
                "| the same read without the mesh (bare axum, sqlx pool of 8, `row_to_json` by primary key): throughput / p99 / mesh p99 as a multiple of it | {} / {} / {} |",
                cell(&self.bare_read_rps, "req/s", 0),
                cell(&self.bare_read_p99, "ms", 2),
                Self::ratio(&self.read_p99, &self.bare_read_p99)
                    .map_or_else(|| "–".to_owned(), |r| format!("{r:.2}×"))
            );
        }
        for m in &self.memory {
            let _ = writeln!(
                s,
                "| {}: RSS idle / peak under 64-connection GET `{}` | {:.1} / {:.1} MiB |",
                m.service, m.route, m.idle_mib, m.loaded_mib
            );
        }
        s
    }
}

/// Replaces the generated section of `path` (creating the file if needed) and adds a history line.
pub fn write(path: &Path, results: &Results, table: &str) -> anyhow::Result<()> {
    let existing = std::fs::read_to_string(path).unwrap_or_else(|_| {
        format!(
            "# Benchmarks\n\nThe mesh measured against this machine's raw limits (docs/architecture.md, Targets). \
             Run `cargo run --release -p bench`; it rewrites the section below.\n\n{BEGIN}\n{END}\n\n\
             ## History\n\n| date | label | flow / PG commits | relay / JS publish | e2e p99 | read p99 / axum | 1M run | max idle RSS |\n\
             | --- | --- | --- | --- | --- | --- | --- | --- |\n{HISTORY}\n"
        )
    });
    let (head, rest) = existing
        .split_once(BEGIN)
        .ok_or_else(|| anyhow::anyhow!("{} lacks the marker {BEGIN}", path.display()))?;
    let (_, tail) = rest
        .split_once(END)
        .ok_or_else(|| anyhow::anyhow!("{} lacks the marker {END}", path.display()))?;
    let mut line = format!("| {} | {} |", results.date, results.plan.label);
    for h in results.headline() {
        let _ = write!(line, " {h} |");
    }
    let tail = match tail.split_once(HISTORY) {
        Some((before, after)) => format!("{before}{line}\n{HISTORY}{after}"),
        None => tail.to_owned(),
    };
    std::fs::write(path, format!("{head}{BEGIN}\n{table}{END}{tail}"))?;
    Ok(())
}
