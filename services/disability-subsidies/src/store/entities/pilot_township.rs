//! Townships where a pilot programme runs (精康融合).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "pilot_townships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub programme: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub township_code: String,
    pub valid_from: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
