//! A child's basic living allowance as child-welfare announced it (`child.allowance.*`): when it
//! started, its latest basis, and its end. Months are stored as `YYYY-MM`.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "welfare_allowances")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub allowance_id: Uuid,
    pub person_ref: String,
    pub child_id: Uuid,
    /// First month paid; unknown while only a change or the end has arrived.
    pub start_month: Option<String>,
    pub category: Option<String>,
    pub care_mode: Option<String>,
    /// Month from which `category` and `care_mode` hold (the start or the latest change).
    pub basis_month: Option<String>,
    /// Last month paid.
    pub end_month: Option<String>,
    pub end_reason: Option<String>,
    pub ended_on: Option<Date>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
