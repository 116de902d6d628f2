//! The audit trail is tamper-evident: on a real PostgreSQL database (and on SQLite, which the
//! launcher uses), entries are chained by the sealer, the database refuses changes, and when
//! someone who can switch the trigger off edits, deletes or forges an entry directly in the
//! database, the verification names exactly that entry.

use kit::{
    Role,
    audit::{self, ChainFault, ChainProblem},
    edge::auth::Principal,
    testing::TestDatabase,
};
use sea_orm::{ConnectionTrait, DatabaseConnection};
use sea_orm_migration::{MigrationTrait, MigratorTrait};
use uuid::Uuid;

struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        kit::db::migrations()
    }
}

/// The kit's migrations of before the chain.
struct Before;

impl MigratorTrait for Before {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        kit::db::migrations()
            .into_iter()
            .filter(|m| m.name() != "m20261208_000001_kit_audit_chain")
            .collect()
    }
}

fn clerk() -> Principal {
    Principal {
        subject: "clerk-1".into(),
        role: Role::TownshipClerk,
        division: "500112016".parse().unwrap(),
    }
}

async fn five_entries(db: &DatabaseConnection) -> Vec<Uuid> {
    let mut ids = Vec::new();
    for n in 0..5 {
        ids.push(
            audit::record(
                db,
                &clerk(),
                "read_unmasked",
                "application",
                &format!("app-{n}"),
                "reason: home visit",
            )
            .await
            .unwrap(),
        );
    }
    ids
}

async fn postgres() -> DatabaseConnection {
    let db = TestDatabase::create().await.connect().await;
    kit::db::migrate::<Migrator>(&db).await.unwrap();
    db
}

/// What a database superuser can do: switch the append-only trigger off for one statement.
async fn behind_the_trigger(db: &DatabaseConnection, sql: &str) {
    db.execute_unprepared(&format!(
        "ALTER TABLE kit_audit DISABLE TRIGGER kit_audit_append_only; {sql}; \
         ALTER TABLE kit_audit ENABLE TRIGGER kit_audit_append_only;"
    ))
    .await
    .unwrap();
}

#[tokio::test]
async fn entries_are_chained_in_order_and_the_database_refuses_to_change_them() {
    let db = postgres().await;
    let ids = five_entries(&db).await;
    let before = audit::verify(&db).await.unwrap();
    assert!(before.intact, "{before:?}");
    assert_eq!((before.sealed, before.pending), (0, 5));

    assert_eq!(audit::seal_all(&db).await.unwrap(), 5);
    let after = audit::verify(&db).await.unwrap();
    assert!(after.intact, "{after:?}");
    assert_eq!(
        (after.sealed, after.pending, after.head_seq),
        (5, 0, Some(5))
    );
    assert_eq!(audit::seal_all(&db).await.unwrap(), 0, "sealed once");

    for sql in [
        format!(
            "UPDATE kit_audit SET detail = 'nothing' WHERE id = '{}'",
            ids[2]
        ),
        format!("UPDATE kit_audit SET chain = 'x' WHERE id = '{}'", ids[2]),
        format!("DELETE FROM kit_audit WHERE id = '{}'", ids[4]),
    ] {
        let refused = db.execute_unprepared(&sql).await;
        assert!(
            refused.is_err_and(|e| e.to_string().contains("append-only")),
            "{sql} was allowed"
        );
    }
    // Even before it is sealed, an entry's content cannot change.
    let fresh = five_entries(&db).await;
    let sql = format!(
        "UPDATE kit_audit SET actor = 'someone' WHERE id = '{}'",
        fresh[0]
    );
    assert!(db.execute_unprepared(&sql).await.is_err(), "{sql}");
}

#[tokio::test]
async fn an_entry_edited_in_the_database_is_named_by_the_verification() {
    let db = postgres().await;
    let ids = five_entries(&db).await;
    audit::seal_all(&db).await.unwrap();
    behind_the_trigger(
        &db,
        &format!(
            "UPDATE kit_audit SET detail = 'reason: none' WHERE id = '{}'",
            ids[2]
        ),
    )
    .await;
    let found = audit::verify(&db).await.unwrap();
    assert!(!found.intact);
    assert_eq!(
        found.problems,
        vec![ChainProblem {
            id: Some(ids[2]),
            seq: Some(3),
            reason: ChainFault::ContentAltered
        }]
    );
}

