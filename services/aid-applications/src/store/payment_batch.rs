//! A payment batch sent to the bank: the monthly run (one per month) or a re-issue of returned lines.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_batches")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub month: i32,
    /// monthly or reissue.
    pub kind: String,
    /// `monthly-<yyyymm>` for the monthly run (unique: one run per month), `None` for re-issues.
    pub monthly_key: Option<String>,
    pub line_count: i64,
    pub total_fen: i64,
    /// Lines held back (no payee account); not sent to the bank.
    pub held_count: i64,
    pub issued_by: String,
    pub issued_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
