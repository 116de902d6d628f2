//! The local launcher: NATS with JetStream (the running one, or one it starts), a database per
//! service (SQLite files by default, PostgreSQL when asked), every service binary that has been
//! built, readiness, the URLs and development tokens; Ctrl-C stops all of it.

use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::Duration,
};

use anyhow::{Context, bail};
use kit::{Role, config::DEV_AUTH_SECRET, edge::auth::dev_token};
use sea_orm::ConnectionTrait;
use tokio::process::{Child, Command};

pub mod index;

/// The port of the mesh's front page (the services and the events; see [`index`]).
pub const INDEX_PORT: u16 = 8080;

/// The six services, their HTTP ports (8081–8086 in this order) and their stream.
pub const SERVICES: [(&str, u16); 6] = [
    ("aid-applications", 8081),
    ("disability-subsidies", 8082),
    ("child-welfare", 8083),
    ("elderly-care", 8084),
    ("minor-protection", 8085),
    ("village-governance", 8086),
];

const HELP: &str = "\
mesh — run Minzheng Mesh on this machine

usage: mesh [--no-build] [--data DIR] [--postgres URL [--db-prefix P]] [--port-offset N]

  --no-build       do not run `cargo build` for the services first
  --data DIR       where SQLite files, the NATS store and logs go (default .mesh)
  --postgres URL   give each service its own PostgreSQL database on this server
                   (e.g. postgres://postgres@127.0.0.1:5432/postgres) instead of SQLite
  --db-prefix P    name the databases P_<service> (default minzheng)
  --port-offset N  add N to every port (the front page on 8080, the services on 8081–8086),
                   to run a second mesh beside one
environment: NATS_URL (default nats://127.0.0.1:4222; started here if nothing answers),
             <SERVICE>_DATABASE_URL (e.g. AID_APPLICATIONS_DATABASE_URL) for one service's database
";

struct Options {
    build: bool,
    data: PathBuf,
    postgres: Option<String>,
    port_offset: u16,
    db_prefix: String,
}

fn parse(args: Vec<String>) -> anyhow::Result<Option<Options>> {
    let mut o = Options {
        build: true,
        data: PathBuf::from(".mesh"),
        postgres: None,
        port_offset: 0,
        db_prefix: "minzheng".into(),
    };
    let mut it = args.into_iter();
    while let Some(a) = it.next() {
        match a.as_str() {
            "-h" | "--help" => return Ok(None),
            "--no-build" => o.build = false,
            "--data" => o.data = it.next().context("--data needs a directory")?.into(),
            "--postgres" => o.postgres = Some(it.next().context("--postgres needs a URL")?),
            "--db-prefix" => o.db_prefix = it.next().context("--db-prefix needs a name")?,
            "--port-offset" => {
                o.port_offset = it.next().context("--port-offset needs a number")?.parse()?
            }
            other => bail!("unknown argument {other}\n\n{HELP}"),
        }
    }
    Ok(Some(o))
}

/// Runs the mesh until Ctrl-C.
pub async fn run(args: Vec<String>) -> anyhow::Result<()> {
    let Some(options) = parse(args)? else {
        print!("{HELP}");
        return Ok(());
    };
    std::fs::create_dir_all(&options.data)?;
    let workspace = workspace_root();
    let present: Vec<(&str, u16)> = SERVICES
        .iter()
        .filter(|(name, _)| {
            workspace
                .join("services")
                .join(name)
                .join("src/main.rs")
                .exists()
        })
        .map(|(name, port)| (*name, port + options.port_offset))
        .collect();
    if options.build && !present.is_empty() {
        let mut cmd =
            std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
        cmd.arg("build").current_dir(&workspace);
        for (name, _) in &present {
            cmd.args(["-p", name]);
        }
        let status = cmd.status().context("running cargo build")?;
        if !status.success() {
            bail!("cargo build failed");
        }
    }
    let bin_dir = std::env::current_exe()?
        .parent()
        .map(Path::to_path_buf)
        .context("launcher location")?;
    let present: Vec<(&str, u16)> = present
        .into_iter()
        .filter(|(name, _)| {
            let built = bin_dir.join(name).exists();
            if !built {
                println!("skipping {name}: not built (run without --no-build)");
            }
            built
        })
        .collect();

    let nats_url = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let mut nats = None;
    if !reachable(&nats_url).await {
        println!("starting nats-server with JetStream for {nats_url}");
        nats = Some(start_nats(&nats_url, &options.data)?);
        let deadline = tokio::time::Instant::now() + Duration::from_secs(10);
        while !reachable(&nats_url).await {
            if tokio::time::Instant::now() > deadline {
                bail!("nats-server did not come up on {nats_url}");
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    let mut children = Vec::new();
    for (name, port) in &present {
        let database_url = database_url(name, &options).await?;
        let log = std::fs::File::create(options.data.join(format!("{name}.log")))?;
        let child = Command::new(bin_dir.join(name))
            .env("PORT", port.to_string())
            .env("DATABASE_URL", &database_url)
            .env("NATS_URL", &nats_url)
            .stdout(log.try_clone()?)
            .stderr(log)
            .kill_on_drop(true)
            .spawn()
            .with_context(|| format!("starting {} (built?)", bin_dir.join(name).display()))?;
        children.push((*name, *port, child));
    }
    let http = reqwest::Client::new();
    for (name, port, child) in &mut children {
        wait_ready(
            &http,
            name,
            *port,
            child,
            &options.data.join(format!("{name}.log")),
        )
        .await?;
    }
    let index_port = INDEX_PORT + options.port_offset;
    let services: Vec<(&str, u16)> = children.iter().map(|(n, p, _)| (*n, *p)).collect();
    let front = index::router(&services)?;
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", index_port))
        .await
        .with_context(|| format!("binding the front page to 127.0.0.1:{index_port}"))?;
    let front_page = tokio::spawn(async move {
        let _ = axum::serve(listener, front).await;
    });
    print_summary(&children, index_port, &nats_url, &options.data);
    use std::io::Write;
    let _ = std::io::stdout().flush();

    stop_signal().await;
    println!("\nstopping");
    front_page.abort();
    for (_, _, child) in &mut children {
        terminate(child).await;
    }
    if let Some(mut n) = nats {
        terminate(&mut n).await;
    }
    Ok(())
}

fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap_or_else(|_| ".".into())
}

async fn reachable(nats_url: &str) -> bool {
    let addr = nats_url.trim_start_matches("nats://");
    tokio::net::TcpStream::connect(addr).await.is_ok()
}

fn start_nats(nats_url: &str, data: &Path) -> anyhow::Result<Child> {
    let addr = nats_url.trim_start_matches("nats://");
    let (host, port) = addr.rsplit_once(':').context("NATS_URL needs host:port")?;
    let store = data.join("nats");
    std::fs::create_dir_all(&store)?;
    let bin = ["/usr/sbin/nats-server", "/usr/bin/nats-server"]
        .into_iter()
        .find(|p| Path::new(p).exists())
        .unwrap_or("nats-server");
    Command::new(bin)
        .args(["-a", host, "-p", port, "-js", "-sd"])
        .arg(&store)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .context("starting nats-server (apt-get install nats-server)")
}

async fn database_url(service: &str, options: &Options) -> anyhow::Result<String> {
    let var = format!("{}_DATABASE_URL", service.to_uppercase().replace('-', "_"));
    if let Ok(url) = std::env::var(&var) {
        return Ok(url);
    }
    let Some(server) = &options.postgres else {
        let file = std::path::absolute(
            options
                .data
                .join(format!("{}.db", service.replace('-', "_"))),
        )?;
        return Ok(format!("sqlite://{}?mode=rwc", file.display()));
    };
    let name = format!("{}_{}", options.db_prefix, service.replace('-', "_"));
    let admin = kit::db::connect(server, Duration::from_secs(10)).await?;
    let exists = admin
        .query_one_raw(sea_orm::Statement::from_sql_and_values(
            admin.get_database_backend(),
            "SELECT 1 AS one FROM pg_database WHERE datname = $1",
            [name.clone().into()],
        ))
        .await?
        .is_some();
    if !exists {
        admin
            .execute_unprepared(&format!("CREATE DATABASE {name}"))
            .await?;
    }
    let (base, query) = server
        .split_once('?')
        .map_or((server.as_str(), ""), |(b, q)| (b, q));
    let prefix = base.rsplit_once('/').map_or(base, |(p, _)| p);
    Ok(if query.is_empty() {
        format!("{prefix}/{name}")
    } else {
        format!("{prefix}/{name}?{query}")
    })
}

async fn wait_ready(
    http: &reqwest::Client,
    name: &str,
    port: u16,
    child: &mut Child,
    log: &Path,
) -> anyhow::Result<()> {
    let url = format!("http://127.0.0.1:{port}/readyz");
    let deadline = tokio::time::Instant::now() + Duration::from_secs(90);
    let mut last = String::from("no answer");
    loop {
        if let Ok(r) = http.get(&url).send().await {
            if r.status().is_success() {
                return Ok(());
            }
            last = format!("{}: {}", r.status(), r.text().await.unwrap_or_default());
        }
        // A service that exited, or one still not ready at the deadline, is reported with what
        // it said: its error line and the end of its log.
        let exited = child.try_wait()?;
        if exited.is_some() || tokio::time::Instant::now() > deadline {
            let text = std::fs::read_to_string(log).unwrap_or_default();
            let lines: Vec<&str> = text
                .lines()
                .filter(|l| !l.starts_with("  ") && !l.trim().is_empty())
                .collect();
            let tail = lines[lines.len().saturating_sub(20)..].join("\n");
            let state = exited.map_or_else(
                || format!("did not become ready on {url} (last answer {last})"),
                |status| format!("exited ({status}) before it was ready on {url}"),
            );
            bail!("{name} {state}; the end of {}:\n{tail}", log.display());
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn print_summary(children: &[(&str, u16, Child)], index_port: u16, nats_url: &str, data: &Path) {
    println!(
        "\nMinzheng Mesh is up (NATS {nats_url}; data and logs in {})",
        data.display()
    );
    println!(
        "  front page: http://127.0.0.1:{index_port}/   (the services and the events they publish)"
    );
    if children.is_empty() {
        println!("  no service has been built yet (services/ is empty)");
    }
    for (name, port, _) in children {
        println!(
            "  {name:<22} http://127.0.0.1:{port}/docs/   (API reference; OpenAPI: /openapi.json, ready: /readyz)"
        );
    }
    let ttl = chrono::Duration::hours(12);
    println!("\ndevelopment tokens (12 h; send as Authorization: Bearer <token>):");
    for (role, division, label) in [
        (Role::DistrictOfficer, "500112", "district officer, 渝北区"),
        (
            Role::DistrictApprover,
            "500112",
            "district approver, 渝北区",
        ),
        (Role::TownshipClerk, "500112016", "township clerk, 两路街道"),
        (
            Role::TownshipApprover,
            "500112016",
            "township approver, 两路街道",
        ),
        (Role::Auditor, "500112", "auditor, 渝北区"),
    ] {
        println!(
            "  {label}:\n    {}",
            dev_token(
                DEV_AUTH_SECRET,
                &format!("dev-{}", role.as_str()),
                role,
                division,
                ttl
            )
        );
    }
    println!("\nCtrl-C stops everything.");
}

async fn stop_signal() {
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .expect("SIGTERM handler");
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {}
        _ = term.recv() => {}
    }
}

async fn terminate(child: &mut Child) {
    if let Some(pid) = child.id() {
        let _ = Command::new("kill")
            .args(["-TERM", &pid.to_string()])
            .status()
            .await;
        if tokio::time::timeout(Duration::from_secs(10), child.wait())
            .await
            .is_ok()
        {
            return;
        }
    }
    let _ = child.kill().await;
}
