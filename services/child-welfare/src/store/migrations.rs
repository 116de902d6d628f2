//! Migrations: the kit's tables first, then this service's tables, then the seed of reference
//! values (standards, terms, thresholds) the bureau corrects as data, then the allowance basis
//! and flag dates (`m003_basis`), extreme-poverty support (`m004_support`).

use chrono::NaiveDate;
use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, MigratorTrait, prelude::*, schema::*};

use crate::domain::reference::names;

/// Every migration of child-welfare, oldest first.
pub struct Migrator;

impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        let mut all = kit::db::migrations();
        all.push(Box::new(CreateTables));
        all.push(Box::new(SeedReference));
        all.push(Box::new(super::m003_basis::AllowanceBasis));
        all.push(Box::new(super::m004_support::ExtremePovertySupport));
        all
    }
}

struct CreateTables;

impl MigrationName for CreateTables {
    fn name(&self) -> &str {
        "m20261129_000301_child_welfare_tables"
    }
}

fn index(name: &str, table: &str, cols: &[&str], unique: bool) -> IndexCreateStatement {
    let mut i = Index::create();
    i.name(name).table(Alias::new(table));
    for c in cols {
        i.col(Alias::new(*c));
    }
    if unique {
        i.unique();
    }
    i.to_owned()
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateTables {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("children")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("person_ref", 32))
                .col(string_len_null("id_number", 18))
                .col(string_null("name"))
                .col(date_null("birth_date"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("category", 32))
                .col(string_len("care_mode", 16))
                .col(boolean("hiv_infected"))
                .col(string_len("status", 24))
                .col(string_len("origin", 16))
                .col(uuid_null("at_risk_flag_id"))
                .col(string_null("guardian_name"))
                .col(string_null("guardian_relationship"))
                .col(string_len_null("guardian_id_number", 18))
                .col(string_null("account_holder"))
                .col(string_null("bank_account"))
                .col(string("submitted_by"))
                .col(date("submitted_on"))
                .col(string_null("decided_by"))
                .col(date_null("decided_on"))
                .col(text_null("decision_reason"))
                .col(date_null("deceased_on"))
                .col(date_null("adopted_on"))
                .col(boolean("evidence_pending"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "children_person_ref",
            "children",
            &["person_ref"],
            false,
        ))
        .await?;
        m.create_index(index(
            "children_village",
            "children",
            &["village_code"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("parents")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("child_id"))
                .col(string_len("role", 8))
                .col(string_len_null("person_ref", 32))
                .col(string_len_null("id_number", 18))
                .col(string_null("name"))
                .foreign_key(
                    ForeignKey::create()
                        .from("parents", "child_id")
                        .to("children", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "parents_child_role",
            "parents",
            &["child_id", "role"],
            true,
        ))
        .await?;
        m.create_index(index(
            "parents_person_ref",
            "parents",
            &["person_ref"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("parent_conditions")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("parent_id"))
                .col(string_len("situation", 24))
                .col(date_null("since"))
                .col(date_null("expected_end"))
                .col(date_null("ended_on"))
                .col(string_len_null("disability_category", 16))
                .col(integer_null("disability_level"))
                .col(text("evidence"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .foreign_key(
                    ForeignKey::create()
                        .from("parent_conditions", "parent_id")
                        .to("parents", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "parent_conditions_parent",
            "parent_conditions",
            &["parent_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("school_enrollments")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("child_id"))
                .col(string_len("level", 24))
                .col(string("school"))
                .col(boolean("full_time"))
                .col(date("enrolled_on"))
                .col(date("course_end"))
                .col(text("evidence"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "school_enrollments_child",
            "school_enrollments",
            &["child_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("evaluations")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid_uniq("flag_id"))
                .col(string_len("person_ref", 32))
                .col(uuid_null("case_id"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(string_len("father_situation", 24))
                .col(string_len_null("father_ref", 32))
                .col(string_len("mother_situation", 24))
                .col(string_len_null("mother_ref", 32))
                .col(date("flagged_on"))
                .col(string_len("status", 24))
                .col(text("outcome"))
                .col(uuid_null("child_id"))
                .col(string_null("decided_by"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("allowances")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("child_id"))
                .col(string_len("category", 32))
                .col(string_len("care_mode", 16))
                .col(string_len("start_month", 7))
                .col(string_len_null("end_month", 7))
                .col(string_len_null("end_reason", 32))
                .col(date("approved_on"))
                .col(date_null("ended_on"))
                .col(string_len("township_code", 9))
                .col(string_len("village_code", 12))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "allowances_child",
            "allowances",
            &["child_id"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("payment_batches")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len_uniq("month", 7))
                .col(big_integer("line_count"))
                .col(big_integer("total_fen"))
                .col(string("issued_by"))
                .col(timestamp_with_time_zone("issued_at"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("payment_lines")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("batch_id"))
                .col(uuid("allowance_id"))
                .col(uuid("child_id"))
                .col(string_len("month", 7))
                .col(string_len("township_code", 9))
                .col(big_integer("amount_fen"))
                .col(string_len("status", 16))
                .col(string_null("account_holder"))
                .col(string_null("bank_account"))
                .col(uuid_null("reissue_of"))
                .col(text_null("held_reason"))
                .col(string_len_null("return_reason", 32))
                .col(date_null("returned_on"))
                .foreign_key(
                    ForeignKey::create()
                        .from("payment_lines", "batch_id")
                        .to("payment_batches", "id"),
                )
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "payment_lines_batch",
            "payment_lines",
            &["batch_id"],
            false,
        ))
        .await?;
        m.create_index(index(
            "payment_lines_allowance_month",
            "payment_lines",
            &["allowance_id", "month"],
            false,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("programme_grants")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("child_id"))
                .col(string_len("programme", 32))
                .col(string_len("period", 16))
                .col(big_integer("amount_fen"))
                .col(text("evidence"))
                .col(string("granted_by"))
                .col(date("granted_on"))
                .col(timestamp_with_time_zone("created_at"))
                .to_owned(),
        )
        .await?;
        m.create_index(index(
            "programme_grants_once_per_period",
            "programme_grants",
            &["child_id", "programme", "period"],
            true,
        ))
        .await?;
        m.create_table(
            Table::create()
                .table("certificates")
                .if_not_exists()
                .col(string_len("person_ref", 32).primary_key())
                .col(string_len("category", 16))
                .col(integer("level"))
                .col(date("issued_on"))
                .col(date("expires_on"))
                .col(date_null("revoked_on"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("reference_values")
                .if_not_exists()
                .col(string("name"))
                .col(date("valid_from"))
                .col(big_integer("value"))
                .col(boolean("placeholder"))
                .col(text("source"))
                .col(string("recorded_by"))
                .primary_key(Index::create().col("name").col("valid_from"))
                .to_owned(),
        )
        .await
    }
}

struct SeedReference;

impl MigrationName for SeedReference {
    fn name(&self) -> &str {
        "m20261129_000302_child_welfare_reference_seed"
    }
}

const DOMAIN: &str = "docs/domain.md Child welfare (民发〔2019〕62号)";
const NOT_FOUND: &str = "PLACEHOLDER: Chongqing amount not found (research §3.3); correct as data";

/// `(name, value, placeholder, source)`, all valid from 2022-01-01. The education extension has
/// no maximum age until the bureau sets `age.education_max_years` (research §3.2: not found).
const SEED: [(&str, i64, bool, &str); 10] = [
    // 1 600 and 1 200 yuan a month: placeholders (the schema's example uses 1 200 for a
    // family-based standard); the bureau enters the real Chongqing standards.
    (
        names::STANDARD_ORPHAN_INSTITUTIONAL,
        160_000,
        true,
        NOT_FOUND,
    ),
    (
        names::STANDARD_ORPHAN_FAMILY_BASED,
        120_000,
        true,
        NOT_FOUND,
    ),
    (names::ADULTHOOD_YEARS, 18, false, DOMAIN),
    (names::IMPRISONMENT_MIN_MONTHS, 6, false, DOMAIN),
    (names::OUT_OF_CONTACT_MIN_MONTHS, 6, false, DOMAIN),
    // Seeded 0 here; corrected to 6 months by `m003_basis` (民发〔2019〕62号: every restriction
    // of liberty counts from a term of 6 months; see the README).
    (
        names::COMPULSORY_DETOX_MIN_MONTHS,
        0,
        false,
        "docs/domain.md states none (research §3.1: 6 months)",
    ),
    (
        names::DEPRIVED_OF_LIBERTY_MIN_MONTHS,
        0,
        false,
        "docs/domain.md states none (research §3.1: 6 months)",
    ),
    (names::SEVERE_MAX_LEVEL_ANY, 2, false, DOMAIN),
    (names::SEVERE_MAX_LEVEL_MIND, 4, false, DOMAIN),
    (
        names::FUCAI_DREAM_ANNUAL,
        1_000_000,
        true,
        "PLACEHOLDER: commonly 10 000 yuan per student per year, unverified (research §3.3)",
    ),
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for SeedReference {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let from = NaiveDate::from_ymd_opt(2022, 1, 1).expect("a date");
        let mut insert = Query::insert();
        insert.into_table(Alias::new("reference_values")).columns([
            Alias::new("name"),
            Alias::new("valid_from"),
            Alias::new("value"),
            Alias::new("placeholder"),
            Alias::new("source"),
            Alias::new("recorded_by"),
        ]);
        for (name, value, placeholder, source) in SEED {
            insert.values_panic([
                name.into(),
                from.into(),
                value.into(),
                placeholder.into(),
                source.into(),
                "seed".into(),
            ]);
        }
        m.exec_stmt(insert.to_owned()).await
    }
}
