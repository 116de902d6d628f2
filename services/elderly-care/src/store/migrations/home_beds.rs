//! Home care beds, their contracted providers and the providers' service visits.

use sea_orm::DbErr;
use sea_orm_migration::{prelude::*, schema::*};

pub(super) struct CreateHomeBeds;

impl MigrationName for CreateHomeBeds {
    fn name(&self) -> &str {
        "m20261129_000203_home_beds"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateHomeBeds {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("providers")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string("name"))
                .col(date("contract_from"))
                .col(date("contract_to"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("home_beds")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string_len("id_number", 18))
                .col(string("name"))
                .col(text("address"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("status", 16))
                .col(date("applied_on"))
                .col(string_len_null("capability_level", 32))
                .col(date_null("assessed_on"))
                .col(uuid_null("provider_id"))
                .col(date_null("established_on"))
                .col(boolean("retrofit"))
                .col(big_integer_null("monthly_subsidy_fen"))
                .col(date_null("closed_on"))
                .col(string_len_null("close_reason", 32))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .foreign_key(
                    ForeignKey::create()
                        .from("home_beds", "provider_id")
                        .to("providers", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("home_beds_village")
                .table("home_beds")
                .col("village_code")
                .to_owned(),
        )
        .await?;
        // At most one application or bed per person at a time.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS home_beds_one_open ON home_beds (person_ref) \
                 WHERE status IN ('applied', 'assessed', 'established')",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("home_bed_services")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("home_bed_id"))
                .col(date("served_on"))
                .col(text("service_items"))
                .col(integer("minutes"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("home_bed_services", "home_bed_id")
                        .to("home_beds", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("home_bed_services_bed")
                .table("home_bed_services")
                .col("home_bed_id")
                .to_owned(),
        )
        .await
    }
}
