//! The migrations and the visit flow on SQLite, the single-machine database.

use elderly_care::{
    commands::{enrollments::enrollment_started, visits::check_overdue},
    store::Migrator,
};
use kit::outbox::Outbox;
use sea_orm::TransactionTrait;
use sea_orm_migration::MigratorTrait;
use uuid::Uuid;

use crate::support::{d, dispersed};

#[tokio::test]
async fn migrations_and_the_visit_flow_run_on_sqlite() {
    let dir = std::env::temp_dir().join(format!("elderly-{}.db", Uuid::now_v7().simple()));
    let url = format!("sqlite://{}?mode=rwc", dir.display());
    let db = kit::db::connect(&url, std::time::Duration::from_secs(5))
        .await
        .expect("SQLite");
    Migrator::up(&db, None)
        .await
        .expect("migrations run on SQLite");
    let tx = db.begin().await.unwrap();
    let a = format!("{:032x}", 99);
    let changes = enrollment_started(&tx, &dispersed(Uuid::now_v7(), &[&a], "2026-01-31"))
        .await
        .expect("planned");
    tx.commit().await.unwrap();
    assert_eq!(changes.created, 1);
    let outbox = Outbox::new();
    assert_eq!(
        check_overdue(&db, &outbox, d("2026-03-01"))
            .await
            .unwrap()
            .raised,
        1
    );
    assert_eq!(
        check_overdue(&db, &outbox, d("2026-03-01"))
            .await
            .unwrap()
            .raised,
        0
    );
    drop(db);
    let _ = std::fs::remove_file(&dir);
}
