//! The village committee's records, community workers, and service-centre projects.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use super::index;

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_080401_committee_workers_centres"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("committee_members")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string("name"))
                .col(string_len("position", 32))
                .col(date("term_from"))
                .col(date_null("term_to"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "committee_members",
            "committee_members_village",
            &["village_code"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("duty_pledges")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("member_id"))
                .col(integer("year"))
                .col(text("commitments"))
                .col(date("pledged_on"))
                .foreign_key(
                    ForeignKey::create()
                        .from("duty_pledges", "member_id")
                        .to("committee_members", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "duty_pledges",
            "duty_pledges_year",
            &["member_id", "year"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("duty_reports")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("member_id"))
                .col(integer("year"))
                .col(text("summary"))
                .col(date("reported_on"))
                .col(string_len_null("assessment", 32))
                .foreign_key(
                    ForeignKey::create()
                        .from("duty_reports", "member_id")
                        .to("committee_members", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "duty_reports",
            "duty_reports_year",
            &["member_id", "year"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("deliberations")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(date("held_on"))
                .col(string("topic"))
                .col(integer("participants"))
                .col(text("resolutions"))
                .col(string("recorded_by"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "deliberations",
            "deliberations_village",
            &["village_code"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("contact_records")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(uuid("member_id"))
                .col(date("contacted_on"))
                .col(string_len("channel", 16))
                .col(integer("households_reached"))
                .col(text("issues"))
                .col(text("follow_up"))
                .foreign_key(
                    ForeignKey::create()
                        .from("contact_records", "member_id")
                        .to("committee_members", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "contact_records",
            "contact_records_village",
            &["village_code"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("community_workers")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string("name"))
                .col(string_len("pay_level", 16))
                .col(string_len("qualification", 16))
                .col(string_len_null("certificate_number", 64))
                .col(date("started_on"))
                .col(date_null("left_on"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "community_workers",
            "community_workers_village",
            &["village_code"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("service_centre_projects")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string("name"))
                .col(integer("year"))
                .col(date("planned_completion_on"))
                .col(string_len("stage", 16))
                .col(integer("percent_complete"))
                .col(date_null("last_reported_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "service_centre_projects",
            "service_centre_projects_year",
            &["year"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("service_centre_progress")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("project_id"))
                .col(date("reported_on"))
                .col(string_len("stage", 16))
                .col(integer("percent_complete"))
                .col(text("note"))
                .col(string("reported_by"))
                .foreign_key(
                    ForeignKey::create()
                        .from("service_centre_progress", "project_id")
                        .to("service_centre_projects", "id"),
                )
                .to_owned(),
        )
        .await?;
        index(
            m,
            "service_centre_progress",
            "service_centre_progress_project",
            &["project_id"],
            false,
        )
        .await
    }
}
