//! A transfer of a case: ownership moves when the receiving unit accepts.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "transfers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub from_unit: String,
    pub to_unit: String,
    pub to_village_code: String,
    pub status: String,
    pub reason: String,
    pub requested_on: Date,
    pub requested_by: String,
    pub decided_on: Option<Date>,
    pub decided_by: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
