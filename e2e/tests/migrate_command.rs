//! The `migrate` command, the init step of every replica of a deployment: several replicas
//! starting together run it at the same moment on one database: every run succeeds and the
//! database ends fully migrated (the runs take the same advisory lock as a serving start, so they
//! migrate one after another instead of colliding on the same tables).

use e2e::SERVICES;
use kit::testing::TestDatabase;
use sea_orm::{ConnectionTrait, Statement};

#[tokio::test]
async fn three_migrations_at_once_on_one_database_all_succeed_and_apply_each_step_once() {
    for service in SERVICES {
        let database = TestDatabase::create().await;
        let runs: Vec<std::process::Child> = (0..3)
            .map(|_| {
                std::process::Command::new(e2e::service_binary(service))
                    .arg("migrate")
                    .env("DATABASE_URL", &database.url)
                    .env("LOG_FORMAT", "json")
                    .stdout(std::process::Stdio::piped())
                    .stderr(std::process::Stdio::piped())
                    .spawn()
                    .expect("the service binary")
            })
            .collect();
        for run in runs {
            let out = run.wait_with_output().unwrap();
            assert!(
                out.status.success(),
                "{service} migrate: {}{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let db = database.connect().await;
        let versions: Vec<String> = db
            .query_all_raw(Statement::from_string(
                db.get_database_backend(),
                "SELECT version FROM seaql_migrations ORDER BY version",
            ))
            .await
            .unwrap()
            .iter()
            .map(|r| r.try_get("", "version").unwrap())
            .collect();
        assert!(
            versions
                .iter()
                .any(|v| v == "m20261208_000001_kit_audit_chain"),
            "{service}: every migration applied, the kit's last too: {versions:?}"
        );
    }
}
