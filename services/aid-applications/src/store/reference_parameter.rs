//! One effective-dated value of an aid parameter (`domain::reference::Parameters`), stored as JSON
//! so the bureau can add a new standard or correct one without a release.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "reference_parameters")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub name: String,
    #[sea_orm(primary_key, auto_increment = false)]
    pub valid_from: Date,
    /// The value as JSON (its shape is the parameter's type in the domain).
    pub value: String,
    pub changed_by: String,
    pub changed_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
