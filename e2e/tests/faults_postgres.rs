//! PostgreSQL crashed (`pg_ctl stop -m immediate`) under all six services and started again: facts
//! that arrive meanwhile are redelivered until applied, writes are refused while it is down and
//! taken once it is back, and each effect happens exactly once. The services' databases live on a
//! PostgreSQL of this test's own, so no other test feels the crash.

use e2e::{
    Mesh, MeshOptions, SERVICES,
    interrupted::*,
    people::{Sex, aged},
    private_postgres::PrivatePostgres,
};
use kit::testing::NatsServer;

#[tokio::test]
async fn a_database_crash_loses_no_fact_and_applies_none_twice() {
    let pg = PrivatePostgres::start();
    let databases = SERVICES
        .iter()
        .map(|s| pg.create_database(&s.replace('-', "_")))
        .collect();
    let mesh = Mesh::start_with(
        NatsServer::start().await,
        MeshOptions {
            databases: Some(databases),
            ..MeshOptions::default()
        },
    )
    .await;
    let c = open_case(&mesh).await;
    let bed = home_bed_assessed(&mesh).await;
    install(&mesh, &bed).await;
    let holder = aged(61, Sex::Male);
    issue_certificate(&mesh, &holder).await;
    assert_nursing_granted_once(&mesh, &holder).await;
    assert_bed_established_once(&mesh, &bed).await;

    pg.crash();
    // Facts arrive while no service can write: they wait in their streams.
    let later = aged(44, Sex::Female);
    issue_certificate(&mesh, &later).await;
    record_death(&mesh, &holder).await;
    record_death(&mesh, &bed.elder).await;
    // A write is refused, not half-done.
    let (status, body) = mesh
        .post(
            "minor-protection",
            &format!("/v1/cases/{}/parents", c.case_id),
            &e2e::people::Place::township("500112016")
                .token("supervisor-ma", kit::Role::TownshipClerk),
            &serde_json::json!({ "father": { "situation": "present" },
                                 "mother": { "situation": "present" }, "recorded_on": e2e::people::today() }),
        )
        .await;
    assert!(
        status >= 500,
        "refused while the database is down: {status} {body}"
    );
    pg.resume();
    for service in SERVICES {
        until_answering(&mesh, service, "/v1/dead-letters").await;
    }

    record_parents(&mesh, &c).await;
    assert_child_registered_once(&mesh, &c).await;
    assert_nursing_granted_once(&mesh, &later).await;
    assert_subsidy_ended_once(&mesh, &holder).await;
    assert_bed_closed_once(&mesh, &bed).await;
    every_flow_completes(&mesh, &[&c.child, &c.father, &bed.elder, &holder, &later]).await;
    drop(mesh);
    drop(pg);
}
