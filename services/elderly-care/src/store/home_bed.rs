//! A home care bed (家庭养老床位) from application to closure, with the older person's identity (held here, masked on the edge).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "home_beds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_ref: String,
    pub id_number: String,
    pub name: String,
    pub address: String,
    pub township_code: String,
    pub village_code: String,
    pub status: String,
    pub applied_on: Date,
    pub capability_level: Option<String>,
    pub assessed_on: Option<Date>,
    pub provider_id: Option<Uuid>,
    pub established_on: Option<Date>,
    pub retrofit: bool,
    pub monthly_subsidy_fen: Option<i64>,
    pub closed_on: Option<Date>,
    pub close_reason: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
