//! Reference data seeded once; the bureau corrects or extends it with rows of a later
//! `valid_from`, never by editing code.
//!
//! Standards: 2026-01-01 Chongqing values (living 100, nursing level 1 110, level 2 100
//! yuan/month, 重庆市民政局 2025-12-30). The 2022 amounts were not found: the 2022-01-01 rows
//! (90 / 100 / 90) are placeholders, flagged `placeholder` so every line paid with them says so.

use chrono::NaiveDate;
use sea_orm::DbErr;
use sea_orm_migration::prelude::*;

pub(super) struct SeedReference;

impl MigrationName for SeedReference {
    fn name(&self) -> &str {
        "m20261129_000202_disability_reference_data"
    }
}

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("a real date")
}

const PLACEHOLDER: &str =
    "PLACEHOLDER: the 2022 Chongqing amount was not found; replace with the official figure";
const CQ_2026: &str = "重庆市民政局 2025-12-30: from 2026-01-01";

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for SeedReference {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let standards: [(&str, i32, NaiveDate, i64, bool, &str); 6] = [
            ("living", 0, day(2022, 1, 1), 9_000, true, PLACEHOLDER),
            ("nursing", 1, day(2022, 1, 1), 10_000, true, PLACEHOLDER),
            ("nursing", 2, day(2022, 1, 1), 9_000, true, PLACEHOLDER),
            ("living", 0, day(2026, 1, 1), 10_000, false, CQ_2026),
            ("nursing", 1, day(2026, 1, 1), 11_000, false, CQ_2026),
            ("nursing", 2, day(2026, 1, 1), 10_000, false, CQ_2026),
        ];
        let mut insert = Query::insert();
        insert.into_table(Alias::new("standards")).columns(
            [
                "subsidy",
                "level",
                "valid_from",
                "monthly_fen",
                "placeholder",
                "source",
            ]
            .map(Alias::new),
        );
        for (subsidy, level, from, fen, placeholder, source) in standards {
            insert.values_panic([
                subsidy.into(),
                level.into(),
                from.into(),
                fen.into(),
                placeholder.into(),
                source.into(),
            ]);
        }
        m.exec_stmt(insert).await?;

        let since = day(2022, 1, 1);
        let parameters: [(&str, i64, &str); 7] = [
            (
                "back_pay_max_months",
                3,
                "national rule as applied (贵州 2024): back-pay at most 3 months",
            ),
            (
                "expiry_reminder_months",
                6,
                "remind 6 months before the certificate expires",
            ),
            (
                "finding_due_days",
                30,
                "service decision: a township settles a finding within 30 days",
            ),
            (
                "shared_account_min_people",
                3,
                "service decision: one account paying 3 or more people is a finding",
            ),
            (
                "nursing_max_level",
                2,
                "渝民发〔2021〕15号: nursing subsidy for levels 1 and 2",
            ),
            (
                "nursing_level3_intellectual_mental",
                0,
                "not in Chongqing; some provinces add level 3 智力/精神",
            ),
            (
                "comparison_lookback_months",
                12,
                "service decision: the comparison re-checks a year of payments",
            ),
        ];
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("parameters"))
            .columns(["name", "valid_from", "value", "source"].map(Alias::new));
        for (name, value, source) in parameters {
            insert.values_panic([name.into(), since.into(), value.into(), source.into()]);
        }
        m.exec_stmt(insert).await?;

        // 精康融合 pilot streets named in the notice: 双凤桥街道 and 两路街道.
        let mut insert = Query::insert();
        insert
            .into_table(Alias::new("pilot_townships"))
            .columns(["programme", "township_code", "valid_from"].map(Alias::new));
        for township in ["500112017", "500112016"] {
            insert.values_panic(["rehabilitation".into(), township.into(), since.into()]);
        }
        m.exec_stmt(insert).await?;
        Ok(())
    }
}
