//! Community workers (社区工作者) of a village or community.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "community_workers")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub village_code: String,
    pub township_code: String,
    pub name: String,
    pub pay_level: String,
    pub qualification: String,
    pub certificate_number: Option<String>,
    /// First day of community work (seniority counts from it).
    pub started_on: Date,
    pub left_on: Option<Date>,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
