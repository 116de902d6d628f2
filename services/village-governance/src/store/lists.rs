//! The lists (清单制) as versioned reference data per township, and the certificates villages
//! issued under them.

/// One version of a township's list of one kind.
pub mod list {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "lists")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub township_code: String,
        pub kind: String,
        pub version: i32,
        pub valid_from: Date,
        /// JSON array of `{code, title}`.
        pub items: String,
        pub basis: String,
        pub created_by: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A certificate a village issued, with the list version that allowed it.
pub mod certificate {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub certificate_number: String,
        pub village_code: String,
        pub township_code: String,
        pub item_code: String,
        pub item_title: String,
        pub list_id: Uuid,
        pub list_version: i32,
        pub requester_name: String,
        pub purpose: String,
        pub issued_on: Date,
        pub issued_by: String,
        pub created_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
