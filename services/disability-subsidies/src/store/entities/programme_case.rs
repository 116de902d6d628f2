//! A case of 福康工程, 精康融合 or care services.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "programme_cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub programme: String,
    pub person_ref: String,
    pub township_code: String,
    pub village_code: String,
    pub status: String,
    pub item: String,
    #[sea_orm(column_type = "Text")]
    pub description: String,
    pub started_on: Date,
    pub recorded_by: String,
    pub decided_by: Option<String>,
    #[sea_orm(column_type = "Text")]
    pub decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
