//! One payment line: an enrollment's amount for a month, its fate at the bank (issued, held,
//! returned) and the re-issue that replaced a returned line.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub enrollment_id: Uuid,
    pub month: i32,
    pub township_code: String,
    pub amount_fen: i64,
    /// issued, held, returned or reissued.
    pub status: String,
    pub return_id: Option<Uuid>,
    pub return_reason: Option<String>,
    pub returned_on: Option<Date>,
    pub reissued_in: Option<Uuid>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
