//! A registered (or submitted) child: the only place the child's and guardian's ID numbers and the
//! bank account live; responses mask them except for roles that need them.

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "children")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub person_ref: String,
    pub id_number: Option<String>,
    pub name: Option<String>,
    pub birth_date: Option<Date>,
    /// `YYYY-MM`, from a flag, until the identity gives the birth date.
    pub birth_month: Option<String>,
    pub township_code: String,
    pub village_code: String,
    pub category: String,
    pub care_mode: String,
    pub hiv_infected: bool,
    pub status: String,
    pub origin: String,
    pub at_risk_flag_id: Option<Uuid>,
    pub guardian_name: Option<String>,
    pub guardian_relationship: Option<String>,
    pub guardian_id_number: Option<String>,
    pub account_holder: Option<String>,
    pub bank_account: Option<String>,
    pub submitted_by: String,
    pub submitted_on: Date,
    pub decided_by: Option<String>,
    pub decided_on: Option<Date>,
    pub decision_reason: Option<String>,
    pub deceased_on: Option<Date>,
    pub adopted_on: Option<Date>,
    pub evidence_pending: bool,
    pub created_at: DateTimeUtc,
    pub version: i32,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
