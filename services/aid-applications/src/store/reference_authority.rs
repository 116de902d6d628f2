//! Per-township delegated authority to confirm applications (认定权限下放), switched by the district.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "township_authority")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub township_code: String,
    pub name: String,
    pub delegated: bool,
    pub changed_by: String,
    pub changed_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
