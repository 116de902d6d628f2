//! NATS killed (SIGKILL) in the middle of flows and started again on its store: the REST edges
//! keep taking writes meanwhile (their events wait in the outboxes), deliveries cut mid-way are
//! redelivered, and each effect happens exactly once.

use e2e::{
    Mesh,
    interrupted::*,
    people::{Sex, aged},
};

#[tokio::test]
async fn writes_taken_while_nats_is_down_reach_every_consumer_once_it_is_back() {
    let mut mesh = Mesh::start().await;
    let c = open_case(&mesh).await;
    let bed = home_bed_assessed(&mesh).await;
    let holder = aged(47, Sex::Female);
    issue_certificate(&mesh, &holder).await;

    mesh.nats.as_mut().expect("own NATS").kill();
    record_parents(&mesh, &c).await;
    install(&mesh, &bed).await;
    mesh.nats.as_mut().expect("own NATS").resume().await;

    assert_child_registered_once(&mesh, &c).await;
    assert_bed_established_once(&mesh, &bed).await;
    assert_nursing_granted_once(&mesh, &holder).await;

    // Killed again right after a partner's fact is stored: its deliveries to disability-subsidies
    // and elderly-care are cut wherever they were.
    record_death(&mesh, &holder).await;
    record_death(&mesh, &bed.elder).await;
    mesh.nats.as_mut().expect("own NATS").kill();
    mesh.nats.as_mut().expect("own NATS").resume().await;
    assert_subsidy_ended_once(&mesh, &holder).await;
    assert_bed_closed_once(&mesh, &bed).await;

    every_flow_completes(&mesh, &[&c.child, &c.father, &bed.elder, &holder]).await;
}
