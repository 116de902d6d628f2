//! Migration: reference data in the database, seeded from the domain seeds — the aid parameters
//! (one row per parameter and effective date), the holiday calendar (one notice per year), and the
//! per-township delegated-authority switch (off everywhere: the district confirms).

use sea_orm::{ActiveValue::Set, DbErr, EntityTrait};
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use super::{reference_authority, reference_holiday, reference_parameter};
use crate::domain::{calendar, reference};

/// Who changed seeded rows.
const SEEDED_BY: &str = "seed";

/// Creates and seeds `reference_parameters`, `reference_holiday_notices`, `township_authority`.
pub struct CreateReference;

impl MigrationName for CreateReference {
    fn name(&self) -> &str {
        "m20261129_000202_reference"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateReference {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reference_parameters")
                .if_not_exists()
                .col(string_len("name", 64))
                .col(date("valid_from"))
                .col(text("value"))
                .col(string("changed_by"))
                .col(timestamp_with_time_zone("changed_at"))
                .col(integer("version"))
                .primary_key(Index::create().col("name").col("valid_from"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("reference_holiday_notices")
                .if_not_exists()
                .col(integer("year").primary_key())
                .col(text("notice"))
                .col(string("changed_by"))
                .col(timestamp_with_time_zone("changed_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("township_authority")
                .if_not_exists()
                .col(string_len("township_code", 9).primary_key())
                .col(string("name"))
                .col(boolean("delegated"))
                .col(string("changed_by"))
                .col(timestamp_with_time_zone("changed_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        seed(m).await
    }
}

/// The seeded entries of every parameter `wanted` accepts, as rows.
fn seeded_rows(
    wanted: impl Fn(&str) -> bool,
) -> Result<Vec<reference_parameter::ActiveModel>, DbErr> {
    let now = kit::clock::now();
    let seeded = serde_json::to_value(reference::seed())
        .map_err(|e| DbErr::Custom(format!("parameter seed: {e}")))?;
    let mut rows = Vec::new();
    for (name, timeline) in seeded.as_object().into_iter().flatten() {
        if !wanted(name) {
            continue;
        }
        for entry in timeline.as_array().into_iter().flatten() {
            let from = entry["from"]
                .as_str()
                .and_then(|s| s.parse().ok())
                .ok_or_else(|| DbErr::Custom(format!("parameter seed {name}: no date")))?;
            rows.push(reference_parameter::ActiveModel {
                name: Set(name.clone()),
                valid_from: Set(from),
                value: Set(entry["value"].to_string()),
                changed_by: Set(SEEDED_BY.into()),
                changed_at: Set(now),
                version: Set(1),
            });
        }
    }
    Ok(rows)
}

async fn seed(m: &SchemaManager<'_>) -> Result<(), DbErr> {
    let db = m.get_connection();
    let now = kit::clock::now();
    reference_parameter::Entity::insert_many(seeded_rows(|_| true)?)
        .exec(db)
        .await?;
    let notices = calendar::seed()
        .notices()
        .map(|n| {
            Ok(reference_holiday::ActiveModel {
                year: Set(n.year),
                notice: Set(serde_json::to_string(n)
                    .map_err(|e| DbErr::Custom(format!("calendar seed: {e}")))?),
                changed_by: Set(SEEDED_BY.into()),
                changed_at: Set(now),
                version: Set(1),
            })
        })
        .collect::<Result<Vec<_>, DbErr>>()?;
    reference_holiday::Entity::insert_many(notices)
        .exec(db)
        .await?;
    let townships =
        kit::divisions::YUBEI_TOWNSHIPS
            .iter()
            .map(|t| reference_authority::ActiveModel {
                township_code: Set(t.code.into()),
                name: Set(t.name.into()),
                delegated: Set(false),
                changed_by: Set(SEEDED_BY.into()),
                changed_at: Set(now),
                version: Set(1),
            });
    reference_authority::Entity::insert_many(townships)
        .exec(db)
        .await?;
    Ok(())
}

/// Seeds the parameters added after a database was created (its reference migration seeded the
/// parameters of its day): `severe_disability`, the definitions of 重残 that were rules in code.
pub struct SeedNewParameters;

impl MigrationName for SeedNewParameters {
    fn name(&self) -> &str {
        "m20261207_000102_seed_new_parameters"
    }
}

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for SeedNewParameters {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let db = m.get_connection();
        let present: Vec<String> = reference_parameter::Entity::find()
            .all(db)
            .await?
            .into_iter()
            .map(|r| r.name)
            .collect();
        let rows = seeded_rows(|name| !present.iter().any(|p| p == name))?;
        if !rows.is_empty() {
            reference_parameter::Entity::insert_many(rows)
                .exec(db)
                .await?;
        }
        Ok(())
    }
}
