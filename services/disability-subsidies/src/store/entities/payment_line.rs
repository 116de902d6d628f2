//! One month of one subsidy in a batch, with the account it goes to and its rule trail.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub subsidy_id: Uuid,
    pub person_ref: String,
    pub kind: String,
    pub month: String,
    pub amount_fen: i64,
    pub level: i32,
    pub standard_from: Date,
    pub status: String,
    pub hold_reason: Option<String>,
    pub arrears: bool,
    pub township_code: String,
    pub bank_code: Option<String>,
    pub account_number: Option<String>,
    pub account_holder_name: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub trail: String,
    pub return_reason: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
