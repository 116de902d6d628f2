//! Extreme-poverty support (特困人员供养) of people child-welfare may register, as aid announces it
//! (`aid.enrollment.*`, person_refs only), and the holds it put on children's allowances.

/// The months one extreme-poverty enrollment supports one beneficiary (`YYYY-MM`).
pub mod period {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "extreme_poverty_periods")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub enrollment_id: Uuid,
        pub person_ref: String,
        /// First month supported; unknown while only the end has arrived.
        pub from_month: Option<String>,
        /// Last month supported; open while the enrollment runs for the person.
        pub to_month: Option<String>,
        pub updated_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A registered child's allowance stopped (or not started) because of extreme-poverty support,
/// until it starts again or the registration closes.
pub mod hold {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "allowance_holds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub child_id: Uuid,
        /// First month not paid because of the support.
        pub held_from: String,
        /// The allowance stopped (none when the hold came at approval).
        pub stopped_allowance_id: Option<Uuid>,
        pub held_on: Date,
        /// resumed, closed (the registration ended) or not_entitled; none while held.
        pub outcome: Option<String>,
        pub resumed_allowance_id: Option<Uuid>,
        pub released_on: Option<Date>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
