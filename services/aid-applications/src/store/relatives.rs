//! The staff-relative register (近亲属备案): close relatives of bureau, township and village staff,
//! referred to by `person_ref` so a registration matches whichever household the relative joins.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "staff_relatives")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    /// The staff member's subject in the identity provider (their token's `sub`).
    pub staff_subject: String,
    pub staff_name: String,
    /// Where the staff member works: district (6 digits), township (9) or village (12).
    pub staff_division: String,
    pub staff_post: String,
    /// `person_ref` of the relative.
    pub relative_ref: String,
    /// The relative's ID number, masked; the full number is not needed once `relative_ref` is known.
    pub relative_id_masked: String,
    pub relative_name: String,
    pub relation: String,
    pub registered_on: Date,
    pub registered_by: String,
    pub withdrawn_on: Option<Date>,
    pub withdrawal_reason: Option<String>,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
