//! Migration: income items, property, former members and the change history of households; the
//! verification answer's per-member incomes; the property predicates' seeded parameter.

use sea_orm::{ActiveValue::Set, DbErr, EntityTrait};
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use super::reference_parameter;
use crate::domain::reference::PLACEHOLDER_PROPERTY_LIMITS;

pub struct CreateHouseholdRegister;

impl MigrationName for CreateHouseholdRegister {
    fn name(&self) -> &str {
        "m20261129_000501_household_register"
    }
}

async fn index(m: &SchemaManager<'_>, table: &str, cols: &[&str]) -> Result<(), DbErr> {
    let mut index = Index::create();
    index
        .name(format!("{table}_{}", cols.join("_")))
        .table(Alias::new(table))
        .if_not_exists();
    for c in cols {
        index.col(Alias::new(*c));
    }
    m.create_index(index.to_owned()).await
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateHouseholdRegister {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("member_incomes")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(uuid("member_id"))
                .col(string_len("kind", 16))
                .col(big_integer("monthly_fen").check(Expr::col("monthly_fen").gte(0)))
                .col(string_null("source"))
                .col(date("recorded_on"))
                .to_owned(),
        )
        .await?;
        index(m, "member_incomes", &["household_id"]).await?;
        m.create_table(
            Table::create()
                .table("household_assets")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(uuid_null("member_id"))
                .col(string_len("kind", 16))
                .col(text("description"))
                .col(big_integer("value_fen").check(Expr::col("value_fen").gte(0)))
                .col(boolean("exempt"))
                .col(text_null("exempt_reason"))
                .col(boolean("employs_others"))
                .col(date("recorded_on"))
                .col(date_null("disposed_on"))
                .col(text_null("disposal_reason"))
                .to_owned(),
        )
        .await?;
        index(m, "household_assets", &["household_id"]).await?;
        m.create_table(
            Table::create()
                .table("former_members")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(string_len("person_ref", 32))
                .col(string_len("masked_id_number", 18))
                .col(string("name"))
                .col(string_len("relationship", 16))
                .col(date("left_on"))
                .col(string_len("reason", 32))
                .to_owned(),
        )
        .await?;
        index(m, "former_members", &["household_id"]).await?;
        m.create_table(
            Table::create()
                .table("household_changes")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(uuid("household_id"))
                .col(string_len("kind", 32))
                .col(uuid_null("member_id"))
                .col(date("effective_on"))
                .col(text("detail"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .to_owned(),
        )
        .await?;
        index(m, "household_changes", &["household_id", "id"]).await?;
        m.alter_table(
            Table::alter()
                .table("verification_requests")
                .add_column(text("member_incomes").default("[]"))
                .to_owned(),
        )
        .await?;
        // Databases migrated before the parameter existed get its seed; a fresh one already has
        // it from the reference migration.
        let value = serde_json::to_string(&PLACEHOLDER_PROPERTY_LIMITS)
            .map_err(|e| DbErr::Custom(format!("property limits seed: {e}")))?;
        reference_parameter::Entity::insert(reference_parameter::ActiveModel {
            name: Set("property_limits".into()),
            valid_from: Set(chrono::NaiveDate::from_ymd_opt(2021, 9, 1).expect("a real date")),
            value: Set(value),
            changed_by: Set("seed".into()),
            changed_at: Set(kit::clock::now()),
            version: Set(1),
        })
        .on_conflict_do_nothing_on([
            reference_parameter::Column::Name,
            reference_parameter::Column::ValidFrom,
        ])
        .exec(m.get_connection())
        .await?;
        Ok(())
    }
}
