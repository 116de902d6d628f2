//! A unit of the protection network: the district centre, a township workstation, a village post.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "protection_units")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub division_code: String,
    pub level: String,
    pub name: String,
    /// The child director (village) or child supervisor (township) as an identity-provider subject.
    pub lead_subject: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
