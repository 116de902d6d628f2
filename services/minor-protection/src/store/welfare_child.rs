//! A child registered by child-welfare (from `child.registered.v1`), keyed by person_ref: only the
//! category, care mode and date — no name or ID number arrives on the bus.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "welfare_children")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_ref: String,
    /// child-welfare's registration id.
    pub child_id: Uuid,
    pub category: String,
    pub care_mode: String,
    pub origin: String,
    pub registered_on: Date,
    pub township_code: String,
    pub village_code: String,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
