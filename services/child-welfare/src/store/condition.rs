//! One condition of a parent (death, 重残, imprisonment, …) with its dates and the evidence cited;
//! rows are never deleted: an ended condition carries its end date.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "parent_conditions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub parent_id: Uuid,
    pub situation: String,
    pub since: Option<Date>,
    pub expected_end: Option<Date>,
    pub ended_on: Option<Date>,
    pub disability_category: Option<String>,
    pub disability_level: Option<i32>,
    pub evidence: String,
    pub recorded_by: String,
    pub recorded_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
