//! Tables for other departments' benefits, child registrations, certificates and review flags.

use sea_orm::DbErr;
use sea_orm_migration::{prelude::*, schema::*};

pub(super) struct CreateOtherBenefits;

impl MigrationName for CreateOtherBenefits {
    fn name(&self) -> &str {
        "m20261129_000401_other_benefits_and_certificates"
    }
}

async fn index(
    m: &SchemaManager<'_>,
    table: &str,
    cols: &[&str],
    unique: bool,
) -> Result<(), DbErr> {
    let mut i = Index::create();
    i.name(format!("{table}_{}", cols.join("_")))
        .table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateOtherBenefits {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("other_benefits")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string_len("kind", 16))
                .col(string_len_null("detail", 48))
                .col(integer_null("start_month"))
                .col(big_integer_null("monthly_amount_fen"))
                .col(integer_null("amount_from"))
                .col(integer_null("end_month"))
                .col(string_len_null("end_reason", 32))
                .col(date_null("ended_on"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        index(m, "other_benefits", &["person_ref"], false).await?;
        m.create_table(
            Table::create()
                .table("child_registrations")
                .if_not_exists()
                .col(string_len("person_ref", 32).primary_key())
                .col(uuid("child_id"))
                .col(string_len("category", 32))
                .col(string_len("care_mode", 32))
                .col(date("registered_on"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("member_certificates")
                .if_not_exists()
                .col(string_len("person_ref", 32).primary_key())
                .col(small_integer("category"))
                .col(small_integer("level"))
                .col(date_null("expires_on"))
                .col(string_len("status", 16))
                .col(string_len_null("revocation_reason", 32))
                .col(date("as_of"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("enrollment_review_flags")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("enrollment_id"))
                .col(uuid("household_id"))
                .col(string_len("person_ref", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("reason", 32))
                .col(string_len("detail", 64))
                .col(date("raised_on"))
                .col(string_len("source_key", 128))
                .col(string_len("status", 16))
                .col(date_null("cleared_on"))
                .col(string_null("cleared_by"))
                .col(text_null("note"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "enrollment_review_flags",
            &["enrollment_id", "source_key"],
            true,
        )
        .await?;
        index(m, "enrollment_review_flags", &["village_code"], false).await?;
        index(m, "enrollment_review_flags", &["person_ref"], false).await
    }
}
