//! Reference data: effective-dated values with the notice's defaults, and the district's
//! townships. Seeded here so a fresh database answers at once; the bureau corrects both as data.

use chrono::NaiveDate;
use sea_orm::{ActiveValue::Set, DbErr, EntityTrait};
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};

use crate::{
    domain::reference::Parameter,
    store::{reference_value, township},
};

pub(super) struct CreateReferenceData;

impl MigrationName for CreateReferenceData {
    fn name(&self) -> &str {
        "m20261129_000201_reference_data"
    }
}

/// The defaults: (parameter, township scope or "", value, source note). All from 2022-01-01, the
/// year of the notice (渝北民〔2022〕45号).
const SEED: &[(Parameter, &str, i64, &str)] = &[
    (
        Parameter::DispersedSupportVisitIntervalMonths,
        "",
        1,
        "DOMAIN: visited regularly, default monthly",
    ),
    (
        Parameter::LeftBehindVisitIntervalMonths,
        "",
        1,
        "not found in the sources; monthly as for dispersed support",
    ),
    (
        Parameter::VisitOverdueGraceDays,
        "",
        0,
        "overdue the day after the due date",
    ),
    (
        Parameter::ElderlyMinAgeYears,
        "",
        60,
        "老年人权益保障法: 60 周岁以上",
    ),
    (
        Parameter::HomeBedMinCapabilityLevel,
        "",
        1,
        "not found in the sources; beds for mild impairment (轻度失能) and worse",
    ),
    (
        Parameter::TargetHomeCareBeds,
        "",
        200,
        "notice: 200 home care beds",
    ),
    (
        Parameter::TargetRehabStations,
        "",
        28,
        "notice: 28 chronic-disease rehab stations",
    ),
    (
        Parameter::TargetAgeFriendlyRetrofits,
        "",
        12,
        "notice: 12 public-area age-friendly retrofits",
    ),
    (
        Parameter::TargetServiceCentres,
        "500112142",
        1,
        "notice: service centre in 石船镇",
    ),
    (
        Parameter::TargetServiceCentres,
        "500112129",
        1,
        "notice: service centre in 玉峰山镇",
    ),
    (
        Parameter::TargetServiceCentres,
        "500112133",
        1,
        "notice: service centre in 统景镇",
    ),
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for CreateReferenceData {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("reference_values")
                .if_not_exists()
                .col(string_len("parameter", 64))
                .col(string_len("scope", 12))
                .col(date("valid_from"))
                .col(big_integer("value"))
                .col(text("note"))
                .col(string("recorded_by"))
                .col(timestamp_with_time_zone("recorded_at"))
                .primary_key(
                    Index::create()
                        .col("parameter")
                        .col("scope")
                        .col("valid_from"),
                )
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table("townships")
                .if_not_exists()
                .col(string_len("code", 9).primary_key())
                .col(string("name"))
                .to_owned(),
        )
        .await?;
        let db = m.get_connection();
        let from = NaiveDate::from_ymd_opt(2022, 1, 1).expect("a date");
        reference_value::Entity::insert_many(SEED.iter().map(|(p, scope, value, note)| {
            reference_value::ActiveModel {
                parameter: Set(p.key().to_owned()),
                scope: Set((*scope).to_owned()),
                valid_from: Set(from),
                value: Set(*value),
                note: Set((*note).to_owned()),
                recorded_by: Set("seed".to_owned()),
                recorded_at: Set(kit::clock::now()),
            }
        }))
        .exec(db)
        .await?;
        township::Entity::insert_many(kit::divisions::YUBEI_TOWNSHIPS.iter().map(|t| {
            township::ActiveModel {
                code: Set(t.code.to_owned()),
                name: Set(t.name.to_owned()),
            }
        }))
        .exec(db)
        .await?;
        Ok(())
    }
}
