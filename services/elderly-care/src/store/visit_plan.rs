//! A visit plan: one person, one kind (dispersed support or left-behind), a schedule and where it stands.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "visit_plans")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub person_ref: String,
    pub enrollment_id: Option<Uuid>,
    pub left_behind_elder_id: Option<Uuid>,
    pub township_code: String,
    pub village_code: String,
    pub anchor_on: Date,
    pub interval_months: i32,
    pub next_due_on: Date,
    pub missed_visits: i32,
    pub last_visited_on: Option<Date>,
    pub status: String,
    pub cancel_reason: Option<String>,
    pub cancelled_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
