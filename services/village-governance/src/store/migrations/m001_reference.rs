//! Villages, named parameters, vote thresholds and service-centre targets, with their seeds: the
//! Organic Laws' assembly thresholds, the staffing standard, the community-worker pay scale and the
//! 2022 target of 7 service centres (渝北民〔2022〕45号).

use chrono::NaiveDate;
use sea_orm::DbErr;
use sea_orm_migration::{MigrationTrait, prelude::*, schema::*};
use uuid::Uuid;

use super::index;

pub(super) struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261129_080101_reference"
    }
}

fn day(s: &str) -> NaiveDate {
    s.parse().expect("seed dates are valid")
}

/// (name, scope, valid_from, value, basis). [U] marks values without a source found.
const PARAMETERS: &[(&str, &str, &str, i64, &str)] = &[
    (
        "rules_review_interval_months",
        "500112",
        "2022-04-25",
        36,
        "[U] assumption: review village rules every 3 years; no source found (the contract's example uses 3 years)",
    ),
    (
        "staffing_households_per_worker",
        "500112",
        "2022-01-01",
        300,
        "[U] assumption: one community worker per 300 households, a common local standard; Chongqing's figure not found",
    ),
    (
        "staffing_minimum_workers_community",
        "500112",
        "1990-01-01",
        5,
        "城市居民委员会组织法 art. 7: a residents' committee has 5 to 9 members",
    ),
    (
        "staffing_minimum_workers_village",
        "500112",
        "2010-10-28",
        3,
        "村民委员会组织法 art. 6: a villagers' committee has 3 to 7 members",
    ),
    (
        "pay_base_head_fen",
        "500112",
        "2022-01-01",
        340_000,
        "PLACEHOLDER from an undated secondary source on Chongqing community workers' pay: head (正职) 3400 yuan/month",
    ),
    (
        "pay_base_deputy_fen",
        "500112",
        "2022-01-01",
        320_000,
        "PLACEHOLDER, same source: deputy (副职) 3200 yuan/month",
    ),
    (
        "pay_base_member_fen",
        "500112",
        "2022-01-01",
        310_000,
        "PLACEHOLDER, same source: members and other full-time workers 3100 yuan/month",
    ),
    (
        "pay_seniority_per_year_fen",
        "500112",
        "2022-01-01",
        3_000,
        "PLACEHOLDER, same source: +30 yuan/month per year of community work",
    ),
    (
        "pay_certificate_senior_fen",
        "500112",
        "2022-01-01",
        50_000,
        "PLACEHOLDER, same source: 高级社会工作师 500 yuan/month",
    ),
    (
        "pay_certificate_intermediate_fen",
        "500112",
        "2022-01-01",
        30_000,
        "PLACEHOLDER, same source: 社会工作师 300 yuan/month",
    ),
    (
        "pay_certificate_assistant_fen",
        "500112",
        "2022-01-01",
        20_000,
        "PLACEHOLDER, same source: 助理社会工作师 200 yuan/month",
    ),
    (
        "pay_certificate_municipal_fen",
        "500112",
        "2022-01-01",
        10_000,
        "PLACEHOLDER, same source: 重庆市社会工作员 100 yuan/month",
    ),
];

