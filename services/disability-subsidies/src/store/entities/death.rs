//! A death record, remembered even for people this service does not know yet.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "deaths")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_ref: String,
    pub died_on: Date,
    pub recorded_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
