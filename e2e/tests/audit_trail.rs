//! Every service's audit trail is tamper-evident: in each of the six running services, an entry
//! edited directly in the service's database (the append-only trigger switched off, as a database
//! superuser could) is named by the service's verification route and by its binary's
//! `verify-audit` command, which exits with a failure. The test plays the database administrator:
//! it creates the databases and hands them to the mesh.

use e2e::{Mesh, MeshOptions, SERVICES};
use kit::{
    Role,
    testing::{NatsServer, TestDatabase, eventually},
};
use sea_orm::{ConnectionTrait, Statement};
use serde_json::Value;
use std::time::Duration;

async fn verification(mesh: &Mesh, service: &str) -> Value {
    let auditor = Mesh::token(Role::Auditor, "500112");
    let answer = mesh
        .http
        .get(format!("{}/v1/audit/verification", mesh.url(service)))
        .bearer_auth(auditor)
        .send()
        .await
        .expect("verification");
    assert_eq!(answer.status(), 200, "{service}");
    answer.json().await.expect("JSON")
}

#[tokio::test]
async fn an_entry_edited_in_any_service_s_database_is_named_by_its_route_and_its_command() {
    let mut databases = Vec::new();
    for _ in SERVICES {
        databases.push(TestDatabase::create().await);
    }
    let mesh = Mesh::start_with(
        NatsServer::start().await,
        MeshOptions {
            databases: Some(databases.iter().map(|d| d.url.clone()).collect()),
            ..MeshOptions::default()
        },
    )
    .await;
    for (service, database) in SERVICES.into_iter().zip(&databases) {
        // The first check is itself audited: once the sealer chained it, the trail has an entry.
        let first = verification(&mesh, service).await;
        assert_eq!(first["intact"], true, "{service}: {first}");
        eventually(
            &format!("{service} seals its audit entries"),
            Duration::from_secs(30),
            || async {
                let v = verification(&mesh, service).await;
                (v["sealed"].as_u64() >= Some(1)).then_some(())
            },
        )
        .await;

        let db = database.connect().await;
        let row = db
            .query_one_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT id::text AS id, seq FROM kit_audit WHERE seq IS NOT NULL ORDER BY seq LIMIT 1",
            ))
            .await
            .unwrap()
            .expect("a sealed entry");
        let id: String = row.try_get("", "id").unwrap();
        let seq: i64 = row.try_get("", "seq").unwrap();
        db.execute_unprepared(&format!(
            "ALTER TABLE kit_audit DISABLE TRIGGER kit_audit_append_only; \
             UPDATE kit_audit SET actor = 'someone-else' WHERE id = '{id}'; \
             ALTER TABLE kit_audit ENABLE TRIGGER kit_audit_append_only;"
        ))
        .await
        .unwrap();

        let found = verification(&mesh, service).await;
        assert_eq!(found["intact"], false, "{service}: {found}");
        assert_eq!(
            found["problems"],
            serde_json::json!([{ "id": id, "seq": seq, "reason": "content_altered" }]),
            "{service}"
        );

        let command = std::process::Command::new(e2e::service_binary(service))
            .arg("verify-audit")
            .env("DATABASE_URL", &database.url)
            .env("LOG_FORMAT", "json")
            .output()
            .expect("the service binary");
        assert_eq!(command.status.code(), Some(1), "{service} verify-audit");
        let printed: Value = serde_json::from_slice(&command.stdout).expect("JSON on stdout");
        assert_eq!(printed["problems"], found["problems"], "{service}");
    }
}
