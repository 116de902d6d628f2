//! Effective-dated subsidy standards by subsidy and level (0 = any level).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "standards")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub subsidy: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub level: i32,
    #[sea_orm(primary_key, auto_increment = false)]
    pub valid_from: Date,
    pub monthly_fen: i64,
    pub placeholder: bool,
    #[sea_orm(column_type = "Text")]
    pub source: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
