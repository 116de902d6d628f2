//! Facilities and projects: nursing homes, service centres, rehabilitation stations, mutual-aid points and public-area retrofits, with status, progress and (nursing homes) occupancy.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "facilities")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub kind: String,
    pub name: String,
    pub township_code: String,
    pub village_code: Option<String>,
    pub status: String,
    pub progress_percent: i32,
    pub operating_model: Option<String>,
    pub beds: Option<i32>,
    pub occupied_beds: Option<i32>,
    pub extreme_poverty_residents: Option<i32>,
    /// Opened (facility) or completed (retrofit).
    pub done_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
