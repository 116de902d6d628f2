//! Migration: active-discovery tasks (one per partner fact, whatever the redeliveries) and
//! referrals.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Creates `discovery_tasks` and `referrals`.
pub struct CreateMonitoring;

impl MigrationName for CreateMonitoring {
    fn name(&self) -> &str {
        "m20261129_000303_monitoring"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateMonitoring {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("discovery_tasks")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("kind", 32))
                .col(string_len("source", 32))
                .col(string("source_key"))
                .col(uuid_null("household_id"))
                .col(string_len("person_ref", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len_null("risk", 32))
                .col(string_len_null("disability_grade", 32))
                .col(date("opened_on"))
                .col(string_len("status", 16))
                .col(string_len_null("outcome", 32))
                .col(text_null("note"))
                .col(date_null("closed_on"))
                .col(string_null("closed_by"))
                .col(uuid_null("referral_id"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("discovery_tasks_source")
                .table("discovery_tasks")
                .col("source")
                .col("source_key")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("discovery_tasks_village")
                .table("discovery_tasks")
                .col("village_code")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("referrals")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(string_len_null("person_ref", 32))
                .col(string_len("assistance", 16))
                .col(string_len("source", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(date("requested_on"))
                .col(string("requested_by"))
                .col(text("note"))
                .col(uuid_null("task_id"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("referrals_village")
                .table("referrals")
                .col("village_code")
                .to_owned(),
        )
        .await
    }
}
