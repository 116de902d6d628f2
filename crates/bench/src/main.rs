//! `bench`: measures this machine's raw limits and the mesh side by side in one run, several
//! rounds each, and prints every mesh figure as a ratio to its baseline against the targets of
//! docs/architecture.md. Not a test: nothing in the test suite is timed.
//! `cargo run --release -p bench -- --help`.

mod baseline;
mod flow;
mod load;
#[cfg(feature = "service")]
mod payments;
#[cfg(feature = "service")]
mod read;
mod report;
mod rss;
mod stats;

use std::sync::Arc;

use anyhow::Context;
use kit::testing::{NatsServer, TestDatabase, pg::server_url};
use sea_orm::{ConnectionTrait, Database};
use sea_orm_migration::MigratorTrait;

use report::Results;

const HELP: &str = "\
bench: the mesh measured against this machine's limits (docs/architecture.md, Targets)

usage: cargo run --release -p bench -- [options]

  --quick             small counts and two rounds (while developing; not for the record)
  --rounds N          rounds of each figure (default 3; --quick 2)
  --million-rounds N  rounds of payment runs over 1,000,000 or more recipients (default 3)
  --only LIST         comma-separated sections: flow,relay,read,latency,payments,rss
                      (baselines are always measured)
  --recipients LIST   payment-run register sizes (default 100000,1000000; --quick 10000)
  --history N         months already paid in the seeded register (default 1)
  --register NAME     run the payments on a copy of database NAME (a register kept by --keep
                      with --rounds 0, seeded today) instead of seeding one; with one size only
  --keep              keep each payment register's database after its runs (its name is printed;
                      kit's test databases are swept after an hour: rename it to keep it longer)
  --no-build          do not run `cargo build` for the service binaries (rss)
  --label TEXT        a note for the history table of BENCHMARKS.md (e.g. the change measured)
  --out PATH          where to write the report (default: BENCHMARKS.md at the workspace root;
                      --quick writes nothing unless given)

Needs PostgreSQL (TEST_DATABASE_URL or postgres@127.0.0.1:5432) and Debian's nats-server.
";

/// What one invocation measures and how much.
#[derive(Debug, Clone)]
pub struct Plan {
    pub quick: bool,
    pub rounds: usize,
    /// Rounds of runs over a million recipients or more.
    pub million_rounds: usize,
    pub only: Option<Vec<String>>,
    pub recipients: Vec<u64>,
    pub history: i64,
    /// Keep the payment registers' databases (for EXPLAIN after a run).
    pub keep: bool,
    /// A seeded register to copy instead of seeding (for repeated runs while profiling).
    pub register: Option<String>,
    pub build: bool,
    pub label: String,
    pub out: Option<std::path::PathBuf>,
    pub js_messages: usize,
    pub pg_commits: usize,
    pub axum_requests: usize,
    pub flows: usize,
    pub relay_rows: usize,
    pub reads: usize,
    pub latency_seconds: f64,
    pub rss_requests: usize,
}

impl Plan {
    fn parse(args: &[String]) -> anyhow::Result<Option<Self>> {
        let quick = args.iter().any(|a| a == "--quick");
        let mut plan = Self {
            quick,
            rounds: if quick { 2 } else { 3 },
            million_rounds: if quick { 1 } else { 3 },
            only: None,
            recipients: if quick {
                vec![10_000]
            } else {
                vec![100_000, 1_000_000]
            },
            history: 1,
            keep: false,
            register: None,
            build: true,
            label: String::new(),
            out: (!quick).then(|| workspace_root().join("BENCHMARKS.md")),
            js_messages: if quick { 20_000 } else { 100_000 },
            pg_commits: if quick { 5_000 } else { 30_000 },
            axum_requests: if quick { 50_000 } else { 300_000 },
            flows: if quick { 3_000 } else { 20_000 },
            relay_rows: if quick { 20_000 } else { 100_000 },
            reads: if quick { 20_000 } else { 100_000 },
            latency_seconds: if quick { 3.0 } else { 10.0 },
            rss_requests: if quick { 5_000 } else { 20_000 },
        };
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let mut value = || it.next().with_context(|| format!("{a} needs a value"));
            match a.as_str() {
                "--quick" => {}
                "-h" | "--help" => return Ok(None),
                "--rounds" => plan.rounds = value()?.parse()?,
                "--million-rounds" => plan.million_rounds = value()?.parse()?,
                "--only" => {
                    plan.only = Some(value()?.split(',').map(str::to_owned).collect());
                }
                "--recipients" => {
                    plan.recipients = value()?
                        .split(',')
                        .map(str::parse)
                        .collect::<Result<_, _>>()?;
                }
                "--history" => plan.history = value()?.parse()?,
                "--keep" => plan.keep = true,
                "--register" => plan.register = Some(value()?.clone()),
                "--no-build" => plan.build = false,
                "--label" => plan.label = value()?.clone(),
                "--out" => plan.out = Some(value()?.into()),
                other => anyhow::bail!("unknown option {other} (see --help)"),
            }
        }
        Ok(Some(plan))
    }

    fn wants(&self, section: &str) -> bool {
        self.only
            .as_ref()
            .is_none_or(|o| o.iter().any(|s| s == section))
    }
}

