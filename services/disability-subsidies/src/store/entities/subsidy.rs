//! A subsidy case: application, review, approval, the months it pays and why it ended.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "subsidies")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_ref: String,
    pub kind: String,
    pub origin: String,
    pub status: String,
    pub open_key: Option<String>,
    pub township_code: String,
    pub village_code: String,
    pub household_id: Option<Uuid>,
    pub received_at: String,
    pub cross_province: bool,
    pub applied_on: Date,
    pub application_month: String,
    pub start_month: String,
    pub end_month: Option<String>,
    pub end_reason: Option<String>,
    pub rate_level: i32,
    pub previous_rate_level: Option<i32>,
    pub rate_level_from: Option<String>,
    pub monthly_amount_fen: i64,
    pub next_unpaid_month: String,
    pub submitted_by: String,
    pub reviewed_by: Option<String>,
    pub reviewed_on: Option<Date>,
    pub decided_by: Option<String>,
    pub decided_on: Option<Date>,
    #[sea_orm(column_type = "Text")]
    pub decision_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
