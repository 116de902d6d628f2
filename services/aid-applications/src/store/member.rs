//! A household member, with the ID number this service holds (shown masked except to roles that
//! need it, each unmasked read audited).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "members")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub household_id: Uuid,
    pub id_number: String,
    pub person_ref: String,
    pub name: String,
    pub relationship: String,
    pub employed: bool,
    pub able_to_work: bool,
    pub monthly_income_fen: i64,
    pub deceased_on: Option<Date>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
