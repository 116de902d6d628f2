//! A referral of a case to another agency or unit; ownership stays.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "referrals")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    /// A unit of the network that works on the case without owning it.
    pub to_unit: Option<String>,
    pub agency: String,
    pub purpose: String,
    pub status: String,
    pub referred_on: Date,
    pub completed_on: Option<Date>,
    pub referred_by: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
