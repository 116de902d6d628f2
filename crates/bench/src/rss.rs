//! Memory of each service binary: started as the launcher starts it (own PostgreSQL database,
//! shared nats-server), idle resident set once ready and settled, then the peak under REST load
//! (64 connections on one of its own GET routes) — `VmRSS` and `VmHWM` of /proc/<pid>/status.

use std::{path::Path, process::Stdio, sync::Arc, time::Duration};

use anyhow::{Context, bail};
use kit::{
    Role,
    config::DEV_AUTH_SECRET,
    edge::auth::dev_token,
    testing::{NatsServer, TestDatabase, nats_server::free_port},
};
use tokio::process::{Child, Command};

use crate::load::{self, Pace};

/// The service binaries of the workspace.
pub const SERVICES: [&str; 6] = [
    "aid-applications",
    "disability-subsidies",
    "child-welfare",
    "elderly-care",
    "minor-protection",
    "village-governance",
];

/// One service's memory.
pub struct Memory {
    pub service: &'static str,
    pub idle_mib: f64,
    pub loaded_mib: f64,
    pub route: String,
}

/// Runs `cargo build` for the service binaries in the profile this bench was built with.
pub fn build(bin_dir: &Path) -> anyhow::Result<()> {
    let release = bin_dir.ends_with("release");
    let mut cmd =
        std::process::Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".into()));
    cmd.arg("build");
    if release {
        cmd.arg("--release");
    }
    for s in SERVICES {
        cmd.args(["-p", s]);
    }
    let status = cmd.status().context("running cargo build")?;
    if !status.success() {
        bail!("cargo build of the services failed");
    }
    Ok(())
}

fn status_kib(pid: u32, field: &str) -> anyhow::Result<u64> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    text.lines()
        .find_map(|l| l.strip_prefix(field))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .with_context(|| format!("{field} of {pid}"))
}

async fn wait_ready(port: u16, child: &mut Child) -> anyhow::Result<()> {
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    loop {
        if let Some(status) = child.try_wait()? {
            bail!("exited during start-up: {status}");
        }
        let ok = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
            && reqwest_free_get(port, "/readyz").await.unwrap_or(0) == 200;
        if ok {
            return Ok(());
        }
        if tokio::time::Instant::now() > deadline {
            bail!("not ready after 60 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// A single GET through the bench's own client: the status.
async fn reqwest_free_get(port: u16, path: &str) -> anyhow::Result<u16> {
    let out = load::run(
        ([127, 0, 0, 1], port).into(),
        1,
        1,
        Pace::Closed,
        Arc::new({
            let r = load::get(path, "");
            move |_| r.clone()
        }),
        true,
    )
    .await?;
    Ok(if out.requests == 1 { 200 } else { 500 })
}

/// The first documented GET route of the service's own under /v1 without a path parameter (the
/// kit's dead-letter list only when the service has none).
async fn a_read_route(port: u16) -> anyhow::Result<String> {
    let out = load::run(
        ([127, 0, 0, 1], port).into(),
        1,
        1,
        Pace::Closed,
        Arc::new(|_| load::get("/openapi.json", "")),
        true,
    )
    .await?;
    let (_, _, body) = out.answers.first().context("openapi.json")?;
    let spec: serde_json::Value = serde_json::from_slice(body)?;
    let mut paths: Vec<&String> = spec["paths"]
        .as_object()
        .context("paths")?
        .iter()
        .filter(|(p, item)| p.starts_with("/v1/") && !p.contains('{') && item.get("get").is_some())
        .map(|(p, _)| p)
        .collect();
    paths.sort_by_key(|p| (p.starts_with("/v1/dead-letters"), p.as_str()));
    Ok(paths.first().map_or("/livez".to_owned(), |p| (*p).clone()))
}

/// Starts `service` from `bin_dir`, measures it, stops it.
pub async fn measure(
    bin_dir: &Path,
    service: &'static str,
    nats: &NatsServer,
    requests: usize,
) -> anyhow::Result<Memory> {
    let db = TestDatabase::create().await;
    let port = free_port();
    let mut child = Command::new(bin_dir.join(service))
        .env("PORT", port.to_string())
        .env("DATABASE_URL", &db.url)
        .env("NATS_URL", nats.url())
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .kill_on_drop(true)
        .spawn()
        .with_context(|| format!("starting {}", bin_dir.join(service).display()))?;
    let pid = child.id().context("pid")?;
    let result = async {
        wait_ready(port, &mut child).await?;
        tokio::time::sleep(Duration::from_secs(3)).await;
        let idle = status_kib(pid, "VmRSS:")?;
        let route = a_read_route(port).await?;
        let token = dev_token(
            DEV_AUTH_SECRET,
            "bench@500112",
            Role::DistrictOfficer,
            "500112",
            chrono::Duration::hours(1),
        );
        let request = load::get(&route, &token);
        // Any answer counts (a route may refuse the role): the point is memory under load.
        let _ = load::run(
            ([127, 0, 0, 1], port).into(),
            64,
            requests,
            Pace::Closed,
            Arc::new(move |_| request.clone()),
            false,
        )
        .await?;
        let peak = status_kib(pid, "VmHWM:")?;
        Ok::<_, anyhow::Error>(Memory {
            service,
            idle_mib: idle as f64 / 1024.0,
            loaded_mib: peak as f64 / 1024.0,
            route,
        })
    }
    .await;
    let _ = child.start_kill();
    let _ = child.wait().await;
    crate::drop_database(&db).await;
    result
}
