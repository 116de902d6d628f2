//! One payment of a batch: an allowance's month (or a re-issue of a failed or held line) to an
//! account; the account is copied so the bank file shows what was sent.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payment_lines")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub batch_id: Uuid,
    pub allowance_id: Uuid,
    pub child_id: Uuid,
    pub month: String,
    pub township_code: String,
    pub amount_fen: i64,
    pub status: String,
    pub account_holder: Option<String>,
    pub bank_account: Option<String>,
    pub reissue_of: Option<Uuid>,
    pub held_reason: Option<String>,
    pub return_reason: Option<String>,
    pub returned_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
