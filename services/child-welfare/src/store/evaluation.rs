//! The evaluation a minor-protection flag opens: the flagged situations, the outcome and who
//! completed it.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "evaluations")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    #[sea_orm(unique)]
    pub flag_id: Uuid,
    pub person_ref: String,
    pub case_id: Option<Uuid>,
    pub township_code: String,
    pub village_code: String,
    pub father_situation: String,
    pub father_ref: Option<String>,
    pub mother_situation: String,
    pub mother_ref: Option<String>,
    pub father_since: Option<Date>,
    pub father_expected_end: Option<Date>,
    pub mother_since: Option<Date>,
    pub mother_expected_end: Option<Date>,
    /// `YYYY-MM`, when the flag carries it.
    pub birth_month: Option<String>,
    pub flagged_on: Date,
    pub status: String,
    pub outcome: String,
    pub child_id: Option<Uuid>,
    pub decided_by: Option<String>,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
