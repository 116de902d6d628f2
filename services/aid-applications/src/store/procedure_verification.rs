//! Verification requests (家庭经济状况核对) sent for an investigation round, and the platform's
//! answer once it arrives.

use sea_orm::{QueryOrder, entity::prelude::*};

#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "verification_requests")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub application_id: Uuid,
    pub household_id: Uuid,
    pub township_code: String,
    pub village_code: String,
    pub round: i32,
    pub requested_on: Date,
    pub reply_by: Date,
    /// complete, incomplete or refused; `None` while unanswered.
    pub outcome: Option<String>,
    pub household_monthly_income_fen: Option<i64>,
    pub property_within_limits: Option<bool>,
    /// The platform's findings, a JSON array of snake_case names.
    pub findings: String,
    pub completed_on: Option<Date>,
    /// The platform's per-member incomes, a JSON array of `VerifiedIncome` (`person_ref`,
    /// `monthly_income_fen`, `employed`); `[]` when it gave none.
    pub member_incomes: String,
}

#[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
pub enum Relation {}

impl ActiveModelBehavior for ActiveModel {}

/// The latest verification request of the application (the highest round), if any.
pub async fn latest(
    db: &impl ConnectionTrait,
    application_id: Uuid,
) -> Result<Option<Model>, DbErr> {
    Entity::find()
        .filter(Column::ApplicationId.eq(application_id))
        .order_by_desc(Column::Round)
        .one(db)
        .await
}
