//! The basis of an allowance month and the flag's dates: allowances keep the care mode in force
//! and, after a change, the mode before it and the month it counts from (running allowances take
//! their child's current mode, which the batch used until now); children and evaluations keep
//! the month of birth a flag carries; evaluations keep each parent's `since` / `expected_end`.
//! Also corrects the seeded minimum terms of compulsory detox and other deprivation of liberty
//! from 0 to 6 months (民发〔2019〕62号; see the README).

use sea_orm::{ConnectionTrait, DbErr, Statement};
use sea_orm_migration::{prelude::*, schema::*};

use crate::domain::reference::names;

pub(super) struct AllowanceBasis;

impl MigrationName for AllowanceBasis {
    fn name(&self) -> &str {
        "m20261215_000303_child_welfare_allowance_basis"
    }
}

/// The source recorded on the corrected terms.
const LIBERTY_TERM_SOURCE: &str = "民发〔2019〕62号: 服刑在押、强制隔离戒毒或被执行其他限制人身自由的措施, 期限在6个月以上 (research §3.1; local texts alike)";

#[sea_orm_migration::async_trait::async_trait]
impl MigrationTrait for AllowanceBasis {
    #[allow(elided_lifetimes_in_paths)]
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite alters one column at a time.
        let columns: [(&str, ColumnDef); 8] = [
            ("allowances", string_len_null("previous_care_mode", 16)),
            ("allowances", string_len_null("care_mode_from", 7)),
            ("children", string_len_null("birth_month", 7)),
            ("evaluations", date_null("father_since")),
            ("evaluations", date_null("father_expected_end")),
            ("evaluations", date_null("mother_since")),
            ("evaluations", date_null("mother_expected_end")),
            ("evaluations", string_len_null("birth_month", 7)),
        ];
        for (table, column) in columns {
            m.alter_table(
                Table::alter()
                    .table(Alias::new(table))
                    .add_column(column)
                    .to_owned(),
            )
            .await?;
        }
        let db = m.get_connection();
        db.execute_unprepared(
            "UPDATE allowances SET care_mode = \
             (SELECT c.care_mode FROM children c WHERE c.id = allowances.child_id) \
             WHERE end_month IS NULL",
        )
        .await?;
        db.execute_raw(Statement::from_sql_and_values(
            db.get_database_backend(),
            "UPDATE reference_values SET value = 6, source = $1 \
             WHERE name IN ($2, $3) AND recorded_by = 'seed' AND value = 0",
            [
                LIBERTY_TERM_SOURCE.into(),
                names::COMPULSORY_DETOX_MIN_MONTHS.into(),
                names::DEPRIVED_OF_LIBERTY_MIN_MONTHS.into(),
            ],
        ))
        .await?;
        Ok(())
    }
}
