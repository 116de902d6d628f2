//! A certificate holder as the 残联 reports them (category, level, validity, 户籍 place).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "holders")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub person_ref: String,
    pub category: Option<String>,
    pub level: Option<i32>,
    pub issued_on: Option<Date>,
    pub expires_on: Option<Date>,
    pub registration_division: Option<String>,
    pub township_code: Option<String>,
    pub village_code: Option<String>,
    pub revoked_on: Option<Date>,
    pub revocation_reason: Option<String>,
    pub reassessment_since: Option<Date>,
    pub as_of: Date,
    pub updated_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