/// (body, valid_from, quorum n/d/strict, majority n/d/strict, may adopt rules, basis).
#[allow(clippy::type_complexity)]
const THRESHOLDS: &[(&str, &str, (i32, i32, bool), (i32, i32, bool), bool, &str)] = &[
    (
        "villagers_assembly",
        "2010-10-28",
        (1, 2, true),
        (1, 2, true),
        true,
        "村民委员会组织法 (2010) art. 22: more than half of the villagers aged 18+ attend; decisions by more than half of those present; art. 27: the assembly adopts village rules",
    ),
    (
        "villagers_assembly_households",
        "2010-10-28",
        (2, 3, false),
        (1, 2, true),
        true,
        "村民委员会组织法 (2010) art. 22: two-thirds or more of the households' representatives attend; decisions by more than half of those present",
    ),
    (
        "villager_representatives",
        "2010-10-28",
        (2, 3, false),
        (1, 2, true),
        false,
        "村民委员会组织法 (2010) art. 26: two-thirds or more of the members attend, more than half of those present; village rules are reserved to the villagers' assembly (art. 27; Chongqing implementing measures)",
    ),
    (
        "residents_assembly",
        "1990-01-01",
        (1, 2, true),
        (1, 2, true),
        true,
        "城市居民委员会组织法 (1989, 2018) art. 9: more than half of the residents aged 18+ attend; decisions by more than half of those present; art. 15: residents' conventions are adopted by the residents' assembly",
    ),
    (
        "residents_assembly_households",
        "1990-01-01",
        (1, 2, true),
        (1, 2, true),
        true,
        "城市居民委员会组织法 (1989, 2018) art. 9: more than half of the households' representatives attend; more than half of those present",
    ),
    (
        "residents_assembly_group_representatives",
        "1990-01-01",
        (1, 2, true),
        (1, 2, true),
        true,
        "城市居民委员会组织法 (1989, 2018) art. 9: more than half of the residents' groups' representatives attend; more than half of those present",
    ),
];

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for Migration {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table("villages")
                .if_not_exists()
                .col(string_len("code", 12).primary_key())
                .col(string_len("township_code", 9))
                .col(string("name"))
                .col(string_len("kind", 16))
                .col(integer("households"))
                .col(timestamp_with_time_zone("created_at"))
                .col(integer("version"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "villages",
            "villages_township",
            &["township_code"],
            false,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("parameters")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("name", 64))
                .col(string_len("scope", 12))
                .col(date("valid_from"))
                .col(big_integer("value"))
                .col(text("basis"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "parameters",
            "parameters_entry",
            &["name", "scope", "valid_from"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("vote_thresholds")
                .if_not_exists()
                .col(pk_uuid("id"))
                .col(string_len("body", 48))
                .col(date("valid_from"))
                .col(integer("quorum_numerator"))
                .col(integer("quorum_denominator"))
                .col(boolean("quorum_strictly_more"))
                .col(integer("majority_numerator"))
                .col(integer("majority_denominator"))
                .col(boolean("majority_strictly_more"))
                .col(boolean("may_adopt_rules"))
                .col(text("basis"))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "vote_thresholds",
            "vote_thresholds_entry",
            &["body", "valid_from"],
            true,
        )
        .await?;
        m.create_table(
            Table::create()
                .table("service_centre_targets")
                .if_not_exists()
                .col(integer("year").primary_key())
                .col(integer("target"))
                .col(text("basis"))
                .to_owned(),
        )
        .await?;

        for (name, scope, from, value, basis) in PARAMETERS {
            m.exec_stmt(
                Query::insert()
                    .into_table("parameters")
                    .columns(["id", "name", "scope", "valid_from", "value", "basis"])
                    .values_panic([
                        Uuid::now_v7().into(),
                        (*name).into(),
                        (*scope).into(),
                        day(from).into(),
                        (*value).into(),
                        (*basis).into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        for (body, from, q, maj, may_adopt, basis) in THRESHOLDS {
            m.exec_stmt(
                Query::insert()
                    .into_table("vote_thresholds")
                    .columns([
                        "id",
                        "body",
                        "valid_from",
                        "quorum_numerator",
                        "quorum_denominator",
                        "quorum_strictly_more",
                        "majority_numerator",
                        "majority_denominator",
                        "majority_strictly_more",
                        "may_adopt_rules",
                        "basis",
                    ])
                    .values_panic([
                        Uuid::now_v7().into(),
                        (*body).into(),
                        day(from).into(),
                        q.0.into(),
                        q.1.into(),
                        q.2.into(),
                        maj.0.into(),
                        maj.1.into(),
                        maj.2.into(),
                        (*may_adopt).into(),
                        (*basis).into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        m.exec_stmt(
            Query::insert()
                .into_table("service_centre_targets")
                .columns(["year", "target", "basis"])
                .values_panic([
                    2022.into(),
                    7.into(),
                    "渝北民〔2022〕45号: 7 village service centres built in 2022".into(),
                ])
                .to_owned(),
        )
        .await
    }
}
