//! Migration: temporary-assistance grants paid through the payment batches. A grant carries its
//! payee (as an enrollment does) and a payment line pays either an enrollment or a grant —
//! exactly one of the two (a CHECK) — and a grant at most once among its live lines (a unique
//! index over the lines not replaced by a re-issue).
//!
//! PostgreSQL alters `payment_lines` in place; SQLite cannot drop a NOT NULL or add a CHECK to an
//! existing table, so there the table is rebuilt (same columns, rows copied, indexes re-created).

use sea_orm::{ConnectionTrait, DbBackend, DbErr};
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Adds the grant's payee, and `payment_lines.grant_id` beside a now optional `enrollment_id`.
pub struct PayTemporaryGrants;

impl MigrationName for PayTemporaryGrants {
    fn name(&self) -> &str {
        "m20261201_000101_temporary_grant_payments"
    }
}

/// Exactly one of enrollment and grant.
const ONE_PAYEE: &str = "(enrollment_id IS NULL) <> (grant_id IS NULL)";

/// A grant is paid by at most one live line: `reissued` (returned, then paid again) and
/// `released` (held, then paid in a re-issue) lines were replaced. Partial indexes have the same
/// syntax on PostgreSQL and SQLite.
const GRANT_ONCE: &str = "CREATE UNIQUE INDEX IF NOT EXISTS payment_lines_grant_once ON payment_lines (grant_id) \
     WHERE grant_id IS NOT NULL AND status NOT IN ('reissued', 'released')";

/// Every line of a grant (its payment history on the grant view).
const GRANT_LINES: &str =
    "CREATE INDEX IF NOT EXISTS payment_lines_grant ON payment_lines (grant_id, batch_id)";

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for PayTemporaryGrants {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        for column in [
            string_null("payee_name"),
            string_null("payee_bank"),
            string_len_null("payee_account", 64),
            // request, enrollment (copied at approval) or staff (set afterwards).
            string_len_null("payee_source", 16),
        ] {
            let mut column = column;
            m.alter_table(
                Table::alter()
                    .table("temporary_grants")
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        if m.get_database_backend() == DbBackend::Postgres {
            db.execute_unprepared(&format!(
                "ALTER TABLE payment_lines ALTER COLUMN enrollment_id DROP NOT NULL; \
                 ALTER TABLE payment_lines ADD COLUMN grant_id uuid NULL; \
                 ALTER TABLE payment_lines ADD CONSTRAINT payment_lines_one_payee CHECK ({ONE_PAYEE});"
            ))
            .await?;
        } else {
            rebuild_on_sqlite(m).await?;
        }
        db.execute_unprepared(GRANT_ONCE).await?;
        db.execute_unprepared(GRANT_LINES).await?;
        Ok(())
    }
}

/// SQLite: a new `payment_lines` with the optional enrollment, the grant and the CHECK; the rows
/// copied; the old table dropped and the new one renamed; the two original indexes re-created.
async fn rebuild_on_sqlite(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    m.create_table(
        Table::create()
            .table("payment_lines_rebuilt")
            .col(pk_uuid("id"))
            .col(uuid("batch_id"))
            .col(uuid_null("enrollment_id"))
            .col(uuid_null("grant_id"))
            .col(integer("month"))
            .col(string_len("township_code", 9))
            .col(big_integer("amount_fen"))
            .col(string_len("status", 16))
            .col(uuid_null("return_id"))
            .col(string_len_null("return_reason", 32))
            .col(date_null("returned_on"))
            .col(uuid_null("reissued_in"))
            .check(("payment_lines_one_payee", Expr::cust(ONE_PAYEE)))
            .to_owned(),
    )
    .await?;
    let db = m.get_connection();
    let columns = "id, batch_id, enrollment_id, month, township_code, amount_fen, status, \
                   return_id, return_reason, returned_on, reissued_in";
    db.execute_unprepared(&format!(
        "INSERT INTO payment_lines_rebuilt ({columns}) SELECT {columns} FROM payment_lines"
    ))
    .await?;
    db.execute_unprepared("DROP TABLE payment_lines").await?;
    db.execute_unprepared("ALTER TABLE payment_lines_rebuilt RENAME TO payment_lines")
        .await?;
    for (name, cols) in [
        ("payment_lines_batch", &["batch_id", "id"][..]),
        ("payment_lines_enrollment", &["enrollment_id", "month"][..]),
    ] {
        let mut index = Index::create();
        index.name(name).table("payment_lines").if_not_exists();
        for c in cols {
            index.col(*c);
        }
        m.create_index(index.to_owned()).await?;
    }
    Ok(())
}
