//! The whole mesh under the real NATS security: nats-server runs the generated accounts
//! (`infra/nats/nats-server.conf`), every service logs in as its own user and may publish and
//! consume only what schemas/asyncapi.yaml gives it, and the partner agencies publish their facts
//! from their own accounts through the reference client and through the Python and Rust examples a
//! partner copies (examples/partners/, the Rust ones built as examples of partner-sim by the
//! workspace's test build). The flows that cross every service —
//! a certificate and a death from partners, a child's case, a home care bed — complete exactly as
//! on the open development server, so the permissions the accounts grant are the ones the
//! services need.

use e2e::{
    Mesh, MeshOptions,
    interrupted::*,
    people::{Sex, aged},
};
use kit::testing::NatsServer;

/// The partners' Rust fact publisher, built beside the service binaries.
fn publish_fact_example() -> std::path::PathBuf {
    let exe = std::env::current_exe().expect("the test binary");
    let program = exe
        .parent()
        .and_then(|d| d.parent())
        .expect("the target directory")
        .join("examples/partner_publish_fact");
    assert!(
        program.exists(),
        "{} is not built: run the suite with `cargo nextest run --workspace` (it builds partner-sim's examples)",
        program.display()
    );
    program
}

/// Publishes `person`'s death as the civil registry with an example program (`program`: the
/// command up to the example's own arguments), and checks the program succeeded.
fn publish_death(mesh: &Mesh, mut program: std::process::Command, person: &e2e::people::Person) {
    let death = partner_sim::death(
        &person.id_number,
        e2e::people::days_ago(1),
        place().township,
    )
    .expect("a death record");
    let body = tempfile::NamedTempFile::new().unwrap();
    std::fs::write(body.path(), serde_json::to_string(&death).unwrap()).unwrap();
    let published = program
        .args([
            "partner.civil-registry.death.recorded.v1",
            body.path().to_str().unwrap(),
        ])
        .env("NATS_URL", mesh.nats_url())
        .env("NATS_USER", "civil-registry")
        .env("NATS_PASSWORD", e2e::dev_password("civil-registry"))
        .env("AGENCY", "civil-registry")
        // Recorded now on the mesh's clock (a rehearsal of another day moves it).
        .env("CE_TIME", kit::clock::now().to_rfc3339())
        .output()
        .unwrap();
    assert!(
        published.status.success(),
        "{:?} publishes: {}",
        program.get_program(),
        String::from_utf8_lossy(&published.stderr)
    );
}

#[tokio::test]
async fn every_flow_completes_with_each_service_and_partner_logged_in_as_itself() {
    let config =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../infra/nats/nats-server.conf");
    let nats = NatsServer::start_with(vec!["-c".into(), config.display().to_string()]).await;
    let mesh = Mesh::start_with(
        nats,
        MeshOptions {
            secured: true,
            ..MeshOptions::default()
        },
    )
    .await;
    // Anonymous access is refused: the server really runs the accounts.
    assert!(async_nats::connect(mesh.nats_url()).await.is_err());

    let c = open_case(&mesh).await;
    let bed = home_bed_assessed(&mesh).await;
    let holder = aged(47, Sex::Female);
    issue_certificate(&mesh, &holder).await;
    record_parents(&mesh, &c).await;
    install(&mesh, &bed).await;
    assert_child_registered_once(&mesh, &c).await;
    assert_bed_established_once(&mesh, &bed).await;
    assert_nursing_granted_once(&mesh, &holder).await;

    // The deaths come from the example programs, as an agency would send them: the certificate
    // holder's from the Python publisher, the elder's from the Rust one.
    let mut python = std::process::Command::new(partner_sim::examples::python());
    python
        .arg("publish_fact.py")
        .current_dir(partner_sim::examples::python_dir());
    publish_death(&mesh, python, &holder);
    let rust = std::process::Command::new(publish_fact_example());
    publish_death(&mesh, rust, &bed.elder);
    assert_subsidy_ended_once(&mesh, &holder).await;
    assert_bed_closed_once(&mesh, &bed).await;
    every_flow_completes(&mesh, &[&c.child, &c.father, &bed.elder, &holder]).await;
}
