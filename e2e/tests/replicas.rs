//! Every service running as two instances on one database and one NATS, as a deployment with
//! two replicas does: the flows that cross every service run with both up, the first instance of
//! each is killed (SIGKILL) in the middle of them, and every effect happens exactly once — the
//! survivors take over the consumers' redelivered messages and relay what the killed instances
//! left in the outbox — and every flow completes on the survivors afterwards.

use e2e::{
    Mesh, SERVICES,
    interrupted::*,
    people::{Sex, aged},
};

#[tokio::test]
async fn two_instances_of_every_service_one_killed_mid_flow_apply_every_effect_once() {
    let mut mesh = Mesh::start().await;
    for service in SERVICES {
        mesh.add_replica(service).await;
    }
    let c = open_case(&mesh).await;
    let bed = home_bed_assessed(&mesh).await;
    let holder = aged(47, Sex::Female);
    issue_certificate(&mesh, &holder).await;
    // The flag and the installation are written; their events may still be in the outbox or
    // delivered and not yet acknowledged when the first instances die.
    record_parents(&mesh, &c).await;
    install(&mesh, &bed).await;
    record_death(&mesh, &holder).await;
    for service in SERVICES {
        mesh.fail_over(service);
    }
    assert_child_registered_once(&mesh, &c).await;
    assert_bed_established_once(&mesh, &bed).await;
    assert_nursing_granted_once(&mesh, &holder).await;
    assert_subsidy_ended_once(&mesh, &holder).await;
    every_flow_completes(&mesh, &[&c.child, &c.father, &bed.elder, &holder]).await;
}
