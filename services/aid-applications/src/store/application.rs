//! An application for an aid programme: indexed columns to find and scope it, and the domain
//! aggregate (`state`, JSON) with its investigation findings (`facts`), under one `version`.

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
    /// The domain `Application` as JSON (`domain::application::Application`).
    pub state: String,
    /// What the investigation found about the household (`commands::procedure::facts`), JSON.
    pub facts: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
