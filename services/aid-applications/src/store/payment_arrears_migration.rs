//! Migration: payments exactly as owed. An enrollment remembers its first month not yet settled
//! (`next_unpaid_month`: the monthly run pays every month from it that is owed and not paid —
//! held, decided after its batch, returned, or topped up after a standard rose), a line says what
//! it pays (`kind`: the run's month, arrears, a top-up, a grant) and why it was held back
//! (`hold_reason`), an enrollment or grant whose line the bank returned is held until its payee
//! is confirmed (`payee_returned_on`), and a review flag's detail is long enough to say which
//! standard changed an amount.

use sea_orm::{ConnectionTrait, DbErr};
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

pub struct PayArrears;

impl MigrationName for PayArrears {
    fn name(&self) -> &str {
        "m20261207_000101_payment_arrears"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for PayArrears {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite adds a single column per ALTER TABLE.
        let columns: [(&str, ColumnDef); 5] = [
            (
                "enrollments",
                integer("next_unpaid_month").default(0).to_owned(),
            ),
            ("enrollments", date_null("payee_returned_on")),
            ("temporary_grants", date_null("payee_returned_on")),
            (
                "payment_lines",
                string_len("kind", 16).default("month").to_owned(),
            ),
            ("payment_lines", string_len_null("hold_reason", 32)),
        ];
        for (table, mut column) in columns {
            m.alter_table(
                Table::alter()
                    .table(table)
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        // A review flag's detail names a parameter, a month and two amounts (SQLite does not
        // enforce a length).
        if db.get_database_backend() == sea_orm::DbBackend::Postgres {
            db.execute_unprepared(
                "ALTER TABLE enrollment_review_flags ALTER COLUMN detail TYPE varchar(255)",
            )
            .await?;
        }
        // Every month from the start is looked at once: months settled already owe nothing, and
        // the months the run used to lose for good (held, decided after their batch) are paid.
        db.execute_unprepared("UPDATE enrollments SET next_unpaid_month = start_month")
            .await?;
        db.execute_unprepared("UPDATE payment_lines SET kind = 'grant' WHERE grant_id IS NOT NULL")
            .await?;
        db.execute_unprepared(
            "UPDATE payment_lines SET hold_reason = 'no_account' WHERE status = 'held'",
        )
        .await?;
        Ok(())
    }
}
