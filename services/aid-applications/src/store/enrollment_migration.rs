//! Migration: enrollments and their amount history.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Creates `enrollments` and `enrollment_amounts`.
pub struct CreateEnrollments;

impl MigrationName for CreateEnrollments {
    fn name(&self) -> &str {
        "m20261129_000203_enrollments"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateEnrollments {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("enrollments")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("application_id"))
                .col(uuid("household_id"))
                .col(string_len("programme", 32))
                .col(string_len("residence", 16))
                .col(string_len_null("support_mode", 16))
                .col(string_len_null("care_level", 16))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("status", 16))
                .col(integer("start_month"))
                .col(integer_null("end_month"))
                .col(big_integer("monthly_amount_fen"))
                .col(integer("next_review_due"))
                .col(string_null("payee_name"))
                .col(string_len_null("payee_account", 64))
                .col(string_null("payee_bank"))
                .col(text("state"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("enrollments_household", &["household_id"][..]),
            ("enrollments_village", &["village_code"][..]),
            ("enrollments_paid_months", &["start_month", "end_month"][..]),
            ("enrollments_application", &["application_id"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("enrollments");
            for c in cols {
                index.col(*c);
            }
            m.create_index(index.to_owned()).await?;
        }
        m.create_table(
            Table::create()
                .table("enrollment_amounts")
                .if_not_exists()
                .col(uuid("enrollment_id"))
                .col(integer("from_month"))
                .col(big_integer("amount_fen"))
                .primary_key(Index::create().col("enrollment_id").col("from_month"))
                .to_owned(),
        )
        .await
    }
}
