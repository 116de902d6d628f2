//! Migration: the staff-relative register.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Creates `staff_relatives`.
pub struct CreateStaffRelatives;

impl MigrationName for CreateStaffRelatives {
    fn name(&self) -> &str {
        "m20261129_000301_staff_relatives"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateStaffRelatives {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("staff_relatives")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string("staff_subject"))
                .col(string("staff_name"))
                .col(string_len("staff_division", 12))
                .col(string("staff_post"))
                .col(string_len("relative_ref", 32))
                .col(string_len("relative_id_masked", 18))
                .col(string("relative_name"))
                .col(string_len("relation", 16))
                .col(date("registered_on"))
                .col(string("registered_by"))
                .col(date_null("withdrawn_on"))
                .col(text_null("withdrawal_reason"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("staff_relatives_relative")
                .table("staff_relatives")
                .col("relative_ref")
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("staff_relatives_division")
                .table("staff_relatives")
                .col("staff_division")
                .to_owned(),
        )
        .await
    }
}
