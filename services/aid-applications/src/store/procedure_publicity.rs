//! Publicity rounds (公示): the id and board number a village board shows instead of names, so an
//! objection filed at the village finds its application and round.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "publicity_rounds")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub round: i32,
    pub publicity_number: String,
    pub township_code: String,
    pub village_code: String,
    pub opened_on: Date,
    pub closes_on: Date,
    pub closed_on: Option<Date>,
    pub objection_id: Option<Uuid>,
    pub objection_grounds: Option<String>,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
