//! Tables for what child-welfare announces about children: registrations and allowances.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

pub(super) struct CreateWelfareTables;

impl MigrationName for CreateWelfareTables {
    fn name(&self) -> &str {
        "m20261210_000102_child_welfare_status"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateWelfareTables {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("welfare_children")
                .if_not_exists()
                .col(string_len("person_ref", 32).primary_key())
                .col(uuid("child_id"))
                .col(string_len("category", 32))
                .col(string_len("care_mode", 32))
                .col(string_len("origin", 32))
                .col(date("registered_on"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("welfare_allowances")
                .if_not_exists()
                .col(pk_uuid("allowance_id"))
                .col(string_len("person_ref", 32))
                .col(uuid("child_id"))
                .col(string_len_null("start_month", 7))
                .col(string_len_null("category", 32))
                .col(string_len_null("care_mode", 32))
                .col(string_len_null("basis_month", 7))
                .col(string_len_null("end_month", 7))
                .col(string_len_null("end_reason", 32))
                .col(date_null("ended_on"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("welfare_allowances_person_ref")
                .table("welfare_allowances")
                .col("person_ref")
                .to_owned(),
        )
        .await
    }
}
