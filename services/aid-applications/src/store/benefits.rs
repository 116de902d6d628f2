//! What other departments announce about people aid may assist: benefits they pay (child-welfare's
//! allowance, the disability subsidies), child-welfare registrations, disability certificates as
//! the 残联 last graded them — all by person_ref, no ID or certificate number — and the reviews a
//! certificate fact asks of an enrollment. Months are `yyyymm` integers.

/// A benefit another department pays a person.
pub mod other_benefit {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "other_benefits")]
    pub struct Model {
        /// The paying department's id (allowance or subsidy id).
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub person_ref: String,
        /// child_allowance, living_subsidy or nursing_subsidy.
        pub kind: String,
        /// The child's category and care mode (`orphan/family_based`) for an allowance.
        pub detail: Option<String>,
        pub start_month: Option<i32>,
        pub monthly_amount_fen: Option<i64>,
        /// Month from which `monthly_amount_fen` holds (the start or the latest change).
        pub amount_from: Option<i32>,
        /// Last month paid.
        pub end_month: Option<i32>,
        pub end_reason: Option<String>,
        pub ended_on: Option<Date>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A child registered by child-welfare (orphan or de facto unsupported).
pub mod child_registration {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "child_registrations")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_ref: String,
        pub child_id: Uuid,
        pub category: String,
        pub care_mode: String,
        pub registered_on: Date,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A person's disability certificate as last announced: grade and validity, or its revocation.
pub mod certificate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "member_certificates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub person_ref: String,
        /// Category digit 1–7 and level 1–4 (kept after a revocation: the grade it had).
        pub category: i16,
        pub level: i16,
        pub expires_on: Option<Date>,
        /// valid or revoked.
        pub status: String,
        pub revocation_reason: Option<String>,
        /// Date of the fact kept (issue, change or revocation).
        pub as_of: Date,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// An enrollment put before the approvers because a fact affects what it pays (a certificate,
/// a household change, a standard lowered, months overpaid): flags never change an amount.
pub mod review_flag {
    use sea_orm::{ActiveValue::Set, TryInsertResult, entity::prelude::*};

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "enrollment_review_flags")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub enrollment_id: Uuid,
        pub household_id: Uuid,
        pub person_ref: String,
        pub township_code: String,
        pub village_code: String,
        /// Why: certificate_changed, certificate_revoked, household_changed, other_programme,
        /// standard_lowered, standard_changed or overpaid (the fact that raised it).
        pub reason: String,
        /// What the fact said: the grade now, the revocation reason, the months concerned.
        pub detail: String,
        pub raised_on: Date,
        /// What makes a re-sent fact the same flag.
        pub source_key: String,
        /// open or cleared.
        pub status: String,
        pub cleared_on: Option<Date>,
        pub cleared_by: Option<String>,
        pub note: Option<String>,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}

    /// Opens a review flag unless one with the same `source_key` exists for the enrollment (the
    /// same fact sent again).
    pub async fn raise(
        tx: &impl ConnectionTrait,
        e: &crate::store::enrollment::Model,
        person_ref: &str,
        reason: &str,
        detail: &str,
        on: Date,
        source_key: &str,
    ) -> Result<bool, DbErr> {
        let inserted = Entity::insert(ActiveModel {
            id: Set(Uuid::now_v7()),
            enrollment_id: Set(e.id),
            household_id: Set(e.household_id),
            person_ref: Set(person_ref.to_owned()),
            township_code: Set(e.township_code.clone()),
            village_code: Set(e.village_code.clone()),
            reason: Set(reason.to_owned()),
            detail: Set(detail.to_owned()),
            raised_on: Set(on),
            source_key: Set(source_key.to_owned()),
            status: Set("open".into()),
            cleared_on: Set(None),
            cleared_by: Set(None),
            note: Set(None),
            version: Set(1),
        })
        .on_conflict_do_nothing_on([Column::EnrollmentId, Column::SourceKey])
        .exec(tx)
        .await?;
        Ok(matches!(inserted, TryInsertResult::Inserted(_)))
    }
}
