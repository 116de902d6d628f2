//! A parent's recorded situation on a case (the de facto unsupported conditions read it).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_parents")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub case_id: Uuid,
    /// father or mother.
    #[sea_orm(primary_key, auto_increment = false)]
    pub parent: String,
    pub situation: String,
    pub since: Option<Date>,
    pub term_months: Option<i32>,
    pub name: Option<String>,
    pub id_number: Option<String>,
    pub person_ref: Option<String>,
    pub recorded_on: Date,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
