//! The service's tables, portable between PostgreSQL and SQLite (months are `YYYY-MM` text, which
//! sorts like the months; money is integer fen).

use sea_orm::DbErr;
use sea_orm_migration::{prelude::*, schema::*};

pub(super) struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m20261129_000201_disability_tables"
    }
}

fn index(name: &str, table: &str, cols: &[&str]) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    i.to_owned()
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateTables {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // Certificate holders as the 残联 reports them, one row per person; nullable details
        // because a revocation may arrive before the issue it revokes.
        m.create_table(
            Table::create()
                .table("holders")
                .if_not_exists()
                .col(string_len("person_ref", 32))
                .col(string_len_null("category", 16))
                .col(integer_null("level"))
                .col(date_null("issued_on"))
                .col(date_null("expires_on"))
                .col(string_len_null("registration_division", 12))
                .col(string_len_null("township_code", 9))
                .col(string_len_null("village_code", 12))
                .col(date_null("revoked_on"))
                .col(string_len_null("revocation_reason", 32))
                .col(date_null("reassessment_since"))
                .col(date("as_of"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version"))
                .primary_key(Index::create().col("person_ref"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("holders_township", "holders", &["township_code"]))
            .await?;
        // One row per person, written first by every handler that reconciles a person: facts
        // arriving at once on different subjects are then applied one after the other.
        m.create_table(
            Table::create()
                .table("person_locks")
                .if_not_exists()
                .col(string_len("person_ref", 32))
                .col(timestamp_with_time_zone("touched_at"))
                .primary_key(Index::create().col("person_ref"))
                .to_owned(),
        )
        .await?;
        // ID and certificate numbers: read only by this service, on audited unmasked reads.
        m.create_table(
            Table::create()
                .table("identities")
                .if_not_exists()
                .col(string_len("person_ref", 32))
                .col(string_len("id_number", 18))
                .col(string_len_null("certificate_number", 22))
                .primary_key(Index::create().col("person_ref"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("enrollments")
                .if_not_exists()
                .col(pk_uuid("enrollment_id"))
                .col(uuid("household_id"))
                .col(string_len("programme", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len_null("start_month", 7))
                .col(string_len_null("end_month", 7))
                .col(timestamp_with_time_zone("updated_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("enrollment_members")
                .if_not_exists()
                .col(uuid("enrollment_id"))
                .col(string_len("person_ref", 32))
                .col(boolean("beneficiary"))
                .primary_key(Index::create().col("enrollment_id").col("person_ref"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "enrollment_members_person",
            "enrollment_members",
            &["person_ref"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("deaths")
                .if_not_exists()
                .col(string_len("person_ref", 32))
                .col(date("died_on"))
                .col(date("recorded_on"))
                .primary_key(Index::create().col("person_ref"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("work_injury_allowances")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string_len("from_month", 7))
                .col(string_len_null("to_month", 7))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "work_injury_person",
            "work_injury_allowances",
            &["person_ref"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("payees")
                .if_not_exists()
                .col(string_len("person_ref", 32))
                .col(string("name"))
                .col(string_len_null("bank_code", 32))
                .col(string_len_null("account_number", 40))
                .col(string_null("account_holder_name"))
                .col(timestamp_with_time_zone("updated_at"))
                .col(integer("version"))
                .primary_key(Index::create().col("person_ref"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payees_account", "payees", &["account_number"]))
            .await?;
        m.create_table(
            Table::create()
                .table("agents")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string("name"))
                .col(string_len("relationship", 32))
                .col(string("registered_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("agents_person", "agents", &["person_ref"]))
            .await?;
        m.create_table(
            Table::create()
                .table("subsidies")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string_len("kind", 16))
                .col(string_len("origin", 24))
                .col(string_len("status", 24))
                // person_ref|kind while the case is open, NULL after: one open case per subsidy.
                .col(string_len_null("open_key", 48).unique_key())
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(uuid_null("household_id"))
                .col(string_len("received_at", 12))
                .col(boolean("cross_province"))
                .col(date("applied_on"))
                .col(string_len("application_month", 7))
                .col(string_len("start_month", 7))
                .col(string_len_null("end_month", 7))
                .col(string_len_null("end_reason", 32))
                .col(integer("rate_level"))
                .col(integer_null("previous_rate_level"))
                .col(string_len_null("rate_level_from", 7))
                .col(big_integer("monthly_amount_fen"))
                .col(string_len("next_unpaid_month", 7))
                .col(string("submitted_by"))
                .col(string_null("reviewed_by"))
                .col(date_null("reviewed_on"))
                .col(string_null("decided_by"))
                .col(date_null("decided_on"))
                .col(text_null("decision_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("subsidies_person", "subsidies", &["person_ref"]))
            .await?;
        m.create_index(index("subsidies_township", "subsidies", &["township_code"]))
            .await?;
        m.create_index(index(
            "subsidies_payable",
            "subsidies",
            &["status", "next_unpaid_month"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("standards")
                .if_not_exists()
                .col(string_len("subsidy", 16))
                // 0: every level.
                .col(integer("level"))
                .col(date("valid_from"))
                .col(big_integer("monthly_fen"))
                .col(boolean("placeholder"))
                .col(text("source"))
                .primary_key(
                    Index::create()
                        .col("subsidy")
                        .col("level")
                        .col("valid_from"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("parameters")
                .if_not_exists()
                .col(string_len("name", 64))
                .col(date("valid_from"))
                .col(big_integer("value"))
                .col(text("source"))
                .primary_key(Index::create().col("name").col("valid_from"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("pilot_townships")
                .if_not_exists()
                .col(string_len("programme", 32))
                .col(string_len("township_code", 9))
                .col(date("valid_from"))
                .primary_key(Index::create().col("programme").col("township_code"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_batches")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("month", 7).unique_key())
                .col(big_integer("line_count"))
                .col(big_integer("total_fen"))
                .col(big_integer("held_count"))
                .col(timestamp_with_time_zone("issued_at"))
                .col(string("issued_by"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_lines")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("batch_id"))
                .col(uuid("subsidy_id"))
                .col(string_len("person_ref", 32))
                .col(string_len("kind", 16))
                .col(string_len("month", 7))
                .col(big_integer("amount_fen"))
                .col(integer("level"))
                .col(date("standard_from"))
                .col(string_len("status", 16))
                .col(string_len_null("hold_reason", 32))
                .col(boolean("arrears"))
                .col(string_len("township_code", 9))
                .col(string_len_null("bank_code", 32))
                .col(string_len_null("account_number", 40))
                .col(string_null("account_holder_name"))
                .col(text("trail"))
                .col(string_len_null("return_reason", 32))
                .to_owned(),
        )
        .await?;
        m.create_index(index("payment_lines_batch", "payment_lines", &["batch_id"]))
            .await?;
        m.create_index(index(
            "payment_lines_subsidy",
            "payment_lines",
            &["subsidy_id", "month"],
        ))
        .await?;
        m.create_index(index(
            "payment_lines_month",
            "payment_lines",
            &["month", "status"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("findings")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("kind", 32))
                .col(string_len_null("subsidy_kind", 16))
                .col(uuid_null("subsidy_id"))
                .col(string_len("person_ref", 32))
                .col(string_len("comparison_month", 7))
                .col(big_integer_null("amount_at_risk_fen"))
                .col(string_len("township_code", 9))
                .col(string("owner"))
                .col(date("detected_on"))
                .col(date("due_on"))
                .col(string_len("status", 16))
                .col(text_null("resolution"))
                .col(string_null("resolved_by"))
                .col(date_null("resolved_on"))
                // kind|person_ref|subsidy while open: the same finding is not raised twice.
                .col(string_len_null("open_key", 120).unique_key())
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(index("findings_township", "findings", &["township_code"]))
            .await?;
        m.create_table(
            Table::create()
                .table("reminders")
                .if_not_exists()
                .col(string_len("person_ref", 32))
                .col(date("expires_on"))
                .col(string_len("township_code", 9))
                .col(string_len("due_month", 7))
                .col(timestamp_with_time_zone("created_at"))
                .primary_key(Index::create().col("person_ref").col("expires_on"))
                .to_owned(),
        )
        .await?;
        // 福康工程 applications, 精康融合 enrollments and care services: one case table.
        m.create_table(
            Table::create()
                .table("programme_cases")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("programme", 32))
                .col(string_len("person_ref", 32))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("status", 16))
                .col(string_len("item", 32))
                .col(text("description"))
                .col(date("started_on"))
                .col(string("recorded_by"))
                .col(string_null("decided_by"))
                .col(text_null("decision_reason"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "programme_cases_township",
            "programme_cases",
            &["programme", "township_code"],
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("rehabilitation_service_records")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("enrollment_id"))
                .col(string_len("training_type", 32))
                .col(date("served_on"))
                .col(integer("minutes"))
                .col(text("notes"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "rehabilitation_records_enrollment",
            "rehabilitation_service_records",
            &["enrollment_id"],
        ))
        .await
    }
}
