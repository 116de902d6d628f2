//! Effective-dated reference data: named parameters by scope, vote thresholds by assembly body,
//! and yearly service-centre targets.

/// Named integer parameters (`value`) per scope from `valid_from`.
pub mod parameter {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "parameters")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub scope: String,
        pub valid_from: Date,
        pub value: i64,
        pub basis: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// Quorum and majority of each assembly body from `valid_from`.
pub mod vote_threshold {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "vote_thresholds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub body: String,
        pub valid_from: Date,
        pub quorum_numerator: i32,
        pub quorum_denominator: i32,
        pub quorum_strictly_more: bool,
        pub majority_numerator: i32,
        pub majority_denominator: i32,
        pub majority_strictly_more: bool,
        pub may_adopt_rules: bool,
        pub basis: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// How many village service centres the district builds in a year.
pub mod centre_target {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "service_centre_targets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub year: i32,
        pub target: i32,
        pub basis: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