#[tokio::test]
async fn a_deleted_entry_and_a_forged_one_are_named_by_the_verification() {
    let db = postgres().await;
    let ids = five_entries(&db).await;
    audit::seal_all(&db).await.unwrap();
    behind_the_trigger(
        &db,
        &format!("DELETE FROM kit_audit WHERE id = '{}'", ids[1]),
    )
    .await;
    let found = audit::verify(&db).await.unwrap();
    assert_eq!(
        found.problems,
        vec![ChainProblem {
            id: Some(ids[2]),
            seq: Some(2),
            reason: ChainFault::EntriesMissing
        }],
        "the gap is named where it is"
    );

    // A row written straight into the table, without the key: named before and after sealing,
    // and the sealing goes on past it.
    let forged = Uuid::now_v7();
    db.execute_unprepared(&format!(
        "INSERT INTO kit_audit (id, at, actor, role, division, action, resource, resource_id, detail, mac) \
         VALUES ('{forged}', '2026-11-30T02:00:00Z', 'approver-9', 'township-approver', '500112016', 'approve', \
         'application', 'app-9', 'approved', '{}')",
        "0".repeat(64)
    ))
    .await
    .unwrap();
    let found = audit::verify(&db).await.unwrap();
    assert!(found.problems.contains(&ChainProblem {
        id: Some(forged),
        seq: None,
        reason: ChainFault::ContentAltered
    }));
    let after = five_entries(&db).await;
    assert_eq!(audit::seal_all(&db).await.unwrap(), 6);
    let found = audit::verify(&db).await.unwrap();
    assert_eq!(found.problem_count, 2, "{found:?}");
    assert!(found.problems.contains(&ChainProblem {
        id: Some(forged),
        seq: Some(6),
        reason: ChainFault::ContentAltered
    }));
    assert_eq!(found.pending, 0, "{after:?} sealed after the forged row");
}

#[tokio::test]
async fn a_link_rewritten_or_entries_moved_break_the_chain_there() {
    let db = postgres().await;
    let ids = five_entries(&db).await;
    audit::seal_all(&db).await.unwrap();
    // Swap the positions of entries 2 and 3 (their contents and MACs intact).
    behind_the_trigger(
        &db,
        &format!(
            "UPDATE kit_audit SET seq = -seq WHERE id IN ('{a}', '{b}'); \
             UPDATE kit_audit SET seq = 3 WHERE id = '{a}'; UPDATE kit_audit SET seq = 2 WHERE id = '{b}'",
            a = ids[1],
            b = ids[2]
        ),
    )
    .await;
    let found = audit::verify(&db).await.unwrap();
    let named: Vec<(Option<Uuid>, ChainFault)> =
        found.problems.iter().map(|p| (p.id, p.reason)).collect();
    assert_eq!(
        named,
        vec![
            (Some(ids[2]), ChainFault::ChainBroken),
            (Some(ids[1]), ChainFault::ChainBroken),
            // The entry after them followed the other one.
            (Some(ids[3]), ChainFault::ChainBroken),
        ]
    );
}

#[tokio::test]
async fn entries_written_before_the_chain_get_their_mac_from_the_migration() {
    let db = TestDatabase::create().await.connect().await;
    kit::db::migrate::<Before>(&db).await.unwrap();
    db.execute_unprepared(
        "INSERT INTO kit_audit (id, at, actor, role, division, action, resource, resource_id, detail) \
         VALUES ('0190f5a0-0000-7000-8000-000000000001', '2026-11-30T02:00:00.123456Z', 'clerk-1', \
         'township-clerk', '500112016', 'create', 'application', 'app-1', 'created')",
    )
    .await
    .unwrap();
    kit::db::migrate::<Migrator>(&db).await.unwrap();
    five_entries(&db).await;
    assert_eq!(audit::seal_all(&db).await.unwrap(), 6);
    let found = audit::verify(&db).await.unwrap();
    assert!(found.intact, "{found:?}");
    assert_eq!(found.sealed, 6);
}

