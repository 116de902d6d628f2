//! Low-income monitoring: active-discovery tasks opened from partner facts, and referrals to
//! specialised assistance.

/// An active-discovery task (主动发现).
pub mod task {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "discovery_tasks")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// assess_household or single_person_dibao_candidate.
        pub kind: String,
        /// partner_flag or certificate.
        pub source: String,
        /// What makes a re-sent fact the same task (the flag id; person, level and issue date).
        pub source_key: String,
        /// The registered household, when the person is a member of one.
        pub household_id: Option<Uuid>,
        /// The person concerned: the flagged head, or the certified member.
        pub person_ref: String,
        pub township_code: String,
        pub village_code: String,
        /// The partner's risk for a flag (illness, disability, …).
        pub risk: Option<String>,
        /// Certificate category and level for a candidate ("intellectual/3").
        pub disability_grade: Option<String>,
        pub opened_on: Date,
        /// open or closed.
        pub status: String,
        pub outcome: Option<String>,
        pub note: Option<String>,
        pub closed_on: Option<Date>,
        pub closed_by: Option<String>,
        pub referral_id: Option<Uuid>,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A referral to medical, education, housing or employment assistance (分层分类).
pub mod referral {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "referrals")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub household_id: Uuid,
        pub person_ref: Option<String>,
        pub assistance: String,
        pub source: String,
        pub township_code: String,
        pub village_code: String,
        pub requested_on: Date,
        pub requested_by: String,
        pub note: String,
        pub task_id: Option<Uuid>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
