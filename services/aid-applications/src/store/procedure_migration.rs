//! Migration: the application aggregate next to its indexed columns, publicity rounds and
//! verification requests.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Adds `state` and `facts` to `applications`; creates `publicity_rounds` and
/// `verification_requests`.
pub struct CreateProcedure;

impl MigrationName for CreateProcedure {
    fn name(&self) -> &str {
        "m20261129_000201_procedure"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateProcedure {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // SQLite alters one column per statement.
        for column in ["state", "facts"] {
            m.alter_table(
                Table::alter()
                    .table("applications")
                    .add_column(text(column).default(""))
                    .to_owned(),
            )
            .await?;
        }
        for (name, col) in [
            ("applications_village", "village_code"),
            ("applications_status", "status"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("applications")
                    .col(col)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("publicity_rounds")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("application_id"))
                .col(integer("round"))
                .col(string_len("publicity_number", 64))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(date("opened_on"))
                .col(date("closes_on"))
                .col(date_null("closed_on"))
                .col(uuid_null("objection_id"))
                .col(string_len_null("objection_grounds", 32))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("publicity_rounds_application")
                .table("publicity_rounds")
                .col("application_id")
                .col("round")
                .unique()
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("verification_requests")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("application_id"))
                .col(uuid("household_id"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(integer("round"))
                .col(date("requested_on"))
                .col(date("reply_by"))
                .col(string_len_null("outcome", 16))
                .col(big_integer_null("household_monthly_income_fen"))
                .col(boolean_null("property_within_limits"))
                .col(text("findings"))
                .col(date_null("completed_on"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("verification_requests_application")
                .table("verification_requests")
                .col("application_id")
                .col("round")
                .unique()
                .to_owned(),
        )
        .await
    }
}
