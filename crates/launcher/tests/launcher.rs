//! The `mesh` command brings every built service up on one machine and stops it cleanly.

use std::{
    io::{BufRead, BufReader},
    process::{Command, Stdio},
    time::Duration,
};

use kit::testing::{NatsServer, nats_server::free_port};

/// Starts `mesh` with `args`, waits for its summary, checks each printed service answers /readyz
/// and serves its API reference, and the front page links them all; then sends SIGINT and checks
/// everything stopped.
async fn run_mesh(args: &[&str]) {
    let nats = NatsServer::start().await;
    let data = tempfile::tempdir().unwrap();
    // A block of ports away from 8080–8086, so a developer's running mesh does not collide, and
    // below the kernel's ephemeral range (32768 and up), where outgoing connections (the services'
    // own pools) and other tests' servers take their ports.
    let offset = (free_port() % 10_000 + 20_000 - 8080).to_string();
    let mut child = Command::new(env!("CARGO_BIN_EXE_mesh"))
        // The workspace test build has built every service binary beside `mesh`.
        .args([
            "--no-build",
            "--data",
            data.path().to_str().unwrap(),
            "--port-offset",
            &offset,
        ])
        .args(args)
        .env("NATS_URL", nats.url())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let (up_tx, up_rx) = tokio::sync::oneshot::channel();
    // Reads the summary, then keeps draining stdout until the mesh exits.
    std::thread::spawn(move || {
        let mut seen = Vec::new();
        let mut up_tx = Some(up_tx);
        for line in BufReader::new(stdout).lines().map_while(Result::ok) {
            seen.push(line);
            if seen
                .last()
                .is_some_and(|l| l.contains("Ctrl-C stops everything"))
                && let Some(tx) = up_tx.take()
            {
                let _ = tx.send(std::mem::take(&mut seen));
            }
        }
    });
    let lines = tokio::time::timeout(Duration::from_secs(120), up_rx)
        .await
        .expect("mesh came up")
        .expect("summary printed");
    let summary = lines.join("\n");
    assert!(summary.contains("Minzheng Mesh is up"), "{summary}");
    assert!(
        summary.contains("district officer"),
        "a development token is printed: {summary}"
    );
    // The front page first, then one line per service with its API reference.
    let front = lines
        .iter()
        .find(|l| l.contains("front page:"))
        .and_then(|l| l.split_whitespace().find(|w| w.starts_with("http://")))
        .expect("the front page is printed")
        .to_owned();
    let docs: Vec<String> = lines
        .iter()
        .filter_map(|l| {
            l.split_whitespace()
                .find(|w| w.starts_with("http://127.0.0.1:") && w.ends_with("/docs/"))
                .map(str::to_owned)
        })
        .collect();
    assert!(
        !docs.is_empty(),
        "at least aid-applications is started: {summary}"
    );
    let urls: Vec<String> = docs
        .iter()
        .map(|d| d.trim_end_matches("/docs/").to_owned())
        .collect();
    let http = reqwest::Client::new();
    for (url, docs) in urls.iter().zip(&docs) {
        let status = http
            .get(format!("{url}/readyz"))
            .send()
            .await
            .unwrap()
            .status();
        assert_eq!(status, 200, "{url}/readyz");
        let page = http.get(docs).send().await.unwrap();
        assert_eq!(page.status(), 200, "{docs}");
        assert!(page.text().await.unwrap().contains("swagger-ui"), "{docs}");
    }
    let page = http.get(&front).send().await.unwrap().text().await.unwrap();
    for docs in &docs {
        assert!(page.contains(docs.as_str()), "the front page links {docs}");
    }
    assert!(
        page.contains("aid.application.decided.v1"),
        "the events are on the front page"
    );
    // Each partner agency's contract, linked from the front page and rendered for reading; the
    // pages are kept in the test run's output (target/tmp/partners/).
    let base = front.trim_end_matches('/');
    let out = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("partners");
    std::fs::create_dir_all(&out).unwrap();
    for contract in &kit::edge::partners::CONTRACTS {
        let agency = contract.agency;
        let link = format!("/partners/{agency}.html");
        assert!(page.contains(&link), "the front page links {link}");
        let answer = http.get(format!("{base}{link}")).send().await.unwrap();
        assert_eq!(answer.status(), 200, "{link}");
        let html = answer.text().await.unwrap();
        assert!(
            html.contains(&format!("Minzheng Mesh for {agency}")),
            "{link}"
        );
        std::fs::write(out.join(format!("{agency}.html")), html).unwrap();
        let yaml = http
            .get(format!("{base}/partners/{agency}.asyncapi.yaml"))
            .send()
            .await
            .unwrap();
        assert_eq!(yaml.status(), 200);
    }

    Command::new("kill")
        .args(["-INT", &child.id().to_string()])
        .status()
        .unwrap();
    let exit = tokio::task::spawn_blocking(move || child.wait().unwrap());
    let status = tokio::time::timeout(Duration::from_secs(30), exit)
        .await
        .expect("mesh stopped")
        .unwrap();
    assert!(status.success(), "mesh exited with {status}");
    for url in urls.iter().chain([&front]) {
        assert!(
            http.get(format!("{url}/livez")).send().await.is_err(),
            "{url} still answers after Ctrl-C"
        );
    }
}

#[tokio::test]
async fn the_mesh_comes_up_on_sqlite_files_and_stops_on_ctrl_c() {
    run_mesh(&[]).await;
}

#[tokio::test]
async fn the_mesh_comes_up_with_a_postgresql_database_per_service() {
    let server = kit::testing::pg::server_url().await;
    // Named like the test databases (t_<unix time>_…) so the test sweep removes them later.
    let prefix = format!(
        "t_{}_{}",
        chrono::Utc::now().timestamp(),
        &uuid::Uuid::now_v7().simple().to_string()[20..]
    );
    run_mesh(&["--postgres", &server, "--db-prefix", &prefix]).await;
}
