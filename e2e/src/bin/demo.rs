//! The demo: runs the cross-service flows against a mesh started with
//! `cargo run -p launcher --bin mesh`, narrating every request and what each service did.

use std::panic::AssertUnwindSafe;

use e2e::{Mesh, flows};
use futures::FutureExt;

const HELP: &str = "\
demo — run the cross-service flows of docs/architecture.md (cross-service flows) against a running mesh, narrated

usage: cargo run -p e2e --bin demo [-- [FLOW…] [--port-offset N] [--nats URL]]

  FLOW             the flows to run, 1–8 (default: all, in order)
  --port-offset N  the mesh's ports are 8081+N … 8086+N (as given to the launcher)
  --nats URL       the mesh's NATS (default $NATS_URL, else nats://127.0.0.1:4222)

Start the mesh first, in another terminal: cargo run -p launcher --bin mesh
";

#[tokio::main]
async fn main() {
    let mut wanted = Vec::new();
    let mut offset = 0u16;
    let mut nats = std::env::var("NATS_URL").unwrap_or_else(|_| "nats://127.0.0.1:4222".into());
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "-h" | "--help" => return print!("{HELP}"),
            "--port-offset" => offset = args.next().and_then(|v| v.parse().ok()).unwrap_or(0),
            "--nats" => nats = args.next().unwrap_or(nats),
            n => match n.parse::<u8>() {
                Ok(n) if (1..=7).contains(&n) => wanted.push(n),
                _ => {
                    eprint!("unknown argument {n}\n\n{HELP}");
                    std::process::exit(2);
                }
            },
        }
    }
    if wanted.is_empty() {
        wanted = flows::FLOWS.iter().map(|(n, _)| *n).collect();
    }
    let mesh = match Mesh::attach("127.0.0.1", 8081 + offset, &nats).await {
        Ok(m) => m,
        Err(e) => {
            eprintln!(
                "no mesh to run against: {e}\n\nstart it with: cargo run -p launcher --bin mesh"
            );
            std::process::exit(1);
        }
    };
    let mut failed = Vec::new();
    for n in wanted {
        let title = flows::FLOWS[usize::from(n - 1)].1;
        println!("\n════ Flow {n}: {title}");
        match AssertUnwindSafe(flows::run(n, &mesh)).catch_unwind().await {
            Ok(()) => println!("\n════ Flow {n}: done"),
            Err(_) => {
                println!("\n════ Flow {n}: FAILED (the reason is printed above)");
                failed.push(n);
            }
        }
    }
    if !failed.is_empty() {
        eprintln!("\nflows that failed: {failed:?}");
        std::process::exit(1);
    }
}
