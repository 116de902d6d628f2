//! The register of left-behind rural elderly, and facilities and projects.

use sea_orm::DbErr;
use sea_orm_migration::{prelude::*, schema::*};

pub(super) struct CreateRegistersAndFacilities;

impl MigrationName for CreateRegistersAndFacilities {
    fn name(&self) -> &str {
        "m20261129_000204_left_behind_and_facilities"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateRegistersAndFacilities {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("left_behind_elders")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string_len("id_number", 18))
                .col(string("name"))
                .col(text("address"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("living_arrangement", 32))
                .col(date("registered_on"))
                .col(string_len("status", 16))
                .col(date_null("ended_on"))
                .col(string_len_null("end_reason", 32))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS left_behind_elders_one_active \
                 ON left_behind_elders (person_ref) WHERE status = 'active'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("facilities")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("kind", 32))
                .col(string("name"))
                .col(string_len("township_code", 9))
                .col(string_len_null("village_code", 12))
                .col(string_len("status", 16))
                .col(integer("progress_percent"))
                .col(string_len_null("operating_model", 40))
                .col(integer_null("beds"))
                .col(integer_null("occupied_beds"))
                .col(integer_null("extreme_poverty_residents"))
                .col(date_null("done_on"))
                .col(date_null("ended_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("facilities_township_kind")
                .table("facilities")
                .col("township_code")
                .col("kind")
                .to_owned(),
        )
        .await
    }
}
