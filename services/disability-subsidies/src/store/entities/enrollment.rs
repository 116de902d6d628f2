//! An aid enrollment (dibao, extreme poverty, marginal, single-person dibao) as aid publishes it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub enrollment_id: Uuid,
    pub household_id: Uuid,
    pub programme: String,
    pub township_code: String,
    pub village_code: String,
    pub start_month: Option<String>,
    pub end_month: Option<String>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
