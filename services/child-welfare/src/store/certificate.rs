//! Disability certificates the 残联 published, by person_ref only (no ID or certificate number):
//! they confirm a parent's 重残 and a child's disability.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "certificates")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_ref: String,
    pub category: String,
    pub level: i32,
    pub issued_on: Date,
    pub expires_on: Date,
    pub revoked_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
