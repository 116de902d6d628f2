//! The publicity board's postings and residents' objections.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use super::index;

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_080501_publicity"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("publicity_postings")
                .if_not_exists()
                .col(pk_uuid("publicity_id"))
                .col(uuid("application_id"))
                .col(string_len("publicity_number", 40))
                .col(integer("round"))
                .col(string_len("programme", 32))
                .col(string_len("residence", 16))
                .col(integer("household_size"))
                .col(big_integer("proposed_monthly_amount_fen"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(date("opened_on"))
                .col(date("closes_on"))
                .col(timestamp_with_time_zone("received_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "publicity_postings",
            "publicity_postings_village",
            &["village_code", "closes_on"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("objections")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("publicity_id"))
                .col(uuid("application_id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string_len("grounds", 32))
                .col(text("statement"))
                .col(string("objector_name"))
                .col(string_len("objector_phone", 32))
                .col(date("raised_on"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("objections", "publicity_id")
                        .to("publicity_postings", "publicity_id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "objections",
            "objections_publicity",
            &["publicity_id"],
            false,
        )
        .await
    }
}
