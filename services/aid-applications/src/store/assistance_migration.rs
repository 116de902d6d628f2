//! Migration: temporary-assistance grants, township reserve funds (balance ≥ 0 enforced by the
//! database too) and their ledgers.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

/// Creates `temporary_grants`, `reserve_funds` and `reserve_fund_entries`.
pub struct CreateTemporaryAssistance;

impl MigrationName for CreateTemporaryAssistance {
    fn name(&self) -> &str {
        "m20261129_000302_temporary_assistance"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateTemporaryAssistance {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("temporary_grants")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(uuid("applicant_member_id"))
                .col(string_len("applicant_ref", 32))
                .col(string_len("emergency_type", 32))
                .col(string_len("applied_at", 32))
                .col(big_integer("amount_fen"))
                .col(boolean("act_first"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(text("circumstances"))
                .col(string_len("status", 16))
                .col(string_len("tier", 16))
                .col(string("recorded_by"))
                .col(date("recorded_on"))
                .col(string_len_null("approved_by", 16))
                .col(string_null("approver"))
                .col(date_null("decided_on"))
                .col(text_null("rejection_reasons"))
                .col(date_null("paperwork_due"))
                .col(date_null("paperwork_completed_on"))
                .col(boolean("paperwork_late"))
                .col(integer("version"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        for (name, column) in [
            ("temporary_grants_household", "household_id"),
            ("temporary_grants_township", "township_code"),
            ("temporary_grants_village", "village_code"),
        ] {
            m.create_index(
                Index::create()
                    .name(name)
                    .table("temporary_grants")
                    .col(column)
                    .to_owned(),
            )
            .await?;
        }
        m.create_table(
            Table::create()
                .table("reserve_funds")
                .if_not_exists()
                .col(string_len("township_code", 9).primary_key())
                .col(big_integer("balance_fen").check(Expr::col("balance_fen").gte(0)))
                .col(integer("version"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("reserve_fund_entries")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("township_code", 9))
                .col(date("entry_on"))
                .col(string_len("kind", 16))
                .col(uuid_null("grant_id"))
                .col(string_null("reference"))
                .col(big_integer("amount_fen").check(Expr::col("amount_fen").gt(0)))
                .col(big_integer("balance_after_fen").check(Expr::col("balance_after_fen").gte(0)))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("reserve_fund_entries_township")
                .table("reserve_fund_entries")
                .col("township_code")
                .col("id")
                .to_owned(),
        )
        .await?;
        // One draw per grant, whatever happens concurrently.
        m.create_index(
            Index::create()
                .name("reserve_fund_entries_grant")
                .table("reserve_fund_entries")
                .col("grant_id")
                .unique()
                .to_owned(),
        )
        .await
    }
}
