//! A child's monthly basic living allowance: from its start month to its end month (the last
//! month paid), under one category and care mode.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "allowances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub child_id: Uuid,
    pub category: String,
    /// The care mode in force (from `care_mode_from` when a change is on record).
    pub care_mode: String,
    /// The care mode before the latest change, paid for months before `care_mode_from`.
    pub previous_care_mode: Option<String>,
    pub care_mode_from: Option<String>,
    pub start_month: String,
    pub end_month: Option<String>,
    pub end_reason: Option<String>,
    pub approved_on: Date,
    pub ended_on: Option<Date>,
    pub township_code: String,
    pub village_code: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
