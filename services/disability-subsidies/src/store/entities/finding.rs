//! A comparison finding: a case with an owner, a due date and a resolution.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "findings")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub subsidy_kind: Option<String>,
    pub subsidy_id: Option<Uuid>,
    pub person_ref: String,
    pub comparison_month: String,
    pub amount_at_risk_fen: Option<i64>,
    pub township_code: String,
    pub owner: String,
    pub detected_on: Date,
    pub due_on: Date,
    pub status: String,
    #[sea_orm(column_type = "Text")]
    pub resolution: Option<String>,
    pub resolved_by: Option<String>,
    pub resolved_on: Option<Date>,
    pub open_key: Option<String>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
