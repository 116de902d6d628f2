//! Fallback guardianship (兜底监护) by civil affairs of a case's child.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "guardianships")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: String,
    pub basis: String,
    pub placement: String,
    pub started_on: Date,
    pub next_review_on: Date,
    pub ended_on: Option<Date>,
    pub end_reason: Option<String>,
    pub started_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
