//! The whole mesh under the real NATS security: nats-server runs the generated accounts
//! (`infra/nats/nats-server.conf`), every service logs in as its own user and may publish and
//! consume only what schemas/asyncapi.yaml gives it, and the partner agencies publish their facts
//! from their own accounts through the reference client. The flows that cross every service —
//! a certificate and a death from partners, a child's case, a home care bed — complete exactly as
//! on the open development server, so the permissions the accounts grant are the ones the
//! services need.

use e2e::{
    Mesh, MeshOptions,
    interrupted::*,
    people::{Sex, aged},
};
use kit::testing::NatsServer;

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

    record_death(&mesh, &holder).await;
    record_death(&mesh, &bed.elder).await;
    assert_subsidy_ended_once(&mesh, &holder).await;
    assert_bed_closed_once(&mesh, &bed).await;
    every_flow_completes(&mesh, &[&c.child, &c.father, &bed.elder, &holder]).await;
}
