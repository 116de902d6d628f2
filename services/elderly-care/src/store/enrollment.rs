//! What this service knows of aid enrollments (from aid.enrollment.* events): enough to plan dispersed-support visits and to ignore an enrollment that already ended when its start arrives late.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub household_id: Uuid,
    pub programme: String,
    pub support_mode: Option<String>,
    pub township_code: String,
    pub village_code: String,
    /// JSON array of beneficiaries' person_refs.
    pub beneficiaries: String,
    pub confirmed_on: Option<Date>,
    pub ended_on: Option<Date>,
    pub updated_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
