//! Migrations: the kit's tables first, then this service's, then the seed.

use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, MigratorTrait, prelude::*, schema::*};

/// Every migration of minor-protection, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(CreateTables));
        all.push(Box::new(super::m002_welfare::CreateWelfareTables));
        all
    }
}

struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m20261201_000101_minor_protection"
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
        .table(table.to_owned());
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    m.create_index(i.to_owned()).await
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateTables {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("protection_units")
                .if_not_exists()
                .col(string_len("division_code", 12).primary_key())
                .col(string_len("level", 16))
                .col(string("name"))
                .col(string_null("lead_subject"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("cases")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("function", 32))
                .col(string_len("reporter", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("owner_unit", 12))
                .col(string_len("status", 16))
                .col(boolean("major"))
                .col(string_len_null("risk_level", 32))
                .col(date_null("due_on"))
                .col(date_null("supervision_done_on"))
                .col(date("opened_on"))
                .col(date_null("closed_on"))
                .col(string_len_null("outcome", 32))
                .col(text_null("closure_reason"))
                .col(string("child_name"))
                .col(string_len_null("child_id_number", 18))
                .col(string_len_null("child_person_ref", 32))
                .col(date_null("child_birth_date"))
                .col(text("child_address"))
                .col(text("narrative"))
                .col(date_null("child_deceased_on"))
                .col(boolean("guardianship_active"))
                .col(string("opened_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        index(m, "cases", &["owner_unit"], false).await?;
        index(m, "cases", &["village_code"], false).await?;
        index(m, "cases", &["child_person_ref"], false).await?;
        index(m, "cases", &["status", "due_on"], false).await?;
        m.create_table(
            Table::create()
                .table("case_parents")
                .if_not_exists()
                .col(uuid("case_id"))
                .col(string_len("parent", 8))
                .col(string_len("situation", 32))
                .col(date_null("since"))
                .col(integer_null("term_months"))
                .col(string_null("name"))
                .col(string_len_null("id_number", 18))
                .col(string_len_null("person_ref", 32))
                .col(date("recorded_on"))
                .primary_key(Index::create().col("case_id").col("parent"))
                .to_owned(),
        )
        .await?;
        index(m, "case_parents", &["person_ref"], false).await?;
        m.create_table(
            Table::create()
                .table("case_actions")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("kind", 32))
                .col(date("on_date"))
                .col(string("actor"))
                .col(string_len("actor_division", 12))
                .col(string("summary"))
                .col(text("detail"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(m, "case_actions", &["case_id"], false).await?;
        m.create_table(
            Table::create()
                .table("referrals")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len_null("to_unit", 12))
                .col(string_len("agency", 32))
                .col(text("purpose"))
                .col(string_len("status", 16))
                .col(date("referred_on"))
                .col(date_null("completed_on"))
                .col(string("referred_by"))
                .to_owned(),
        )
        .await?;
        index(m, "referrals", &["case_id"], false).await?;
        index(m, "referrals", &["to_unit"], false).await?;
        m.create_table(
            Table::create()
                .table("transfers")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("from_unit", 12))
                .col(string_len("to_unit", 12))
                .col(string_len("to_village_code", 12))
                .col(string_len("status", 16))
                .col(text("reason"))
                .col(date("requested_on"))
                .col(string("requested_by"))
                .col(date_null("decided_on"))
                .col(string_null("decided_by"))
                .to_owned(),
        )
        .await?;
        index(m, "transfers", &["case_id"], false).await?;
        index(m, "transfers", &["to_unit"], false).await?;
        m.create_table(
            Table::create()
                .table("escalations")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("from_level", 16))
                .col(string_len("to_level", 16))
                .col(string_len("from_unit", 12))
                .col(string_len("to_unit", 12))
                .col(string_len("reason", 48))
                .col(string_len_null("raised_for", 16))
                .col(date("escalated_on"))
                .col(date_null("due_on"))
                .to_owned(),
        )
        .await?;
        // Each deadline escalation is raised once per level, even with several replicas running.
        index(m, "escalations", &["case_id", "raised_for"], true).await?;
        m.create_table(
            Table::create()
                .table("guardianships")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("case_id"))
                .col(string_len("kind", 16))
                .col(text("basis"))
                .col(string_len("placement", 32))
                .col(date("started_on"))
                .col(date("next_review_on"))
                .col(date_null("ended_on"))
                .col(string_len_null("end_reason", 32))
                .col(string("started_by"))
                .to_owned(),
        )
        .await?;
        index(m, "guardianships", &["case_id"], false).await?;
        m.create_table(
            Table::create()
                .table("flags")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid_null("case_id"))
                .col(string_len("child_person_ref", 32))
                .col(string_len("father_situation", 32))
                .col(string_len("mother_situation", 32))
                .col(string_len("finding", 32))
                .col(date("flagged_on"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "flags",
            &["child_person_ref", "father_situation", "mother_situation"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("left_behind_children")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("village_code", 12))
                .col(string_len("township_code", 9))
                .col(string("name"))
                .col(string_len("id_number", 18))
                .col(string_len("person_ref", 32))
                .col(text("address"))
                .col(string("guardian_name"))
                .col(string_len("guardian_relationship", 32))
                .col(date("registered_on"))
                .col(date_null("last_visit_on"))
                .col(date("next_visit_due"))
                .col(date_null("ended_on"))
                .col(string_len_null("end_reason", 32))
                .col(string("registered_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        index(m, "left_behind_children", &["person_ref"], true).await?;
        index(
            m,
            "left_behind_children",
            &["village_code", "next_visit_due"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("visits")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("child_id"))
                .col(date("visited_on"))
                .col(string("visitor"))
                .col(text("findings"))
                .col(boolean("concern"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        index(m, "visits", &["child_id"], false).await?;
        m.create_table(
            Table::create()
                .table("reference_parameters")
                .if_not_exists()
                .col(string_len("name", 64))
                .col(date("valid_from"))
                .col(big_integer("value"))
                .col(string("note"))
                .primary_key(Index::create().col("name").col("valid_from"))
                .to_owned(),
        )
        .await?;
        super::seed::seed(m).await
    }
}