fn workspace_root() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// Drops a database the bench created (they are large: the payment registers).
pub async fn drop_database(db: &TestDatabase) {
    let mut options = sea_orm::ConnectOptions::new(server_url().await);
    options.sqlx_logging(false);
    if let Ok(admin) = Database::connect(options).await {
        let _ = admin
            .execute_unprepared(&format!("DROP DATABASE IF EXISTS {} WITH (FORCE)", db.name))
            .await;
    }
}

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(plan) = Plan::parse(&args)? else {
        print!("{HELP}");
        return Ok(());
    };
    // Two workers, as a service runs on this machine.
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    rt.block_on(run(plan))
}

async fn run(plan: Plan) -> anyhow::Result<()> {
    let mut results = Results::new(&plan);
    results.machine = report::machine().await;
    println!("{}", results.machine.describe());
    let nats = NatsServer::start().await;
    let pg = TestDatabase::create().await;
    let pg_conn = baseline::connect_raw(&pg.url).await?;
    baseline::prepare_postgres(&pg_conn).await?;
    let (axum_addr, axum_task) = baseline::bare_axum().await?;

    let mesh = if plan.wants("flow") || plan.wants("latency") {
        Some(flow::Mesh::start().await?)
    } else {
        None
    };
    let relay_db = TestDatabase::create().await;
    let relay_conn = relay_db.connect().await;
    flow::Migrator::up(&relay_conn, None).await?;
    #[cfg(feature = "service")]
    let read = if plan.wants("read") {
        Some(read::ReadTarget::start(&nats).await?)
    } else {
        None
    };
    #[cfg(not(feature = "service"))]
    let read: Option<Unavailable> = None;

    for round in 1..=plan.rounds {
        println!("round {round} of {}", plan.rounds);
        let js = baseline::jetstream(&nats.url(), plan.js_messages).await?;
        results.js_publish.push(js.publish);
        results.js_consume.push(js.consume);
        println!(
            "  JetStream publish {:.0}/s, consume+ack {:.0}/s",
            js.publish, js.consume
        );
        let commits = baseline::postgres(&pg_conn, plan.pg_commits).await?;
        results.pg_commits.push(commits);
        println!("  PostgreSQL single-row commits {commits:.0}/s");
        if plan.wants("flow") {
            let writes = baseline::outbox_write(
                &pg_conn,
                plan.pg_commits,
                flow::SUBJECT,
                &flow::example_payload(),
            )
            .await?;
            results.outbox_writes.push(writes);
            println!("  PostgreSQL row + outbox row transactions {writes:.0}/s");
        }
        let bare = baseline::http(axum_addr, plan.axum_requests, fixed(load::get("/", ""))).await?;
        results.axum_rps.push(bare.per_second);
        results.axum_p99.push(bare.p99_ms);
        println!(
            "  bare axum {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
            bare.per_second, bare.p50_ms, bare.p99_ms
        );
        if let Some(mesh) = &mesh
            && plan.wants("flow")
        {
            let f = mesh.throughput(plan.flows).await?;
            results.flow.push(f.flows_per_second);
            results.flow_writes.push(f.writes_per_second);
            println!(
                "  flow {:.0} flows/s (REST writes {:.0}/s)",
                f.flows_per_second, f.writes_per_second
            );
        }
        if plan.wants("relay") {
            let r = flow::relay_drain(&nats.url(), &relay_conn, plan.relay_rows).await?;
            results.relay.push(r);
            println!("  relay drain {r:.0} rows/s");
        }
        if let Some(read) = &read {
            let r = baseline::http(read.addr, plan.reads, read.request()).await?;
            results.read_rps.push(r.per_second);
            results.read_p99.push(r.p99_ms);
            println!(
                "  REST read {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
                r.per_second, r.p50_ms, r.p99_ms
            );
            let b = baseline::http(read.bare_addr, plan.reads, read.bare_request()).await?;
            results.bare_read_rps.push(b.per_second);
            results.bare_read_p99.push(b.p99_ms);
            println!(
                "  bare axum + sqlx primary-key read {:.0} req/s, p50 {:.2} ms, p99 {:.2} ms",
                b.per_second, b.p50_ms, b.p99_ms
            );
        }
    }
    if let Some(mesh) = &mesh
        && plan.wants("latency")
    {
        let max = if results.flow.is_empty() {
            mesh.throughput(plan.flows).await?.flows_per_second
        } else {
            results.flow.median()
        };
        let rate = max / 2.0;
        results.latency_rate = rate;
        for round in 1..=plan.rounds {
            let n = (rate * plan.latency_seconds) as usize;
            let l = mesh.latency(rate, n).await?;
            results.e2e_p50.push(l.committed.percentile_ms(50.0));
            results.e2e_p99.push(l.committed.percentile_ms(99.0));
            results.answered_p99.push(l.answered.percentile_ms(99.0));
            results.published_p99.push(l.published.percentile_ms(99.0));
            println!(
                "  latency round {round} at {rate:.0} flows/s: committed p50 {:.1} ms, p99 {:.1} ms; \
                 write answered p99 {:.1} ms; published p99 {:.1} ms ({} flows)",
                l.committed.percentile_ms(50.0),
                l.committed.percentile_ms(99.0),
                l.answered.percentile_ms(99.0),
                l.published.percentile_ms(99.0),
                l.committed.len()
            );
        }
    }
    if let Some(mesh) = mesh {
        mesh.stop().await;
    }
    if let Some(read) = read {
        read.stop().await;
    }
    axum_task.abort();
    drop(pg_conn);
    drop_database(&pg).await;
    drop(relay_conn);
    drop_database(&relay_db).await;

    #[cfg(feature = "service")]
    if plan.wants("payments") {
        for &n in &plan.recipients {
            results.payments.push(payments::runs(&plan, n).await?);
        }
    }
    if plan.wants("rss") {
        let bin_dir = std::env::current_exe()?
            .parent()
            .context("bench location")?
            .to_path_buf();
        if plan.build {
            rss::build(&bin_dir)?;
        }
        for service in rss::SERVICES {
            match rss::measure(&bin_dir, service, &nats, plan.rss_requests).await {
                Ok(m) => {
                    println!(
                        "  {service}: idle {:.1} MiB, loaded peak {:.1} MiB ({})",
                        m.idle_mib, m.loaded_mib, m.route
                    );
                    results.memory.push(m);
                }
                Err(e) => println!("  {service}: not measured: {e:#}"),
            }
        }
    }
    results.load_end = report::load_average();
    let table = results.render();
    println!("\n{table}");
    if let Some(out) = &plan.out {
        report::write(out, &results, &table)?;
        println!("written to {}", out.display());
    }
    Ok(())
}

/// Stands for the REST read target when the bench is built without the `service` feature.
#[cfg(not(feature = "service"))]
struct Unavailable {
    addr: std::net::SocketAddr,
}

#[cfg(not(feature = "service"))]
impl Unavailable {
    fn request(&self) -> load::MakeRequest {
        fixed(Vec::new())
    }

    async fn stop(self) {}
}

fn fixed(request: Vec<u8>) -> load::MakeRequest {
    Arc::new(move |_| request.clone())
}