#[tokio::test]
async fn on_sqlite_the_trail_is_chained_guarded_and_verified_the_same_way() {
    let file = tempfile::NamedTempFile::new().unwrap();
    let db = kit::db::connect(
        &format!("sqlite://{}?mode=rwc", file.path().display()),
        std::time::Duration::from_secs(5),
    )
    .await
    .unwrap();
    kit::db::migrate::<Migrator>(&db).await.unwrap();
    five_entries(&db).await;
    assert_eq!(audit::seal_all(&db).await.unwrap(), 5);
    assert!(audit::verify(&db).await.unwrap().intact);
    let edit = "UPDATE kit_audit SET detail = 'x' WHERE resource_id = 'app-0'";
    assert!(db.execute_unprepared(edit).await.is_err(), "{edit}");
    // Around the triggers, as someone with the file could.
    db.execute_unprepared(
        "DROP TRIGGER kit_audit_no_update; UPDATE kit_audit SET detail = 'x' WHERE resource_id = 'app-0'",
    )
    .await
    .unwrap();
    let found = audit::verify(&db).await.unwrap();
    assert_eq!(found.problem_count, 1, "{found:?}");
    assert_eq!(found.problems[0].seq, Some(1));
}

/// Auditors read the trail through the service's edge: filtered, paginated, identifiers masked;
/// the unmasked text is shown only when asked, and that read is itself on the trail.
#[tokio::test]
async fn auditors_read_the_trail_masked_paginated_and_an_unmasked_read_is_recorded() {
    use kit::{
        service::Parts,
        testing::{TestApp, eventually},
    };
    let app = TestApp::spawn::<Migrator>("audit-test", "aid", |_| Parts {
        routes: utoipa_axum::router::OpenApiRouter::new(),
        consumers: kit::inbox::Consumers::new("audit-test"),
    })
    .await;
    let db = kit::db::connect(&app.database_url, std::time::Duration::from_secs(5))
        .await
        .unwrap();
    let ids = five_entries(&db).await;
    let flagged = audit::record(
        &db,
        &clerk(),
        "read-unmasked",
        "member",
        "member-7",
        "reason: home visit to 500112197412014865",
    )
    .await
    .unwrap();
    let auditor = TestApp::token(Role::Auditor, "500112");

    let (status, page) = app.get("/v1/audit/entries?resource=member", &auditor).await;
    assert_eq!(status, 200, "{page}");
    let items = page["items"].as_array().unwrap();
    assert_eq!(items.len(), 1, "{page}");
    assert_eq!(items[0]["id"], flagged.to_string());
    assert_eq!(items[0]["actor"], "clerk-1");
    assert_eq!(
        items[0]["detail"],
        "reason: home visit to 500*************65"
    );

    // Newest first, a page at a time.
    let (_, first) = app
        .get("/v1/audit/entries?resource=application&limit=3", &auditor)
        .await;
    let cursor = first["next_cursor"].as_str().expect("a next page");
    let (_, second) = app
        .get(
            &format!("/v1/audit/entries?resource=application&limit=3&cursor={cursor}"),
            &auditor,
        )
        .await;
    let listed: Vec<&str> = first["items"]
        .as_array()
        .unwrap()
        .iter()
        .chain(second["items"].as_array().unwrap())
        .map(|i| i["id"].as_str().unwrap())
        .collect();
    let mut expected: Vec<String> = ids.iter().map(Uuid::to_string).collect();
    expected.reverse();
    assert_eq!(listed, expected);
    assert!(second["next_cursor"].is_null());

    // Sealed within a second or so: each entry shows its position.
    eventually(
        "the entries sealed",
        std::time::Duration::from_secs(10),
        || async {
            let (_, page) = app.get("/v1/audit/entries?resource=member", &auditor).await;
            page["items"][0]["seq"].as_i64()
        },
    )
    .await;

    let (status, page) = app
        .get(
            "/v1/audit/entries?resource=member&unmasked=true&reason=complaint%2042",
            &auditor,
        )
        .await;
    assert_eq!(status, 200);
    assert_eq!(
        page["items"][0]["detail"],
        "reason: home visit to 500112197412014865"
    );
    let (_, reads) = app
        .get(
            "/v1/audit/entries?resource=audit&action=read-unmasked",
            &auditor,
        )
        .await;
    let detail = reads["items"][0]["detail"].as_str().unwrap();
    assert!(
        detail.contains("reason=complaint 42") && detail.contains(&flagged.to_string()),
        "{reads}"
    );

    // Only auditors read it; verification is for auditors and district officers.
    let clerk_token = TestApp::token(Role::TownshipClerk, "500112016");
    assert_eq!(app.get("/v1/audit/entries", &clerk_token).await.0, 403);
    assert_eq!(app.get("/v1/audit/verification", &clerk_token).await.0, 403);
    let (status, found) = app.get("/v1/audit/verification", &auditor).await;
    assert_eq!((status, &found["intact"]), (200, &serde_json::json!(true)));
    app.stop().await;
}
