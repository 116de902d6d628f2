//! Migration: payment batches and lines.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Creates `payment_batches` and `payment_lines`.
pub struct CreatePayments;

impl MigrationName for CreatePayments {
    fn name(&self) -> &str {
        "m20261129_000204_payments"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreatePayments {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("payment_batches")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(integer("month"))
                .col(string_len("kind", 16))
                .col(string_len_null("monthly_key", 32))
                .col(big_integer("line_count"))
                .col(big_integer("total_fen"))
                .col(big_integer("held_count"))
                .col(string("issued_by"))
                .col(timestamp_with_time_zone("issued_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("payment_batches_monthly_key")
                .table("payment_batches")
                .col("monthly_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_lines")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("batch_id"))
                .col(uuid("enrollment_id"))
                .col(integer("month"))
                .col(string_len("township_code", 9))
                .col(big_integer("amount_fen"))
                .col(string_len("status", 16))
                .col(uuid_null("return_id"))
                .col(string_len_null("return_reason", 32))
                .col(date_null("returned_on"))
                .col(uuid_null("reissued_in"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("payment_lines_batch", &["batch_id", "id"][..]),
            ("payment_lines_enrollment", &["enrollment_id", "month"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("payment_lines");
            for c in cols {
                index.col(*c);
            }
            m.create_index(index.to_owned()).await?;
        }
        Ok(())
    }
}
