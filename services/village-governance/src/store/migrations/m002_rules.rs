//! Village rules: documents, versions and the steps taken on them.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use super::index;

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_080201_rules"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("rules")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("kind", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string("title"))
                .col(integer("latest_version"))
                .col(string_len("status", 32))
                .col(integer_null("published_version"))
                .col(date_null("next_review_due_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        index(m, "rules", "rules_village", &["village_code"], false).await?;
        m.create_table(
            Table::create()
                .table("rules_versions")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("rules_id"))
                .col(integer("number"))
                .col(string_len("status", 32))
                .col(text("text"))
                .col(date("drafted_on"))
                .col(date_null("legal_reviewed_on"))
                .col(date_null("legality_reviewed_on"))
                .col(date_null("voted_on"))
                .col(date_null("township_filed_on"))
                .col(date_null("district_filed_on"))
                .col(date_null("published_on"))
                .col(date_null("next_review_due_on"))
                .foreign_key(
                    ForeignKey::create()
                        .from("rules_versions", "rules_id")
                        .to("rules", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "rules_versions",
            "rules_versions_number",
            &["rules_id", "number"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("rules_steps")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("rules_id"))
                .col(integer("version_number"))
                .col(string_len("step", 32))
                .col(string_len("outcome", 32))
                .col(date("happened_on"))
                .col(string("actor"))
                .col(text("detail"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("rules_steps", "rules_id")
                        .to("rules", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(m, "rules_steps", "rules_steps_rules", &["rules_id"], false).await
    }
}
