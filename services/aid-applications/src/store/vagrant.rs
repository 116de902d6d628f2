//! Vagrant relief records: one row per stay at the relief station, and the effective-dated relief
//! rules (the tracing-notice time limit).

/// A stay: admission, identification, tracing notice, exit.
pub mod stay {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "vagrant_stays")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        /// The admitting office: the district station (6 digits) or a township help point (9).
        pub division_code: String,
        pub admitted_at: DateTimeUtc,
        pub found_place: String,
        pub referred_by: String,
        pub sex: String,
        pub apparent_age: Option<i32>,
        /// The name as stated or established (personal data: never in events or logs).
        pub name: Option<String>,
        pub id_number: Option<String>,
        pub person_ref: Option<String>,
        /// The household of a registered member with that person_ref, when there is one.
        pub household_id: Option<Uuid>,
        pub identified_at: Option<DateTimeUtc>,
        pub identification_method: Option<String>,
        pub tracing_notice_due: Option<DateTimeUtc>,
        pub tracing_notice_at: Option<DateTimeUtc>,
        pub tracing_notice_channel: Option<String>,
        pub tracing_notice_late: bool,
        pub exit_outcome: Option<String>,
        pub exited_at: Option<DateTimeUtc>,
        pub destination: Option<String>,
        pub recorded_by: String,
        pub version: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The relief rules, effective-dated.
pub mod rule {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "vagrant_relief_rules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub valid_from: Date,
        pub tracing_notice_hours: i32,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
