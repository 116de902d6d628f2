//! 一约三会 councils with members and meetings; the lists and the certificates issued under them.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use super::index;

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_080301_councils_lists"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("councils")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string_len("kind", 16))
                .col(date("established_on"))
                .col(date_null("dissolved_on"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "councils",
            "councils_village",
            &["village_code", "kind"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("council_members")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("council_id"))
                .col(string("name"))
                .col(string_len("role", 16))
                .col(date("joined_on"))
                .col(date_null("left_on"))
                .foreign_key(
                    ForeignKey::create()
                        .from("council_members", "council_id")
                        .to("councils", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "council_members",
            "council_members_council",
            &["council_id"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("council_meetings")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("council_id"))
                .col(date("held_on"))
                .col(string("topic"))
                .col(integer("attendees"))
                .col(text("resolutions"))
                .col(string("recorded_by"))
                .foreign_key(
                    ForeignKey::create()
                        .from("council_meetings", "council_id")
                        .to("councils", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "council_meetings",
            "council_meetings_council",
            &["council_id"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("lists")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("township_code", 9))
                .col(string_len("kind", 32))
                .col(integer("version"))
                .col(date("valid_from"))
                .col(text("items"))
                .col(text("basis"))
                .col(string("created_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "lists",
            "lists_version",
            &["township_code", "kind", "version"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("certificates")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("certificate_number", 48))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string_len("item_code", 32))
                .col(string("item_title"))
                .col(uuid("list_id"))
                .col(integer("list_version"))
                .col(string("requester_name"))
                .col(text("purpose"))
                .col(date("issued_on"))
                .col(string("issued_by"))
                .col(timestamp_with_time_zone("created_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("certificates", "list_id")
                        .to("lists", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "certificates",
            "certificates_number",
            &["certificate_number"],
            true,
        )
        .await?;
        index(
            m,
            "certificates",
            "certificates_village",
            &["village_code"],
            false,
        )
        .await
    }
}
