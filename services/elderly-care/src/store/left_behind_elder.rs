//! A left-behind rural older person (农村留守老人) on the register, visited on a plan.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "left_behind_elders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_ref: String,
    pub id_number: String,
    pub name: String,
    pub address: String,
    pub township_code: String,
    pub village_code: String,
    pub living_arrangement: String,
    pub registered_on: Date,
    pub status: String,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
