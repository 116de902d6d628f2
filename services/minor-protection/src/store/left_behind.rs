//! A left-behind child (留守儿童) on the named register of a village.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "left_behind_children")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub village_code: String,
    pub township_code: String,
    pub name: String,
    pub id_number: String,
    pub person_ref: String,
    pub address: String,
    pub guardian_name: String,
    pub guardian_relationship: String,
    pub registered_on: Date,
    pub last_visit_on: Option<Date>,
    pub next_visit_due: Date,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub registered_by: String,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
