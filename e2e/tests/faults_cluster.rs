//! The mesh on a three-node NATS cluster with every stream at three replicas (STREAM_REPLICAS=3):
//! one node killed, then another after the first came back; flows complete and each effect
//! happens exactly once.

use e2e::{
    Mesh, MeshOptions,
    interrupted::*,
    nats_cluster::NatsCluster,
    people::{Sex, aged},
};
use kit::testing::eventually;

/// Waits until every stream has a leader and at least `n - 1` current followers.
async fn streams_with(cluster: &NatsCluster, n: usize) {
    for spec in contracts::STREAMS {
        eventually(
            &format!("{} has {n} current replicas", spec.name),
            std::time::Duration::from_secs(60),
            || async { (cluster.current_replicas(0, spec.name).await >= n).then_some(()) },
        )
        .await;
    }
}

#[tokio::test]
async fn losing_one_node_of_three_loses_no_event_and_duplicates_none() {
    let mut cluster = NatsCluster::start().await;
    let mesh = Mesh::start_with(
        cluster.take_first(),
        MeshOptions {
            env: vec![("STREAM_REPLICAS".into(), "3".into())],
            ..MeshOptions::default()
        },
    )
    .await;
    let c = open_case(&mesh).await;
    let bed = home_bed_assessed(&mesh).await;
    let holder = aged(52, Sex::Male);

    cluster.kill(2);
    streams_with(&cluster, 2).await;
    record_parents(&mesh, &c).await;
    install(&mesh, &bed).await;
    issue_certificate(&mesh, &holder).await;
    assert_child_registered_once(&mesh, &c).await;
    assert_bed_established_once(&mesh, &bed).await;
    assert_nursing_granted_once(&mesh, &holder).await;

    cluster.resume(2).await;
    streams_with(&cluster, 3).await;
    cluster.kill(1);
    streams_with(&cluster, 2).await;
    record_death(&mesh, &holder).await;
    record_death(&mesh, &bed.elder).await;
    assert_subsidy_ended_once(&mesh, &holder).await;
    assert_bed_closed_once(&mesh, &bed).await;
    every_flow_completes(&mesh, &[&c.child, &c.father, &bed.elder, &holder]).await;
}
