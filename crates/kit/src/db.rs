//! Database connection (PostgreSQL in clusters, a SQLite file on one machine) and the kit's own
//! tables: outbox, inbox, dead letters, idempotency keys and the audit trail.

use std::time::Duration;

use sea_orm::{ConnectOptions, ConnectionTrait, Database, DatabaseConnection, DbBackend, DbErr};
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Connects, retrying while the database is not yet reachable (a pod may start before its
/// database); gives up after `patience`.
pub async fn connect(url: &str, patience: Duration) -> Result<DatabaseConnection, DbErr> {
    let url = loopback_without_tls(url);
    let sqlite = url.starts_with("sqlite:");
    let mut options = ConnectOptions::new(url.clone());
    options
        .max_connections(if sqlite { 1 } else { pool_size() })
        .min_connections(1)
        .connect_timeout(Duration::from_secs(5))
        .acquire_timeout(Duration::from_secs(10))
        // sea-orm's default pings every connection it hands out: one more round trip before
        // every statement outside a transaction and every `begin`, which halved the REST reads.
        // A connection that sat idle is still checked; a busy one that broke fails its statement,
        // is dropped by the pool, and the caller's retry gets a fresh one.
        .test_before_acquire_if_idle_for(Duration::from_secs(10))
        .sqlx_logging(false);
    let deadline = tokio::time::Instant::now() + patience;
    loop {
        match Database::connect(options.clone()).await {
            Ok(db) => {
                if sqlite {
                    db.execute_unprepared("PRAGMA journal_mode=WAL; PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON;")
                        .await?;
                }
                return Ok(db);
            }
            Err(e) if tokio::time::Instant::now() < deadline => {
                tracing::warn!(error = %e, "database not reachable yet; retrying");
                tokio::time::sleep(Duration::from_millis(500)).await;
            }
            Err(e) => return Err(e),
        }
    }
}

/// Connections per service process (`DB_POOL_SIZE`, default 8): the cluster's `max_connections`
/// must cover every replica of every service using it.
fn pool_size() -> u32 {
    std::env::var("DB_POOL_SIZE")
        .ok()
        .and_then(|v| v.parse().ok())
        .filter(|n| *n > 0)
        .unwrap_or(8)
}

/// TLS to PostgreSQL on loopback costs ~90 ms per connection and protects nothing.
fn loopback_without_tls(url: &str) -> String {
    let loopback = url.contains("@127.0.0.1")
        || url.contains("@localhost")
        || url.contains("://127.0.0.1")
        || url.contains("://localhost");
    if url.starts_with("postgres") && loopback && !url.contains("sslmode=") {
        let sep = if url.contains('?') { '&' } else { '?' };
        format!("{url}{sep}sslmode=disable")
    } else {
        url.to_owned()
    }
}

/// Applies `M`'s pending migrations. On PostgreSQL an advisory lock, held by a transaction of its
/// own while the migrations run on other connections of the pool, makes replicas that start
/// together (or a migrate init step and a serving pod) migrate one at a time.
pub async fn migrate<M: sea_orm_migration::MigratorTrait>(
    db: &DatabaseConnection,
) -> Result<(), DbErr> {
    use sea_orm::TransactionTrait;
    if !is_postgres(db) {
        return M::up(db, None).await;
    }
    let lock = db.begin().await?;
    lock.execute_unprepared("SELECT pg_advisory_xact_lock(7306012026)")
        .await?;
    let result = M::up(db, None).await;
    lock.commit().await?;
    result
}

/// Whether the connection is PostgreSQL (some plumbing uses PostgreSQL-only features).
pub fn is_postgres(db: &impl ConnectionTrait) -> bool {
    db.get_database_backend() == DbBackend::Postgres
}

/// The kit's migrations; a service lists them before its own.
pub fn migrations() -> Vec<Box<dyn MigrationTrait>> {
    vec![
        Box::new(CreateKitTables),
        Box::new(IndexUnpublishedOutbox),
        Box::new(KeepMessagesExactly),
        Box::new(ChainTheAudit),
    ]
}

/// The audit trail becomes tamper-evident (see [`crate::audit`]): a MAC per entry, its position
/// and link in the chain, and a trigger that lets only the sealer set those two, once.
struct ChainTheAudit;

impl MigrationName for ChainTheAudit {
    fn name(&self) -> &str {
        "m20261208_000001_kit_audit_chain"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for ChainTheAudit {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in [
            string_len_null("mac", 64),
            big_integer_null("seq"),
            string_len_null("chain", 64),
        ] {
            m.alter_table(
                Table::alter()
                    .table("kit_audit")
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        // Partial and unique indexes have the same syntax on PostgreSQL and SQLite.
        db.execute_unprepared(
            "CREATE UNIQUE INDEX IF NOT EXISTS kit_audit_seq ON kit_audit (seq); \
             CREATE INDEX IF NOT EXISTS kit_audit_unsealed ON kit_audit (id) WHERE seq IS NULL",
        )
        .await?;
        // The content never changes; `mac` is set once where it is missing (the entries of
        // before this migration), `seq` and `chain` once by the sealer.
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(
                "CREATE OR REPLACE FUNCTION kit_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                 BEGIN \
                   IF TG_OP = 'UPDATE' AND OLD.seq IS NULL \
                      AND (NEW.id, NEW.at, NEW.actor, NEW.role, NEW.division, NEW.action, NEW.resource, NEW.resource_id, NEW.detail) \
                          IS NOT DISTINCT FROM (OLD.id, OLD.at, OLD.actor, OLD.role, OLD.division, OLD.action, OLD.resource, OLD.resource_id, OLD.detail) \
                      AND (OLD.mac IS NULL OR NEW.mac IS NOT DISTINCT FROM OLD.mac) THEN \
                     RETURN NEW; \
                   END IF; \
                   RAISE EXCEPTION 'the audit trail is append-only'; \
                 END $$;",
            )
            .await?;
        } else {
            db.execute_unprepared(
                "DROP TRIGGER IF EXISTS kit_audit_no_update; \
                 CREATE TRIGGER kit_audit_no_update BEFORE UPDATE ON kit_audit \
                 WHEN OLD.seq IS NOT NULL OR NEW.id IS NOT OLD.id OR NEW.at IS NOT OLD.at \
                   OR NEW.actor IS NOT OLD.actor OR NEW.role IS NOT OLD.role \
                   OR NEW.division IS NOT OLD.division OR NEW.action IS NOT OLD.action \
                   OR NEW.resource IS NOT OLD.resource OR NEW.resource_id IS NOT OLD.resource_id \
                   OR NEW.detail IS NOT OLD.detail \
                   OR (OLD.mac IS NOT NULL AND NEW.mac IS NOT OLD.mac) \
                 BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
            )
            .await?;
        }
        crate::audit::mac_earlier_entries(db).await
    }
}

/// A dead letter keeps the message's bytes exactly (`payload_bytes`: a message that is not UTF-8,
/// or holds a NUL, cannot be stored as text), and the inbox keeps a digest of each event's body
/// (`body_digest`), so that an id reused with another body is told apart from a redelivery.
struct KeepMessagesExactly;

impl MigrationName for KeepMessagesExactly {
    fn name(&self) -> &str {
        "m20261207_000001_kit_exact_messages"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for KeepMessagesExactly {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table("kit_dead_letters")
                .add_column(binary_null("payload_bytes"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table("kit_inbox")
                .add_column(string_len_null("body_digest", 64))
                .to_owned(),
        )
        .await?;
        Ok(())
    }
}

/// The relay reads the oldest unpublished rows. Without an index holding only those, a backlog
/// (NATS down for a while, or a burst) makes PostgreSQL walk the primary key past every row
/// already published on each cycle — the drain slowed to ~1,000 rows/s over 100,000 rows.
struct IndexUnpublishedOutbox;

impl MigrationName for IndexUnpublishedOutbox {
    fn name(&self) -> &str {
        "m20261129_000002_kit_outbox_unpublished"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for IndexUnpublishedOutbox {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Partial indexes have the same syntax on PostgreSQL and SQLite.
        m.get_connection()
            .execute_unprepared(
                "CREATE INDEX IF NOT EXISTS kit_outbox_unpublished ON kit_outbox (id) WHERE published_at IS NULL",
            )
            .await?;
        Ok(())
    }
}

struct CreateKitTables;

impl MigrationName for CreateKitTables {
    fn name(&self) -> &str {
        "m20261129_000001_kit_tables"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateKitTables {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("kit_outbox")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string("subject"))
                .col(text("payload"))
                .col(string_null("traceparent"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("published_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("kit_outbox_pending")
                .table("kit_outbox")
                .col("published_at")
                .col("id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kit_inbox")
                .if_not_exists()
                .col(string("consumer"))
                .col(string("event_id"))
                .col(string("subject"))
                .col(timestamp_with_time_zone("handled_at"))
                .primary_key(Index::create().col("consumer").col("event_id"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kit_dead_letters")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string("consumer"))
                .col(string("subject"))
                .col(string("event_id"))
                .col(text("payload"))
                .col(text("headers"))
                .col(text("reason"))
                .col(big_integer("stream_seq"))
                .col(big_integer("deliveries"))
                .col(timestamp_with_time_zone("created_at"))
                .col(timestamp_with_time_zone_null("replayed_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kit_idempotency")
                .if_not_exists()
                .col(string("principal"))
                .col(string("key"))
                .col(string("request_hash"))
                .col(integer("status"))
                .col(text("body"))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("principal").col("key"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("kit_audit")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(timestamp_with_time_zone("at"))
                .col(string("actor"))
                .col(string("role"))
                .col(string("division"))
                .col(string("action"))
                .col(string("resource"))
                .col(string("resource_id"))
                .col(text("detail"))
                .to_owned(),
        )
        .await?;
        // The audit trail is append-only: on PostgreSQL the database itself refuses changes.
        if m.get_database_backend() == DbBackend::Postgres {
            m.get_connection()
                .execute_unprepared(
                    "CREATE OR REPLACE FUNCTION kit_audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ \
                     BEGIN RAISE EXCEPTION 'the audit trail is append-only'; END $$; \
                     CREATE TRIGGER kit_audit_append_only BEFORE UPDATE OR DELETE ON kit_audit \
                     FOR EACH ROW EXECUTE FUNCTION kit_audit_append_only();",
                )
                .await?;
        } else {
            m.get_connection()
                .execute_unprepared(
                    "CREATE TRIGGER IF NOT EXISTS kit_audit_no_update BEFORE UPDATE ON kit_audit \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END; \
                     CREATE TRIGGER IF NOT EXISTS kit_audit_no_delete BEFORE DELETE ON kit_audit \
                     BEGIN SELECT RAISE(ABORT, 'the audit trail is append-only'); END;",
                )
                .await?;
        }
        Ok(())
    }
}
