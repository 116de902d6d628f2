//! Who is paid and where: the beneficiary's name and payment account.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "payees")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_ref: String,
    pub name: String,
    pub bank_code: Option<String>,
    pub account_number: Option<String>,
    pub account_holder_name: Option<String>,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
