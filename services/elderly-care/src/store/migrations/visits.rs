//! Visit plans, their visits and overdue alerts, with what the plans are derived from: the aid
//! enrollments this service heard of and the deaths recorded.

use sea_orm::DbErr;
use sea_orm_migration::{prelude::*, schema::*};

pub(super) struct CreateVisits;

impl MigrationName for CreateVisits {
    fn name(&self) -> &str {
        "m20261129_000202_visit_plans"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateVisits {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("enrollments")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(string_len("programme", 32))
                .col(string_len_null("support_mode", 16))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(text("beneficiaries"))
                .col(date_null("confirmed_on"))
                .col(date_null("ended_on"))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("deaths")
                .if_not_exists()
                .col(string_len("person_ref", 32).primary_key())
                .col(date("date_of_death"))
                .col(timestamp_with_time_zone("recorded_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("visit_plans")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("kind", 32))
                .col(string_len("person_ref", 32))
                .col(uuid_null("enrollment_id"))
                .col(uuid_null("left_behind_elder_id"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(date("anchor_on"))
                .col(integer("interval_months"))
                .col(date("next_due_on"))
                .col(integer("missed_visits"))
                .col(date_null("last_visited_on"))
                .col(string_len("status", 16))
                .col(string_len_null("cancel_reason", 32))
                .col(date_null("cancelled_on"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        for (name, cols) in [
            ("visit_plans_due", &["status", "next_due_on"][..]),
            ("visit_plans_enrollment", &["enrollment_id"][..]),
            ("visit_plans_person", &["person_ref"][..]),
            ("visit_plans_village", &["village_code"][..]),
        ] {
            let mut index = Index::create();
            index.name(name).table("visit_plans");
            for c in cols {
                index.col(*c);
            }
            m.create_index(index.to_owned()).await?;
        }
        // One active plan per person and kind. Partial indexes read the same on PostgreSQL and
        // SQLite.
        m.get_connection()
            .execute_unprepared(
                "CREATE UNIQUE INDEX IF NOT EXISTS visit_plans_one_active \
                 ON visit_plans (kind, person_ref) WHERE status = 'active'",
            )
            .await?;
        m.create_table(
            Table::create()
                .table("visits")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("visit_plan_id"))
                .col(date("visited_on"))
                .col(string("visitor"))
                .col(text("findings"))
                .col(boolean("needs_follow_up"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("visits", "visit_plan_id")
                        .to("visit_plans", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("visits_plan")
                .table("visits")
                .col("visit_plan_id")
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("overdue_alerts")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("visit_plan_id"))
                .col(date("due_on"))
                .col(integer("missed_visits"))
                .col(date("detected_on"))
                .col(uuid("event_id"))
                .foreign_key(
                    ForeignKey::create()
                        .from("overdue_alerts", "visit_plan_id")
                        .to("visit_plans", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(
            Index::create()
                .name("overdue_alerts_once")
                .table("overdue_alerts")
                .col("visit_plan_id")
                .col("due_on")
                .unique()
                .to_owned(),
        )
        .await
    }
}
