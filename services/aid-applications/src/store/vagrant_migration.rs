//! Migration: vagrant relief stays and the relief rules, seeded with the 24-hour tracing notice.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Creates `vagrant_stays` and `vagrant_relief_rules`.
pub struct CreateVagrantRelief;

impl MigrationName for CreateVagrantRelief {
    fn name(&self) -> &str {
        "m20261129_000304_vagrant_relief"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateVagrantRelief {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("vagrant_stays")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("division_code", 12))
                .col(timestamp_with_time_zone("admitted_at"))
                .col(text("found_place"))
                .col(string_len("referred_by", 32))
                .col(string_len("sex", 16))
                .col(integer_null("apparent_age"))
                .col(string_null("name"))
                .col(string_len_null("id_number", 18))
                .col(string_len_null("person_ref", 32))
                .col(uuid_null("household_id"))
                .col(timestamp_with_time_zone_null("identified_at"))
                .col(string_len_null("identification_method", 32))
                .col(timestamp_with_time_zone_null("tracing_notice_due"))
                .col(timestamp_with_time_zone_null("tracing_notice_at"))
                .col(string_len_null("tracing_notice_channel", 32))
                .col(boolean("tracing_notice_late"))
                .col(string_len_null("exit_outcome", 16))
                .col(timestamp_with_time_zone_null("exited_at"))
                .col(text_null("destination"))
                .col(string("recorded_by"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("vagrant_stays_tracing_due")
                .table("vagrant_stays")
                .col("tracing_notice_due")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("vagrant_relief_rules")
                .if_not_exists()
                .col(date("valid_from").primary_key())
                .col(integer("tracing_notice_hours"))
                .to_owned(),
        )
        .await?;
        // DEFAULT (DOMAIN): a tracing notice within 24 hours of admitting an unidentified person;
        // in force from the national relief measures of 2003-08-01. The bureau corrects it as data.
        m.exec_stmt(
            Query::insert()
                .into_table("vagrant_relief_rules")
                .columns(["valid_from", "tracing_notice_hours"])
                .values_panic([
                    chrono::NaiveDate::from_ymd_opt(2003, 8, 1)
                        .expect("a real date")
                        .into(),
                    24.into(),
                ])
                .to_owned(),
        )
        .await
    }
}
