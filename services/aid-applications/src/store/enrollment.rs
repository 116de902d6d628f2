//! An enrollment: indexed columns for scoping and the set-based payment run (months as `yyyymm`
//! integers), and the domain `Enrollment` with its beneficiaries as JSON (`state`).

use sea_orm::entity::prelude::*;

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "enrollments")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub household_id: Uuid,
    pub programme: String,
    pub residence: String,
    pub support_mode: Option<String>,
    pub care_level: Option<String>,
    pub township_code: String,
    pub village_code: String,
    /// active, exiting (gradual exit running) or ended.
    pub status: String,
    pub start_month: i32,
    /// Last paid month, once decided.
    pub end_month: Option<i32>,
    pub monthly_amount_fen: i64,
    pub next_review_due: i32,
    /// Account holder (the beneficiary, a registered agent, or the institution).
    pub payee_name: Option<String>,
    pub payee_account: Option<String>,
    pub payee_bank: Option<String>,
    /// The first month the monthly run looks at: every month from it through the run's month
    /// that is owed and not settled is paid (arrears, top-ups), then it moves on.
    pub next_unpaid_month: i32,
    /// The bank returned a payment to the account on record: lines are held until a clerk
    /// confirms or corrects the payee.
    pub payee_returned_on: Option<Date>,
    pub state: String,
    pub version: i32,
    pub created_at: DateTimeUtc,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}
