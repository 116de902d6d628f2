//! A protection case (个案): the child, its place, the unit holding it, supervision and outcome.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "cases")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub function: String,
    pub reporter: String,
    pub township_code: String,
    pub village_code: String,
    /// The unit holding the case.
    pub owner_unit: String,
    pub status: String,
    /// A major matter under supervision (督办).
    pub major: bool,
    pub risk_level: Option<String>,
    /// The holder's supervision deadline.
    pub due_on: Option<Date>,
    /// The holder reported the supervised matter handled (办结); no more escalation.
    pub supervision_done_on: Option<Date>,
    pub opened_on: Date,
    pub closed_on: Option<Date>,
    pub outcome: Option<String>,
    pub closure_reason: Option<String>,
    pub child_name: String,
    pub child_id_number: Option<String>,
    pub child_person_ref: Option<String>,
    pub child_birth_date: Option<Date>,
    pub child_address: String,
    pub narrative: String,
    pub child_deceased_on: Option<Date>,
    pub guardianship_active: bool,
    pub opened_by: String,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
