//! Work recorded on a case: assessments, emergency responses, support plans, notes, reviews.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "case_actions")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub case_id: Uuid,
    pub kind: String,
    pub on_date: Date,
    pub actor: String,
    pub actor_division: String,
    /// What any viewer may see (a risk level, a measure kind); never personal data.
    pub summary: String,
    /// Narrative and structured detail: full view only.
    pub detail: String,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
