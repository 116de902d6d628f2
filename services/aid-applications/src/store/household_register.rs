//! What the register keeps about a household beyond its members: each member's income items,
//! the household's property, the members who left, and the append-only change history.

/// One monthly income item of a member (工资, 经营, 养老金, 赡养费, 其他).
pub mod income {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "member_incomes")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub household_id: Uuid,
        pub member_id: Uuid,
        /// wages, self_employment, pension, family_support or other.
        pub kind: String,
        pub monthly_fen: i64,
        /// Where it comes from (employer, pension fund …), as the family declared it.
        pub source: Option<String>,
        pub recorded_on: Date,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One property item of the household; a disposed item is kept with its disposal date.
pub mod asset {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "household_assets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub household_id: Uuid,
        /// The member who holds it, when known.
        pub member_id: Option<Uuid>,
        /// home, vehicle, deposits, securities, business or other.
        pub kind: String,
        pub description: String,
        pub value_fen: i64,
        pub exempt: bool,
        pub exempt_reason: Option<String>,
        pub employs_others: bool,
        pub recorded_on: Date,
        pub disposed_on: Option<Date>,
        pub disposal_reason: Option<String>,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// A member who left the household (moved out, married out, …): no longer counted, kept for the
/// history with a masked ID number only.
pub mod former_member {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "former_members")]
    pub struct Model {
        /// The id the member had in the household.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub household_id: Uuid,
        pub person_ref: String,
        pub masked_id_number: String,
        pub name: String,
        pub relationship: String,
        pub left_on: Date,
        pub reason: String,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// One entry of a household's change history (变更记录): never updated, never deleted.
pub mod change {
    use sea_orm::entity::prelude::*;

    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "household_changes")]
    pub struct Model {
        /// UUID v7: the history's order.
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub household_id: Uuid,
        /// registered, member_joined, member_left, member_died, income_changed, property_added,
        /// property_disposed, address_changed.
        pub kind: String,
        pub member_id: Option<Uuid>,
        /// The date the change took effect.
        pub effective_on: Date,
        /// What changed, as JSON (no ID numbers).
        pub detail: String,
        /// Token subject of whoever recorded it (`partner:civil-registry` for a death).
        pub recorded_by: String,
        pub recorded_at: DateTimeUtc,
    }

    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
