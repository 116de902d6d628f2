//! The publicity board's postings (from `aid.publicity.opened.v1`, masked data only) and the
//! residents' objections (the objector's name and phone stay here, never in an event).

/// A posting on a village board.
pub mod posting {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "publicity_postings")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub publicity_id: Uuid,
        pub application_id: Uuid,
        pub publicity_number: String,
        pub round: i32,
        pub programme: String,
        pub residence: String,
        pub household_size: i32,
        pub proposed_monthly_amount_fen: i64,
        pub township_code: String,
        pub village_code: String,
        pub opened_on: Date,
        pub closes_on: Date,
        pub received_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A resident's objection to a posting.
pub mod objection {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "objections")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub publicity_id: Uuid,
        pub application_id: Uuid,
        pub village_code: String,
        pub township_code: String,
        pub grounds: String,
        pub statement: String,
        pub objector_name: String,
        pub objector_phone: String,
        pub raised_on: Date,
        pub recorded_by: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
