//! Village rules and residents' conventions: the document, its versions, and every step taken on a
//! version (reviews with their findings, votes with quorum and majority, filings, publication).

/// One rules document of a village (all its versions).
pub mod document {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub kind: String,
        pub township_code: String,
        pub village_code: String,
        pub title: String,
        /// Number of the latest version.
        pub latest_version: i32,
        /// Status of the latest version.
        pub status: String,
        /// Number of the version in force (published), if any.
        pub published_version: Option<i32>,
        pub next_review_due_on: Option<Date>,
        pub created_at: DateTimeUtc,
        /// Optimistic-concurrency version (ETag).
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One version's text and the dates of its procedure.
pub mod version {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rules_versions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub rules_id: Uuid,
        pub number: i32,
        pub status: String,
        pub text: String,
        pub drafted_on: Date,
        pub legal_reviewed_on: Option<Date>,
        pub legality_reviewed_on: Option<Date>,
        pub voted_on: Option<Date>,
        pub township_filed_on: Option<Date>,
        pub district_filed_on: Option<Date>,
        pub published_on: Option<Date>,
        pub next_review_due_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A step taken on a version, with its detail as JSON (opinion, findings, tally and threshold).
pub mod step {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "rules_steps")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub rules_id: Uuid,
        pub version_number: i32,
        pub step: String,
        pub outcome: String,
        pub happened_on: Date,
        pub actor: String,
        pub detail: String,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
