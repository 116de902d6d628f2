//! Tables for extreme-poverty support periods (from aid's enrollments) and allowance holds.

use sea_orm::DbErr;
use sea_orm_migration::{prelude::*, schema::*};

pub(super) struct ExtremePovertySupport;

impl MigrationName for ExtremePovertySupport {
    fn name(&self) -> &str {
        "m20261216_000304_child_welfare_extreme_poverty_support"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for ExtremePovertySupport {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("extreme_poverty_periods")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("enrollment_id"))
                .col(string_len("person_ref", 32))
                .col(string_len_null("from_month", 7))
                .col(string_len_null("to_month", 7))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("extreme_poverty_periods_person")
                .table("extreme_poverty_periods")
                .col("person_ref")
                .to_owned(),
        )
        .await?;
        // One period per enrollment and person: concurrent facts about it meet on this row.
        m.create_index(
            Index::create()
                .name("extreme_poverty_periods_enrollment_person")
                .table("extreme_poverty_periods")
                .col("enrollment_id")
                .col("person_ref")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("allowance_holds")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("child_id"))
                .col(string_len("held_from", 7))
                .col(uuid_null("stopped_allowance_id"))
                .col(date("held_on"))
                .col(string_len_null("outcome", 16))
                .col(uuid_null("resumed_allowance_id"))
                .col(date_null("released_on"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("allowance_holds_child")
                .table("allowance_holds")
                .col("child_id")
                .to_owned(),
        )
        .await
    }
}
