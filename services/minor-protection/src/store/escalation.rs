//! An escalation of a case one level up (督办升级).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "escalations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub from_level: String,
    pub to_level: String,
    pub from_unit: String,
    pub to_unit: String,
    pub reason: String,
    /// The level a deadline escalation was raised for (unique per case); null for others.
    pub raised_for: Option<String>,
    pub escalated_on: Date,
    pub due_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
