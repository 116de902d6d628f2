//! The villages and communities (村/社区) of the district, with their household counts: reference
//! data the township keeps, used by the coverage and staffing reports.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "villages")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub code: String,
    pub township_code: String,
    pub name: String,
    /// `village` (村) or `community` (社区).
    pub kind: String,
    pub households: i32,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
