//! An application for an aid programme and where it stands in the procedure.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "applications")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub household_id: Uuid,
    pub programme: String,
    pub channel: String,
    pub status: String,
    pub township_code: String,
    pub village_code: String,
    pub submitted_by: String,
    pub submitted_on: Date,
    pub staff_relative: bool,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
